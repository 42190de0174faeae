//! [`MockHost`]: one plugin instance in its own store, driven like signalk-server
//! drives it (§4, §6), with the test API to assert what it did.

use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value};
use signalk_plugin::Delta;
use signalk_plugin::testing::HostCall;
use wasmtime::{Instance, Store, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

use crate::dispatch::http::Route;
use crate::engine::{self, EPOCH_TICK};
use crate::guest::{self, Shape};
use crate::ledger::LedgerReport;
use crate::state::{GuestExports, HostState, PluginState};
use crate::{Error, HostOptions, imports, memory, pipeline};

/// Size of the host buffers for `plugin_name`, `plugin_schema` and `http_endpoints`.
pub const METADATA_BUFFER: u32 = 8192;

/// Most bytes of guest stdout/stderr kept per stream.
const CAPTURE_LIMIT: usize = 64 << 20;

/// The `$source` of deltas a test delivers with [`MockHost::deliver_delta`].
pub const TEST_SOURCE: &str = "signalk-plugin-host-mock";

/// A plugin loaded into a mock signalk-server.
///
/// Loading does what the server does at boot (§6.4): instantiate, run `_initialize`
/// (twice, if exported), read `plugin_name`, `plugin_schema` and `http_endpoints`.
/// Starting, stopping, polling, deltas, HTTP, PUT and provider calls then follow the
/// server's rules, and every host call the plugin makes is recorded.
///
/// ```no_run
/// use signalk_plugin_host_mock::{HostOptions, MockHost};
/// use serde_json::json;
///
/// let options = HostOptions::new("hello").configuration(json!({"greeting": "Ahoy"}));
/// let mut host = MockHost::load("target/wasm32-wasip1/release/hello.wasm", options)?;
/// host.start()?;
/// assert_eq!(host.status().as_deref(), Some("Ahoy"));
/// assert_eq!(host.deltas().len(), 1);
/// host.stop()?;
/// assert!(host.ledger().live.is_empty());
/// # Ok::<(), signalk_plugin_host_mock::Error>(())
/// ```
pub struct MockHost {
    pub(crate) store: Store<HostState>,
    pub(crate) instance: Instance,
    name: String,
    schema: Value,
    pub(crate) routes: Vec<Route>,
    pub(crate) chunked_version: Option<i32>,
    pub(crate) last_transfer: Option<crate::chunked::TransferStats>,
    stdout: Option<MemoryOutputPipe>,
    stderr: Option<MemoryOutputPipe>,
    _vfs: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for MockHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockHost")
            .field("package", &self.store.data().options.package_name)
            .field("name", &self.name)
            .field("state", &self.store.data().state)
            .finish_non_exhaustive()
    }
}

impl MockHost {
    /// Loads a compiled plugin from a `.wasm` file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read; otherwise as [`MockHost::from_bytes`].
    pub fn load(path: impl AsRef<Path>, options: HostOptions) -> Result<Self, Error> {
        let path = path.as_ref();
        let bytes =
            std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        Self::from_bytes(&bytes, options)
    }

