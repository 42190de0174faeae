//! `extern "C"` declarations of the host's `env` imports, each with a safe wrapper.
//!
//! Only the functions a plugin actually calls end up as imports of its `.wasm`:
//! the linker drops unused declarations, so a plugin never imports more than it uses.
//! Every pointer/length pair is a borrowed Rust slice, valid for the duration of the
//! call; the host copies what it needs before returning (spec §1.2).

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_debug(ptr: *const u8, len: usize);
    fn sk_set_status(ptr: *const u8, len: usize);
    fn sk_set_error(ptr: *const u8, len: usize);
    fn sk_handle_message(ptr: *const u8, len: usize, version: i32);
    fn sk_publish_notification(
        path_ptr: *const u8,
        path_len: usize,
        value_ptr: *const u8,
        value_len: usize,
    ) -> i32;
    fn sk_read_config(buf_ptr: *mut u8, buf_max: usize) -> i32;
    fn sk_save_config(ptr: *const u8, len: usize) -> i32;
    fn sk_has_capability(ptr: *const u8, len: usize) -> i32;
    fn sk_register_put_handler(
        ctx_ptr: *const u8,
        ctx_len: usize,
        path_ptr: *const u8,
        path_len: usize,
    ) -> i32;
}

pub(crate) fn debug(msg: &str) {
    // SAFETY: the slice is valid for reads for the whole call.
    unsafe { sk_debug(msg.as_ptr(), msg.len()) }
}

pub(crate) fn set_status(msg: &str) {
    // SAFETY: as above.
    unsafe { sk_set_status(msg.as_ptr(), msg.len()) }
}

pub(crate) fn set_error(msg: &str) {
    // SAFETY: as above.
    unsafe { sk_set_error(msg.as_ptr(), msg.len()) }
}

pub(crate) fn handle_message(json: &[u8], version: i32) {
    // SAFETY: as above.
    unsafe { sk_handle_message(json.as_ptr(), json.len(), version) }
}

pub(crate) fn publish_notification(path: &str, value: &[u8]) -> i32 {
    // SAFETY: both slices are valid for reads for the whole call.
    unsafe { sk_publish_notification(path.as_ptr(), path.len(), value.as_ptr(), value.len()) }
}

pub(crate) fn read_config(buf: &mut [u8]) -> i32 {
    // SAFETY: the host writes at most `buf.len()` bytes into the slice (spec §1.3).
    unsafe { sk_read_config(buf.as_mut_ptr(), buf.len()) }
}

pub(crate) fn save_config(json: &[u8]) -> i32 {
    // SAFETY: the slice is valid for reads for the whole call.
    unsafe { sk_save_config(json.as_ptr(), json.len()) }
}

pub(crate) fn has_capability(name: &str) -> i32 {
    // SAFETY: as above.
    unsafe { sk_has_capability(name.as_ptr(), name.len()) }
}

pub(crate) fn register_put_handler(context: &str, path: &str) -> i32 {
    // SAFETY: both slices are valid for reads for the whole call.
    unsafe { sk_register_put_handler(context.as_ptr(), context.len(), path.as_ptr(), path.len()) }
}
