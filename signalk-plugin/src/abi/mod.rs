//! The host ABI, typed once.
//!
//! Two raw backends share one set of signatures: on `wasm32`, `imports.rs` (the only
//! file with `extern "C"` declarations) calls the `env` imports of signalk-server
//! 2.32.0; everywhere else, `native.rs` answers from the in-process recorder in
//! [`crate::testing`], with the same integers the real host would return, so plugin
//! logic can be unit-tested natively with the same API.
//!
//! Both backends return what the host returns: bare `i32`s, where each import has its
//! own convention (1 for success here, 0 there, a byte count or a negative code
//! elsewhere). The functions in this file are the one place that knows those
//! conventions: each turns its import's integer into a `bool`, an `Option`, or a
//! `Result` whose error, [`Refused`], keeps the raw code for error messages. Nothing
//! above this module compares a host result with a number.

#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod imports;
#[cfg(target_arch = "wasm32")]
use imports as raw;

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
use native as raw;

#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
pub(crate) mod memory;

/// The test runner's own imports, used by [`crate::testing`] only (see `testing::wire`).
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
pub(crate) mod test_imports;

use signalk_plugin_abi::buffers;

/// Calls without a result: the host reports nothing back.
pub(crate) use raw::{debug, handle_message, set_error, set_status, tcp_close, udp_close};

/// The monotonic clock in nanoseconds (WASI `clock_time_get`; natively `Instant`).
pub(crate) use raw::monotonic_ns;

/// Bytes of shadow stack left below the caller (natively: unlimited).
pub(crate) fn stack_left() -> usize {
    #[cfg(target_arch = "wasm32")]
    return memory::stack_left();
    #[cfg(not(target_arch = "wasm32"))]
    return usize::MAX;
}

/// The UDP options set by a `(id, i32) -> i32` import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UdpOption {
    MulticastTtl,
    MulticastLoopback,
    Broadcast,
}

/// The host refused a call; the integer it returned, kept for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refused(pub(crate) i32);

/// Success is exactly `ok`; anything else is refused.
fn status(code: i32, ok: i32) -> Result<(), Refused> {
    if code == ok {
        Ok(())
    } else {
        Err(Refused(code))
    }
}

/// Success is any non-negative result.
fn non_negative(code: i32) -> Result<(), Refused> {
    if code < 0 { Err(Refused(code)) } else { Ok(()) }
}

/// A byte count, or a negative error code.
fn count(code: i32) -> Result<usize, Refused> {
    usize::try_from(code).map_err(|_| Refused(code))
}

/// A new socket id (positive), or the host's refusal (0 or negative).
fn socket_id(code: i32) -> Result<i32, Refused> {
    if code > 0 {
        Ok(code)
    } else {
        Err(Refused(code))
    }
}

/// A queue length; a negative answer (unknown socket) is an empty queue.
fn queued(code: i32) -> usize {
    usize::try_from(code).unwrap_or(0)
}

/// Bytes a "copy into `buf`" import wrote: `None` when it wrote nothing, which the
/// host also answers when the buffer is too small (§3.3, §3.4).
fn written(code: i32, buf: &[u8]) -> Option<usize> {
    usize::try_from(code)
        .ok()
        .filter(|&n| (1..=buf.len()).contains(&n))
}

/// `sk_publish_notification`: 0 accepted, -1 refused (§3.3).
pub(crate) fn publish_notification(path: &str, value: &[u8]) -> Result<(), Refused> {
    status(raw::publish_notification(path, value), 0)
}

/// `sk_read_config` into `buf`: the bytes written, `None` for nothing (§3.4).
pub(crate) fn read_config(buf: &mut [u8]) -> Option<usize> {
    let code = raw::read_config(buf);
    written(code, buf)
}

/// `sk_save_config`: 0 saved, -1 refused (§3.4).
pub(crate) fn save_config(json: &[u8]) -> Result<(), Refused> {
    status(raw::save_config(json), 0)
}

/// `sk_has_capability`: 1 granted (§3.5).
pub(crate) fn has_capability(name: &str) -> bool {
    raw::has_capability(name) == 1
}

/// `sk_register_put_handler`: 1 registered (§3.6).
pub(crate) fn register_put_handler(context: &str, path: &str) -> Result<(), Refused> {
    status(raw::register_put_handler(context, path), 1)
}

/// `sk_get_self_path` into `buf`: the bytes written, `None` for nothing (§3.3).
pub(crate) fn get_self_path(path: &str, buf: &mut [u8]) -> Option<usize> {
    let code = raw::get_self_path(path, buf);
    written(code, buf)
}

/// `sk_register_resource_provider`: 1 registered (§3.7).
pub(crate) fn register_resource_provider(kind: &str) -> Result<(), Refused> {
    status(raw::register_resource_provider(kind), 1)
}

/// `sk_register_weather_provider`: 1 registered (§3.7).
pub(crate) fn register_weather_provider(name: &str) -> Result<(), Refused> {
    status(raw::register_weather_provider(name), 1)
}

