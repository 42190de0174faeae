//! The raw host ABI, and nothing else.
//!
//! On `wasm32` the functions here call the `env` imports of signalk-server 2.32.0
//! (see `imports.rs`, the only file with `extern "C"` declarations). Everywhere else
//! they call the in-process recorder in [`crate::testing`], so plugin logic can be
//! unit-tested natively with the same API.
//!
//! Every function has a safe signature: slices in, plain integers out. Interpreting
//! the integers (0 / -1 / 1) as `Result`s is the job of the safe modules above.

#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod imports;
#[cfg(target_arch = "wasm32")]
pub(crate) use imports::*;

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use native::*;

#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
pub(crate) mod memory;
