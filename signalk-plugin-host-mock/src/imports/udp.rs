//! §3.10 — UDP sockets (`rawSockets`).

use wasmtime::Caller;

use super::{Args, Binding, Reply};
use crate::memory;
use crate::state::HostState;
use signalk_plugin_abi::Capability;
use signalk_plugin_abi::HostCall;

pub(crate) const BINDINGS: &[Binding] = &[
    Binding {
        name: "sk_udp_create",
        call: create,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_udp_bind",
        call: bind,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_udp_join_multicast",
        call: join_multicast,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_udp_leave_multicast",
        call: leave_multicast,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_udp_set_multicast_ttl",
        call: set_ttl,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_udp_set_multicast_loopback",
        call: set_loopback,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_udp_set_broadcast",
        call: set_broadcast,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_udp_send",
        call: send,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_udp_recv",
        call: recv,
        failure: Reply::I32(-1),
    },
    Binding {
        name: "sk_udp_pending",
        call: pending,
        failure: Reply::I32(0),
    },
    Binding {
        name: "sk_udp_close",
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

/// `type == 1` is udp6, anything else udp4.
fn create(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let ipv6 = args.i32(0) == 1;
    caller.data_mut().record(HostCall::UdpCreate { ipv6 });
    if !allowed(caller) {
        return Reply::I32(-1);
    }
    Reply::I32(caller.data_mut().sockets.udp_create())
}

/// Binds asynchronously and returns 0 whatever happens (an unknown id included).
fn bind(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let (id, port) = (args.i32(0), args.i32(1));
    caller.data_mut().record(HostCall::UdpBind {
        id,
        port: port as u16,
    });
    if !allowed(caller) {
        return Reply::I32(-1);
    }
    if let Some(socket) = caller.data_mut().sockets.udp.get_mut(&id) {
        socket.bound = Some(port as u16);
    }
    Reply::I32(0)
}

fn multicast(caller: &mut Caller<'_, HostState>, args: &Args<'_>, join: bool) -> Reply {
    let id = args.i32(0);
    let group = memory::read_text(caller, args.i32(1), args.i32(2)).unwrap_or_default();
    let interface = if args.i32(4) == 0 {
        String::new()
    } else {
        memory::read_text(caller, args.i32(3), args.i32(4)).unwrap_or_default()
    };
    caller.data_mut().record(HostCall::UdpMulticast {
        id,
        join,
        group,
        interface,
    });
    if !allowed(caller) || !caller.data().sockets.udp.contains_key(&id) {
        return Reply::I32(-1);
    }
    Reply::I32(0)
}

fn join_multicast(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    multicast(caller, args, true)
}

fn leave_multicast(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    multicast(caller, args, false)
}

fn option(caller: &mut Caller<'_, HostState>, args: &Args<'_>, option: &'static str) -> Reply {
    let (id, value) = (args.i32(0), args.i32(1));
    caller
        .data_mut()
        .record(HostCall::UdpOption { id, option, value });
    if !allowed(caller) || !caller.data().sockets.udp.contains_key(&id) {
        return Reply::I32(-1);
    }
    Reply::I32(0)
}

fn set_ttl(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    option(caller, args, "multicastTtl")
}

fn set_loopback(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    option(caller, args, "multicastLoopback")
}

fn set_broadcast(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    option(caller, args, "broadcast")
}

/// Copies the data and returns `data_len` at once; errors are never reported.
fn send(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let id = args.i32(0);
    let addr = memory::read_text(caller, args.i32(1), args.i32(2));
    let port = args.i32(3) as u16;
    let data = memory::read(caller, args.i32(4), args.i32(5));
    if !allowed(caller) {
        return Reply::I32(-1);
    }
    let (Some(addr), Some(data)) = (addr, data) else {
        return Reply::I32(-1);
    };
    let len = data.len() as i32;
    caller.data_mut().record(HostCall::UdpSend {
        id,
        addr,
        port,
        data,
    });
    Reply::I32(len)
}

/// Pops the oldest datagram: copies at most `buf_max` bytes (the rest is lost), writes
/// the NUL-terminated source address and the little-endian u16 port.
fn recv(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    if !allowed(caller) {
        return Reply::I32(-1);
    }
    let (id, buf, max, addr_out, port_out) = (
        args.i32(0),
        args.i32(1),
        args.i32(2),
        args.i32(3),
        args.i32(4),
    );
    let Some(datagram) = caller
        .data_mut()
        .sockets
        .udp
        .get_mut(&id)
        .and_then(|s| s.queue.pop_front())
    else {
        return Reply::I32(0);
    };
    let n = datagram.data.len().min(usize::try_from(max).unwrap_or(0));
    let mut addr = datagram.addr.into_bytes();
    addr.push(0);
    let ok = memory::write(caller, buf, &datagram.data[..n])
        && memory::write(caller, addr_out, &addr)
        && memory::write(caller, port_out, &datagram.port.to_le_bytes());
    if !ok {
        // A memory error loses the datagram and answers -1.
        return Reply::I32(-1);
    }
    Reply::I32(n as i32)
}

fn pending(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    if !allowed(caller) {
        return Reply::I32(-1);
    }
    let n = caller
        .data()
        .sockets
        .udp
        .get(&args.i32(0))
        .map_or(0, |s| s.queue.len());
    Reply::I32(n as i32)
}

fn close(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let id = args.i32(0);
    caller.data_mut().record(HostCall::UdpClose(id));
    if allowed(caller) {
        caller.data_mut().sockets.udp.remove(&id);
    }
    Reply::Nothing
}
