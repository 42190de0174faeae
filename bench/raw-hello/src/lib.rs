//! The `hello` example written by hand against the raw plugin ABI, without the SDK.
//!
//! On start it reads its configuration (with defaults), emits one delta, logs how many
//! times it has started and sets its status; on stop it says "Stopped".

use std::alloc::{Layout, alloc, dealloc};
use std::sync::atomic::{AtomicU32, Ordering};

use serde::Deserialize;
use serde_json::json;

const ID: &str = "hello";
const NAME: &str = "Hello (Rust)";
const SCHEMA: &str = include_str!("../../../examples/hello/schema.json");

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_handle_message(ptr: *const u8, len: usize);
    fn sk_set_status(ptr: *const u8, len: usize);
    fn sk_set_error(ptr: *const u8, len: usize);
    fn sk_debug(ptr: *const u8, len: usize);
}

fn handle_message(json: &[u8]) {
    // SAFETY: the slice is valid for the whole call; the host copies it.
    unsafe { sk_handle_message(json.as_ptr(), json.len()) }
}

fn set_status(text: &str) {
    // SAFETY: as above.
    unsafe { sk_set_status(text.as_ptr(), text.len()) }
}

fn set_error(text: &str) {
    // SAFETY: as above.
    unsafe { sk_set_error(text.as_ptr(), text.len()) }
}

fn debug(text: &str) {
    // SAFETY: as above.
    unsafe { sk_debug(text.as_ptr(), text.len()) }
}

/// The configuration the Admin UI edits. Unknown members (such as the `enableDebug`
/// the server injects) are ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Config {
    #[serde(default = "default_greeting")]
    greeting: String,
    #[serde(default = "default_speed")]
    speed: f64,
}

fn default_greeting() -> String {
    "Hello, sailor".to_owned()
}

fn default_speed() -> f64 {
    2.5
}

/// Reports a failed start the way the SDK does: an `[ERROR]` log line and the error text.
fn fail(message: &str) -> i32 {
    debug(&format!("[ERROR] {message}"));
    set_error(message);
    1
}

static STARTS: AtomicU32 = AtomicU32::new(0);

// ---- memory the host lends to the plugin ---------------------------------------------

/// `allocate(size)`: `size` writable bytes, or 0 on failure.
#[unsafe(no_mangle)]
pub extern "C" fn allocate(size: i32) -> i32 {
    match usize::try_from(size) {
        Ok(0) => 1, // dangling, never read; deallocate ignores it
        Ok(size) => match Layout::from_size_align(size, 1) {
            // SAFETY: the layout has a non-zero size.
            Ok(layout) => unsafe { alloc(layout) as usize as i32 },
            Err(_) => 0,
        },
        Err(_) => 0,
    }
}

/// `deallocate(ptr, size)`: frees a block from `allocate(size)`.
///
/// # Safety
/// `ptr` must come from `allocate(size)` and not have been freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn deallocate(ptr: i32, size: i32) {
    let Ok(size) = usize::try_from(size) else {
        return;
    };
    if ptr == 0 || size == 0 {
        return;
    }
    if let Ok(layout) = Layout::from_size_align(size, 1) {
        // SAFETY: guaranteed by the caller; same layout as the allocation.
        unsafe { dealloc(ptr as usize as *mut u8, layout) }
    }
}

/// Copies `text` into the host's buffer: the number of bytes written, or 0 if it
/// does not fit.
///
/// # Safety
/// `out_ptr..out_ptr+out_max` must be writable guest memory.
unsafe fn write_out(out_ptr: i32, out_max: i32, text: &str) -> i32 {
    let fits = usize::try_from(out_max).is_ok_and(|max| text.len() <= max);
    if !fits || out_ptr == 0 {
        return 0;
    }
    // SAFETY: the destination holds at least `text.len()` bytes (checked above).
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), out_ptr as usize as *mut u8, text.len())
    };
    text.len() as i32
}

// ---- metadata ---------------------------------------------------------------------------

/// # Safety
/// `out_ptr..out_ptr+out_max` must be the output buffer the host allocated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn plugin_id(out_ptr: i32, out_max: i32) -> i32 {
    // SAFETY: guaranteed by the caller.
    unsafe { write_out(out_ptr, out_max, ID) }
}

/// # Safety
/// As [`plugin_id`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn plugin_name(out_ptr: i32, out_max: i32) -> i32 {
    // SAFETY: guaranteed by the caller.
    unsafe { write_out(out_ptr, out_max, NAME) }
}

/// # Safety
/// As [`plugin_id`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn plugin_schema(out_ptr: i32, out_max: i32) -> i32 {
    // SAFETY: guaranteed by the caller.
    unsafe { write_out(out_ptr, out_max, SCHEMA) }
}

// ---- lifecycle --------------------------------------------------------------------------

/// `plugin_start(cfg_ptr, cfg_len)`: 0 on success, 1 on a bad config or a failed start.
///
/// # Safety
/// `cfg_ptr..cfg_ptr+cfg_len` must be the input buffer the host allocated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn plugin_start(cfg_ptr: i32, cfg_len: i32) -> i32 {
    let len = usize::try_from(cfg_len).unwrap_or(0);
    let input: &[u8] = if cfg_ptr == 0 || len == 0 {
        &[]
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts(cfg_ptr as usize as *const u8, len) }
    };
    let config: Config = match serde_json::from_slice(input) {
        Ok(config) => config,
        Err(err) => return fail(&format!("invalid configuration: {err}")),
    };
    if !(config.speed.is_finite() && config.speed >= 0.0) {
        return fail(&format!(
            "start failed: speed must be a finite number >= 0, got {}",
            config.speed
        ));
    }
    let starts = STARTS.fetch_add(1, Ordering::Relaxed) + 1;

    let delta = json!({
        "updates": [{
            "values": [
                { "path": "hello.greeting", "value": config.greeting },
                { "path": "navigation.speedThroughWater", "value": config.speed },
            ]
        }]
    });
    match serde_json::to_vec(&delta) {
        Ok(bytes) => handle_message(&bytes),
        Err(err) => return fail(&format!("start failed: {err}")),
    }

    debug(&format!("[INFO] started ({starts} time(s))"));
    set_status(&format!("Greeting: {}", config.greeting));
    0
}

/// `plugin_stop()`: always 0.
#[unsafe(no_mangle)]
pub extern "C" fn plugin_stop() -> i32 {
    set_status("Stopped");
    0
}
