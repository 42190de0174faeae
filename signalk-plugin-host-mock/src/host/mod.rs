//! [`MockHost`]: one plugin instance in its own store, driven like signalk-server
//! drives it (§4, §6), with the test API to assert what it did.
//!
//! This module loads the plugin and answers what happened; `lifecycle` starts, stops,
//! polls and feeds it deltas; `requests` sends it what clients send the server (HTTP,
//! PUT, provider calls, socket traffic). All three go through the one [`Guest`].

mod lifecycle;
mod requests;

use std::path::Path;

use serde_json::{Map, Value};
use signalk_plugin_abi::names;
use wasmtime::{Store, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

use crate::chunked::Channel;
use crate::engine;
use crate::express::Route;
use crate::guest::{self, Guest, Shape};
use crate::ledger::LedgerReport;
use crate::recorded::Recorded;
use crate::state::{GuestExports, HostState, PluginState};
use crate::{Error, HostOptions, dispatch, imports, js, memory};

/// Size of the host buffers for `plugin_name`, `plugin_schema` and `http_endpoints`.
pub const METADATA_BUFFER: u32 = signalk_plugin_abi::buffers::METADATA as u32;

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
/// assert_eq!(host.recorded().deltas().len(), 1);
/// host.stop()?;
/// assert!(host.ledger().live.is_empty());
/// # Ok::<(), signalk_plugin_host_mock::Error>(())
/// ```
pub struct MockHost {
    pub(crate) guest: Guest,
    pub(crate) channel: Channel,
    name: String,
    schema: Value,
    routes: Vec<Route>,
    stdout: Option<MemoryOutputPipe>,
    stderr: Option<MemoryOutputPipe>,
    _vfs: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for MockHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockHost")
            .field("package", &self.guest.state().options.package_name)
            .field("name", &self.name)
            .field("state", &self.guest.state().state)
            .finish_non_exhaustive()
    }
}

