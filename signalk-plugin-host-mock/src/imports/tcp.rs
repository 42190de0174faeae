//! §3.11 — TCP sockets (`rawSockets`).

use wasmtime::Caller;

use super::{Args, Binding, Reply};
use crate::memory;
use crate::sockets::TcpPhase;
use crate::state::HostState;
use signalk_plugin_abi::Capability;
use signalk_plugin_abi::HostCall;

pub(crate) const BINDINGS: &[Binding] = &[
    Binding {
        name: "sk_tcp_create",
        call: create,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_tcp_connect",
        call: connect,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_tcp_connected",
        call: connected,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_tcp_set_line_buffering",
        call: set_line_buffering,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_tcp_send",
        call: send,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_tcp_recv_line",
        call: recv_line,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_tcp_recv_raw",
        call: recv_raw,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_tcp_pending",
        call: pending,
        failure: Reply::I32(0),
    },
    Binding {
        name: "sk_tcp_close",
        call: close,
        failure: Reply::Nothing,
    },
];

fn allowed(caller: &Caller<'_, HostState>) -> bool {
    caller
        .data()
        .options
        .capabilities
        .granted(Capability::RawSockets)
}

fn create(caller: &mut Caller<'_, HostState>, _: &Args<'_>) -> Reply {
    caller.data_mut().record(HostCall::TcpCreate);
    if !allowed(caller) {
        return Reply::I32(-1);
    }
    Reply::I32(caller.data_mut().sockets.tcp_create())
}

/// Starts a connect; the test completes it with `MockHost::tcp_accept`.
fn connect(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let id = args.i32(0);
    let host = memory::read_text(caller, args.i32(1), args.i32(2));
    let port = args.i32(3) as u16;
    if !allowed(caller) {
        return Reply::I32(-1);
    }
    let Some(host) = host else {
        return Reply::I32(-1);
    };
    let state = caller.data_mut();
    state.record(HostCall::TcpConnect { id, host, port });
    match state.sockets.tcp.get_mut(&id) {
        Some(socket) if socket.phase == TcpPhase::Created => {
            socket.phase = TcpPhase::Connecting;
            Reply::I32(0)
        }
        _ => Reply::I32(-1),
    }
}

fn connected(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    if !allowed(caller) {
        return Reply::I32(-1);
    }
    match caller.data().sockets.tcp.get(&args.i32(0)) {
        Some(s) => Reply::I32(i32::from(s.phase == TcpPhase::Connected)),
        None => Reply::I32(-1),
    }
}

fn set_line_buffering(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let (id, on) = (args.i32(0), args.i32(1) != 0);
    caller
        .data_mut()
        .record(HostCall::TcpSetLineBuffering { id, on });
    if !allowed(caller) {
        return Reply::I32(-1);
    }
    match caller.data_mut().sockets.tcp.get_mut(&id) {
        Some(s) => {
            s.line_mode = on;
            Reply::I32(0)
        }
        None => Reply::I32(-1),
    }
}

/// Returns `data_len` at once; before the connection completes the data is dropped.
fn send(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let id = args.i32(0);
    let data = memory::read(caller, args.i32(1), args.i32(2));
    if !allowed(caller) {
        return Reply::I32(-1);
    }
    let Some(data) = data else {
        return Reply::I32(-1);
    };
    let len = data.len() as i32;
    let state = caller.data_mut();
    if let Some(s) = state.sockets.tcp.get_mut(&id)
        && s.phase == TcpPhase::Connected
    {
        s.sent.extend_from_slice(&data);
    }
    state.record(HostCall::TcpSend { id, data });
    Reply::I32(len)
}

fn pop(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    if !allowed(caller) {
        return Reply::I32(-1);
    }
    let (id, buf, max) = (args.i32(0), args.i32(1), args.i32(2));
    let Some(item) = caller
        .data_mut()
        .sockets
        .tcp
        .get_mut(&id)
        .and_then(|s| s.queue.pop_front())
    else {
        return Reply::I32(0);
    };
    // The host copies what fits and drops the rest of the line or chunk.
    let n = item.len().min(usize::try_from(max).unwrap_or(0));
    if !memory::write(caller, buf, &item[..n]) {
        return Reply::I32(-1);
    }
    Reply::I32(n as i32)
}

fn recv_line(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    pop(caller, args)
}

fn recv_raw(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    pop(caller, args)
}

fn pending(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    if !allowed(caller) {
        return Reply::I32(-1);
    }
    let n = caller
        .data()
        .sockets
        .tcp
        .get(&args.i32(0))
        .map_or(0, |s| s.queue.len());
    Reply::I32(n as i32)
}

fn close(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let id = args.i32(0);
    caller.data_mut().record(HostCall::TcpClose(id));
    if allowed(caller) {
        caller.data_mut().sockets.tcp.remove(&id);
    }
    Reply::Nothing
}
