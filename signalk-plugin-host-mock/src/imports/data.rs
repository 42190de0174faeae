//! §3.3 — the data model: deltas, notifications, self-path reads.

use serde_json::{Value, json};
use wasmtime::Caller;

use super::{Args, Binding, Reply};
use crate::state::HostState;
use crate::{memory, pipeline};
use signalk_plugin_abi::{HostCall, host_rules};

pub(crate) const BINDINGS: &[Binding] = &[
    Binding {
        name: "sk_handle_message",
        call: handle_message,
        failure: Reply::Nothing,
    },
    Binding {
        name: "sk_publish_notification",
        call: publish_notification,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_get_self_path",
        call: get_self_path,
        failure: Reply::I32(0),
    },
];

/// Parses the delta and runs the server pipeline, which re-enters `delta_handler`.
/// Invalid JSON is dropped with only a debug line, as the server does.
fn handle_message(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let Some(text) = memory::read_text(caller, args.i32(0), args.i32(1)) else {
        return Reply::Nothing;
    };
    // The version parameter is optional; only exactly 2 means v2.
    let version = if args.present(2) { args.i32(2) } else { 1 };
    // Parsed before it is recorded, so the text moves into the record, uncopied.
    let parsed = serde_json::from_str::<Value>(&text);
    caller.data_mut().record(HostCall::HandleMessage {
        version,
        json: text,
    });
    match parsed {
        Ok(delta) => {
            let package = caller.data().options.package_name.clone();
            pipeline::handle_message(caller, &package, delta, version == 2);
        }
        Err(err) => caller
            .data_mut()
            .log(format!("sk_handle_message: invalid JSON dropped: {err}")),
    }
    Reply::Nothing
}

/// Validates the state, then sends `{updates:[{values:[{path, value}]}]}` as a v1 delta.
fn publish_notification(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let path = memory::read_text(caller, args.i32(0), args.i32(1));
    let value = memory::read_text(caller, args.i32(2), args.i32(3));
    let (Some(path), Some(value)) = (path, value) else {
        return Reply::I32(-1);
    };
    caller.data_mut().record(HostCall::PublishNotification {
        path: path.clone(),
        value: value.clone(),
    });
    if !host_rules::accepts_notification(&value) {
        return Reply::I32(-1);
    }
    let Ok(value) = serde_json::from_str::<Value>(&value) else {
        return Reply::I32(-1);
    };
    let package = caller.data().options.package_name.clone();
    let delta = json!({"updates": [{"values": [{"path": path, "value": value}]}]});
    pipeline::handle_message(caller, &package, delta, false);
    Reply::I32(0)
}

/// Always 0 in 2.32.0; with the quirk off, the JSON of the self value, if it fits. The
/// identity members (`mmsi`, `uuid` or `url`) come from the self id, as the server's
/// `fillIdentityField` puts them in the data model.
fn get_self_path(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let Some(path) = memory::read_text(caller, args.i32(0), args.i32(1)) else {
        return Reply::I32(0);
    };
    let (buf, max) = (args.i32(2), args.i32(3));
    let state = caller.data_mut();
    state.record(HostCall::GetSelfPath(path.clone()));
    if state.options.quirks.self_path_unavailable {
        state.log("app.getSelfPath not available");
        return Reply::I32(0);
    }
    let self_id = state.options.self_id.clone();
    let mut parts = vec!["vessels", self_id.as_str()];
    parts.extend(path.split('.'));
    let Some(value) = identity(&self_id, &path)
        .or_else(|| {
            state
                .model
                .node(&parts)
                .and_then(|entry| entry.get("value"))
                .cloned()
        })
        .filter(|v| !v.is_null())
    else {
        return Reply::I32(0);
    };
    let text = value.to_string();
    if text.len() > usize::try_from(max).unwrap_or(0)
        || !memory::write(caller, buf, text.as_bytes())
    {
        return Reply::I32(0);
    }
    Reply::I32(text.len() as i32)
}

/// The identity member `path` of the vessel whose id is `self_id`: an MMSI id gives
/// `mmsi` (without its prefix), a Signal K UUID gives `uuid`, anything else `url`.
fn identity(self_id: &str, path: &str) -> Option<Value> {
    const MMSI: &str = "urn:mrn:imo:mmsi:";
    let member = if self_id.starts_with(MMSI) {
        "mmsi"
    } else if self_id.starts_with("urn:mrn:signalk") {
        "uuid"
    } else {
        "url"
    };
    (member == path).then(|| Value::from(self_id.strip_prefix(MMSI).unwrap_or(self_id)))
}

#[cfg(test)]
mod tests {
    use super::identity;

    #[test]
    fn identity_members_follow_the_kind_of_self_id() {
        let uuid = "urn:mrn:signalk:uuid:0c9a5e54-7f3d-4d3a-9d58-5a4b8c2f1e00";
        assert_eq!(identity(uuid, "uuid").unwrap(), uuid);
        assert_eq!(identity(uuid, "mmsi"), None);
        assert_eq!(
            identity("urn:mrn:imo:mmsi:230000001", "mmsi").unwrap(),
            "230000001"
        );
        assert_eq!(identity("urn:mrn:imo:mmsi:230000001", "uuid"), None);
        assert_eq!(
            identity("http://boat.example", "url").unwrap(),
            "http://boat.example"
        );
    }
}
