//! §3.1 — AssemblyScript runtime helpers the host gives every module.

use wasmtime::Caller;

use super::{Args, Binding, Reply};
use crate::memory;
use crate::state::HostState;
use signalk_plugin_abi::HostCall;

pub(crate) const BINDINGS: &[Binding] = &[
    Binding {
        name: "abort",
        call: abort,
        failure: Reply::Nothing,
    },
    Binding {
        name: "seed",
        call: seed,
        failure: Reply::F64(0.0),
    },
    Binding {
        name: "console.log",
        call: console_log,
        failure: Reply::Nothing,
    },
];

/// Logs the four numbers and returns: it does not trap.
fn abort(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let line = format!(
        "abort called: msg={} file={} line={} col={}",
        args.i32(0),
        args.i32(1),
        args.i32(2),
        args.i32(3)
    );
    caller.data_mut().log(line);
    Reply::Nothing
}

/// `Date.now() * Math.random()`: a float around 1e12.
fn seed(_: &mut Caller<'_, HostState>, _: &Args<'_>) -> Reply {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_millis() as f64);
    let nanos = std::time::Instant::now().elapsed().subsec_nanos();
    Reply::F64(now * (f64::from(nanos % 1000) / 1000.0))
}

/// Same as `sk_debug`.
fn console_log(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    if let Some(text) = memory::read_text(caller, args.i32(0), args.i32(1)) {
        caller.data_mut().record(HostCall::Debug(text));
    }
    Reply::Nothing
}
