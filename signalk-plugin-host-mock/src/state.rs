//! What the host keeps per plugin instance (the `T` of the wasmtime `Store`). One store
//! per [`MockHost`](crate::MockHost), so tests never share state.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use signalk_plugin_abi::HostCall;
use wasmtime::{Func, Memory, StoreLimits};
use wasmtime_wasi::p1::WasiP1Ctx;

use crate::HostOptions;
use crate::guest::typed::{HasTypedCache, TypedCache};
use crate::ledger::Ledger;
use crate::recorded::Recorded;
use crate::server::model::FullModel;
use crate::server::notifications::Notifications;
use crate::server::requests::Requests;
use crate::sockets::Sockets;

/// The plugin's lifecycle state as the server tracks it (§6.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginState {
    /// Loaded, never started or stopped cleanly.
    Stopped,
    /// `plugin_start` returned 0.
    Running,
    /// Start failed, or stop trapped; the message is what the Admin UI shows.
    Error(String),
}

/// One provider registration (§3.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProviderRecord {
    pub(crate) ready: bool,
}

/// The guest's exports the host uses, resolved once after instantiation.
#[derive(Clone, Copy)]
pub(crate) struct GuestExports {
    pub(crate) memory: Memory,
    pub(crate) allocate: Option<Func>,
    pub(crate) deallocate: Option<Func>,
    pub(crate) delta_handler: Option<Func>,
}

pub(crate) struct HostState {
    pub(crate) wasi: WasiP1Ctx,
    pub(crate) limits: StoreLimits,
    pub(crate) options: HostOptions,
    pub(crate) exports: Option<GuestExports>,
    pub(crate) state: PluginState,
    /// What the plugin did, for tests to read.
    pub(crate) recorded: Recorded,
    /// The provider-status table entry for this package (§3.2): (is_error, message).
    pub(crate) status: Option<(bool, String)>,
    /// The full data model (v1) with its metadata registry: what the REST API serves.
    pub(crate) model: FullModel,
    /// The notifications API's ids and alarms.
    pub(crate) notifications: Notifications,
    /// PUT requests by id (`requestResponse.js`).
    pub(crate) requests: Requests,
    /// The plugin's `enabled` flag (its config file and the plugin list show it).
    pub(crate) enabled: bool,
    /// Whether the server rewrote the config file (`POST /config`), which orders its
    /// members `configuration, enabled, enableDebug`; the installed file has
    /// `enabled, enableDebug, configuration`.
    pub(crate) config_rewritten: bool,
    /// Whether the plugin's `delta_handler` is subscribed to the server's deltas:
    /// from a successful start until the next stop begins.
    pub(crate) delta_subscribed: bool,
    /// The `configuration` member of the plugin's config file on disk.
    pub(crate) config_file: Option<Value>,
    pub(crate) put_handlers: BTreeSet<(String, String)>,
    pub(crate) resource_providers: BTreeMap<String, ProviderRecord>,
    pub(crate) weather_provider: Option<ProviderRecord>,
    pub(crate) radar_provider: Option<ProviderRecord>,
    pub(crate) sockets: Sockets,
    pub(crate) ledger: Ledger,
    /// Nesting depth of `delta_handler` calls made from inside `sk_handle_message`.
    pub(crate) delta_depth: u32,
    /// Set while the host is inside `plugin_start` (providers registered now become ready).
    pub(crate) in_start: bool,
    /// Typed handles of the exports called so far, so a call skips the type check.
    pub(crate) typed: TypedCache,
    /// The buffer the last delta for `delta_handler` was written into, for the next.
    pub(crate) delta_text: Vec<u8>,
}

impl HostState {
    pub(crate) fn new(wasi: WasiP1Ctx, limits: StoreLimits, options: HostOptions) -> Self {
        let config_file = options
            .saved_config
            .clone()
            .or_else(|| options.configuration.clone());
        let recorded = Recorded::new(&options.package_name);
        let model = FullModel::new(&options.self_id);
        HostState {
            wasi,
            limits,
            options,
            exports: None,
            state: PluginState::Stopped,
            recorded,
            status: None,
            model,
            notifications: Notifications::default(),
            requests: Requests::default(),
            enabled: false,
            config_rewritten: false,
            delta_subscribed: false,
            config_file,
            put_handlers: BTreeSet::new(),
            resource_providers: BTreeMap::new(),
            weather_provider: None,
            radar_provider: None,
            sockets: Sockets::default(),
            ledger: Ledger::default(),
            delta_depth: 0,
            in_start: false,
            typed: TypedCache::default(),
            delta_text: Vec::new(),
        }
    }

    pub(crate) fn record(&mut self, call: HostCall) {
        self.recorded.push_call(call);
    }

    pub(crate) fn log(&mut self, line: impl Into<String>) {
        self.recorded.push_host_log(line.into());
    }

    pub(crate) fn self_context(&self) -> String {
        self.options.self_context()
    }

    /// Whether a provider registered now is ever answered (§3.7).
    pub(crate) fn provider_ready_now(&self) -> bool {
        !self.options.quirks.providers_ready_only_after_start
    }
}

impl HasTypedCache for HostState {
    fn typed_cache(&mut self) -> &mut TypedCache {
        &mut self.typed
    }
}
