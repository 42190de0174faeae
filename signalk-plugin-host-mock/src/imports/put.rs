//! §3.6 — PUT handler registration.

use serde_json::json;
use wasmtime::Caller;

use super::{Args, Binding, Reply};
use crate::state::HostState;
use crate::{memory, pipeline};
use signalk_plugin_abi::Capability;
use signalk_plugin_abi::HostCall;

pub(crate) const BINDINGS: &[Binding] = &[Binding {
    name: "sk_register_put_handler",
    call: register_put_handler,
    failure: Reply::I32(0),
}];

/// Needs `putHandlers`. Emits the `supportsPut` meta delta (for *self*, whatever the
/// context) — which re-enters `delta_handler` — then keys the handler by the exact
/// context string and path. Registering again replaces; nothing ever deregisters.
fn register_put_handler(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let context = memory::read_text(caller, args.i32(0), args.i32(1));
    let path = memory::read_text(caller, args.i32(2), args.i32(3));
    let (Some(context), Some(path)) = (context, path) else {
        return Reply::I32(0);
    };
    let state = caller.data_mut();
    state.record(HostCall::RegisterPutHandler {
        context: context.clone(),
        path: path.clone(),
    });
    if !state.options.capabilities.granted(Capability::PutHandlers) {
        return Reply::I32(0);
    }
    let package = state.options.package_name.clone();
    let meta = json!({"updates": [{"meta": [{"path": path, "value": {"supportsPut": true}}]}]});
    pipeline::handle_message(caller, &package, meta, false);
    caller.data_mut().put_handlers.insert((context, path));
    Reply::I32(1)
}