impl MockHost {
    /// Loads a compiled plugin from a `.wasm` file. A `package.json` beside it with the
    /// same package name (the folder [`package_plugin`](crate::package_plugin) makes,
    /// as the server installs it) supplies the plugin list's `description` and
    /// `keywords` ([`HostOptions::package_json`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read; otherwise as [`MockHost::from_bytes`].
    pub fn load(path: impl AsRef<Path>, options: HostOptions) -> Result<Self, Error> {
        let path = path.as_ref();
        let bytes =
            std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        let options = match package_beside(path, options.package_name()) {
            Some(package) if options.package_description.is_none() => {
                options.package_json(&package)
            }
            _ => options,
        };
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
    /// for a schema that is not JSON (the server drops such a plugin from its list);
    /// [`Error::TooDeep`] for a configuration in `options` nested deeper than
    /// [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) levels.
    pub fn from_bytes(bytes: &[u8], mut options: HostOptions) -> Result<Self, Error> {
        options.configuration =
            js::option_within_depth(options.configuration.take(), "the configuration")?;
        options.saved_config =
            js::option_within_depth(options.saved_config.take(), "the saved configuration")?;
        let module = engine::compile(bytes)?;
        let has = |name: &str| module.get_export(name).is_some();
        if !names::RAW_PLUGIN_MARKERS.into_iter().all(has) {
            return Err(Error::Compile(format!(
                "not a raw (Rust) plugin: the server needs both `plugin_id` and `allocate` exported (found plugin_id: {}, allocate: {})",
                has(names::PLUGIN_ID),
                has(names::ALLOCATE)
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
            .granted(signalk_plugin_abi::Capability::Network);
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
        guest::arm(&mut store);
        let instance = linker
            .instantiate(&mut store, &module)
            .map_err(|e| guest::call::fault(&store, "instantiate", &e))?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| Error::Compile("`memory` is not a memory".into()))?;
        let exports = GuestExports {
            memory,
            allocate: instance.get_func(&mut store, names::ALLOCATE),
            deallocate: instance.get_func(&mut store, names::DEALLOCATE),
            delta_handler: instance.get_func(&mut store, names::DELTA_HANDLER),
        };
        store.data_mut().exports = Some(exports);

        let mut guest = Guest::new(store, instance);
        initialize(&mut guest)?;
        let channel = Channel::hello(&mut guest)?;
        let mut name = metadata_string(&mut guest, names::PLUGIN_NAME)?;
        if name.is_empty() {
            name.clone_from(&guest.state().options.package_name);
        }
        let schema = metadata_string(&mut guest, names::PLUGIN_SCHEMA)?;
        let schema = if schema.is_empty() {
            Value::Object(Map::new())
        } else {
            serde_json::from_str(&schema).map_err(|e| Error::Protocol {
                export: names::PLUGIN_SCHEMA.into(),
                message: format!(
                    "schema is not JSON ({e}); the server drops the plugin from its list"
                ),
            })?
        };
        let routes = dispatch::http::read_routes(&mut guest);
        Ok(MockHost {
            guest,
            channel,
            name,
            schema,
            routes,
            stdout,
            stderr,
            _vfs: vfs_dir,
        })
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
        &self.guest.state().state
    }

    /// What the plugin did: host calls, accepted deltas, stream frames, the server's
    /// own log lines and swallowed handler faults.
    #[must_use]
    pub fn recorded(&self) -> &Recorded {
        &self.guest.state().recorded
    }

    /// The record, mutably (to take the calls seen so far).
    pub fn recorded_mut(&mut self) -> &mut Recorded {
        &mut self.guest.state_mut().recorded
    }

    /// The current status entry (what the status table shows), if it is not an error.
    #[must_use]
    pub fn status(&self) -> Option<String> {
        match &self.guest.state().status {
            Some((false, m)) => Some(m.clone()),
            _ => None,
        }
    }

    /// The current error entry, if the last status write was `sk_set_error`.
    #[must_use]
    pub fn error(&self) -> Option<String> {
        match &self.guest.state().status {
            Some((true, m)) => Some(m.clone()),
            _ => None,
        }
    }

    /// The current value at `path` of the vessel's own data model (v1): what
    /// [`self_entry`](Self::self_entry)`(path)["value"]` holds; `None` where nothing
    /// was written (or `path` is a branch, not a leaf).
    ///
    /// ```no_run
    /// # use signalk_plugin_host_mock::{HostOptions, MockHost};
    /// # let mut host = MockHost::load("hello.wasm", HostOptions::new("hello"))?;
    /// host.start()?;
    /// assert_eq!(host.self_value("navigation.speedThroughWater"), Some(&2.5.into()));
    /// # Ok::<(), signalk_plugin_host_mock::Error>(())
    /// ```
    #[must_use]
    pub fn self_value(&self, path: &str) -> Option<&Value> {
        self.self_entry(path)?.get("value")
    }

    /// The whole node at `path` of the vessel's own data model (v1), as
    /// `GET /signalk/v1/api/vessels/self/<path with slashes>` finds it, before the REST
    /// API adds `displayUnits`: a leaf is `{"meta"?, "value", "$source", "timestamp"}`
    /// (and `values` once a second source wrote it). See [`serve`](Self::serve) for
    /// the whole REST answer.
    ///
    /// ```no_run
    /// # use signalk_plugin_host_mock::{HostOptions, MockHost};
    /// # let mut host = MockHost::load("anchor_watch.wasm", HostOptions::new("anchor-watch"))?;
    /// host.start()?;
    /// let entry = host.self_entry("navigation.anchor.maxRadius").unwrap();
    /// assert_eq!(entry["meta"]["supportsPut"], true);
    /// assert_eq!(entry["$source"], "anchor-watch");
    /// # Ok::<(), signalk_plugin_host_mock::Error>(())
    /// ```
    #[must_use]
    pub fn self_entry(&self, path: &str) -> Option<&Value> {
        let self_id = &self.guest.state().options.self_id;
        self.node(&format!("vessels.{self_id}"), path)
    }

    /// The current value at `path` in any context of the data model (`vessels.<id>`,
    /// `aircraft.<id>`, ...; `vessels.self` is the own vessel): what
    /// [`entry`](Self::entry) holds under `value`.
    #[must_use]
    pub fn value(&self, context: &str, path: &str) -> Option<&Value> {
        self.entry(context, path)?.get("value")
    }

    /// The whole node at `path` in any context of the data model, as
    /// [`self_entry`](Self::self_entry) gives it for the own vessel.
    #[must_use]
    pub fn entry(&self, context: &str, path: &str) -> Option<&Value> {
        if context == "vessels.self" {
            return self.self_entry(path);
        }
        self.node(context, path)
    }

    fn node(&self, context: &str, path: &str) -> Option<&Value> {
        let parts: Vec<&str> = context.split('.').chain(path.split('.')).collect();
        self.guest.state().model.node(&parts)
    }

    /// The `configuration` member of the plugin's config file (changed by
    /// `sk_save_config` and [`save_configuration`](Self::save_configuration)).
    #[must_use]
    pub fn saved_config(&self) -> Option<&Value> {
        self.guest.state().config_file.as_ref()
    }

    /// Registered PUT handlers as `(context, path)`.
    #[must_use]
    pub fn put_handlers(&self) -> Vec<(String, String)> {
        self.guest.state().put_handlers.iter().cloned().collect()
    }

    /// The alloc/dealloc ledger.
    #[must_use]
    pub fn ledger(&self) -> &LedgerReport {
        &self.guest.state().ledger.report
    }

    /// Size of the guest's linear memory in bytes (watch it to find guest-side leaks).
    #[must_use]
    pub fn memory_size(&self) -> usize {
        self.guest.memory_size()
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
        &self.guest.state().options
    }

    /// Names of the module's exports (what the server's type detection looks at).
    #[must_use]
    pub fn export_names(&self) -> Vec<String> {
        self.guest
            .module()
            .exports()
            .map(|e| e.name().to_owned())
            .collect()
    }

    /// `(module, name)` of every import the module declares.
    #[must_use]
    pub fn import_names(&self) -> Vec<(String, String)> {
        self.guest
            .module()
            .imports()
            .map(|i| (i.module().to_owned(), i.name().to_owned()))
            .collect()
    }
}

/// The `package.json` in the folder of `wasm`, if it is the package `name`'s.
fn package_beside(wasm: &Path, name: &str) -> Option<Value> {
    let text = std::fs::read_to_string(wasm.parent()?.join("package.json")).ok()?;
    let json: Value = serde_json::from_str(&text).ok()?;
    (json.get("name").and_then(Value::as_str) == Some(name)).then_some(json)
}

/// `_start` (command modules) once, or `_initialize` twice, as the host does (§2.2).
fn initialize(guest: &mut Guest) -> Result<(), Error> {
    if guest.has_export("_start") {
        guest.call("_start", &[])?;
    }
    if guest.has_export("_initialize") {
        for _ in 0..2 {
            guest.call("_initialize", &[])?;
        }
    }
    Ok(())
}

/// `callRustStringFunc`: allocate [`METADATA_BUFFER`] (0 is an error), call, ≤ 0 → "".
fn metadata_string(guest: &mut Guest, export: &str) -> Result<String, Error> {
    if !guest.has_export(export) {
        return Ok(String::new());
    }
    let shape = Shape {
        input: None,
        output: Some(METADATA_BUFFER),
        free_on_trap: true,
    };
    let out = guest.invoke(export, shape)?;
    Ok(out.output.map(|b| memory::decode(&b)).unwrap_or_default())
}
