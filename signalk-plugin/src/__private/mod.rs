//! Support code for the exports `#[plugin]` generates. Not a public API: names and
//! signatures here change without notice.
//!
//! The macro spells these paths, so they stay as they are: `thread_local`,
//! `PluginCell`, `checks::*`, `exports::*` (wasm only), `runtime::register_*` and
//! `providers::*`. Behind them:
//!
//! - `cell`: the plugin instance, re-entry, the queue of deltas for a busy plugin, and
//!   the delivery of deltas to `on_delta` (all, or the own vessel's);
//! - `supervisor`: recovery after a panic (restart with the last configuration, or
//!   fail and refuse calls);
//! - `lifecycle`: what `plugin_start`, `plugin_stop`, `poll`, `delta_handler` and the
//!   PUT and HTTP handler exports do, with named result codes;
//! - `register`: the registrations `plugin_start` makes;
//! - `report`: error reporting and the panic hook;
//! - `wire`: decoding the host's requests and encoding replies for its buffers;
//! - `park`: the guest's half of the chunked channel.

pub mod cell;
pub mod checks;
pub mod lifecycle;
mod marks;
pub mod park;
pub mod providers;
pub mod register;
pub mod report;
pub mod supervisor;
pub(crate) mod wire;

/// The pointer-level halves of the generated exports.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
pub mod exports;

/// The registration calls of the generated `plugin_start`, at the path the macro spells.
pub mod runtime {
    pub use super::register::{register_put, register_radar, register_resources, register_weather};
}

pub use cell::PluginCell;
pub use std::thread_local;
