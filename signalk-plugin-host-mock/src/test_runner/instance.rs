//! One run of a WASI command module (a `cargo test` binary) with the mock host's `env`
//! imports and the test import module: a fresh store, a fresh host and a fresh plugin
//! VFS per run, so one test cannot see another's host calls or files.

use std::path::Path;
use std::time::Duration;

use signalk_plugin::testing::wire;
use wasmtime::{Module, Store, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

use crate::engine::{self, EPOCH_TICK};
use crate::state::{GuestExports, HostState};
use crate::{Error, HostOptions, imports};

/// Most bytes of a test's stdout or stderr kept when captured.
const CAPTURE_LIMIT: usize = 64 << 20;

/// How a run ended.
#[derive(Debug)]
pub(super) enum Ending {
    /// `_start` returned (0) or called `proc_exit`.
    Exit(i32),
    /// A trap (a panic aborts with one), or the time limit: the text says which.
    Trap(String),
}

/// The result of one run; `stdout` and `stderr` are empty unless captured.
#[derive(Debug)]
pub(super) struct Run {
    pub(super) ending: Ending,
    pub(super) stdout: Vec<u8>,
    pub(super) stderr: Vec<u8>,
}

/// What every run of one test binary shares.
pub(super) struct Binary {
    pub(super) module: Module,
    /// argv\[0\] and the package name the host sees.
    pub(super) name: String,
    pub(super) timeout: Duration,
}

impl Binary {
    /// Compiles `path` (a WASI command: it must export `_start`).
    pub(super) fn load(path: &Path, timeout: Duration) -> Result<Self, Error> {
        let bytes =
            std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        let module = engine::compile(&bytes)?;
        if module.get_export("_start").is_none() {
            return Err(Error::Compile(format!(
                "{} exports no `_start`: not a test binary (a WASI command); plugins are run with `run`",
                path.display()
            )));
        }
        // `cargo test` binaries are named `<crate>-<hash>.wasm`.
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("test");
        let name = match stem.rsplit_once('-') {
            Some((name, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => name,
            _ => stem,
        };
        Ok(Binary {
            module,
            name: name.to_owned(),
            timeout,
        })
    }

    /// Runs `_start` with `args` after argv\[0\]. `capture` keeps stdout and stderr in
    /// the [`Run`]; otherwise the test writes to this process's own.
    pub(super) fn run(&self, args: &[String], capture: bool) -> Result<Run, Error> {
        let vfs = tempfile::tempdir().map_err(|e| Error::io("creating the test's VFS root", e))?;
        let mut wasi = WasiCtxBuilder::new();
        wasi.arg(&self.name)
            .args(args)
            .inherit_env()
            .allow_blocking_current_thread(true);
        preopen(&mut wasi, vfs.path(), "/", FsPerms::ReadWrite)?;
        // cargo runs a test in its package directory: readable there, at the same path,
        // for tests that open fixtures by `env!("CARGO_MANIFEST_DIR")`.
        let cwd =
            std::env::current_dir().map_err(|e| Error::io("reading the current directory", e))?;
        if let Some(guest_path) = cwd.to_str() {
            preopen(&mut wasi, &cwd, guest_path, FsPerms::ReadOnly)?;
        }
        let pipes = capture.then(|| {
            (
                MemoryOutputPipe::new(CAPTURE_LIMIT),
                MemoryOutputPipe::new(CAPTURE_LIMIT),
            )
        });
        match &pipes {
            Some((out, err)) => {
                wasi.stdout(out.clone()).stderr(err.clone());
            }
            None => {
                wasi.inherit_stdout().inherit_stderr();
            }
        }

        let options = HostOptions::new(&self.name);
        let limits = StoreLimitsBuilder::new()
            .memory_size(options.memory_limit)
            .instances(1)
            .build();
        let mut state = HostState::new(wasi.build_p1(), limits, options);
        state.recorded = super::imports::unbounded_record(&self.name);
        let mut store = Store::new(engine::engine(), state);
        store.limiter(|s| &mut s.limits);
        let ticks = self
            .timeout
            .as_millis()
            .div_ceil(EPOCH_TICK.as_millis())
            .max(1);
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));

        let mut linker = imports::linker_leaving(&self.module, false, Some(wire::MODULE))?;
        super::imports::add(&mut linker)?;
        let ending = match linker.instantiate(&mut store, &self.module) {
            Ok(instance) => {
                let memory = instance
                    .get_memory(&mut store, "memory")
                    .ok_or_else(|| Error::Compile("the test binary exports no `memory`".into()))?;
                // No allocator and no delta handler: the host calls a test makes are
                // answered and recorded, never turned into calls back into the test,
                // as with the native recorder.
                store.data_mut().exports = Some(GuestExports {
                    memory,
                    allocate: None,
                    deallocate: None,
                    delta_handler: None,
                });
                let start = instance
                    .get_typed_func::<(), ()>(&mut store, "_start")
                    .map_err(|e| Error::Link(format!("`_start`: {e}")))?;
                match start.call(&mut store, ()) {
                    Ok(()) => Ending::Exit(0),
                    Err(err) => self.ending(&store, &err),
                }
            }
            Err(err) => self.ending(&store, &err),
        };
        let (stdout, stderr) = pipes.map_or_else(Default::default, |(out, err)| {
            (out.contents().to_vec(), err.contents().to_vec())
        });
        Ok(Run {
            ending,
            stdout,
            stderr,
        })
    }

    fn ending(&self, store: &Store<HostState>, err: &wasmtime::Error) -> Ending {
        if let Some(exit) = err.downcast_ref::<I32Exit>() {
            return Ending::Exit(exit.0);
        }
        if let Some(wasmtime::Trap::Interrupt) = err.downcast_ref::<wasmtime::Trap>() {
            return Ending::Trap(format!(
                "the test ran longer than {} (the runner's --timeout) and was stopped",
                humantime::format_duration(self.timeout)
            ));
        }
        let fault = crate::guest::call::fault(store, "_start", err);
        // A panic has printed its message and backtrace already; the wasm backtrace of
        // the abort that follows would only repeat it.
        let panicked = err
            .downcast_ref::<wasmtime::WasmBacktrace>()
            .is_some_and(|trace| {
                trace
                    .frames()
                    .iter()
                    .any(|f| f.func_name().is_some_and(|n| n.contains("rust_panic")))
            });
        match err.downcast_ref::<wasmtime::WasmBacktrace>() {
            Some(_) if panicked => Ending::Trap(format!("{fault} (the test panicked)")),
            Some(trace) => Ending::Trap(format!("{fault}\n{trace}")),
            None => Ending::Trap(fault.to_string()),
        }
    }
}

fn preopen(
    wasi: &mut WasiCtxBuilder,
    host: &Path,
    guest: &str,
    perms: FsPerms,
) -> Result<(), Error> {
    wasi.preopened_dir(host, guest, perms)
        .map(drop)
        .map_err(|e| {
            Error::io(
                format!("preopening {} as {guest}", host.display()),
                std::io::Error::other(e.to_string()),
            )
        })
}