    /// Loads a compiled plugin from its bytes. Compiled modules are cached by content.
    ///
    /// # Errors
    ///
    /// [`Error::Compile`] for a file the server would not load (not a core module, not a
    /// raw plugin: `plugin_id` and `allocate` must both be exported, `memory` too);
    /// [`Error::Link`] for an import the server does not provide; [`Error::Trap`] if
    /// `_initialize`, `_start`, `plugin_name` or `plugin_schema` traps; [`Error::Protocol`]
    /// for a schema that is not JSON (the server drops such a plugin from its list).
    pub fn from_bytes(bytes: &[u8], options: HostOptions) -> Result<Self, Error> {
        let module = engine::compile(bytes)?;
        let has = |name: &str| module.get_export(name).is_some();
        if !(has("plugin_id") && has("allocate")) {
            return Err(Error::Compile(format!(
                "not a raw (Rust) plugin: the server needs both `plugin_id` and `allocate` exported (found plugin_id: {}, allocate: {})",
                has("plugin_id"),
                has("allocate")
            )));
        }
        if !matches!(
            module.get_export("memory"),
            Some(wasmtime::ExternType::Memory(_))
        ) {
            return Err(Error::Compile(
                "the module must define and export its memory as `memory`".into(),
            ));
        }
        let network = options
            .capabilities
            .granted(signalk_plugin::Capability::Network);
        let linker = imports::linker(&module, network)?;

        let (vfs_dir, vfs_root) = match &options.vfs_root {
            Some(dir) => (None, dir.clone()),
            None => {
                let dir = tempfile::tempdir()
                    .map_err(|e| Error::io("creating the plugin's VFS root", e))?;
                let path = dir.path().to_path_buf();
                (Some(dir), path)
            }
        };
        let mut wasi = WasiCtxBuilder::new();
        wasi.env("PLUGIN_ID", &options.package_name)
            .allow_blocking_current_thread(true)
            .preopened_dir(&vfs_root, "/", FsPerms::ReadWrite)
            .map_err(|e| {
                Error::io(
                    format!("preopening {}", vfs_root.display()),
                    std::io::Error::other(e.to_string()),
                )
            })?;
        let (stdout, stderr) = if options.inherit_stdio {
            wasi.inherit_stdout().inherit_stderr();
            (None, None)
        } else {
            let out = MemoryOutputPipe::new(CAPTURE_LIMIT);
            let err = MemoryOutputPipe::new(CAPTURE_LIMIT);
            wasi.stdout(out.clone()).stderr(err.clone());
            (Some(out), Some(err))
        };
        let limits = StoreLimitsBuilder::new()
            .memory_size(options.memory_limit)
            .instances(1)
            .build();
        let mut store = Store::new(
            engine::engine(),
            HostState::new(wasi.build_p1(), limits, options),
        );
        store.limiter(|s| &mut s.limits);
        arm(&mut store);
        let instance = linker
            .instantiate(&mut store, &module)
            .map_err(|e| guest::fault(&store, "instantiate", &e))?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| Error::Compile("`memory` is not a memory".into()))?;
        let exports = GuestExports {
            memory,
            allocate: instance.get_func(&mut store, "allocate"),
            deallocate: instance.get_func(&mut store, "deallocate"),
            delta_handler: instance.get_func(&mut store, "delta_handler"),
        };
        store.data_mut().exports = Some(exports);

