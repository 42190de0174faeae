//! §3.4 — configuration file access.

use serde_json::Value;
use wasmtime::Caller;

use super::{Args, Binding, Reply};
use crate::memory;
use crate::state::HostState;
use signalk_plugin_abi::HostCall;

pub(crate) const BINDINGS: &[Binding] = &[
    Binding {
        name: "sk_read_config",
        call: read_config,
        failure: Reply::I32(0),
    },
    Binding {
        name: "sk_save_config",
        call: save_config,
        failure: Reply::I32(-1),
    },
];

/// The `configuration` member of the file on disk, or `{}`; 0 if it does not fit.
fn read_config(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let (ptr, max) = (args.i32(0), args.i32(1));
    let state = caller.data_mut();
    state.record(HostCall::ReadConfig);
    let unreadable = state.options.scoped() && state.options.quirks.scoped_config_unavailable;
    let text = match (&state.config_file, unreadable) {
        (Some(config), false) => config.to_string(),
        _ => "{}".to_owned(),
    };
    if text.len() > usize::try_from(max).unwrap_or(0) {
        return Reply::I32(0);
    }
    if memory::write(caller, ptr, text.as_bytes()) {
        Reply::I32(text.len() as i32)
    } else {
        Reply::I32(0)
    }
}

/// Replaces the file's `configuration`; the in-memory config the next start gets is
/// not touched (the server's own behaviour).
fn save_config(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let Some(text) = memory::read_text(caller, args.i32(0), args.i32(1)) else {
        return Reply::I32(-1);
    };
    let state = caller.data_mut();
    state.record(HostCall::SaveConfig(text.clone()));
    let Ok(value) = serde_json::from_str::<Value>(&text) else {
        return Reply::I32(-1);
    };
    if state.options.scoped() && state.options.quirks.scoped_config_unavailable {
        state.log("sk_save_config: ENOENT (plugin-config-data/@scope/ does not exist)");
        return Reply::I32(-1);
    }
    state.config_file = Some(value);
    Reply::I32(0)
}
