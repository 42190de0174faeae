//! A bare wasmtime host for guest-side benchmarks: the server's buffer protocol (§1.4)
//! and nothing else. Imports do no work: `sk_handle_message` only copies the delta
//! out, `sk_get_self_path("mmsi")` answers a fixed id (as a fixed server would, so the
//! SDK learns its vessel without an announcement), `sk_register_*` answer 1 (done),
//! every other `env` import returns 0.
//! So a measurement is the guest's own time plus the call protocol, never host work.
//! Shared by `guest.rs` and `overhead.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use wasmtime::{Engine, Instance, Linker, Memory, Module, Store, TypedFunc, Val};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi::p1::WasiP1Ctx;

/// The id `sk_get_self_path("mmsi")` answers.
pub const SELF_MMSI: &str = "123456789";
/// The own vessel's context that follows from it.
pub const SELF_CONTEXT: &str = "vessels.urn:mrn:imo:mmsi:123456789";

/// The two benchmark plugins, built with the recommended release profile.
pub struct Guests {
    pub sdk: PathBuf,
    pub raw: PathBuf,
}

/// Builds `bench/guest` (both plugins) to wasm32-wasip1; panics with cargo's output if
/// the build fails (a benchmark has nothing to measure then).
pub fn build_guests() -> Guests {
    let out = cargo_build(&[], "guest-bench");
    Guests {
        sdk: out.join("guest_sdk.wasm"),
        raw: out.join("guest_raw.wasm"),
    }
}

/// Builds the twin with `feature` (a floor reference, see `bench/guest/raw`), in a
/// target directory of its own so it and the plain twin do not rebuild each other.
pub fn build_twin_with(feature: &str) -> PathBuf {
    let args = ["-p", "guest-raw", "--features", feature];
    cargo_build(&args, &format!("guest-bench-{feature}")).join("guest_raw.wasm")
}

/// `cargo build --release` of `bench/guest` for wasm32-wasip1 with `args`, into
/// `target/<target_dir>`; the directory holding the `.wasm` files.
fn cargo_build(args: &[&str], target_dir: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target_dir = root.join("target").join(target_dir);
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(&root)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip1",
            "--manifest-path",
        ])
        .arg(root.join("bench/guest/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .args(args)
        .status()
        .expect("running cargo");
    assert!(status.success(), "building bench/guest {args:?} failed");
    target_dir.join("wasm32-wasip1/release")
}

/// The store's data: WASI and what `sk_handle_message` copied out.
pub struct State {
    wasi: WasiP1Ctx,
    /// The last delta the guest sent.
    pub sent: Vec<u8>,
    /// How many deltas it sent.
    pub messages: u64,
}

/// One instance of a plugin under the bare host.
pub struct Bare {
    store: Store<State>,
    instance: Instance,
    memory: Memory,
    allocate: TypedFunc<i32, i32>,
    deallocate: TypedFunc<(i32, i32), ()>,
}

/// The bare host's engine: wasmtime's defaults (Cranelift, no epoch checks).
pub fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

/// A bare engine that compiles as the mock host's does (Cranelift's optimisations off;
/// `signalk-plugin-host-mock/src/engine.rs`), still without epoch checks: under it the
/// guest code is the same machine code as under the mock host, so `mock - bare` is the
/// mock host's own cost (its epoch checks included).
pub fn engine_like_mock() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = wasmtime::Config::new();
        config.cranelift_opt_level(wasmtime::OptLevel::None);
        Engine::new(&config).expect("engine")
    })
}

