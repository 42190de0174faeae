//! How a mock host is set up: package name, capabilities, quirks, limits.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use signalk_plugin_abi::Capability;

use crate::Error;

/// The `wasmCapabilities` of a plugin's `package.json` (§6.3), as the host reads them.
///
/// ```
/// use signalk_plugin_host_mock::Capabilities;
/// use signalk_plugin_abi::Capability;
///
/// let caps = Capabilities::from_json(&serde_json::json!({"putHandlers": true})).unwrap();
/// assert!(caps.granted(Capability::PutHandlers));
/// assert!(!caps.granted(Capability::RawSockets));
/// // dataRead/dataWrite default to true: only a literal `false` turns them off.
/// assert!(caps.granted(Capability::DataWrite));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    granted: BTreeSet<Capability>,
}

impl Default for Capabilities {
    /// The host's defaults: only `dataRead`, `dataWrite` and `storage`.
    fn default() -> Self {
        Capabilities {
            granted: [
                Capability::DataRead,
                Capability::DataWrite,
                Capability::Storage,
            ]
            .into(),
        }
    }
}

impl Capabilities {
    /// Reads the `wasmCapabilities` object the way the host does: unknown keys are
    /// ignored, values count as truthy/falsy, and `dataRead`/`dataWrite` are on unless
    /// literally `false`.
    ///
    /// # Errors
    ///
    /// [`Error::Package`] if `value` is neither an object nor absent (`null`).
    ///
    /// ```
    /// # use signalk_plugin_host_mock::Capabilities;
    /// assert!(Capabilities::from_json(&serde_json::json!([1])).is_err());
    /// ```
    pub fn from_json(value: &Value) -> Result<Self, Error> {
        let map = match value {
            Value::Null => return Ok(Capabilities::default()),
            Value::Object(map) => map,
            other => {
                return Err(Error::Package(format!(
                    "wasmCapabilities must be an object, found {other}"
                )));
            }
        };
        let mut granted = BTreeSet::new();
        for cap in Capability::ALL {
            let on = match (cap, map.get(cap.as_str())) {
                (Capability::DataRead | Capability::DataWrite, v) => v != Some(&Value::Bool(false)),
                (Capability::Storage, None) => true,
                (_, Some(v)) => truthy(v),
                (_, None) => false,
            };
            if on {
                granted.insert(cap);
            }
        }
        Ok(Capabilities { granted })
    }

