//! Unit testing of plugin logic: call the plugin's methods, then assert on the host
//! calls the SDK made.
//!
//! Natively (`cargo test`), every host call the SDK makes is answered by a thread-local
//! recorder instead of signalk-server; each test thread has its own, so tests run in
//! parallel. Compiled to wasm (`cargo test --target wasm32-wasip1`, with
//! `signalk-plugin-host-mock test-runner` as the cargo runner), the host calls go to the
//! real `env` imports, which the runner serves and records like the mock host does for a
//! plugin, with the server's return codes and capability rules, and these functions read
//! that record back (through the runner's import module, see [`wire`]). The runner gives
//! every test a fresh instance and a fresh host, so nothing leaks between tests there
//! either.
//!
//! ```
//! use signalk_plugin::testing::{self, HostCall};
//!
//! testing::reset();
//! signalk_plugin::set_status("Ready");
//! signalk_plugin::emit_value("navigation.speedOverGround", 4.2).unwrap();
//!
//! assert_eq!(testing::statuses(), ["Ready"]);
//! assert!(matches!(testing::calls().first(), Some(HostCall::SetStatus(_))));
//! // `take_deltas` parses the emitted deltas and clears the record.
//! let deltas = testing::take_deltas();
//! assert_eq!(deltas[0].updates[0].values[0].path, "navigation.speedOverGround");
//! assert!(testing::calls().is_empty());
//! ```
//!
//! The API is the same on both targets. Where the two hosts differ, the item says so:
//! the native recorder answers like signalk-server 2.32.0 but keeps it simple (no
//! capability until granted, TCP sockets connect at once, one socket id space), the
//! runner is the mock host itself (the server's default capabilities, its socket rules).
//!
//! For a whole compiled plugin under the real ABI (its exports, buffer sizes, the
//! server's lifecycle) use the `signalk-plugin-host-mock` crate.

use signalk_plugin_abi::Capability;

use crate::Delta;

pub use signalk_plugin_abi::HostCall;

#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod recorder;
#[cfg(not(target_arch = "wasm32"))]
use recorder as backend;

#[cfg(target_arch = "wasm32")]
mod remote;
#[cfg(target_arch = "wasm32")]
use remote as backend;

pub mod wire;

/// Rules the real host applies to import arguments, shared by this recorder and the
/// mock host so both answer the same way.
pub use signalk_plugin_abi::host_rules;

/// What the SDK adds to [`HostCall`]: parsing a recorded delta into its [`Delta`].
///
/// `HostCall` belongs to `signalk-plugin-abi`, which knows nothing of the SDK's data
/// model, so this lives here as an extension trait; bring it into scope to call it.
///
/// ```
/// use signalk_plugin::testing::{HostCall, HostCallExt};
/// let call = HostCall::HandleMessage { version: 1, json: r#"{"updates":[]}"#.into() };
/// assert!(call.delta().unwrap().unwrap().updates.is_empty());
/// assert!(HostCall::ReadConfig.delta().is_none());
/// ```
pub trait HostCallExt {
    /// Parses the delta of a [`HostCall::HandleMessage`]; `None` for other calls.
    fn delta(&self) -> Option<Result<Delta, serde_json::Error>>;
}

impl HostCallExt for HostCall {
    fn delta(&self) -> Option<Result<Delta, serde_json::Error>> {
        self.message().map(|(json, _)| serde_json::from_str(json))
    }
}

/// Forgets every recorded call, the saved config and the granted capabilities, and
/// which paths had problems reported ([`Skipped::count`](crate::Skipped::count) restarts at 0).
///
/// Natively no capability is granted then; on wasm32 the runner's host keeps the ones
/// signalk-server grants every plugin (`dataRead`, `dataWrite`, `storage`).
pub fn reset() {
    backend::reset_host();
    crate::model::reset_reports();
    crate::vessel::reset();
}

/// Says which context is the own vessel, as the SDK would learn it from the host
/// (natively it learns nothing by itself). [`reset`] forgets it.
///
/// ```
/// use signalk_plugin::{Delta, testing};
/// testing::set_self_context("vessels.urn:mrn:signalk:uuid:0000");
/// assert!(Delta::for_context("vessels.urn:mrn:signalk:uuid:0000").is_self());
/// ```
pub fn set_self_context(context: &str) {
    crate::vessel::set_known(Some(context));
}

