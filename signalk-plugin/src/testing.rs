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

use std::cell::RefCell;
use std::collections::{BTreeSet, VecDeque};

use crate::{Capability, Delta};

/// One call a plugin made to the host, at the level of the `sk_*` imports.
///
/// The same type is used by `signalk-plugin-host-mock` to record what a compiled plugin
/// did, so assertions read the same in both kinds of tests.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostCall {
    /// `sk_debug(msg)`; the SDK prefixes the log level, for example `[INFO] started`.
    Debug(String),
    /// `sk_set_status(msg)`.
    SetStatus(String),
    /// `sk_set_error(msg)`.
    SetError(String),
    /// `sk_handle_message(json, version)`: a delta sent to the server. `version` 2 is
    /// Signal K v2; anything else is v1.
    HandleMessage {
        /// The third argument as passed (1 or 2 from this SDK).
        version: i32,
        /// The delta text exactly as the plugin sent it.
        json: String,
    },
    /// `sk_publish_notification(path, value)`.
    PublishNotification {
        /// Notification path, for example `notifications.anchor`.
        path: String,
        /// The value JSON text.
        value: String,
    },
    /// `sk_read_config(buf)`.
    ReadConfig,
    /// `sk_save_config(json)`.
    SaveConfig(String),
    /// `sk_has_capability(name)`.
    HasCapability(String),
    /// `sk_register_put_handler(context, path)`.
    RegisterPutHandler {
        /// Request context, for example `vessels.self`.
        context: String,
        /// Signal K path.
        path: String,
    },
    /// `sk_get_self_path(path)`.
    GetSelfPath(String),
    /// `sk_register_resource_provider(type)`.
    RegisterResourceProvider(String),
    /// `sk_register_weather_provider(name)`.
    RegisterWeatherProvider(String),
    /// `sk_register_radar_provider(name)`.
    RegisterRadarProvider(String),
    /// `sk_emit_binary_stream(stream_id, data)`.
    EmitBinaryStream {
        /// Stream id, for example `plugins/my-plugin/track`.
        stream_id: String,
        /// The bytes.
        data: Vec<u8>,
    },
    /// `sk_radar_emit_spokes(radar_id, data)`.
    RadarEmitSpokes {
        /// Radar id.
        radar_id: String,
        /// The bytes.
        data: Vec<u8>,
    },
    /// `sk_udp_create(type)`.
    UdpCreate {
        /// `true` for udp6.
        ipv6: bool,
    },
    /// `sk_udp_bind(id, port)`.
    UdpBind {
        /// Socket id.
        id: i32,
        /// Port (0 = ephemeral).
        port: u16,
    },
    /// `sk_udp_join_multicast` / `sk_udp_leave_multicast`.
    UdpMulticast {
        /// Socket id.
        id: i32,
        /// Join (`true`) or leave.
        join: bool,
        /// Group address.
        group: String,
        /// Interface address; empty for the default.
        interface: String,
    },
    /// `sk_udp_set_multicast_ttl` / `_loopback` / `sk_udp_set_broadcast`.
    UdpOption {
        /// Socket id.
        id: i32,
        /// `multicastTtl`, `multicastLoopback` or `broadcast`.
        option: &'static str,
        /// The value passed.
        value: i32,
    },
    /// `sk_udp_send(id, addr, port, data)`.
    UdpSend {
        /// Socket id.
        id: i32,
        /// Destination address.
        addr: String,
        /// Destination port.
        port: u16,
        /// The bytes.
        data: Vec<u8>,
    },
    /// `sk_udp_close(id)`.
    UdpClose(i32),
    /// `sk_tcp_create()`.
    TcpCreate,
    /// `sk_tcp_connect(id, host, port)`.
    TcpConnect {
        /// Socket id.
        id: i32,
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
    /// `sk_tcp_set_line_buffering(id, on)`.
    TcpSetLineBuffering {
        /// Socket id.
        id: i32,
        /// Line mode on.
        on: bool,
    },
    /// `sk_tcp_send(id, data)`.
    TcpSend {
        /// Socket id.
        id: i32,
        /// The bytes.
        data: Vec<u8>,
    },
    /// `sk_tcp_close(id)`.
    TcpClose(i32),
}

impl HostCall {
    /// Parses the delta of a [`HostCall::HandleMessage`]; `None` for other calls.
    ///
    /// ```
    /// use signalk_plugin::testing::HostCall;
    /// let call = HostCall::HandleMessage { version: 1, json: r#"{"updates":[]}"#.into() };
    /// assert!(call.delta().unwrap().unwrap().updates.is_empty());
    /// assert!(HostCall::ReadConfig.delta().is_none());
    /// ```
    #[must_use]
    pub fn delta(&self) -> Option<Result<Delta, serde_json::Error>> {
        match self {
            HostCall::HandleMessage { json, .. } => Some(serde_json::from_str(json)),
            _ => None,
        }
    }
}

/// Rules the real host applies to import arguments, shared by the native recorder and
/// the mock host so both answer the same way.
pub mod host_rules {
    /// The notification states `sk_publish_notification` accepts (spec §3.3).
    pub const NOTIFICATION_STATES: [&str; 5] = ["normal", "alert", "warn", "alarm", "emergency"];

