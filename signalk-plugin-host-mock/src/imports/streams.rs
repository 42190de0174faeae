//! §3.8 — binary streams.

use wasmtime::Caller;

use super::{Args, Binding, Reply};
use crate::memory;
use crate::state::HostState;
use signalk_plugin_abi::Capability;
use signalk_plugin_abi::HostCall;

pub(crate) const BINDINGS: &[Binding] = &[
    Binding {
        name: "sk_emit_binary_stream",
        call: emit_binary_stream,
        failure: Reply::I32(0),
    },
    Binding {
        name: "sk_radar_emit_spokes",
        call: radar_emit_spokes,
        failure: Reply::I32(0),
    },
];

/// Accepts `radars/<[A-Za-z0-9_-]+>` and `plugins/<packageName>/…` only; no capability.
fn emit_binary_stream(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let id = memory::read_text(caller, args.i32(0), args.i32(1));
    let data = memory::read(caller, args.i32(2), args.i32(3));
    let (Some(stream_id), Some(data)) = (id, data) else {
        return Reply::I32(0);
    };
    let state = caller.data_mut();
    state.record(HostCall::EmitBinaryStream {
        stream_id: stream_id.clone(),
        data: data.clone(),
    });
    let radar = stream_id.strip_prefix("radars/").is_some_and(|id| {
        !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    });
    let own = stream_id.starts_with(&format!("plugins/{}/", state.options.package_name));
    if !(radar || own) {
        return Reply::I32(0);
    }
    state.recorded.push_stream(stream_id, data);
    Reply::I32(1)
}

/// Needs `radarProvider` and a ready radar provider; emits on `radars/<id>`.
fn radar_emit_spokes(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let id = memory::read_text(caller, args.i32(0), args.i32(1));
    let data = memory::read(caller, args.i32(2), args.i32(3));
    let (Some(radar_id), Some(data)) = (id, data) else {
        return Reply::I32(0);
    };
    let state = caller.data_mut();
    state.record(HostCall::RadarEmitSpokes {
        radar_id: radar_id.clone(),
        data: data.clone(),
    });
    let ready = state.radar_provider.as_ref().is_some_and(|p| p.ready);
    if !state
        .options
        .capabilities
        .granted(Capability::RadarProvider)
        || !ready
    {
        return Reply::I32(0);
    }
    state
        .recorded
        .push_stream(format!("radars/{radar_id}"), data);
    Reply::I32(1)
}