/// `sk_register_radar_provider`: 1 registered (§3.7).
pub(crate) fn register_radar_provider(name: &str) -> Result<(), Refused> {
    status(raw::register_radar_provider(name), 1)
}

/// `sk_emit_binary_stream`: 1 sent (§3.8).
pub(crate) fn emit_binary_stream(id: &str, data: &[u8]) -> Result<(), Refused> {
    status(raw::emit_binary_stream(id, data), 1)
}

/// `sk_radar_emit_spokes`: 1 sent (§3.8).
pub(crate) fn radar_emit_spokes(radar_id: &str, data: &[u8]) -> Result<(), Refused> {
    status(raw::radar_emit_spokes(radar_id, data), 1)
}

/// `sk_udp_create`: the new socket's id (§3.10).
pub(crate) fn udp_create(ipv6: bool) -> Result<i32, Refused> {
    socket_id(raw::udp_create(ipv6))
}

/// `sk_udp_bind`: negative is refused (§3.10).
pub(crate) fn udp_bind(id: i32, port: u16) -> Result<(), Refused> {
    non_negative(raw::udp_bind(id, port))
}

/// `sk_udp_join_multicast` / `sk_udp_leave_multicast`: negative is refused (§3.10).
pub(crate) fn udp_multicast(id: i32, join: bool, addr: &str, iface: &str) -> Result<(), Refused> {
    non_negative(raw::udp_multicast(id, join, addr, iface))
}

/// One of the `(id, i32)` UDP option imports: negative is refused (§3.10).
pub(crate) fn udp_option(id: i32, option: UdpOption, value: i32) -> Result<(), Refused> {
    non_negative(raw::udp_option(id, option, value))
}

/// `sk_udp_send`: negative is refused; the host reports success at once (§3.10).
pub(crate) fn udp_send(id: i32, addr: &str, port: u16, data: &[u8]) -> Result<(), Refused> {
    non_negative(raw::udp_send(id, addr, port, data))
}

/// A datagram `sk_udp_recv` copied into the caller's buffer, with its source.
pub(crate) struct Received {
    /// Bytes written to the buffer.
    pub(crate) len: usize,
    /// Source address.
    pub(crate) addr: String,
    /// Source port.
    pub(crate) port: u16,
}

/// `sk_udp_recv` into `buf`: the length and source of the oldest datagram (§3.10).
///
/// The host writes the source as a NUL-terminated string without a bounds check, and
/// the port as two little-endian bytes; both are decoded here.
pub(crate) fn udp_recv(id: i32, buf: &mut [u8]) -> Result<Received, Refused> {
    let mut addr = [0u8; buffers::UDP_ADDRESS];
    let mut port = [0u8; 2];
    let len = count(raw::udp_recv(id, buf, &mut addr, &mut port))?;
    let addr_len = addr.iter().position(|&b| b == 0).unwrap_or(addr.len());
    Ok(Received {
        len,
        addr: String::from_utf8_lossy(&addr[..addr_len]).into_owned(),
        port: u16::from_le_bytes(port),
    })
}

/// `sk_udp_pending`: datagrams waiting (§3.10).
pub(crate) fn udp_pending(id: i32) -> usize {
    queued(raw::udp_pending(id))
}

/// `sk_tcp_create`: the new socket's id (§3.11).
pub(crate) fn tcp_create() -> Result<i32, Refused> {
    socket_id(raw::tcp_create())
}

/// `sk_tcp_connect`: negative is refused (§3.11).
pub(crate) fn tcp_connect(id: i32, host: &str, port: u16) -> Result<(), Refused> {
    non_negative(raw::tcp_connect(id, host, port))
}

/// `sk_tcp_connected`: 1 up, 0 still connecting; anything else means the socket is
/// gone (§3.11).
pub(crate) fn tcp_connected(id: i32) -> Result<bool, Refused> {
    match raw::tcp_connected(id) {
        1 => Ok(true),
        0 => Ok(false),
        code => Err(Refused(code)),
    }
}

/// `sk_tcp_set_line_buffering`: negative means the socket is gone (§3.11).
pub(crate) fn tcp_set_line_buffering(id: i32, on: bool) -> Result<(), Refused> {
    non_negative(raw::tcp_set_line_buffering(id, on))
}

/// `sk_tcp_send`: negative is refused (§3.11).
pub(crate) fn tcp_send(id: i32, data: &[u8]) -> Result<(), Refused> {
    non_negative(raw::tcp_send(id, data))
}

/// `sk_tcp_recv_line` / `sk_tcp_recv_raw` into `buf`: the bytes written (§3.11).
pub(crate) fn tcp_recv(id: i32, lines: bool, buf: &mut [u8]) -> Result<usize, Refused> {
    count(raw::tcp_recv(id, lines, buf))
}

/// `sk_tcp_pending`: lines or chunks waiting (§3.11).
pub(crate) fn tcp_pending(id: i32) -> usize {
    queued(raw::tcp_pending(id))
}
