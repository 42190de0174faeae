//! The test-only import module shared by the SDK compiled to wasm and the mock host's
//! test runner (`signalk-plugin-host-mock test-runner`): its name, its functions, and
//! the JSON form in which the runner hands the recorded [`HostCall`]s back to the test.
//!
//! A test compiled for `wasm32-wasip1` makes its host calls to the real `env` imports,
//! which the runner serves and records exactly as the mock host does for a plugin. To
//! read that record back, [`crate::testing`] calls the functions below, in the import
//! module [`MODULE`]. signalk-server provides no such module, so only a binary that
//! calls a `testing` function imports it: a plugin's release build never does.
//!
//! | function | signature | answer |
//! | --- | --- | --- |
//! | [`READ_CALLS`] | `(take: i32, buf: *mut u8, max: usize) -> i32` | the length `n` of the recorded calls as JSON ([`encode_calls`]); written to `buf` (and, with `take` 1, forgotten) only if `n <= max`; negative for a buffer outside memory |
//! | [`RESET`] | `()` | forgets the record, the saved configuration, granted capabilities and sockets |
//! | [`SET_SAVED_CONFIG`] | `(ptr, len) -> i32` | 0, or -1: not JSON (or nested too deep) |
//! | [`GRANT`] | `(ptr, len) -> i32` | 0, or -1: not a capability name |
//! | [`PUSH_INCOMING`] | `(id: i32, data, data_len, addr, addr_len, port: i32) -> i32` | 0 queued, -1 no such socket |
//!
//! ```
//! use signalk_plugin::testing::{HostCall, wire};
//!
//! let calls = vec![
//!     HostCall::SetStatus("Running".into()),
//!     HostCall::UdpSend { id: 1, addr: "10.0.0.1".into(), port: 10110, data: vec![0, 255] },
//! ];
//! let json = wire::encode_calls(&calls);
//! assert_eq!(wire::decode_calls(&json).unwrap(), calls);
//! assert!(wire::decode_calls(r#"[{"call":"Teleport"}]"#).unwrap_err().to_string().contains("Teleport"));
//! ```

use serde_json::{Map, Value, json};
use signalk_plugin_abi::HostCall;

/// The import module name of the test functions.
pub const MODULE: &str = "signalk-plugin-test";
/// Reads (and with `take` 1 forgets) the recorded host calls.
pub const READ_CALLS: &str = "read_calls";
/// Forgets everything the host recorded or was told by a test.
pub const RESET: &str = "reset";
/// Sets what `sk_read_config` answers.
pub const SET_SAVED_CONFIG: &str = "set_saved_config";
/// Grants a capability by its `wasmCapabilities` name.
pub const GRANT: &str = "grant";
/// Queues input on a socket, as if the peer sent it.
pub const PUSH_INCOMING: &str = "push_incoming";

/// The names `HostCall::UdpOption::option` can carry; decoding maps a name back to its
/// `'static` string and refuses any other.
const UDP_OPTIONS: [&str; 3] = ["multicastTtl", "multicastLoopback", "broadcast"];

/// A recorded-calls document that is not what [`encode_calls`] writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("recorded host calls from the test runner: {0}")]
pub struct WireError(String);

/// The calls as a JSON array, one object per call: `call` names the variant, the other
/// members are its fields (`text` for the one-string variants, `id` for the close calls),
/// bytes are arrays of numbers.
#[must_use]
pub fn encode_calls(calls: &[HostCall]) -> String {
    Value::Array(calls.iter().map(encode).collect()).to_string()
}