    /// Reads `wasmCapabilities` from a `package.json` file.
    ///
    /// # Errors
    ///
    /// [`Error::Package`] if the file cannot be read or is not JSON.
    ///
    /// ```no_run
    /// # use signalk_plugin_host_mock::Capabilities;
    /// let caps = Capabilities::from_package_json("my-plugin/package.json")?;
    /// # Ok::<(), signalk_plugin_host_mock::Error>(())
    /// ```
    pub fn from_package_json(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Package(format!("{}: {e}", path.display())))?;
        let json: Value = serde_json::from_str(&text)
            .map_err(|e| Error::Package(format!("{}: {e}", path.display())))?;
        Self::from_json(json.get("wasmCapabilities").unwrap_or(&Value::Null))
    }

    /// Grants one more capability.
    ///
    /// ```
    /// # use signalk_plugin_host_mock::Capabilities;
    /// use signalk_plugin_abi::Capability;
    /// let caps = Capabilities::default().with(Capability::RawSockets);
    /// assert!(caps.granted(Capability::RawSockets));
    /// ```
    #[must_use]
    pub fn with(mut self, capability: Capability) -> Self {
        self.granted.insert(capability);
        self
    }

    /// Whether `capability` is granted.
    ///
    /// ```
    /// # use signalk_plugin_host_mock::Capabilities;
    /// use signalk_plugin_abi::Capability;
    /// assert!(!Capabilities::default().granted(Capability::PutHandlers));
    /// ```
    #[must_use]
    pub fn granted(&self, capability: Capability) -> bool {
        self.granted.contains(&capability)
    }

    /// The granted capabilities, as `wasmCapabilities` JSON (what a `package.json` needs).
    ///
    /// ```
    /// # use signalk_plugin_host_mock::Capabilities;
    /// use signalk_plugin_abi::Capability;
    /// let json = Capabilities::default().with(Capability::PutHandlers).to_json();
    /// assert_eq!(json["putHandlers"], true);
    /// ```
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut map = serde_json::Map::new();
        for cap in Capability::ALL {
            match cap {
                Capability::Storage => {
                    map.insert("storage".into(), Value::from("vfs-only"));
                }
                _ => {
                    map.insert(cap.as_str().into(), Value::Bool(self.granted(cap)));
                }
            }
        }
        Value::Object(map)
    }

    pub(crate) fn granted_name(&self, name: &str) -> bool {
        name.parse().is_ok_and(|c| self.granted(c))
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// Which of signalk-server 2.32.0's defects the mock host reproduces: one switch per
/// bug, each named after the server code that has it (paths under
/// `node_modules/signalk-server/dist/`).
///
/// The default, [`Quirks::signalk_2_32_0`], behaves exactly like the released server so a
/// test passing here passes there. [`Quirks::fixed`] behaves as the server is documented
/// to, which is what a plugin written against the *working* path should also survive.
/// Behaviour that is merely surprising but intended (deltas emitted inside `plugin_stop`
/// not coming back, `canClear: false` on plugin notifications) is not a quirk and does
/// not change with these switches.
///
/// ```
/// use signalk_plugin_host_mock::Quirks;
/// assert!(Quirks::default().put_reply_always_500);
/// assert!(!Quirks::fixed().self_path_unavailable);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Quirks {
    /// `put.js`, `putPath`: the action handler's *return value* is dereferenced
    /// (`result.state`), but the WASM callback registered by `sk_register_put_handler`
    /// (`wasm/bindings/env-imports.js`) answers through `cb(reply)` and returns
    /// `undefined`. So every REST PUT that reaches a plugin answers 500
    /// `Cannot read properties of undefined (reading 'state')`, and a WebSocket client
    /// gets the plugin's reply and then that 500 with the same `requestId` (§9).
    /// Fixed: the REST answer is the plugin's reply, and the WebSocket gets only it.
    pub put_reply_always_500: bool,
    /// `wasm/bindings/env-imports.js`, `sk_get_self_path`: it looks for
    /// `app.getSelfPath`, which the WASM plugin's `app` object does not have, so it
    /// always returns 0 (§3.3).
    pub self_path_unavailable: bool,
    /// `wasm/bindings/env-imports.js`, `sk_read_config` / `sk_save_config`: the config
    /// file is looked up under the package name, not the plugin id, so for a scoped
    /// package (`@scope/name`) reading gives `{}` and saving fails (§3.4).
    pub scoped_config_unavailable: bool,
    /// `wasm/bindings/socket-manager.js`, `closeAllForPlugin`: sockets are recorded
    /// under the package name but closed by plugin id, so a scoped package's UDP
    /// sockets survive `plugin_stop` (§3.10).
    pub scoped_udp_survives_stop: bool,
    /// `wasm/loader/plugin-lifecycle.js`, `startWasmPluginInternal`: provider records
    /// get their instance (`update*ProviderInstance`) only after `plugin_start`
    /// returned 0, so providers registered at any other time are never answered (§3.7).
    pub providers_ready_only_after_start: bool,
}

impl Quirks {
    /// signalk-server 2.32.0 exactly (the default).
    ///
    /// ```
    /// # use signalk_plugin_host_mock::Quirks;
    /// assert_eq!(Quirks::signalk_2_32_0(), Quirks::default());
    /// ```
    #[must_use]
    pub const fn signalk_2_32_0() -> Self {
        Quirks {
            put_reply_always_500: true,
            self_path_unavailable: true,
            scoped_config_unavailable: true,
            scoped_udp_survives_stop: true,
            providers_ready_only_after_start: true,
        }
    }

    /// The server as documented: every defect above repaired.
    ///
    /// ```
    /// # use signalk_plugin_host_mock::Quirks;
    /// assert!(!Quirks::fixed().put_reply_always_500);
    /// ```
    #[must_use]
    pub const fn fixed() -> Self {
        Quirks {
            put_reply_always_500: false,
            self_path_unavailable: false,
            scoped_config_unavailable: false,
            scoped_udp_survives_stop: false,
            providers_ready_only_after_start: false,
        }
    }
}

