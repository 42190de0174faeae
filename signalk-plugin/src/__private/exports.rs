//! Wasm only: turns raw pointers into slices and back, around [`super::lifecycle`] and
//! [`super::park`].

use std::thread::LocalKey;

use signalk_plugin_abi::chunked::ChunkError;

use super::cell::PluginCell;
use super::report::{install_panic_hook, report};
use super::{lifecycle, park};
use crate::abi::memory;
use crate::{Error, Plugin};

pub use memory::{allocate, deallocate};

/// `plugin_start(cfg_ptr, cfg_len)`.
///
/// # Safety
/// `ptr..ptr+len` must be the input buffer the host allocated for this call.
pub unsafe fn plugin_start<P: Plugin, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    ptr: i32,
    len: i32,
) -> i32 {
    install_panic_hook();
    // SAFETY: guaranteed by the caller.
    let config = unsafe { memory::input(ptr, len) };
    lifecycle::start(cell, config)
}

/// `plugin_stop()`.
pub fn plugin_stop<P: Plugin, const D: bool>(cell: &'static LocalKey<PluginCell<P, D>>) -> i32 {
    install_panic_hook();
    lifecycle::stop(cell)
}

/// Writes a metadata string (`plugin_id`, `plugin_name`, `plugin_schema`) into the
/// host's buffer. If it does not fit, writes nothing, reports the error, and returns 0
/// (the host then falls back to the package name / an empty schema).
///
/// # Safety
/// `out_ptr..out_ptr+out_max` must be the output buffer the host allocated.
pub unsafe fn write_metadata(out_ptr: i32, out_max: i32, what: &'static str, text: &str) -> i32 {
    install_panic_hook();
    // SAFETY: guaranteed by the caller.
    match unsafe { memory::write_output(out_ptr, out_max, text.as_bytes()) } {
        Some(written) => written,
        None => {
            let err = Error::OutputTooLarge {
                what,
                len: text.len(),
                max: usize::try_from(out_max).unwrap_or(0),
            };
            report("metadata", &err.to_string());
            0
        }
    }
}

/// `plugin_start(cfg_ptr, cfg_len)` that checks the configuration's schema rules and
/// registers handlers and providers first.
///
/// # Safety
/// As [`plugin_start`].
pub unsafe fn plugin_start_with<P: Plugin, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    ptr: i32,
    len: i32,
    check: fn(&P::Config) -> Result<(), crate::ConfigError>,
    register: impl FnOnce() -> crate::Result<()>,
) -> i32 {
    install_panic_hook();
    // SAFETY: guaranteed by the caller.
    let config = unsafe { memory::input(ptr, len) };
    lifecycle::start_with(cell, config, check, register)
}

/// `poll()`.
pub fn poll<P: Plugin, const D: bool>(cell: &'static LocalKey<PluginCell<P, D>>) -> i32 {
    install_panic_hook();
    lifecycle::poll(cell)
}

/// `delta_handler(ptr, len)`.
///
/// # Safety
/// `ptr..ptr+len` must be the input buffer the host allocated for this call.
pub unsafe fn delta_handler<P: Plugin, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    ptr: i32,
    len: i32,
) {
    install_panic_hook();
    // SAFETY: guaranteed by the caller.
    let json = unsafe { memory::input(ptr, len) };
    lifecycle::delta(cell, json);
}

/// A `handle_put_*` export: `(val_ptr, val_len, out_ptr, out_max) -> written`.
///
/// # Safety
/// The two ranges must be the input and output buffers the host allocated for this call.
pub unsafe fn handle_put<
    P: Plugin,
    const D: bool,
    T: serde::de::DeserializeOwned,
    R: crate::put::IntoPutReply,
>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    (in_ptr, in_len, out_ptr, out_max): (i32, i32, i32, i32),
    handler: fn(&mut P, T) -> R,
) -> i32 {
    install_panic_hook();
    // SAFETY: guaranteed by the caller.
    let value = unsafe { memory::input(in_ptr, in_len) };
    let reply = lifecycle::put(cell, value, usize::try_from(out_max).unwrap_or(0), handler);
    // SAFETY: guaranteed by the caller; `reply` was sized for `out_max`.
    unsafe { memory::write_output(out_ptr, out_max, &reply) }.unwrap_or(0)
}

/// An HTTP handler export: `(req_ptr, req_len, out_ptr, out_max) -> written`.
///
/// # Safety
/// The two ranges must be the input and output buffers the host allocated for this call.
pub unsafe fn handle_http<P: Plugin, const D: bool, R: crate::http::IntoResponse>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    (in_ptr, in_len, out_ptr, out_max): (i32, i32, i32, i32),
    handler: fn(&mut P, crate::http::HttpRequest) -> R,
) -> i32 {
    install_panic_hook();
    // SAFETY: guaranteed by the caller.
    let request = unsafe { memory::input(in_ptr, in_len) };
    let response = lifecycle::http(
        cell,
        request,
        usize::try_from(out_max).unwrap_or(0),
        handler,
    );
    // SAFETY: guaranteed by the caller; `response` was sized for `out_max`.
    unsafe { memory::write_output(out_ptr, out_max, &response) }.unwrap_or(0)
}

/// A `(req_ptr, req_len, out_ptr, out_max) -> written` export whose reply `reply`
/// computes from the request bytes and the output size.
///
/// # Safety
/// The two ranges must be the input and output buffers the host allocated for this call.
pub unsafe fn reply(
    (in_ptr, in_len, out_ptr, out_max): (i32, i32, i32, i32),
    reply: impl FnOnce(&[u8], usize) -> Vec<u8>,
) -> i32 {
    install_panic_hook();
    // SAFETY: guaranteed by the caller.
    let request = unsafe { memory::input(in_ptr, in_len) };
    let bytes = reply(request, usize::try_from(out_max).unwrap_or(0));
    // SAFETY: guaranteed by the caller; `bytes` was sized for `out_max`.
    unsafe { memory::write_output(out_ptr, out_max, &bytes) }.unwrap_or(0)
}

/// `skc_v1_hello(host_version) -> guest_version` (chunked channel).
pub fn skc_hello(host_version: i32) -> i32 {
    install_panic_hook();
    park::hello(host_version)
}

/// `skc_v1_read(handle, offset, out_ptr, out_max) -> written | error`.
///
/// # Safety
/// `out_ptr..out_ptr+out_max` must be the output buffer the host allocated.
pub unsafe fn skc_read(handle: i32, offset: i32, out_ptr: i32, out_max: i32) -> i32 {
    install_panic_hook();
    let Some(max) = park::valid_buffer(out_ptr, out_max) else {
        return ChunkError::BadBuffer.code();
    };
    // SAFETY: guaranteed by the caller; `valid_buffer` checked the pointer and length.
    let out = unsafe { memory::output(out_ptr, max) };
    park::read(handle, offset, out)
}

/// `skc_v1_close(handle) -> status`.
pub fn skc_close(handle: i32) -> i32 {
    park::close(handle)
}