fn encode(call: &HostCall) -> Value {
    let text = |name: &str, text: &str| json!({"call": name, "text": text});
    match call {
        HostCall::Debug(t) => text("Debug", t),
        HostCall::SetStatus(t) => text("SetStatus", t),
        HostCall::SetError(t) => text("SetError", t),
        HostCall::HandleMessage { version, json } => {
            json!({"call": "HandleMessage", "version": version, "json": json})
        }
        HostCall::PublishNotification { path, value } => {
            json!({"call": "PublishNotification", "path": path, "value": value})
        }
        HostCall::ReadConfig => json!({"call": "ReadConfig"}),
        HostCall::SaveConfig(t) => text("SaveConfig", t),
        HostCall::HasCapability(t) => text("HasCapability", t),
        HostCall::RegisterPutHandler { context, path } => {
            json!({"call": "RegisterPutHandler", "context": context, "path": path})
        }
        HostCall::GetSelfPath(t) => text("GetSelfPath", t),
        HostCall::RegisterResourceProvider(t) => text("RegisterResourceProvider", t),
        HostCall::RegisterWeatherProvider(t) => text("RegisterWeatherProvider", t),
        HostCall::RegisterRadarProvider(t) => text("RegisterRadarProvider", t),
        HostCall::EmitBinaryStream { stream_id, data } => {
            json!({"call": "EmitBinaryStream", "stream_id": stream_id, "data": data})
        }
        HostCall::RadarEmitSpokes { radar_id, data } => {
            json!({"call": "RadarEmitSpokes", "radar_id": radar_id, "data": data})
        }
        HostCall::UdpCreate { ipv6 } => json!({"call": "UdpCreate", "ipv6": ipv6}),
        HostCall::UdpBind { id, port } => json!({"call": "UdpBind", "id": id, "port": port}),
        HostCall::UdpMulticast {
            id,
            join,
            group,
            interface,
        } => json!({"call": "UdpMulticast", "id": id, "join": join, "group": group,
                     "interface": interface}),
        HostCall::UdpOption { id, option, value } => {
            json!({"call": "UdpOption", "id": id, "option": option, "value": value})
        }
        HostCall::UdpSend {
            id,
            addr,
            port,
            data,
        } => json!({"call": "UdpSend", "id": id, "addr": addr, "port": port, "data": data}),
        HostCall::UdpClose(id) => json!({"call": "UdpClose", "id": id}),
        HostCall::TcpCreate => json!({"call": "TcpCreate"}),
        HostCall::TcpConnect { id, host, port } => {
            json!({"call": "TcpConnect", "id": id, "host": host, "port": port})
        }
        HostCall::TcpSetLineBuffering { id, on } => {
            json!({"call": "TcpSetLineBuffering", "id": id, "on": on})
        }
        HostCall::TcpSend { id, data } => json!({"call": "TcpSend", "id": id, "data": data}),
        HostCall::TcpClose(id) => json!({"call": "TcpClose", "id": id}),
        // `HostCall` is non-exhaustive: a variant added to the ABI crate without a case
        // here reaches the test as a debug line naming it, never as nothing.
        #[allow(unreachable_patterns)]
        other => text(
            "Debug",
            &format!("[test runner] unencoded host call {other:?}"),
        ),
    }
}

/// Parses what [`encode_calls`] wrote.
///
/// # Errors
///
/// [`WireError`] naming the entry and member that does not fit: not an array, an
/// unknown `call`, a missing member or one of the wrong type or range.
pub fn decode_calls(json: &str) -> Result<Vec<HostCall>, WireError> {
    let value: Value =
        serde_json::from_str(json).map_err(|e| WireError(format!("not JSON ({e})")))?;
    let Value::Array(entries) = value else {
        return Err(WireError("not a JSON array".into()));
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let object = entry
                .as_object()
                .ok_or_else(|| WireError(format!("entry {i} is not an object")))?;
            decode(object).map_err(|e| WireError(format!("entry {i}: {e}")))
        })
        .collect()
}

/// Typed access to one entry's members, with errors naming the member.
struct Entry<'a>(&'a Map<String, Value>);

impl Entry<'_> {
    fn string(&self, name: &str) -> Result<String, String> {
        self.0
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("`{name}` is missing or not a string"))
    }

    fn int<T: TryFrom<i64>>(&self, name: &str) -> Result<T, String> {
        self.0
            .get(name)
            .and_then(Value::as_i64)
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| format!("`{name}` is missing or out of range"))
    }

    fn bool(&self, name: &str) -> Result<bool, String> {
        self.0
            .get(name)
            .and_then(Value::as_bool)
            .ok_or_else(|| format!("`{name}` is missing or not a boolean"))
    }

    fn bytes(&self, name: &str) -> Result<Vec<u8>, String> {
        let items = self
            .0
            .get(name)
            .and_then(Value::as_array)
            .ok_or_else(|| format!("`{name}` is missing or not an array"))?;
        items
            .iter()
            .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| format!("`{name}` holds something other than bytes"))
    }
}

