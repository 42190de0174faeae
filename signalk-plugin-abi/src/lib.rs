//! The contract between signalk-server and a WebAssembly plugin, written down once.
//!
//! Both sides of this workspace compile against this crate: the guest SDK
//! (`signalk-plugin`) and its `#[plugin]` macro on one side, the mock host
//! (`signalk-plugin-host-mock`) on the other. A fact of the host ABI — an export name,
//! a buffer size, a capability key, a chunked-channel error code, a rule the server
//! applies to an argument — is defined here and nowhere else, so the two sides cannot
//! drift apart.
//!
//! The prose description of the same contract, with the server code each fact comes
//! from, is `docs/host-abi.md` in the repository; section numbers such as §4.1 in the
//! comments of this workspace refer to it.
//!
//! ```
//! use signalk_plugin_abi::{buffers, put, Capability};
//!
//! assert_eq!(buffers::PUT_REPLY, 8192);
//! assert_eq!(put::export_name("vessels.self", "a.b"), "handle_put_vessels_self_a_b");
//! assert_eq!("rawSockets".parse::<Capability>(), Ok(Capability::RawSockets));
//! ```
//!
//! This crate has no `unsafe` code, no host calls and no state: it is data and pure
//! functions, so whatever a plugin does not use the linker leaves out of its binary.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod buffers;
mod capability;
pub mod chunked;
mod host_call;
pub mod host_rules;
pub mod names;
pub mod put;
pub mod radar;

pub use capability::{Capability, UnknownCapability};
pub use host_call::HostCall;
