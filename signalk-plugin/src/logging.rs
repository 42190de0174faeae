//! Logging through `sk_debug`, with the level as a message prefix.
//!
//! The host has one log import and no levels, so the SDK writes `[INFO] message`,
//! `[WARN] message`, … The [`log`](https://docs.rs/log) facade is wired up by the generated
//! `plugin_start`, so `log::info!` and friends just work; `debug` and `trace` are
//! emitted only while the plugin's "enable debug" switch is on.
//!
//! signalk-server shows `sk_debug` output only when it runs with `DEBUG=signalk:wasm:*`.

pub use log::Level;

use crate::abi;

/// Writes one message at `level`: `sk_debug("[LEVEL] message")`.
///
/// ```
/// use signalk_plugin::logging::{write, Level};
/// write(Level::Warn, "battery low");
/// assert_eq!(signalk_plugin::testing::logs(), ["[WARN] battery low"]);
/// ```
pub fn write(level: Level, message: &str) {
    let mut line = String::with_capacity(message.len() + 8);
    line.push('[');
    line.push_str(level.as_str());
    line.push_str("] ");
    line.push_str(message);
    abi::debug(&line);
}

struct HostLogger;

impl log::Log for HostLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            match record.args().as_str() {
                Some(text) => write(record.level(), text),
                None => write(record.level(), &record.args().to_string()),
            }
        }
    }

    fn flush(&self) {}
}

static LOGGER: HostLogger = HostLogger;

/// Routes the `log` facade to the host. Idempotent; the generated exports call it, so
/// plugins only need it in native tests.
///
/// ```
/// signalk_plugin::logging::init(false);
/// log::info!("hello {}", 42);
/// log::debug!("not shown without enable debug");
/// assert_eq!(signalk_plugin::testing::logs(), ["[INFO] hello 42"]);
/// ```
pub fn init(enable_debug: bool) {
    // Fails only if a logger is already installed, which is then ours or the user's.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(if enable_debug {
        log::LevelFilter::Trace
    } else {
        log::LevelFilter::Info
    });
}
