//! Support code for the exports `#[plugin]` generates. Not a public API: names and
//! signatures here change without notice.

pub mod checks;
pub mod providers;
pub mod runtime;

/// The pointer-level halves of the generated exports.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
pub mod exports;

pub use runtime::PluginCell;
pub use std::thread_local;