fn linker(module: &Module, store: &mut Store<State>) -> Linker<State> {
    let mut linker = Linker::new(module.engine());
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s: &mut State| &mut s.wasi)
        .expect("WASI imports");
    for import in module.imports() {
        let Some(ty) = import.ty().func().cloned() else {
            continue;
        };
        let (module_name, name) = (import.module(), import.name());
        if module_name != "env" {
            continue;
        }
        match name {
            "sk_handle_message" => {
                linker
                    .func_new(module_name, name, ty, |mut caller, params, _| {
                        let (ptr, len) = (
                            params[0].unwrap_i32() as usize,
                            params[1].unwrap_i32() as usize,
                        );
                        let memory = caller
                            .get_export("memory")
                            .and_then(|e| e.into_memory())
                            .expect("memory");
                        let (data, state) = memory.data_and_store_mut(&mut caller);
                        state.sent.clear();
                        state.sent.extend_from_slice(&data[ptr..ptr + len]);
                        state.messages += 1;
                        Ok(())
                    })
                    .expect("define sk_handle_message");
            }
            "sk_get_self_path" => {
                linker
                    .func_new(module_name, name, ty, |mut caller, params, results| {
                        let p = |i: usize| params[i].unwrap_i32() as usize;
                        let memory = caller
                            .get_export("memory")
                            .and_then(|e| e.into_memory())
                            .expect("memory");
                        let data = memory.data_mut(&mut caller);
                        let answer = format!("\"{SELF_MMSI}\"");
                        let asked = &data[p(0)..p(0) + p(1)];
                        let n = if asked == b"mmsi" && answer.len() <= p(3) {
                            data[p(2)..p(2) + answer.len()].copy_from_slice(answer.as_bytes());
                            answer.len() as i32
                        } else {
                            0
                        };
                        results[0] = Val::I32(n);
                        Ok(())
                    })
                    .expect("define sk_get_self_path");
            }
            // Registrations succeed (1), as on a server that grants the capability.
            _ if name.starts_with("sk_register_") => {
                linker
                    .func_new(module_name, name, ty, |_, _, results| {
                        results[0] = Val::I32(1);
                        Ok(())
                    })
                    .expect("define a registration import");
            }
            _ => {}
        }
    }
    linker
        .define_unknown_imports_as_default_values(&mut *store, module)
        .expect("default imports");
    linker
}

impl Bare {
    /// Instantiates `module` (no `plugin_start` yet).
    pub fn instantiate(module: &Module) -> Self {
        let wasi = WasiCtxBuilder::new()
            .env("PLUGIN_ID", "guest-bench")
            .build_p1();
        let mut store = Store::new(
            module.engine(),
            State {
                wasi,
                sent: Vec::new(),
                messages: 0,
            },
        );
        let linker = linker(module, &mut store);
        let instance = linker.instantiate(&mut store, module).expect("instantiate");
        let memory = instance.get_memory(&mut store, "memory").expect("memory");
        let allocate = instance
            .get_typed_func(&mut store, "allocate")
            .expect("allocate");
        let deallocate = instance
            .get_typed_func(&mut store, "deallocate")
            .expect("deallocate");
        if let Ok(init) = instance.get_typed_func::<(), ()>(&mut store, "_initialize") {
            init.call(&mut store, ()).expect("_initialize");
        }
        Self {
            store,
            instance,
            memory,
            allocate,
            deallocate,
        }
    }

    /// Compiles `bytes`, instantiates and starts the plugin with `{}`.
    pub fn cold_start(bytes: &[u8]) -> Self {
        let module = Module::new(engine(), bytes).expect("compile");
        Self::start_module(&module)
    }

    /// Instantiates an already compiled module and starts the plugin with `{}`.
    pub fn start_module(module: &Module) -> Self {
        let mut bare = Self::instantiate(module);
        let code = bare.call_in("plugin_start", b"{}");
        assert_eq!(code, Some(0), "plugin_start failed");
        bare
    }

    /// The store's data.
    pub fn state(&self) -> &State {
        self.store.data()
    }

    fn write_input(&mut self, input: &[u8]) -> i32 {
        let ptr = self
            .allocate
            .call(&mut self.store, input.len() as i32)
            .expect("allocate");
        self.memory
            .write(&mut self.store, ptr as usize, input)
            .expect("input in bounds");
        ptr
    }