fn decode(object: &Map<String, Value>) -> Result<HostCall, String> {
    let e = Entry(object);
    let call = e.string("call")?;
    Ok(match call.as_str() {
        "Debug" => HostCall::Debug(e.string("text")?),
        "SetStatus" => HostCall::SetStatus(e.string("text")?),
        "SetError" => HostCall::SetError(e.string("text")?),
        "HandleMessage" => HostCall::HandleMessage {
            version: e.int("version")?,
            json: e.string("json")?,
        },
        "PublishNotification" => HostCall::PublishNotification {
            path: e.string("path")?,
            value: e.string("value")?,
        },
        "ReadConfig" => HostCall::ReadConfig,
        "SaveConfig" => HostCall::SaveConfig(e.string("text")?),
        "HasCapability" => HostCall::HasCapability(e.string("text")?),
        "RegisterPutHandler" => HostCall::RegisterPutHandler {
            context: e.string("context")?,
            path: e.string("path")?,
        },
        "GetSelfPath" => HostCall::GetSelfPath(e.string("text")?),
        "RegisterResourceProvider" => HostCall::RegisterResourceProvider(e.string("text")?),
        "RegisterWeatherProvider" => HostCall::RegisterWeatherProvider(e.string("text")?),
        "RegisterRadarProvider" => HostCall::RegisterRadarProvider(e.string("text")?),
        "EmitBinaryStream" => HostCall::EmitBinaryStream {
            stream_id: e.string("stream_id")?,
            data: e.bytes("data")?,
        },
        "RadarEmitSpokes" => HostCall::RadarEmitSpokes {
            radar_id: e.string("radar_id")?,
            data: e.bytes("data")?,
        },
        "UdpCreate" => HostCall::UdpCreate {
            ipv6: e.bool("ipv6")?,
        },
        "UdpBind" => HostCall::UdpBind {
            id: e.int("id")?,
            port: e.int("port")?,
        },
        "UdpMulticast" => HostCall::UdpMulticast {
            id: e.int("id")?,
            join: e.bool("join")?,
            group: e.string("group")?,
            interface: e.string("interface")?,
        },
        "UdpOption" => {
            let name = e.string("option")?;
            let option = UDP_OPTIONS
                .into_iter()
                .find(|o| *o == name)
                .ok_or_else(|| format!("`option` {name:?} is not a UDP option"))?;
            HostCall::UdpOption {
                id: e.int("id")?,
                option,
                value: e.int("value")?,
            }
        }
        "UdpSend" => HostCall::UdpSend {
            id: e.int("id")?,
            addr: e.string("addr")?,
            port: e.int("port")?,
            data: e.bytes("data")?,
        },
        "UdpClose" => HostCall::UdpClose(e.int("id")?),
        "TcpCreate" => HostCall::TcpCreate,
        "TcpConnect" => HostCall::TcpConnect {
            id: e.int("id")?,
            host: e.string("host")?,
            port: e.int("port")?,
        },
        "TcpSetLineBuffering" => HostCall::TcpSetLineBuffering {
            id: e.int("id")?,
            on: e.bool("on")?,
        },
        "TcpSend" => HostCall::TcpSend {
            id: e.int("id")?,
            data: e.bytes("data")?,
        },
        "TcpClose" => HostCall::TcpClose(e.int("id")?),
        other => return Err(format!("unknown call {other:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of every variant, with values at the edges of their types.
    fn every_call() -> Vec<HostCall> {
        vec![
            HostCall::Debug("[INFO] é\n\"".into()),
            HostCall::SetStatus(String::new()),
            HostCall::SetError("boom".into()),
            HostCall::HandleMessage {
                version: -7,
                json: "{not json".into(),
            },
            HostCall::PublishNotification {
                path: "notifications.a".into(),
                value: "{}".into(),
            },
            HostCall::ReadConfig,
            HostCall::SaveConfig("{}".into()),
            HostCall::HasCapability("network".into()),
            HostCall::RegisterPutHandler {
                context: "vessels.self".into(),
                path: "a.b".into(),
            },
            HostCall::GetSelfPath("navigation.position".into()),
            HostCall::RegisterResourceProvider("routes".into()),
            HostCall::RegisterWeatherProvider("w".into()),
            HostCall::RegisterRadarProvider("r".into()),
            HostCall::EmitBinaryStream {
                stream_id: "s".into(),
                data: vec![0, 1, 255],
            },
            HostCall::RadarEmitSpokes {
                radar_id: "r".into(),
                data: vec![],
            },
            HostCall::UdpCreate { ipv6: true },
            HostCall::UdpBind {
                id: i32::MAX,
                port: u16::MAX,
            },
            HostCall::UdpMulticast {
                id: 1,
                join: false,
                group: "239.2.1.1".into(),
                interface: String::new(),
            },
            HostCall::UdpOption {
                id: 1,
                option: "multicastLoopback",
                value: i32::MIN,
            },
            HostCall::UdpSend {
                id: 1,
                addr: "::1".into(),
                port: 0,
                data: vec![7; 3],
            },
            HostCall::UdpClose(-1),
            HostCall::TcpCreate,
            HostCall::TcpConnect {
                id: 2,
                host: "h".into(),
                port: 10110,
            },
            HostCall::TcpSetLineBuffering { id: 2, on: true },
            HostCall::TcpSend {
                id: 2,
                data: b"$GP\r\n".to_vec(),
            },
            HostCall::TcpClose(2),
        ]
    }

    #[test]
    fn every_variant_round_trips() {
        let calls = every_call();
        assert_eq!(decode_calls(&encode_calls(&calls)).unwrap(), calls);
    }

    #[test]
    fn bad_documents_are_refused_with_the_entry_and_member() {
        let err = |json: &str| decode_calls(json).unwrap_err().to_string();
        assert!(err("{}").contains("not a JSON array"));
        assert!(err("[").contains("not JSON"));
        assert!(err("[1]").contains("entry 0 is not an object"));
        let e = err(r#"[{"call":"ReadConfig"},{"call":"UdpBind","id":1,"port":70000}]"#);
        assert!(e.contains("entry 1") && e.contains("`port`"), "{e}");
        let e = err(r#"[{"call":"TcpSend","id":1,"data":[256]}]"#);
        assert!(e.contains("`data` holds something other than bytes"), "{e}");
        let e = err(r#"[{"call":"UdpOption","id":1,"option":"ttl","value":1}]"#);
        assert!(e.contains("\"ttl\" is not a UDP option"), "{e}");
        assert!(err(r#"[{"text":"x"}]"#).contains("`call`"));
    }
}
