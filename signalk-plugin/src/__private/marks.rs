//! What the [supervisor](super::supervisor) records: the marks every top-level export
//! call sets and clears, the last panic's message, and each plugin's supervision state.
//! Kept apart from the supervisor's logic, which restarts plugins through the plugin
//! cell, so that the cell can hold this state and set the marks without depending on
//! that logic.

use std::cell::{Cell, RefCell};

use crate::abi;

/// Most automatic restarts within
/// [`RESTART_WINDOW_SECS`](super::supervisor::RESTART_WINDOW_SECS); one more panic fails
/// the plugin.
pub const MAX_RESTARTS: usize = 3;

/// Longest panic message kept, in bytes; longer ones are cut with an ellipsis so every
/// reply that quotes it fits the host's buffers.
pub const MAX_PANIC_MESSAGE: usize = 300;

/// What the supervisor knows about calls, whichever plugin they are for.
pub(crate) struct Marks {
    /// The top-level export call in progress. Still set at the next entry: that call
    /// never returned (a trap, or natively a panic that unwound).
    pub(crate) running: Cell<Option<&'static str>>,
    /// The message of the last panic, from the panic hook, until a recovery takes it.
    pub(crate) panic: Cell<Option<String>>,
    /// The most stack a top-level call found left: the stack before any trap.
    pub(crate) stack: Cell<usize>,
}

thread_local! {
    pub(crate) static MARKS: Marks = const {
        Marks {
            running: Cell::new(None),
            panic: Cell::new(None),
            stack: Cell::new(0),
        }
    };
}

/// The supervisor's state of one plugin, kept in its
/// [`PluginCell`](super::cell::PluginCell).
pub struct Supervisor {
    /// The configuration text of the last `plugin_start`.
    pub(crate) config: RefCell<Option<Vec<u8>>>,
    /// Between a successful start and the next stop.
    pub(crate) started: Cell<bool>,
    /// Inside a restart's `start`.
    pub(crate) restarting: Cell<bool>,
    /// When the recent restarts happened (monotonic nanoseconds).
    pub(crate) restarts: Cell<[Option<u64>; MAX_RESTARTS]>,
    /// Why the plugin refuses calls, if it does.
    pub(crate) failed: RefCell<Option<String>>,
    /// Traps have used up the stack: not even a start can help.
    pub(crate) exhausted: Cell<bool>,
}

impl Supervisor {
    /// A supervisor with nothing to supervise yet.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            config: RefCell::new(None),
            started: Cell::new(false),
            restarting: Cell::new(false),
            restarts: Cell::new([None; MAX_RESTARTS]),
            failed: RefCell::new(None),
            exhausted: Cell::new(false),
        }
    }
}

impl Default for Supervisor {
    fn default() -> Self {
        Self::new()
    }
}

/// Keeps the message of a panic for the recovery (called by the panic hook); returns
/// it cut to [`MAX_PANIC_MESSAGE`].
pub(crate) fn note_panic(message: &str) -> String {
    let message = shorten(message);
    MARKS.with(|m| m.panic.set(Some(message.clone())));
    message
}

/// Forgets the last panic (tests of traps that are not panics).
#[cfg(test)]
pub(crate) fn forget_panic() {
    MARKS.with(|m| m.panic.take());
}

/// Whether a panic happened that no recovery has seen yet.
pub(crate) fn panic_pending() -> bool {
    MARKS.with(|m| {
        let message = m.panic.take();
        let pending = message.is_some();
        m.panic.set(message);
        pending
    })
}

/// Marks a top-level call as running; returns the call that never returned, if any.
pub(crate) fn begin(what: &'static str) -> Option<&'static str> {
    let left = abi::stack_left();
    MARKS.with(|m| {
        m.stack.set(m.stack.get().max(left));
        m.running.replace(Some(what))
    })
}

/// Marks the top-level call as returned.
pub(crate) fn end() {
    MARKS.with(|m| m.running.set(None));
}

/// `text` cut to [`MAX_PANIC_MESSAGE`] bytes on a character boundary, with `…`.
fn shorten(text: &str) -> String {
    if text.len() <= MAX_PANIC_MESSAGE {
        return text.to_owned();
    }
    let mut end = MAX_PANIC_MESSAGE;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_panic_messages_are_cut_on_a_char_boundary() {
        let long = "é".repeat(MAX_PANIC_MESSAGE);
        let short = shorten(&long);
        assert!(short.len() <= MAX_PANIC_MESSAGE + '…'.len_utf8());
        assert!(short.ends_with('…'));
        assert_eq!(shorten("boom"), "boom");
    }
}
