//! Write [Signal K] server plugins in safe Rust.
//!
//! A plugin is a type that implements [`Plugin`], annotated with
//! [`#[plugin]`](macro@plugin). The macro generates every WebAssembly export that
//! signalk-server calls (`plugin_id`, `plugin_name`, `plugin_schema`, `plugin_start`,
//! `plugin_stop`, `allocate`, `deallocate`, …) inside a `#[cfg(target_arch = "wasm32")]`
//! module, so your own code stays plain Rust and `cargo test` on the host just works.
//!
//! ```
//! use serde::Deserialize;
//! use signalk_plugin::{plugin, Delta, Plugin, PluginResult, Update};
//!
//! #[derive(Deserialize)]
//! #[serde(rename_all = "camelCase")]
//! struct Config {
//!     #[serde(default = "default_speed")]
//!     speed: f64,
//! }
//! fn default_speed() -> f64 { 3.5 }
//!
//! #[derive(Default)]
//! struct Hello;
//!
//! #[plugin(id = "hello", name = "Hello")]
//! impl Plugin for Hello {
//!     type Config = Config;
//!
//!     fn start(&mut self, config: Config) -> PluginResult {
//!         signalk_plugin::emit(&Delta::new().with_update(
//!             Update::new().with_value("navigation.speedThroughWater", config.speed),
//!         ))?;
//!         signalk_plugin::set_status("Running");
//!         Ok(())
//!     }
//! }
//!
//! # fn main() -> PluginResult {
//! // Off wasm, host calls are recorded so the plugin can be unit-tested natively.
//! Hello.start(Config { speed: 1.0 })?;
//! let deltas = signalk_plugin::testing::take_deltas();
//! assert_eq!(deltas[0].updates[0].values[0].value, 1.0);
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! - The host contract itself (import and export names, buffer sizes, capabilities,
//!   the chunked protocol, [`testing::HostCall`]) is the `signalk-plugin-abi` crate,
//!   shared with the macro and the mock host; this crate re-exports what plugins use.
//! - [`abi`](crate#layout) (private): the only module with `extern "C"` imports and raw
//!   pointers, and the one place that turns the host's integer results into typed
//!   values. Everything else is `#![deny(unsafe_code)]`.
//! - Safe host API: [`emit`], [`notify`], [`set_status`], [`set_error`], [`logging`],
//!   [`config`], [`has_capability`].
//! - Data model: [`Delta`], [`Update`], [`PathValue`], [`Meta`], [`Notification`], …
//! - [`testing`] (native only): the in-process recorder that stands in for the host.
//!
//! # Own vessel
//!
//! Deltas arrive with a resolved context (`vessels.urn:…`). The SDK learns which one
//! is the own vessel by itself: [`self_context`] answers it, [`Delta::is_self`] tests a
//! delta, and `const DELTAS: Deltas = Deltas::OwnVessel;` in the impl makes
//! [`Plugin::on_delta`] receive only the own vessel's deltas, none lost while the SDK
//! is still learning. How it finds out on signalk-server 2.32.0 (whose
//! `sk_get_self_path` answers nothing), and the bounds on what it holds meanwhile, are
//! in [`vessel`].
//!
//! # Errors and panics
//!
//! Plugin methods return [`PluginResult`], so `?` works everywhere, `on_delta`
//! included. A panic is supervised: the plugin is restarted with its last
//! configuration (at most 3 times a minute) and the panic and the restart are reported
//! with `sk_set_error`; past that, or if the restart fails, it refuses calls with a
//! clear reply until the server starts it again. The details are on [`Plugin`].
//!
//! # Recommended release profile
//!
//! ```toml
//! [profile.release]
//! opt-level = "z"
//! lto = true
//! codegen-units = 1
//! panic = "abort"
//! strip = true
//! ```
//!
//! It roughly halves the size of a plugin that uses serde.
//!
//! [Signal K]: https://signalk.org
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod abi;
pub mod chunked;
pub mod config;
pub mod data;
mod emit;
mod error;
pub mod http;
mod json;
pub mod logging;
mod model;
pub mod net;
mod objects;
mod plugin;
pub mod provider;
pub mod put;
mod reentry;
mod status;
pub mod storage;
pub mod streams;
pub mod vessel;

#[doc(hidden)]
pub mod __private;

#[cfg(not(target_arch = "wasm32"))]
pub mod testing;

pub use emit::{DeltaVersion, emit, emit_v2, emit_value, notify};
pub use error::{ConfigError, ERROR_TEXT_LIMIT, Error, Result};
pub use model::{
    AlarmMethod, AlarmState, Delta, MAX_REPORTED_PATHS, Members, Meta, Notification, PathMeta,
    PathValue, RawJson, Skipped, Source, Update, Zone,
};
pub use objects::object_only;
pub use plugin::{BoxError, NoConfig, Plugin, PluginMetadata, PluginResult};
pub use signalk_plugin_macros::plugin;
pub use status::{Capability, has_capability, set_error, set_status};
pub use vessel::{Deltas, self_context};

/// Re-exported so plugins can build values without adding `serde_json` themselves.
pub use serde_json::{self, Value, json};

/// The `log` facade, re-exported: `signalk_plugin::log::info!(…)` works without adding it.
pub use log;
