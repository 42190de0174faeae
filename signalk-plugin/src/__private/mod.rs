//! Support code for the exports `#[plugin]` generates. Not a public API: names and
//! signatures here change without notice.

mod runtime;
pub use runtime::*;

#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod exports;
#[cfg(target_arch = "wasm32")]
pub use exports::*;

pub use std::thread_local;
