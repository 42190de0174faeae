//! The pointer-level halves of the generated exports (wasm only).

use std::thread::LocalKey;

use super::runtime::{self, PluginCell};
use crate::abi::memory;
use crate::{Error, Plugin};

pub use memory::{allocate, deallocate};

/// `plugin_start(cfg_ptr, cfg_len)`.
///
/// # Safety
/// `ptr..ptr+len` must be the input buffer the host allocated for this call.
pub unsafe fn plugin_start<P: Plugin>(
    cell: &'static LocalKey<PluginCell<P>>,
    ptr: i32,
    len: i32,
) -> i32 {
    runtime::install_panic_hook();
    // SAFETY: guaranteed by the caller.
    let config = unsafe { memory::input(ptr, len) };
    runtime::start(cell, config)
}

/// `plugin_stop()`.
pub fn plugin_stop<P: Plugin>(cell: &'static LocalKey<PluginCell<P>>) -> i32 {
    runtime::install_panic_hook();
    runtime::stop(cell)
}

/// Writes a metadata string (`plugin_id`, `plugin_name`, `plugin_schema`) into the
/// host's buffer. If it does not fit, writes nothing, reports the error, and returns 0
/// (the host then falls back to the package name / an empty schema).
///
/// # Safety
/// `out_ptr..out_ptr+out_max` must be the output buffer the host allocated.
pub unsafe fn write_metadata(out_ptr: i32, out_max: i32, what: &'static str, text: &str) -> i32 {
    runtime::install_panic_hook();
    // SAFETY: guaranteed by the caller.
    match unsafe { memory::write_output(out_ptr, out_max, text.as_bytes()) } {
        Some(written) => written,
        None => {
            let err = Error::OutputTooLarge {
                what,
                len: text.len(),
                max: usize::try_from(out_max).unwrap_or(0),
            };
            runtime::report("metadata", &err);
            0
        }
    }
}
