//! A signalk-server stand-in for testing WebAssembly plugins.
//!
//! [`MockHost`] loads a compiled plugin under wasmtime and gives it the same imports
//! as signalk-server 2.32.0 — same names, signatures, return codes, buffer sizes and
//! capability gating (the host ABI is described in the repository's `docs/host-abi.md`;
//! the `imports` module mirrors its §3 one section per file). A test then drives the
//! plugin like the server would (start, stop, poll ticks, deltas, HTTP, PUT, provider
//! calls) and asserts on what it did: every host call is [recorded](Recorded) as a
//! [`HostCall`], the type the SDK's native recorder uses too.
//!
//! Unlike the real server, the mock host never hangs or crashes on a hostile guest:
//! every call has a time budget, memory is capped, every buffer length is checked, and
//! an alloc/dealloc [ledger](LedgerReport) notices allocator bugs. Nor does it crash on
//! hostile test input: JSON a test hands it is refused past [`MAX_JSON_DEPTH`] levels
//! before anything recursive touches it, and what it [records](Recorded) is bounded, so
//! a long soak does not grow without limit.
//!
//! Plugins are compiled for quick loading, not peak speed: Cranelift's own optimisations
//! are off (the plugin arrives optimised by LLVM), which cuts a cold start by about a
//! third and leaves guest code some 4–20 % slower than under wasmtime's defaults. Time a
//! plugin's own code under plain wasmtime, as the repository's `guest` benchmark does,
//! not under the mock host.
//!
//! ```no_run
//! use signalk_plugin_host_mock::{HostOptions, HttpRequest, MockHost, build_plugin};
//! use signalk_plugin_host_mock::Capability;
//! use serde_json::json;
//!
//! let wasm = build_plugin("examples/anchor-watch")?;
//! let options = HostOptions::new("anchor-watch").capability(Capability::PutHandlers);
//! let mut host = MockHost::load(wasm, options)?;
//! host.start()?;
//! let reply = host.put("vessels.self", "navigation.anchor.maxRadius", &json!(60))?;
//! assert_eq!(reply.status_code(), Some(200));
//! let status = host.http(HttpRequest::get("/api/status"))?;
//! assert_eq!(status.status, 200);
//! # Ok::<(), signalk_plugin_host_mock::Error>(())
//! ```

mod build;
mod chunked;
pub mod dispatch;
mod engine;
mod error;
mod express;
mod guest;
mod host;
mod imports;
mod js;
mod ledger;
mod memory;
mod options;
mod package;
mod pipeline;
mod recorded;
pub mod replay;
pub mod scaffold;
#[doc(hidden)]
pub mod server;
mod sockets;
mod state;
mod test_runner;

pub use build::{TARGET, build_plugin};
pub use chunked::{ChunkReader, TransferStats};
pub use dispatch::providers::Providers;
pub use dispatch::put::PutResponse;
pub use dispatch::sockets::SocketPeer;
pub use error::Error;
pub use express::{HttpRequest, HttpResponse, Route};
pub use host::{METADATA_BUFFER, MockHost, TEST_SOURCE};
pub use js::{MAX_JSON_DEPTH, drop_deep, json_depth};
pub use ledger::{LedgerIssue, LedgerReport};
pub use options::{Capabilities, HostOptions, Quirks};
pub use package::{
    PackageSpec, package_crate, package_json, package_plugin, required_capabilities,
};
pub use recorded::{Dropped, RECORD_LIMIT, Recorded};
pub use signalk_plugin_abi::{Capability, HostCall};
pub use state::PluginState;
pub use test_runner::{DEFAULT_TEST_TIMEOUT, run_test_binary};

/// Names of every `env` import signalk-server 2.32.0 provides (§3).
///
/// ```
/// let names: Vec<_> = signalk_plugin_host_mock::env_imports().collect();
/// assert!(names.contains(&"sk_handle_message"));
/// assert!(!names.contains(&"sk_get_path"));
/// ```
pub fn env_imports() -> impl Iterator<Item = &'static str> {
    imports::names()
}
