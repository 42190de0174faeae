//! Tracks whether the plugin is inside a host call that can re-enter it.
//!
//! `sk_handle_message` and `sk_publish_notification` run the server's delta pipeline
//! synchronously, which calls this plugin's `delta_handler` export before returning
//! (§1.5). The generated exports use [`in_host_call`] to tell such a re-entry
//! (queue the delta, the plugin is busy) from a fresh call after a trap left state behind.

use std::cell::Cell;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f` (a host call) while marking the plugin as "inside a re-entrant host call".
pub(crate) fn host_call<R>(f: impl FnOnce() -> R) -> R {
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = f();
    DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    result
}

/// Whether the current export call was entered from inside one of our host calls.
pub(crate) fn in_host_call() -> bool {
    DEPTH.with(|d| d.get() > 0)
}

/// Forgets any depth left behind by a trap (the stack is gone, the counter is not).
pub(crate) fn reset() {
    DEPTH.with(|d| d.set(0));
}

thread_local! {
    static IN_EXPORT: Cell<bool> = const { Cell::new(false) };
}

/// Called at the start of every export. Returns `true` for a top-level call, which must
/// be closed with [`leave_export`]. A nested call is only possible from inside one of
/// our host calls; "inside an export" without one means the previous call trapped, so
/// the markers are stale and are reset. The caller may know they are stale even with a
/// host call marked (`stale`): after a panic no export has recovered from yet, or for
/// an export the host never calls from inside an import; a trap there took the whole
/// stack, host calls included.
pub(crate) fn enter_export(stale: bool) -> bool {
    if IN_EXPORT.with(|e| e.replace(true)) && in_host_call() && !stale {
        false
    } else {
        reset();
        true
    }
}

/// Ends a top-level export call.
pub(crate) fn leave_export() {
    IN_EXPORT.with(|e| e.set(false));
}
