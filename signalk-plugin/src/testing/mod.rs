//! Native unit testing of plugin logic (not compiled for `wasm32`).
//!
//! Off wasm, every host call the SDK makes is answered by a thread-local recorder
//! instead of signalk-server. A test calls the plugin's methods directly, then asserts
//! on what was recorded. Each test thread has its own recorder, so tests run in parallel.
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
//! For the real ABI (the compiled `.wasm` under wasmtime, the host's buffer sizes and
//! capability rules) use the `signalk-plugin-host-mock` crate.

use signalk_plugin_abi::Capability;

use crate::Delta;

pub use signalk_plugin_abi::HostCall;

pub(crate) mod recorder;
use recorder::{Incoming, RECORDER, Recorder};

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
pub fn reset() {
    RECORDER.with(|r| *r.borrow_mut() = Recorder::default());
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
    RECORDER.with(|r| r.borrow().calls.clone())
}

/// Returns and forgets the recorded host calls.
#[must_use]
pub fn take_calls() -> Vec<HostCall> {
    RECORDER.with(|r| std::mem::take(&mut r.borrow_mut().calls))
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
    RECORDER.with(|r| {
        let r = r.borrow();
        r.calls
            .iter()
            .filter_map(|c| text(c).map(str::to_owned))
            .collect()
    })
}

/// Sets what `sk_read_config` returns (the `configuration` member of the plugin's
/// config file). Default: `{}`.
pub fn set_saved_config(json: impl Into<String>) {
    recorder::set_saved_config(json.into());
}

/// Grants a capability, as `wasmCapabilities` in `package.json` would.
pub fn grant(capability: Capability) {
    RECORDER.with(|r| {
        r.borrow_mut().capabilities.insert(capability.as_str());
    });
}

/// Queues a datagram for UDP socket `id`, as if it arrived from `addr:port`.
/// Native TCP sockets connect at once; queued input for them is one line or chunk.
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
pub fn push_incoming(id: i32, data: &[u8], addr: &str, port: u16) {
    RECORDER.with(|r| {
        if let Some(queue) = r.borrow_mut().sockets.get_mut(&id) {
            queue.push_back(Incoming {
                data: data.to_vec(),
                addr: addr.to_owned(),
                port,
            });
        }
    });
}
