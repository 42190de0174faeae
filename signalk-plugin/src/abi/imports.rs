//! `extern "C"` declarations of the host's `env` imports, each right above its safe
//! wrapper. The wrappers only turn slices into pointers: they return the host's raw
//! integers, which `abi/mod.rs` interprets (the native recorder has the same signatures).
//!
//! Only the functions a plugin actually calls end up as imports of its `.wasm`:
//! the linker drops unused declarations, so a plugin never imports more than it uses.
//! Every pointer/length pair is a borrowed Rust slice, valid for the duration of the
//! call; the host copies what it needs before returning (§1.2).

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_debug(ptr: *const u8, len: usize);
}

pub(crate) fn debug(msg: &str) {
    // SAFETY: the slice is valid for reads for the whole call.
    unsafe { sk_debug(msg.as_ptr(), msg.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_set_status(ptr: *const u8, len: usize);
}

pub(crate) fn set_status(msg: &str) {
    // SAFETY: as above.
    unsafe { sk_set_status(msg.as_ptr(), msg.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_set_error(ptr: *const u8, len: usize);
}

pub(crate) fn set_error(msg: &str) {
    // SAFETY: as above.
    unsafe { sk_set_error(msg.as_ptr(), msg.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_handle_message(ptr: *const u8, len: usize, version: i32);
}

pub(crate) fn handle_message(json: &[u8], version: i32) {
    // SAFETY: as above.
    unsafe { sk_handle_message(json.as_ptr(), json.len(), version) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_publish_notification(
        path_ptr: *const u8,
        path_len: usize,
        value_ptr: *const u8,
        value_len: usize,
    ) -> i32;
}

pub(crate) fn publish_notification(path: &str, value: &[u8]) -> i32 {
    // SAFETY: both slices are valid for reads for the whole call.
    unsafe { sk_publish_notification(path.as_ptr(), path.len(), value.as_ptr(), value.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_read_config(buf_ptr: *mut u8, buf_max: usize) -> i32;
}

pub(crate) fn read_config(buf: &mut [u8]) -> i32 {
    // SAFETY: the host writes at most `buf.len()` bytes into the slice (§1.3).
    unsafe { sk_read_config(buf.as_mut_ptr(), buf.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_save_config(ptr: *const u8, len: usize) -> i32;
}

pub(crate) fn save_config(json: &[u8]) -> i32 {
    // SAFETY: the slice is valid for reads for the whole call.
    unsafe { sk_save_config(json.as_ptr(), json.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_has_capability(ptr: *const u8, len: usize) -> i32;
}

pub(crate) fn has_capability(name: &str) -> i32 {
    // SAFETY: as above.
    unsafe { sk_has_capability(name.as_ptr(), name.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_register_put_handler(
        ctx_ptr: *const u8,
        ctx_len: usize,
        path_ptr: *const u8,
        path_len: usize,
    ) -> i32;
}

pub(crate) fn register_put_handler(context: &str, path: &str) -> i32 {
    // SAFETY: both slices are valid for reads for the whole call.
    unsafe { sk_register_put_handler(context.as_ptr(), context.len(), path.as_ptr(), path.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_get_self_path(
        path_ptr: *const u8,
        path_len: usize,
        buf_ptr: *mut u8,
        buf_max: usize,
    ) -> i32;
}

pub(crate) fn get_self_path(path: &str, buf: &mut [u8]) -> i32 {
    // SAFETY: the host writes at most `buf.len()` bytes into `buf`.
    unsafe { sk_get_self_path(path.as_ptr(), path.len(), buf.as_mut_ptr(), buf.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_register_resource_provider(ptr: *const u8, len: usize) -> i32;
}

pub(crate) fn register_resource_provider(kind: &str) -> i32 {
    // SAFETY: the slice is valid for reads for the whole call.
    unsafe { sk_register_resource_provider(kind.as_ptr(), kind.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_register_weather_provider(ptr: *const u8, len: usize) -> i32;
}

pub(crate) fn register_weather_provider(name: &str) -> i32 {
    // SAFETY: as above.
    unsafe { sk_register_weather_provider(name.as_ptr(), name.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_register_radar_provider(ptr: *const u8, len: usize) -> i32;
}

pub(crate) fn register_radar_provider(name: &str) -> i32 {
    // SAFETY: as above.
    unsafe { sk_register_radar_provider(name.as_ptr(), name.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_emit_binary_stream(
        id_ptr: *const u8,
        id_len: usize,
        data_ptr: *const u8,
        data_len: usize,
    ) -> i32;
}

pub(crate) fn emit_binary_stream(id: &str, data: &[u8]) -> i32 {
    // SAFETY: both slices are valid for reads for the whole call; the host copies them.
    unsafe { sk_emit_binary_stream(id.as_ptr(), id.len(), data.as_ptr(), data.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_radar_emit_spokes(
        id_ptr: *const u8,
        id_len: usize,
        data_ptr: *const u8,
        data_len: usize,
    ) -> i32;
}

pub(crate) fn radar_emit_spokes(radar_id: &str, data: &[u8]) -> i32 {
    // SAFETY: as above.
    unsafe { sk_radar_emit_spokes(radar_id.as_ptr(), radar_id.len(), data.as_ptr(), data.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_udp_create(kind: i32) -> i32;
}

pub(crate) fn udp_create(ipv6: bool) -> i32 {
    // SAFETY: no pointers.
    unsafe { sk_udp_create(i32::from(ipv6)) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_udp_bind(id: i32, port: i32) -> i32;
}

pub(crate) fn udp_bind(id: i32, port: u16) -> i32 {
    // SAFETY: no pointers.
    unsafe { sk_udp_bind(id, i32::from(port)) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_udp_join_multicast(
        id: i32,
        addr_ptr: *const u8,
        addr_len: usize,
        iface_ptr: *const u8,
        iface_len: usize,
    ) -> i32;
    fn sk_udp_leave_multicast(
        id: i32,
        addr_ptr: *const u8,
        addr_len: usize,
        iface_ptr: *const u8,
        iface_len: usize,
    ) -> i32;
}

pub(crate) fn udp_multicast(id: i32, join: bool, addr: &str, iface: &str) -> i32 {
    // SAFETY: both slices are valid for reads for the whole call.
    unsafe {
        if join {
            sk_udp_join_multicast(id, addr.as_ptr(), addr.len(), iface.as_ptr(), iface.len())
        } else {
            sk_udp_leave_multicast(id, addr.as_ptr(), addr.len(), iface.as_ptr(), iface.len())
        }
    }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_udp_set_multicast_ttl(id: i32, ttl: i32) -> i32;
    fn sk_udp_set_multicast_loopback(id: i32, enabled: i32) -> i32;
    fn sk_udp_set_broadcast(id: i32, enabled: i32) -> i32;
}

pub(crate) fn udp_option(id: i32, option: crate::abi::UdpOption, value: i32) -> i32 {
    use crate::abi::UdpOption;
    // SAFETY: no pointers.
    unsafe {
        match option {
            UdpOption::MulticastTtl => sk_udp_set_multicast_ttl(id, value),
            UdpOption::MulticastLoopback => sk_udp_set_multicast_loopback(id, value),
            UdpOption::Broadcast => sk_udp_set_broadcast(id, value),
        }
    }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_udp_send(
        id: i32,
        addr_ptr: *const u8,
        addr_len: usize,
        port: i32,
        data_ptr: *const u8,
        data_len: usize,
    ) -> i32;
}

pub(crate) fn udp_send(id: i32, addr: &str, port: u16, data: &[u8]) -> i32 {
    // SAFETY: both slices are valid for reads for the whole call; the host copies them.
    unsafe {
        sk_udp_send(
            id,
            addr.as_ptr(),
            addr.len(),
            i32::from(port),
            data.as_ptr(),
            data.len(),
        )
    }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_udp_recv(
        id: i32,
        buf_ptr: *mut u8,
        buf_max: usize,
        addr_out_ptr: *mut u8,
        port_out_ptr: *mut u8,
    ) -> i32;
}

pub(crate) fn udp_recv(
    id: i32,
    buf: &mut [u8],
    addr: &mut [u8; signalk_plugin_abi::buffers::UDP_ADDRESS],
    port: &mut [u8; 2],
) -> i32 {
    // SAFETY: the host writes at most `buf.len()` bytes to `buf`, a NUL-terminated address
    // (at most 46 bytes plus a scope name; the buffer is larger) and two port bytes.
    unsafe {
        sk_udp_recv(
            id,
            buf.as_mut_ptr(),
            buf.len(),
            addr.as_mut_ptr(),
            port.as_mut_ptr(),
        )
    }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_udp_pending(id: i32) -> i32;
}

pub(crate) fn udp_pending(id: i32) -> i32 {
    // SAFETY: no pointers.
    unsafe { sk_udp_pending(id) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_udp_close(id: i32);
}

pub(crate) fn udp_close(id: i32) {
    // SAFETY: no pointers.
    unsafe { sk_udp_close(id) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_tcp_create() -> i32;
}

pub(crate) fn tcp_create() -> i32 {
    // SAFETY: no pointers.
    unsafe { sk_tcp_create() }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_tcp_connect(id: i32, addr_ptr: *const u8, addr_len: usize, port: i32) -> i32;
}

pub(crate) fn tcp_connect(id: i32, host: &str, port: u16) -> i32 {
    // SAFETY: the slice is valid for reads for the whole call.
    unsafe { sk_tcp_connect(id, host.as_ptr(), host.len(), i32::from(port)) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_tcp_connected(id: i32) -> i32;
}

pub(crate) fn tcp_connected(id: i32) -> i32 {
    // SAFETY: no pointers.
    unsafe { sk_tcp_connected(id) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_tcp_set_line_buffering(id: i32, on: i32) -> i32;
}

pub(crate) fn tcp_set_line_buffering(id: i32, on: bool) -> i32 {
    // SAFETY: no pointers.
    unsafe { sk_tcp_set_line_buffering(id, i32::from(on)) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_tcp_send(id: i32, data_ptr: *const u8, data_len: usize) -> i32;
}

pub(crate) fn tcp_send(id: i32, data: &[u8]) -> i32 {
    // SAFETY: the slice is valid for reads for the whole call; the host copies it.
    unsafe { sk_tcp_send(id, data.as_ptr(), data.len()) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_tcp_recv_line(id: i32, buf_ptr: *mut u8, buf_max: usize) -> i32;
    fn sk_tcp_recv_raw(id: i32, buf_ptr: *mut u8, buf_max: usize) -> i32;
}

pub(crate) fn tcp_recv(id: i32, lines: bool, buf: &mut [u8]) -> i32 {
    // SAFETY: the host writes at most `buf.len()` bytes into `buf`.
    unsafe {
        if lines {
            sk_tcp_recv_line(id, buf.as_mut_ptr(), buf.len())
        } else {
            sk_tcp_recv_raw(id, buf.as_mut_ptr(), buf.len())
        }
    }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_tcp_pending(id: i32) -> i32;
}

pub(crate) fn tcp_pending(id: i32) -> i32 {
    // SAFETY: no pointers.
    unsafe { sk_tcp_pending(id) }
}

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_tcp_close(id: i32);
}

pub(crate) fn tcp_close(id: i32) {
    // SAFETY: no pointers.
    unsafe { sk_tcp_close(id) }
}

// The one WASI import the SDK calls itself: std's `Instant` costs about 4 KiB of
// arithmetic and panic text in every plugin, the raw clock a few bytes.
#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    fn clock_time_get(id: u32, precision: u64, time: *mut u64) -> u16;
}

/// WASI's monotonic clock (id 1) in nanoseconds; 0 if the host refuses.
pub(crate) fn monotonic_ns() -> u64 {
    let mut time = 0u64;
    // SAFETY: the host writes one u64 through the pointer, which is valid for the call.
    let errno = unsafe { clock_time_get(1, 1_000_000, &mut time) };
    if errno == 0 { time } else { 0 }
}
