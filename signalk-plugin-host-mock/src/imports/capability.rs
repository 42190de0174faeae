//! §3.5 — capability query.

use wasmtime::Caller;

use super::{Args, Binding, Reply};
use crate::memory;
use crate::state::HostState;
use signalk_plugin_abi::{HostCall, host_rules};

pub(crate) const BINDINGS: &[Binding] = &[Binding {
    name: "sk_has_capability",
    call: has_capability,
    failure: Reply::I32(0),
}];

/// 1 or 0, and only ever 1 for `network` and `rawSockets`.
fn has_capability(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let Some(name) = memory::read_text(caller, args.i32(0), args.i32(1)) else {
        return Reply::I32(0);
    };
    let state = caller.data_mut();
    let answer =
        host_rules::capability_answer(&name, |n| state.options.capabilities.granted_name(n));
    state.record(HostCall::HasCapability(name));
    Reply::I32(i32::from(answer))
}
