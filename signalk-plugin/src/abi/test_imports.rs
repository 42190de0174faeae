//! `extern "C"` declarations of the test runner's import module
//! ([`crate::testing::wire::MODULE`], described there), each right above its safe
//! wrapper. Like `imports.rs`, the wrappers only turn slices into pointers and return
//! the runner's raw integers; `testing/remote.rs` interprets them.
//!
//! Only [`crate::testing`] calls these, so the linker drops them from any binary that
//! does not call a `testing` function: a plugin never imports this module.

#[link(wasm_import_module = "signalk-plugin-test")]
unsafe extern "C" {
    fn read_calls(take: i32, buf_ptr: *mut u8, buf_max: usize) -> i32;
    fn reset();
    fn set_saved_config(ptr: *const u8, len: usize) -> i32;
    fn grant(ptr: *const u8, len: usize) -> i32;
    fn push_incoming(
        id: i32,
        data_ptr: *const u8,
        data_len: usize,
        addr_ptr: *const u8,
        addr_len: usize,
        port: i32,
    ) -> i32;
}

/// The recorded calls as JSON into `buf`: their length, written only if it fits.
pub(crate) fn recorded_calls(take: bool, buf: &mut [u8]) -> i32 {
    // SAFETY: the runner writes at most `buf.len()` bytes into the slice.
    unsafe { read_calls(i32::from(take), buf.as_mut_ptr(), buf.len()) }
}

pub(crate) fn reset_host() {
    // SAFETY: no arguments.
    unsafe { reset() }
}

pub(crate) fn saved_config(json: &str) -> i32 {
    // SAFETY: the slice is valid for reads for the whole call.
    unsafe { set_saved_config(json.as_ptr(), json.len()) }
}

pub(crate) fn grant_capability(name: &str) -> i32 {
    // SAFETY: as above.
    unsafe { grant(name.as_ptr(), name.len()) }
}

pub(crate) fn incoming(id: i32, data: &[u8], addr: &str, port: u16) -> i32 {
    // SAFETY: both slices are valid for reads for the whole call.
    unsafe {
        push_incoming(
            id,
            data.as_ptr(),
            data.len(),
            addr.as_ptr(),
            addr.len(),
            i32::from(port),
        )
    }
}