impl Default for Quirks {
    fn default() -> Self {
        Quirks::signalk_2_32_0()
    }
}

/// Everything a [`MockHost`](crate::MockHost) is created with.
///
/// ```
/// use signalk_plugin_host_mock::{HostOptions, Quirks};
/// use signalk_plugin_abi::Capability;
/// use std::time::Duration;
///
/// let options = HostOptions::new("@acme/anchor")
///     .capability(Capability::PutHandlers)
///     .quirks(Quirks::fixed())
///     .call_timeout(Duration::from_secs(1))
///     .memory_limit(16 << 20);
/// assert_eq!(options.package_name(), "@acme/anchor");
/// assert_eq!(options.plugin_id(), "_acme_anchor");
/// ```
#[derive(Debug, Clone)]
pub struct HostOptions {
    pub(crate) package_name: String,
    pub(crate) package_version: String,
    /// `description` and `keywords` of the package.json, for the plugin list.
    pub(crate) package_description: Option<Value>,
    pub(crate) package_keywords: Option<Value>,
    pub(crate) capabilities: Capabilities,
    pub(crate) quirks: Quirks,
    pub(crate) configuration: Option<Value>,
    pub(crate) enable_debug: bool,
    pub(crate) saved_config: Option<Value>,
    pub(crate) call_timeout: Duration,
    pub(crate) memory_limit: usize,
    pub(crate) self_id: String,
    pub(crate) vfs_root: Option<PathBuf>,
    pub(crate) allowed_imports: Option<BTreeSet<String>>,
    pub(crate) forced_returns: BTreeMap<String, i32>,
    pub(crate) inherit_stdio: bool,
    pub(crate) max_delta_depth: u32,
    pub(crate) chunked_channel: bool,
}

impl HostOptions {
    /// Options for a plugin published as `package_name` (the npm name: it becomes the
    /// `$source` of the plugin's deltas, `PLUGIN_ID` and the provider id).
    ///
    /// ```
    /// # use signalk_plugin_host_mock::HostOptions;
    /// let options = HostOptions::new("hello");
    /// assert_eq!(options.plugin_id(), "hello");
    /// ```
    #[must_use]
    pub fn new(package_name: impl Into<String>) -> Self {
        HostOptions {
            package_name: package_name.into(),
            package_version: "0.1.0".into(),
            package_description: None,
            package_keywords: None,
            capabilities: Capabilities::default(),
            quirks: Quirks::default(),
            configuration: None,
            enable_debug: false,
            saved_config: None,
            call_timeout: Duration::from_secs(10),
            memory_limit: 256 << 20,
            self_id: "urn:mrn:signalk:uuid:0c9a5e54-7f3d-4d3a-9d58-5a4b8c2f1e00".into(),
            vfs_root: None,
            allowed_imports: None,
            forced_returns: BTreeMap::new(),
            inherit_stdio: false,
            max_delta_depth: 16,
            chunked_channel: true,
        }
    }

    /// The npm package name.
    #[must_use]
    pub fn package_name(&self) -> &str {
        &self.package_name
    }

    /// The id the server derives from the package name: `@` and `/` become `_`, so
    /// `@scope/name` → `_scope_name` (the REST paths and config file use it).
    ///
    /// ```
    /// # use signalk_plugin_host_mock::HostOptions;
    /// assert_eq!(HostOptions::new("@signalk/anchor").plugin_id(), "_signalk_anchor");
    /// ```
    #[must_use]
    pub fn plugin_id(&self) -> String {
        plugin_id(&self.package_name)
    }

    /// The package version the plugin list shows (default `0.1.0`).
    #[must_use]
    pub fn package_version(mut self, version: impl Into<String>) -> Self {
        self.package_version = version.into();
        self
    }

    /// What the plugin list (`GET /skServer/plugins`) shows from the package.json:
    /// its `description` and `keywords`. [`MockHost::load`](crate::MockHost::load) reads
    /// them from a `package.json` beside the `.wasm` file of the same package name.
    ///
    /// ```
    /// # use signalk_plugin_host_mock::HostOptions;
    /// let options = HostOptions::new("p")
    ///     .package_json(&serde_json::json!({"description": "A plugin", "keywords": ["signalk-wasm-plugin"]}));
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn package_json(mut self, package_json: &Value) -> Self {
        self.package_description = package_json.get("description").cloned();
        self.package_keywords = package_json.get("keywords").cloned();
        self
    }