        let mut host = MockHost {
            store,
            instance,
            name: String::new(),
            schema: Value::Null,
            routes: Vec::new(),
            chunked_version: None,
            last_transfer: None,
            stdout,
            stderr,
            _vfs: vfs_dir,
        };
        host.initialize()?;
        host.chunked_hello()?;
        host.name = host.metadata_string("plugin_name")?;
        if host.name.is_empty() {
            host.name = host.store.data().options.package_name.clone();
        }
        let schema = host.metadata_string("plugin_schema")?;
        host.schema = if schema.is_empty() {
            Value::Object(Map::new())
        } else {
            serde_json::from_str(&schema).map_err(|e| Error::Protocol {
                export: "plugin_schema".into(),
                message: format!(
                    "schema is not JSON ({e}); the server drops the plugin from its list"
                ),
            })?
        };
        host.routes = host.read_routes();
        Ok(host)
    }

    /// `_start` (command modules) once, or `_initialize` twice, as the host does (§2.2).
    fn initialize(&mut self) -> Result<(), Error> {
        if let Some(start) = self.func("_start") {
            self.arm();
            guest::call(&mut self.store, start, "_start", &[])?;
        }
        if let Some(init) = self.func("_initialize") {
            for _ in 0..2 {
                self.arm();
                guest::call(&mut self.store, init, "_initialize", &[])?;
            }
        }
        Ok(())
    }

    /// `callRustStringFunc`: allocate 8192 (0 is an error), call, ≤ 0 → "".
    fn metadata_string(&mut self, export: &str) -> Result<String, Error> {
        let Some(func) = self.func(export) else {
            return Ok(String::new());
        };
        self.arm();
        let out = guest::call_with_buffers(
            &mut self.store,
            func,
            export,
            Shape {
                input: None,
                output: Some(METADATA_BUFFER),
                free_on_trap: true,
            },
        )?;
        Ok(out.output.map(|b| memory::decode(&b)).unwrap_or_default())
    }

    pub(crate) fn func(&mut self, name: &str) -> Option<wasmtime::Func> {
        guest::export(&mut self.store, self.instance, name)
    }

    /// Gives the next top-level call its time budget.
    pub(crate) fn arm(&mut self) {
        arm(&mut self.store);
    }

    // ----- lifecycle (§4.5, §4.6, §6.6) -----

    /// Starts the plugin with the in-memory configuration, as the server does:
    /// `{...configuration, enableDebug}` (§7.1).
    ///
    /// # Errors
    ///
    /// [`Error::StartFailed`] if `plugin_start` returned anything but 0, or a trap,
    /// timeout or protocol error. The [`state`](Self::state) is then
    /// [`PluginState::Error`] with the message the Admin UI would show.
    pub fn start(&mut self) -> Result<(), Error> {
        let text = self.start_config().to_string();
        self.start_raw(&text)
    }

    /// The JSON text `plugin_start` receives.
    #[must_use]
    pub fn start_config(&self) -> Value {
        let options = &self.store.data().options;
        let mut config = match &options.configuration {
            Some(Value::Object(map)) => map.clone(),
            _ => Map::new(),
        };
        config.insert("enableDebug".into(), Value::Bool(options.enable_debug));
        Value::Object(config)
    }

    /// Starts the plugin with exactly `config` as the start text (to test malformed input).
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    pub fn start_raw(&mut self, config: &str) -> Result<(), Error> {
        let Some(func) = self.func("plugin_start") else {
            let msg = "rawExports.plugin_start is not a function".to_owned();
            self.store.data_mut().state = PluginState::Error(msg);
            return Err(Error::MissingExport("plugin_start".into()));
        };
        self.arm();
        self.store.data_mut().in_start = true;
        let outcome = guest::call_with_buffers(
            &mut self.store,
            func,
            "plugin_start",
            Shape {
                input: Some(config.as_bytes()),
                output: None,
                free_on_trap: true,
            },
        );
        let state = self.store.data_mut();
        state.in_start = false;
        match outcome {
            Ok(ret) if ret.result == Some(0) => {
                state.state = PluginState::Running;
                // The provider records get their instance only now (§3.7).
                for p in state.resource_providers.values_mut() {
                    p.ready = true;
                }
                for p in state
                    .weather_provider
                    .iter_mut()
                    .chain(state.radar_provider.iter_mut())
                {
                    p.ready = true;
                }
                Ok(())
            }
            Ok(ret) => {
                let code = ret.result.map_or("undefined".to_owned(), |c| c.to_string());
                state.state =
                    PluginState::Error(format!("Plugin start() returned error code: {code}"));
                Err(Error::StartFailed { code: ret.result })
            }
            Err(err) => {
                state.state = PluginState::Error(err.to_string());
                Err(err)
            }
        }
    }

    /// Calls `plugin_stop` (the server does so on disable and before a restart).
    ///
    /// # Errors
    ///
    /// [`Error::MissingExport`] or a trap; the state is then [`PluginState::Error`].
    /// A non-zero result is only logged, as the server does.
    pub fn stop(&mut self) -> Result<(), Error> {
        let Some(func) = self.func("plugin_stop") else {
            self.store.data_mut().state =
                PluginState::Error("rawExports.plugin_stop is not a function".into());
            return Err(Error::MissingExport("plugin_stop".into()));
        };
        self.arm();
        match guest::call(&mut self.store, func, "plugin_stop", &[]) {
            Ok(code) => {
                let state = self.store.data_mut();
                if code != Some(0) {
                    state.log(format!("plugin_stop returned {code:?}"));
                }
                state.state = PluginState::Stopped;
                // UDP sockets are closed by owner pluginId, but recorded under the
                // package name: only unscoped packages get theirs closed (§3.10).
                if !(state.options.scoped() && state.options.quirks.scoped_udp_survives_stop) {
                    state.sockets.udp.clear();
                }
                Ok(())
            }
            Err(err) => {
                self.store.data_mut().state = PluginState::Error(err.to_string());
                Err(err)
            }
        }
    }

    /// Disable from the Admin UI: `plugin_stop` only if running (§6.6).
    ///
    /// # Errors
    ///
    /// As [`stop`](Self::stop).
    pub fn disable(&mut self) -> Result<(), Error> {
        if self.store.data().state == PluginState::Running {
            self.stop()?;
        }
        Ok(())
    }

    /// Saves a new configuration from the Admin UI: the file and the in-memory copy
    /// change, and a running plugin is stopped and started again on the same instance.
    ///
    /// # Errors
    ///
    /// As [`stop`](Self::stop) and [`start`](Self::start).
    pub fn save_configuration(&mut self, configuration: Value) -> Result<(), Error> {
        let state = self.store.data_mut();
        state.options.configuration = Some(configuration.clone());
        state.config_file = Some(configuration);
        if state.state == PluginState::Running {
            self.stop()?;
            self.start()?;
        }
        Ok(())
    }

    /// One tick of the 1 s poll timer: calls `poll` if the plugin is running and has it.
    /// Returns the result, or `None` when the server would not have called it.
    ///
    /// # Errors
    ///
    /// A trap or timeout (the server only debug-logs these and keeps polling).
    pub fn tick_poll(&mut self) -> Result<Option<i32>, Error> {
        if self.store.data().state != PluginState::Running {
            return Ok(None);
        }
        let Some(func) = self.func("poll") else {
            return Ok(None);
        };
        self.arm();
        guest::call(&mut self.store, func, "poll", &[])
    }

    /// Sends a delta through the server pipeline as if another source emitted it: the
    /// context is resolved, `$source` and `timestamp` are filled in, and the running
    /// plugin's `delta_handler` gets it.
    ///
    /// # Errors
    ///
    /// [`Error::Protocol`] if `delta` does not serialise to a JSON object.
    pub fn deliver_delta(&mut self, delta: &impl Serialize) -> Result<(), Error> {
        let value = serde_json::to_value(delta).map_err(|e| Error::Protocol {
            export: "delta_handler".into(),
            message: format!("the test's delta does not serialise: {e}"),
        })?;
        if !value.is_object() {
            return Err(Error::Protocol {
                export: "delta_handler".into(),
                message: "a delta must be a JSON object".into(),
            });
        }
        self.arm();
        pipeline::handle_message(&mut self.store, TEST_SOURCE, value, false);
        Ok(())
    }

    /// Hands `text` to `delta_handler` byte for byte, bypassing the pipeline (to feed a
    /// plugin malformed input).
    ///
    /// # Errors
    ///
    /// [`Error::MissingExport`], or the call's trap.
    pub fn deliver_raw_delta(&mut self, text: &str) -> Result<(), Error> {
        let func = self
            .func("delta_handler")
            .ok_or_else(|| Error::MissingExport("delta_handler".into()))?;
        self.arm();
        guest::call_with_buffers(
            &mut self.store,
            func,
            "delta_handler",
            Shape {
                input: Some(text.as_bytes()),
                output: None,
                free_on_trap: true,
            },
        )
        .map(|_| ())
    }

    // ----- what happened -----

    /// The display name from `plugin_name` (the package name if it returned nothing).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The configuration schema from `plugin_schema` (`{}` if it returned nothing).
    #[must_use]
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// The lifecycle state.
    #[must_use]
    pub fn state(&self) -> &PluginState {
        &self.store.data().state
    }

    /// Every `env` call the plugin made, in order.
    #[must_use]
    pub fn calls(&self) -> &[HostCall] {
        &self.store.data().calls
    }

    /// Returns the recorded calls and clears the record.
    pub fn take_calls(&mut self) -> Vec<HostCall> {
        std::mem::take(&mut self.store.data_mut().calls)
    }

    /// Deltas the server pipeline accepted, normalised (resolved context, `$source`,
    /// `timestamp`), in order — the plugin's own and those a test delivered.
    #[must_use]
    pub fn delta_values(&self) -> &[Value] {
        &self.store.data().deltas
    }

    /// The plugin's own accepted deltas, parsed into the SDK's data model.
    ///
    /// # Panics
    ///
    /// If a delta the pipeline accepted does not fit the SDK's [`Delta`] model; that is
    /// a bug in the SDK's model and the test should fail loudly.
    #[must_use]
    pub fn deltas(&self) -> Vec<Delta> {
        let package = &self.store.data().options.package_name;
        self.store
            .data()
            .deltas
            .iter()
            .filter(|d| {
                d["updates"].as_array().is_some_and(|u| {
                    u.iter()
                        .all(|u| u["$source"] == **package || u["source"]["label"] == **package)
                })
            })
            .map(|d| {
                serde_json::from_value(d.clone()).unwrap_or_else(|e| {
                    panic!("delta {d} does not parse into signalk_plugin::Delta: {e}")
                })
            })
            .collect()
    }

    /// Messages set with `sk_set_status`, in order.
    #[must_use]
    pub fn statuses(&self) -> Vec<String> {
        self.filter(|c| match c {
            HostCall::SetStatus(m) => Some(m.clone()),
            _ => None,
        })
    }

    /// Messages set with `sk_set_error`, in order.
    #[must_use]
    pub fn errors(&self) -> Vec<String> {
        self.filter(|c| match c {
            HostCall::SetError(m) => Some(m.clone()),
            _ => None,
        })
    }

    /// Lines written with `sk_debug`, in order.
    #[must_use]
    pub fn logs(&self) -> Vec<String> {
        self.filter(|c| match c {
            HostCall::Debug(m) => Some(m.clone()),
            _ => None,
        })
    }

    fn filter<T>(&self, f: impl Fn(&HostCall) -> Option<T>) -> Vec<T> {
        self.calls().iter().filter_map(f).collect()
    }

    /// The current status entry (what the status table shows), if it is not an error.
    #[must_use]
    pub fn status(&self) -> Option<String> {
        match &self.store.data().status {
            Some((false, m)) => Some(m.clone()),
            _ => None,
        }
    }

    /// The current error entry, if the last status write was `sk_set_error`.
    #[must_use]
    pub fn error(&self) -> Option<String> {
        match &self.store.data().status {
            Some((true, m)) => Some(m.clone()),
            _ => None,
        }
    }

    /// A value of the vessel's own data model (v1), as `/signalk/v1/api/vessels/self/…`
    /// would serve it: `{"value", "$source", "timestamp"}` (and `meta`).
    #[must_use]
    pub fn self_value(&self, path: &str) -> Option<&Value> {
        let context = self.store.data().self_context();
        self.value(&context, path)
    }

    /// A value of any context of the data model.
    #[must_use]
    pub fn value(&self, context: &str, path: &str) -> Option<&Value> {
        self.store.data().model.get(context)?.get(path)
    }

    /// The `configuration` member of the plugin's config file (changed by
    /// `sk_save_config` and [`save_configuration`](Self::save_configuration)).
    #[must_use]
    pub fn saved_config(&self) -> Option<&Value> {
        self.store.data().config_file.as_ref()
    }

    /// Registered PUT handlers as `(context, path)`.
    #[must_use]
    pub fn put_handlers(&self) -> Vec<(String, String)> {
        self.store.data().put_handlers.iter().cloned().collect()
    }

    /// Binary stream frames the host accepted, as `(stream id, bytes)`.
    #[must_use]
    pub fn streams(&self) -> &[(String, Vec<u8>)] {
        &self.store.data().streams
    }

    /// Lines the server itself would debug-log (dropped deltas, rejected saves, ...).
    #[must_use]
    pub fn host_log(&self) -> &[String] {
        &self.store.data().host_log
    }

    /// Failures the server swallows: `delta_handler` traps and recursion stops.
    #[must_use]
    pub fn handler_faults(&self) -> &[String] {
        &self.store.data().handler_faults
    }

    /// The alloc/dealloc ledger.
    #[must_use]
    pub fn ledger(&self) -> &LedgerReport {
        &self.store.data().ledger.report
    }

    /// Size of the guest's linear memory in bytes (watch it to find guest-side leaks).
    #[must_use]
    pub fn memory_size(&self) -> usize {
        memory::size(&self.store)
    }

    /// What the guest wrote to stdout (empty with [`HostOptions::inherit_stdio`]).
    #[must_use]
    pub fn stdout(&self) -> String {
        self.stdout
            .as_ref()
            .map(|p| String::from_utf8_lossy(&p.contents()).into_owned())
            .unwrap_or_default()
    }

    /// What the guest wrote to stderr (a panic message lands here, as on the server).
    #[must_use]
    pub fn stderr(&self) -> String {
        self.stderr
            .as_ref()
            .map(|p| String::from_utf8_lossy(&p.contents()).into_owned())
            .unwrap_or_default()
    }

    /// The options the host was created with.
    #[must_use]
    pub fn options(&self) -> &HostOptions {
        &self.store.data().options
    }

    /// Names of the module's exports (what the server's type detection looks at).
    #[must_use]
    pub fn export_names(&self) -> Vec<String> {
        self.instance
            .module(&self.store)
            .exports()
            .map(|e| e.name().to_owned())
            .collect()
    }

    /// `(module, name)` of every import the module declares.
    #[must_use]
    pub fn import_names(&self) -> Vec<(String, String)> {
        self.instance
            .module(&self.store)
            .imports()
            .map(|i| (i.module().to_owned(), i.name().to_owned()))
            .collect()
    }
}

fn arm(store: &mut Store<HostState>) {
    let timeout = store.data().options.call_timeout;
    let ticks = timeout.as_millis().div_ceil(EPOCH_TICK.as_millis()).max(1);
    store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
}
