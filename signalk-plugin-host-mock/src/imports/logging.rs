//! §3.2 — logging and status.

use wasmtime::Caller;

use super::{Args, Binding, Reply};
use crate::memory;
use crate::state::HostState;
use signalk_plugin_abi::HostCall;

pub(crate) const BINDINGS: &[Binding] = &[
    Binding {
        name: "sk_debug",
        call: debug,
        failure: Reply::Nothing,
    },
    Binding {
        name: "sk_set_status",
        call: set_status,
        failure: Reply::Nothing,
    },
    Binding {
        name: "sk_set_error",
        call: set_error,
        failure: Reply::Nothing,
    },
];

fn debug(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    if let Some(text) = memory::read_text(caller, args.i32(0), args.i32(1)) {
        caller.data_mut().record(HostCall::Debug(text));
    }
    Reply::Nothing
}

/// Writes the provider-status entry for the package; an empty message deletes it.
fn set_status(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    if let Some(text) = memory::read_text(caller, args.i32(0), args.i32(1)) {
        let state = caller.data_mut();
        state.status = (!text.is_empty()).then(|| (false, text.clone()));
        state.record(HostCall::SetStatus(text));
    }
    Reply::Nothing
}

/// Same table, flagged as an error. The lifecycle state does not change.
fn set_error(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    if let Some(text) = memory::read_text(caller, args.i32(0), args.i32(1)) {
        let state = caller.data_mut();
        state.status = (!text.is_empty()).then(|| (true, text.clone()));
        state.record(HostCall::SetError(text));
    }
    Reply::Nothing
}
