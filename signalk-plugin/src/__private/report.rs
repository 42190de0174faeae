//! Reporting errors from plugin code: an error log plus `sk_set_error`, and the panic
//! hook that does the same before a trap.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::logging;

/// An error and its sources, as `outer: inner: innermost`.
#[must_use]
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Reports an error returned by plugin code: an error log and `sk_set_error`.
pub fn report(context: &str, message: &str) {
    let message = format!("{context}: {message}");
    logging::write(log::Level::Error, &message);
    crate::set_error(&message);
}

/// The text a panic hook reports: `panicked at file:line:col: message`. Reads both
/// `&str` and `String` payloads and never panics itself.
#[must_use]
pub fn panic_message(info: &std::panic::PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let text = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(panic payload is not a string)");
    match info.location() {
        Some(at) => format!(
            "panicked at {}:{}:{}: {text}",
            at.file(),
            at.line(),
            at.column()
        ),
        None => format!("panicked: {text}"),
    }
}

/// Installs (once per process) a panic hook that reports the panic through
/// `sk_set_error` and `sk_debug` before the trap, keeps its message for the
/// [supervisor](super::supervisor)'s recovery at the next call, then runs the previous
/// hook (which prints to stderr).
pub fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::Relaxed) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Cut to a bounded length: it is quoted in replies that must fit buffers.
        let message = super::marks::note_panic(&panic_message(info));
        logging::write(log::Level::Error, &message);
        crate::set_error(&message);
        previous(info);
    }));
}