    /// Replaces all capabilities.
    #[must_use]
    pub fn capabilities(mut self, capabilities: Capabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// Grants one capability on top of the current ones.
    #[must_use]
    pub fn capability(mut self, capability: Capability) -> Self {
        self.capabilities = self.capabilities.with(capability);
        self
    }

    /// Which server defects to reproduce (default: 2.32.0's).
    #[must_use]
    pub fn quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// The plugin's `configuration` member, as the Admin UI would have saved it. The host
    /// passes `{...configuration, enableDebug}` to `plugin_start` (§7.1).
    #[must_use]
    pub fn configuration(mut self, configuration: Value) -> Self {
        self.configuration = Some(configuration);
        self
    }

    /// The `enableDebug` flag injected into the start config.
    #[must_use]
    pub fn enable_debug(mut self, on: bool) -> Self {
        self.enable_debug = on;
        self
    }

    /// What `sk_read_config` finds on disk (defaults to [`configuration`](Self::configuration)).
    #[must_use]
    pub fn saved_config(mut self, configuration: Value) -> Self {
        self.saved_config = Some(configuration);
        self
    }

    /// Wall-clock budget of one call into the guest; past it the call fails with
    /// [`Error::Timeout`] instead of hanging like the real host.
    #[must_use]
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Largest linear memory the guest may grow to, in bytes (default 256 MiB).
    #[must_use]
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// The vessel's self id (`vessels.self` resolves to `vessels.<self_id>`).
    #[must_use]
    pub fn self_id(mut self, id: impl Into<String>) -> Self {
        self.self_id = id.into();
        self
    }

    /// The resolved self context, `vessels.<self id>`: what `vessels.self` becomes.
    ///
    /// ```
    /// # use signalk_plugin_host_mock::HostOptions;
    /// let options = HostOptions::new("p").self_id("urn:mrn:signalk:uuid:1");
    /// assert_eq!(options.self_context(), "vessels.urn:mrn:signalk:uuid:1");
    /// ```
    #[must_use]
    pub fn self_context(&self) -> String {
        format!("vessels.{}", self.self_id)
    }

    /// A host directory to preopen as the guest's `/` (default: a fresh temp dir per host).
    #[must_use]
    pub fn vfs_root(mut self, dir: impl Into<PathBuf>) -> Self {
        self.vfs_root = Some(dir.into());
        self
    }

    /// Opt-in strictness: any `env` import not listed here traps the guest with
    /// "unexpected host call", so a test fails at the first surprise.
    #[must_use]
    pub fn allow_only<I, S>(mut self, imports: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_imports = Some(imports.into_iter().map(Into::into).collect());
        self
    }

    /// A pre-set answer: `import` still records the call but returns `value`
    /// (for example `-1` from `sk_publish_notification` to test the error path).
    #[must_use]
    pub fn force_return(mut self, import: impl Into<String>, value: i32) -> Self {
        self.forced_returns.insert(import.into(), value);
        self
    }

    /// Let the guest's stdout/stderr through to this process (default: captured; read
    /// them with [`MockHost::stdout`](crate::MockHost::stdout)).
    #[must_use]
    pub fn inherit_stdio(mut self, on: bool) -> Self {
        self.inherit_stdio = on;
        self
    }

    /// How deep `sk_handle_message` may re-enter `delta_handler` before the mock host
    /// stops the recursion with an error (the real host recurses without bound).
    #[must_use]
    pub fn max_delta_depth(mut self, depth: u32) -> Self {
        self.max_delta_depth = depth;
        self
    }

    /// Whether the host speaks the chunked channel (default: yes). signalk-server
    /// 2.32.0 does not: turn it off to see what a plugin's oversize replies become there.
    #[must_use]
    pub fn chunked_channel(mut self, on: bool) -> Self {
        self.chunked_channel = on;
        self
    }

    pub(crate) fn scoped(&self) -> bool {
        self.package_name.starts_with('@')
    }
}

/// `@scope/name` → `_scope_name`, as the server derives plugin ids.
pub(crate) fn plugin_id(package_name: &str) -> String {
    package_name.replace(['@', '/'], "_")
}