    /// Whether `sk_publish_notification` accepts this value JSON: it must parse and
    /// have a `state` that is one of [`NOTIFICATION_STATES`]. Nothing else is checked.
    ///
    /// ```
    /// use signalk_plugin::testing::host_rules::accepts_notification;
    /// assert!(accepts_notification(r#"{"state":"alarm"}"#));
    /// assert!(!accepts_notification(r#"{"state":"bogus","message":"x"}"#));
    /// assert!(!accepts_notification("not json"));
    /// ```
    #[must_use]
    pub fn accepts_notification(value_json: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(value_json)
            .ok()
            .and_then(|v| v.get("state").and_then(|s| s.as_str().map(str::to_owned)))
            .is_some_and(|state| NOTIFICATION_STATES.contains(&state.as_str()))
    }

    /// What `sk_has_capability(name)` answers: only `network` and `rawSockets` are ever
    /// reported, every other name is 0 even when granted (spec §3.5).
    ///
    /// ```
    /// use signalk_plugin::testing::host_rules::capability_answer;
    /// assert!(capability_answer("rawSockets", |_| true));
    /// assert!(!capability_answer("putHandlers", |_| true));
    /// ```
    #[must_use]
    pub fn capability_answer(name: &str, granted: impl Fn(&str) -> bool) -> bool {
        matches!(name, "network" | "rawSockets") && granted(name)
    }
}

#[derive(Default)]
struct Recorder {
    calls: Vec<HostCall>,
    saved_config: Option<String>,
    capabilities: BTreeSet<&'static str>,
    /// Socket id -> queued input (datagrams with their source, or TCP lines/chunks).
    sockets: std::collections::BTreeMap<i32, VecDeque<Incoming>>,
    next_socket: i32,
    connected: BTreeSet<i32>,
}

/// Input queued for a native socket by a test.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    pub(crate) data: Vec<u8>,
    pub(crate) addr: String,
    pub(crate) port: u16,
}

thread_local! {
    static RECORDER: RefCell<Recorder> = RefCell::new(Recorder::default());
}

pub(crate) fn record(call: HostCall) {
    RECORDER.with(|r| r.borrow_mut().calls.push(call));
}

pub(crate) fn validate_notification(value: &str) -> i32 {
    if host_rules::accepts_notification(value) {
        0
    } else {
        -1
    }
}

pub(crate) fn saved_config() -> String {
    RECORDER.with(|r| {
        r.borrow()
            .saved_config
            .clone()
            .unwrap_or_else(|| "{}".into())
    })
}

pub(crate) fn capability_answer(name: &str) -> bool {
    RECORDER.with(|r| {
        let r = r.borrow();
        host_rules::capability_answer(name, |n| r.capabilities.contains(n))
    })
}

pub(crate) fn granted(name: &str) -> bool {
    RECORDER.with(|r| r.borrow().capabilities.contains(name))
}

/// Forgets every recorded call, the saved config and the granted capabilities.
pub fn reset() {
    RECORDER.with(|r| *r.borrow_mut() = Recorder::default());
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
        .filter_map(HostCall::delta)
        .map(|d| d.expect("the SDK emitted a delta that does not parse"))
        .collect()
}

/// The messages passed to `sk_set_status`, oldest first.
#[must_use]
pub fn statuses() -> Vec<String> {
    filter(|c| match c {
        HostCall::SetStatus(m) => Some(m.clone()),
        _ => None,
    })
}

/// The messages passed to `sk_set_error`, oldest first.
#[must_use]
pub fn errors() -> Vec<String> {
    filter(|c| match c {
        HostCall::SetError(m) => Some(m.clone()),
        _ => None,
    })
}

/// The messages passed to `sk_debug`, oldest first, with their level prefixes.
#[must_use]
pub fn logs() -> Vec<String> {
    filter(|c| match c {
        HostCall::Debug(m) => Some(m.clone()),
        _ => None,
    })
}

fn filter<T>(f: impl Fn(&HostCall) -> Option<T>) -> Vec<T> {
    RECORDER.with(|r| r.borrow().calls.iter().filter_map(f).collect())
}

/// Sets what `sk_read_config` returns (the `configuration` member of the plugin's
/// config file). Default: `{}`.
pub fn set_saved_config(json: impl Into<String>) {
    let json = json.into();
    RECORDER.with(|r| r.borrow_mut().saved_config = Some(json));
}

/// Grants a capability, as `wasmCapabilities` in `package.json` would.
pub fn grant(capability: Capability) {
    RECORDER.with(|r| {
        r.borrow_mut().capabilities.insert(capability.as_str());
    });
}

pub(crate) fn open_socket() -> i32 {
    RECORDER.with(|r| {
        let mut r = r.borrow_mut();
        r.next_socket += 1;
        let id = r.next_socket;
        r.sockets.insert(id, VecDeque::new());
        id
    })
}

pub(crate) fn close_socket(id: i32) {
    RECORDER.with(|r| {
        let mut r = r.borrow_mut();
        r.sockets.remove(&id);
        r.connected.remove(&id);
    });
}

pub(crate) fn socket_exists(id: i32) -> bool {
    RECORDER.with(|r| r.borrow().sockets.contains_key(&id))
}

pub(crate) fn pop_incoming(id: i32) -> Option<Incoming> {
    RECORDER.with(|r| {
        r.borrow_mut()
            .sockets
            .get_mut(&id)
            .and_then(VecDeque::pop_front)
    })
}

pub(crate) fn pending_incoming(id: i32) -> usize {
    RECORDER.with(|r| r.borrow().sockets.get(&id).map_or(0, VecDeque::len))
}

pub(crate) fn set_connected(id: i32) {
    RECORDER.with(|r| {
        r.borrow_mut().connected.insert(id);
    });
}

pub(crate) fn is_connected(id: i32) -> bool {
    RECORDER.with(|r| r.borrow().connected.contains(&id))
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
