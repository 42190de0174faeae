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

/// The UDP options set by a `(id, i32) -> i32` import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UdpOption {
    MulticastTtl,
    MulticastLoopback,
    Broadcast,
}

/// Bytes reserved for the NUL-terminated source address `sk_udp_recv` writes without a
/// bounds check (spec §3.10): an IPv6 address is at most 45 characters, plus a scope.
pub(crate) const UDP_ADDR_BUFFER: usize = 128;
