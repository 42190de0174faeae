//! The test import module ([`signalk_plugin::testing::wire`]) that lets a test compiled
//! to wasm read back what this host recorded and set it up, as
//! `signalk_plugin::testing` does natively with its in-process recorder.

use signalk_plugin::testing::wire;
use signalk_plugin_abi::Capability;
use wasmtime::{Caller, Linker};
use wasmtime_wasi::WasiCtxBuilder;

use crate::recorded::Recorded;
use crate::sockets::{Datagram, TcpPhase};
use crate::state::HostState;
use crate::{Capabilities, Error, js, memory};

/// Adds the test module's functions to `linker`.
pub(super) fn add(linker: &mut Linker<HostState>) -> Result<(), Error> {
    let link = |e: wasmtime::Error| Error::Link(format!("{}: {e}", wire::MODULE));
    linker
        .func_wrap(wire::MODULE, wire::READ_CALLS, read_calls)
        .map_err(link)?;
    linker
        .func_wrap(
            wire::MODULE,
            wire::RESET,
            |mut caller: Caller<'_, HostState>| {
                reset(caller.data_mut());
            },
        )
        .map_err(link)?;
    linker
        .func_wrap(wire::MODULE, wire::SET_SAVED_CONFIG, set_saved_config)
        .map_err(link)?;
    linker
        .func_wrap(wire::MODULE, wire::GRANT, grant)
        .map_err(link)?;
    linker
        .func_wrap(wire::MODULE, wire::PUSH_INCOMING, push_incoming)
        .map_err(link)?;
    Ok(())
}

/// A fresh record that keeps every call: natively nothing is dropped either, and a
/// test's own run time (the per-test timeout) bounds what it can record.
pub(super) fn unbounded_record(package: &str) -> Recorded {
    let mut recorded = Recorded::new(package);
    recorded.set_limit(usize::MAX);
    recorded
}

/// The recorded calls as JSON: their length; written (and taken if `take` is 1) only
/// if they fit `max` bytes at `ptr`; -1 if that buffer is not in memory.
fn read_calls(mut caller: Caller<'_, HostState>, take: i32, ptr: i32, max: i32) -> i32 {
    let json = wire::encode_calls(caller.data().recorded.calls());
    let Ok(len) = i32::try_from(json.len()) else {
        return -2;
    };
    if json.len() > usize::try_from(max).unwrap_or(0) {
        return len;
    }
    if !memory::write(&mut caller, ptr, json.as_bytes()) {
        return -1;
    }
    if take == 1 {
        caller.data_mut().recorded.take_calls();
    }
    len
}

/// What a fresh host knows: no calls, no saved configuration, only the server's default
/// capabilities, no sockets, registrations or data. Built as a new state, so whatever the host comes to
/// keep is forgotten too; only the WASI context, the limits and the test's memory stay.
fn reset(state: &mut HostState) {
    let mut options = state.options.clone();
    options.capabilities = Capabilities::default();
    let wasi = std::mem::replace(&mut state.wasi, WasiCtxBuilder::new().build_p1());
    let mut fresh = HostState::new(wasi, state.limits.clone(), options);
    fresh.exports = state.exports;
    fresh.recorded = unbounded_record(&fresh.options.package_name);
    *state = fresh;
}

/// 0 kept; -1 not JSON or nested too deep; -2 not in memory.
fn set_saved_config(mut caller: Caller<'_, HostState>, ptr: i32, len: i32) -> i32 {
    let Some(text) = memory::read_text(&caller, ptr, len) else {
        return -2;
    };
    let Ok(value) = serde_json::from_str(&text) else {
        return -1;
    };
    match js::option_within_depth(Some(value), "the saved configuration") {
        Ok(value) => {
            caller.data_mut().config_file = value;
            0
        }
        Err(_) => -1,
    }
}

/// 0 granted; -1 not a capability name; -2 not in memory.
fn grant(mut caller: Caller<'_, HostState>, ptr: i32, len: i32) -> i32 {
    let Some(name) = memory::read_text(&caller, ptr, len) else {
        return -2;
    };
    let Ok(capability) = name.parse::<Capability>() else {
        return -1;
    };
    let options = &mut caller.data_mut().options;
    options.capabilities = std::mem::take(&mut options.capabilities).with(capability);
    0
}

/// 0 queued; -1 no socket `id`; -2 an argument not in memory; -3 both a UDP and a TCP
/// socket have that id (the host numbers them separately), so which one is meant is
/// not known.
fn push_incoming(
    mut caller: Caller<'_, HostState>,
    id: i32,
    data_ptr: i32,
    data_len: i32,
    addr_ptr: i32,
    addr_len: i32,
    port: i32,
) -> i32 {
    let (Some(data), Some(addr)) = (
        memory::read(&caller, data_ptr, data_len),
        memory::read_text(&caller, addr_ptr, addr_len),
    ) else {
        return -2;
    };
    let Ok(port) = u16::try_from(port) else {
        return -2;
    };
    let sockets = &mut caller.data_mut().sockets;
    if sockets.udp.contains_key(&id) && sockets.tcp.contains_key(&id) {
        return -3;
    }
    if sockets.udp.contains_key(&id) {
        sockets.udp_deliver(id, Datagram { data, addr, port });
        return 0;
    }
    match sockets.tcp.get_mut(&id) {
        Some(socket) => {
            // The peer accepted: natively a TCP socket connects at once.
            if socket.phase == TcpPhase::Connecting {
                socket.phase = TcpPhase::Connected;
            }
            // Natively `data` is one line; here the host splits what arrives at
            // newlines, so an unterminated line is ended as the peer would end it.
            let mut data = data;
            if socket.line_mode && !data.ends_with(b"\n") {
                data.push(b'\n');
            }
            sockets.tcp_deliver(id, &data);
            0
        }
        None => -1,
    }
}