    /// `export(ptr, len)` on a host-allocated copy of `input`, freed after the call;
    /// the export's i32 result, if it has one.
    pub fn call_in(&mut self, export: &str, input: &[u8]) -> Option<i32> {
        let ptr = self.write_input(input);
        let len = input.len() as i32;
        let result = if let Ok(f) = self
            .instance
            .get_typed_func::<(i32, i32), i32>(&mut self.store, export)
        {
            Some(f.call(&mut self.store, (ptr, len)).expect(export))
        } else {
            let f = self
                .instance
                .get_typed_func::<(i32, i32), ()>(&mut self.store, export)
                .expect(export);
            f.call(&mut self.store, (ptr, len)).expect(export);
            None
        };
        self.deallocate
            .call(&mut self.store, (ptr, len))
            .expect("deallocate");
        result
    }

    /// A prepared `(ptr, len) -> ()` export, such as `delta_handler`.
    pub fn input_export(&mut self, export: &str) -> TypedFunc<(i32, i32), ()> {
        self.instance
            .get_typed_func(&mut self.store, export)
            .expect(export)
    }

    /// A prepared `(in_ptr, in_len, out_ptr, out_max) -> written` export.
    pub fn reply_export(&mut self, export: &str) -> TypedFunc<(i32, i32, i32, i32), i32> {
        self.instance
            .get_typed_func(&mut self.store, export)
            .expect(export)
    }

    /// A `(in_ptr, in_len, out_ptr, out_max) -> written` export, if the plugin has it.
    pub fn try_reply_export(
        &mut self,
        export: &str,
    ) -> wasmtime::Result<TypedFunc<(i32, i32, i32, i32), i32>> {
        self.instance.get_typed_func(&mut self.store, export)
    }

    /// One call the way the host makes it: allocate and fill the input, call, free it.
    pub fn deliver(&mut self, f: &TypedFunc<(i32, i32), ()>, input: &[u8]) {
        let ptr = self.write_input(input);
        let len = input.len() as i32;
        f.call(&mut self.store, (ptr, len)).expect("call");
        self.deallocate
            .call(&mut self.store, (ptr, len))
            .expect("deallocate");
    }

    /// One call with a reply the way the host makes it: allocate and fill the input,
    /// allocate the `out_max` output buffer, call, copy `written` bytes out into
    /// `reply`, free both.
    pub fn request(
        &mut self,
        f: &TypedFunc<(i32, i32, i32, i32), i32>,
        input: &[u8],
        out_max: i32,
        reply: &mut Vec<u8>,
    ) {
        let ptr = self.write_input(input);
        let len = input.len() as i32;
        let out = self
            .allocate
            .call(&mut self.store, out_max)
            .expect("allocate");
        let written = f
            .call(&mut self.store, (ptr, len, out, out_max))
            .expect("call");
        let written = usize::try_from(written).expect("written >= 0");
        reply.clear();
        reply.extend_from_slice(&self.memory.data(&self.store)[out as usize..][..written]);
        self.deallocate
            .call(&mut self.store, (out, out_max))
            .expect("deallocate");
        self.deallocate
            .call(&mut self.store, (ptr, len))
            .expect("deallocate");
    }
}

/// Minimum, median and maximum.
pub fn three(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

/// Nanoseconds per iteration of `f`, run `n` times.
pub fn per_op(n: u32, mut f: impl FnMut()) -> f64 {
    let started = Instant::now();
    for _ in 0..n {
        f();
    }
    started.elapsed().as_secs_f64() * 1e9 / f64::from(n)
}

/// How many iterations of `f` take about `budget`.
pub fn calibrate(budget: Duration, mut f: impl FnMut()) -> u32 {
    let mut n = 1u32;
    loop {
        let started = Instant::now();
        for _ in 0..n {
            f();
        }
        let took = started.elapsed();
        if took >= budget / 4 || n >= 1 << 24 {
            let per = took.as_secs_f64() / f64::from(n);
            return ((budget.as_secs_f64() / per) as u32).max(1);
        }
        n *= 2;
    }
}