/// Hands `delta` to `plugin.on_delta` the way the SDK does in the server: a context of
/// `None` or `vessels.self` is resolved to [`set_self_context`]'s (as the server
/// resolves it), [`Plugin::DELTAS`](crate::Plugin::DELTAS) filters, an `Err` is logged.
/// Call `on_delta` directly to see its result instead.
///
/// ```
/// use signalk_plugin::{Delta, Deltas, NoConfig, Plugin, PluginResult, testing};
/// #[derive(Default)]
/// struct Own { seen: usize }
/// impl Plugin for Own {
///     type Config = NoConfig;
///     const DELTAS: Deltas = Deltas::OwnVessel;
///     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
///     fn on_delta(&mut self, _: &Delta) -> PluginResult { self.seen += 1; Ok(()) }
/// }
/// testing::set_self_context("vessels.urn:mrn:imo:mmsi:230000001");
/// let mut p = Own::default();
/// testing::deliver(&mut p, &Delta::new());
/// testing::deliver(&mut p, &Delta::for_context("vessels.urn:mrn:imo:mmsi:230099999"));
/// assert_eq!(p.seen, 1);
/// ```
///
/// # Panics
/// If `delta` does not serialize (it always does).
pub fn deliver<P: crate::Plugin>(plugin: &mut P, delta: &Delta) {
    let mut delta = delta.clone();
    if matches!(delta.context.as_deref(), None | Some("vessels.self")) {
        delta.context = crate::self_context().or(delta.context);
    }
    let json = serde_json::to_vec(&delta).expect("a Delta always serializes");
    crate::__private::cell::dispatch_delta(plugin, &json);
}

/// Every host call recorded on this thread so far, oldest first.
#[must_use]
pub fn calls() -> Vec<HostCall> {
    backend::calls()
}

/// Returns and forgets the recorded host calls.
#[must_use]
pub fn take_calls() -> Vec<HostCall> {
    backend::take_calls()
}

/// Returns the deltas emitted so far (parsed), and forgets all recorded calls.
///
/// # Panics
/// If a recorded delta is not valid JSON for [`Delta`]; the SDK never emits such a delta,
/// so this points at a bug worth a failing test.
#[must_use]
pub fn take_deltas() -> Vec<Delta> {
    take_calls()
        .iter()
        .filter_map(HostCallExt::delta)
        .map(|d| d.expect("the SDK emitted a delta that does not parse"))
        .collect()
}

/// The messages passed to `sk_set_status`, oldest first.
#[must_use]
pub fn statuses() -> Vec<String> {
    filter(HostCall::status)
}

/// The messages passed to `sk_set_error`, oldest first.
#[must_use]
pub fn errors() -> Vec<String> {
    filter(HostCall::error)
}

/// The messages passed to `sk_debug`, oldest first, with their level prefixes.
#[must_use]
pub fn logs() -> Vec<String> {
    filter(HostCall::log)
}

fn filter(text: impl Fn(&HostCall) -> Option<&str>) -> Vec<String> {
    calls()
        .iter()
        .filter_map(|c| text(c).map(str::to_owned))
        .collect()
}

/// Sets what `sk_read_config` returns (the `configuration` member of the plugin's
/// config file). Default: `{}`.
///
/// ```
/// use signalk_plugin::testing;
/// testing::set_saved_config(r#"{"speed":2}"#);
/// assert_eq!(signalk_plugin::config::read_raw().unwrap(), r#"{"speed":2}"#);
/// ```
///
/// # Panics
///
/// On wasm32, if `json` is not JSON: the runner's host keeps the configuration as a
/// JSON value, like the server's config file (natively any text is kept as it is).
pub fn set_saved_config(json: impl Into<String>) {
    backend::set_saved_config(json.into());
}

/// Grants a capability, as `wasmCapabilities` in `package.json` would.
///
/// ```
/// use signalk_plugin::{testing, Capability};
/// testing::reset();
/// assert!(!signalk_plugin::has_capability(Capability::RawSockets));
/// testing::grant(Capability::RawSockets);
/// assert!(signalk_plugin::has_capability(Capability::RawSockets));
/// ```
pub fn grant(capability: Capability) {
    backend::grant(capability);
}

/// Queues a datagram for UDP socket `id`, as if it arrived from `addr:port`; for a TCP
/// socket, `data` as the peer sent it (`addr` and `port` are not used).
///
/// Natively, TCP sockets connect at once and `data` is queued as one line or chunk, and
/// UDP and TCP sockets share one id space. On wasm32 the runner's host keeps UDP and TCP
/// ids apart like the server: `id` is the UDP or the TCP socket open with that id (if
/// both are open, this panics: say which by closing the other), and a TCP socket's
/// pending connect is completed first (the peer accepted) before `data`
/// arrives; in line mode it is one line, ended with a newline if it lacks one (a `data`
/// holding newlines arrives as several lines, as from a real peer).
///
/// ```
/// use signalk_plugin::net::UdpSocket;
/// use signalk_plugin::{testing, Capability};
/// testing::grant(Capability::RawSockets);
/// let socket = UdpSocket::bind(10110).unwrap();
/// testing::push_incoming(socket.id(), b"$GPGGA,...", "192.168.1.20", 10110);
/// let datagram = socket.recv_from().unwrap().unwrap();
/// assert_eq!(datagram.data, b"$GPGGA,...");
/// assert_eq!(datagram.port, 10110);
/// ```
///
/// # Panics
///
/// If no socket `id` is open: input for it would go nowhere, a bug in the test. On
/// wasm32 also if a UDP and a TCP socket are both open with that id.
pub fn push_incoming(id: i32, data: &[u8], addr: &str, port: u16) {
    assert!(
        backend::push_incoming(id, data, addr, port),
        "push_incoming: no socket {id} is open"
    );
}

#[cfg(test)]
mod tests;
