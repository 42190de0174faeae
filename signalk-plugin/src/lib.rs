//! Write [Signal K] server plugins in safe Rust.
//!
//! A plugin is a type that implements [`Plugin`], annotated with
//! [`#[plugin]`](macro@plugin). The macro generates every WebAssembly export that
//! signalk-server calls (`plugin_id`, `plugin_name`, `plugin_schema`, `plugin_start`,
//! `plugin_stop`, `allocate`, `deallocate`, …) inside a `#[cfg(target_arch = "wasm32")]`
//! module, so your own code stays plain Rust and `cargo test` on the host just works.
//! Build with `cargo build --target wasm32-wasip1 --release`.
//!
//! ```
//! use serde::Deserialize;
//! use signalk_plugin::{plugin, Delta, Plugin, PluginResult, Update};
//!
//! #[derive(Deserialize)]
//! #[serde(rename_all = "camelCase", deny_unknown_fields)]
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
//! The [`#[plugin]`](macro@plugin) page lists every key of the attribute (`id`, `name`,
//! `schema`, `schema_file`, `resources`, `weather`, `radar`) and every entry point
//! inside the impl (`poll`, `on_delta`, `#[put]`, `#[http]`), with an example each.
//!
//! # Lifecycle
//!
//! The server loads the module once and keeps **one instance of the plugin type for the
//! life of the process**, created with `Default` at the first call. It reads the id,
//! name, JSON schema and HTTP routes once, at load. Then:
//!
//! - **start**: `plugin_start` gets the saved configuration plus the server's
//!   `enableDebug` member. The SDK takes `enableDebug` out (it switches the debug log
//!   level, see [`logging`]), parses the rest into [`Plugin::Config`] (see [`config`]),
//!   registers the declared PUT handlers and providers, and calls [`Plugin::start`]. An
//!   `Err` puts the plugin in the server's `error` state with the message. A config
//!   save or a disable and enable calls `stop` and `start` again on the **same**
//!   instance, so `start` must re-initialise what it relies on.
//! - **running**: [`Plugin::poll`] every second (if defined), [`Plugin::on_delta`] for
//!   each delta (if defined), PUT and HTTP handlers and provider methods per request.
//!   PUT and HTTP handlers are called whatever the state, also while stopped.
//! - **stop**: [`Plugin::stop`] on disable and before a restart, never on SIGTERM or
//!   a server restart from the Admin UI: do not rely on it to persist anything.
//!
//! # Own vessel
//!
//! Deltas arrive with a resolved context (`vessels.urn:…`). The SDK learns which one
//! is the own vessel by itself: [`self_context`] answers it, [`Delta::is_self`] tests a
//! delta, and `const DELTAS: Deltas = Deltas::OwnVessel;` in the impl makes
//! [`Plugin::on_delta`] receive only the own vessel's deltas, none lost while the SDK
//! is still learning (held, at most [`vessel::MAX_HELD_DELTAS`] deltas and
//! [`vessel::MAX_HELD_BYTES`] bytes, and delivered once it knows). On signalk-server
//! 2.32.0, whose `sk_get_self_path` answers nothing, it sends one empty v2 delta at the
//! first `poll` or delta after a start and reads the context of its echo; nothing is
//! stored by the server, and [`vessel::set_announcements`] turns it off. The details
//! are in [`vessel`].
//!
//! # Deltas in
//!
//! Define [`Plugin::on_delta`]; it returns a [`PluginResult`], so `?` works, and an
//! `Err` is counted and logged (at the 1st, 2nd, 4th, 8th, … error), never fatal.
//! Read values with [`Delta::get`] / [`PathValue::get`], which report a value that does
//! not fit the type (once per path) and answer `None`, or with [`Delta::value_of`] and
//! [`RawJson::parse`], which answer the error. A delta the server delivers while the
//! plugin is inside its own `emit` is queued (at most 10,000) and delivered right after
//! the current call returns, in order: there is no re-entrancy to handle. Received
//! deltas are decoded leniently ([`Delta::decode_lenient`], see
//! [Malformed input](#malformed-input)).
//!
//! # Deltas out
//!
//! [`emit`] (v1: stored in the data model), [`emit_v2`] (an event only), [`emit_value`]
//! (one value of the own vessel) and [`notify`] (a notification). A delta without a
//! context is about the own vessel. What the server would drop without a word is
//! refused with an error instead: an update with neither values nor meta, an empty
//! path ([`Error::InvalidDelta`]), and a NaN or infinity, which JSON would turn into
//! `null`, "no value", silently clearing the data on the server
//! ([`Error::NonFinite`], naming the path). Nothing of a refused delta is sent.
//!
//! # PUT
//!
//! `#[put("path")]` on a method of the impl, `context = "..."` for another context
//! than `vessels.self`: the value is parsed into the method's argument type, the reply
//! comes from its return value (`()`, [`put::PutReply`], [`put::PutError`], an SDK
//! [`Error`], a [`PluginResult`] or a `Result` of those, so `?` works). The package
//! needs the `putHandlers` capability. See [`put`], and its 2.32.0 quirk: every REST
//! PUT is answered 500 whatever the handler said.
//!
//! # HTTP
//!
//! `#[http(GET, "/path")]` on a method of the impl: an Express route under
//! `/plugins/<id>`, taking an [`http::HttpRequest`] (`req.json::<T>()` for the body,
//! `query_param`, `param`) and returning anything [`http::IntoResponse`]. A response
//! larger than the host's 64 KiB buffer goes through the [`chunked`] channel where the
//! host speaks it, and is a clear 500 where it does not (2.32.0). See [`http`].
//!
//! # Providers
//!
//! `resources = [...]`, `weather = "..."` and `radar = "..."` in `#[plugin]`, with an
//! impl of [`provider::ResourceProvider`], [`provider::WeatherProvider`] or
//! [`provider::RadarProvider`], serve the server's resources, weather and radar APIs;
//! the package needs the matching capability. An `Err`, or a request that does not
//! parse, is reported with `sk_set_error` and answered empty (the server then sends
//! its default: `{}`, `[]`, `null`, `false`). See [`provider`].
//!
//! # Storage and configuration
//!
//! [`storage`]: files in the plugin's virtual file system (WASI, `/`), with the host's
//! known failures turned into errors that say what happened (2.32.0 deletes the VFS of a
//! plugin enabled at boot). [`config`]: the configuration `start` receives, and
//! reading or saving the configuration file. [`data`] reads values from the server's
//! data model where the host answers (2.32.0 does not: keep what `on_delta` receives).
//!
//! # Sockets and streams
//!
//! [`net`]: raw UDP and TCP sockets (`rawSockets` capability); nothing calls the plugin
//! when data arrives, so read them in `poll`. [`streams`]: binary streams to the
//! server's WebSocket clients.
//!
//! # Errors and panics
//!
//! Plugin methods return [`PluginResult`], so `?` works everywhere, `on_delta`
//! included; SDK calls return [`Result`] with [`Error`]. Every error text the SDK
//! builds from outside input is cut to [`ERROR_TEXT_LIMIT`] characters (the first 150
//! and the last 50, joined by `…`), so a reply that quotes it always fits the host's
//! buffer and keeps its status code.
//!
//! A panic is supervised: the plugin is restarted with a fresh instance and its last
//! configuration (at most 3 times a minute) and the panic and the restart are reported
//! with `sk_set_error`; past that, or if the restart fails, it refuses calls with a
//! clear reply (PUT and HTTP: 503 naming the panic) until the server starts it again.
//! The details are on [`Plugin`].
//!
//! # Malformed input
//!
//! What comes from outside the plugin is checked before plugin code sees it, and what
//! does not fit is refused with a message saying why — bounded to [`ERROR_TEXT_LIMIT`]
//! characters — never dropped without a trace and never fatal:
//!
//! | Input | What happens |
//! |---|---|
//! | configuration (`plugin_start`) | Not JSON, or not [`Plugin::Config`]: `start` is not called; the start fails with ``invalid configuration at `member`: …`` through `sk_set_error` and the server shows the plugin in its `error` state. The next start with a good configuration works as usual. |
//! | delta (`on_delta`) | Decoded leniently: members the model has no field for are kept; [`Source`] fields take numbers or strings; an update, value or meta entry that does not fit, or a known member of the wrong JSON kind, is skipped and the rest delivered; each skip is logged at WARN once per path (up to [`MAX_REPORTED_PATHS`] paths, then counted: [`Skipped::count`]). Only text that is not one JSON object, or whose `context` is not a string, is dropped as a whole, with a WARN line. |
//! | PUT value | Does not parse as the handler's argument type: the handler is not called; the reply is 400 ``invalid value at `member`: …``. |
//! | HTTP body | [`http::HttpRequest::json`] answers 400 ``invalid body at `member`: …``; a request the host sent that does not parse at all is a 400 without calling the handler. |
//! | provider request | Does not parse: reported with `sk_set_error`, answered empty (the server's default). |
//!
//! A struct at the top of a configuration, PUT value or HTTP body must be a JSON
//! object: serde's derive would read `[52, 4]` as `{"latitude": 52, "longitude": 4}`,
//! the SDK refuses it (for nested structs, see [`object_only`]). Use
//! `#[serde(deny_unknown_fields)]` to refuse misspelt members too; the server's
//! `enableDebug` is taken out of the configuration first, so it works there.
//!
//! ```
//! use serde::Deserialize;
//!
//! #[derive(Deserialize, Debug)]
//! #[serde(rename_all = "camelCase", deny_unknown_fields)]
//! struct Config { max_radius: f64 }
//!
//! let parse = |text: &str| signalk_plugin::config::parse::<Config>(text.as_bytes());
//! assert_eq!(parse(r#"{"maxRadius":50,"enableDebug":true}"#).unwrap().config.max_radius, 50.0);
//! assert!(parse("[50]").unwrap_err().to_string().contains("expected struct Config"));
//! assert!(parse(r#"{"maxRaduis":50}"#).unwrap_err().to_string().contains("unknown field"));
//! // A 1 MB bad value makes a 201-character error, not a 1 MB one.
//! let huge = format!(r#"{{"maxRadius":"{}"}}"#, "9".repeat(1 << 20));
//! let err = parse(&huge).unwrap_err().to_string();
//! assert_eq!(err.chars().count(), signalk_plugin::ERROR_TEXT_LIMIT + 1);
//!
//! // One bad update does not cost the others.
//! let (delta, skipped) = signalk_plugin::Delta::decode_lenient(
//!     br#"{"updates":[{"values":5},{"values":[{"path":"a","value":1}]}]}"#,
//! )?;
//! assert_eq!(delta.get::<f64>("a"), Some(1.0));
//! assert_eq!(skipped.len(), 1);
//! # Ok::<(), signalk_plugin::Error>(())
//! ```
//!
//! Values a plugin accepts are its own business: check them once, in one function, and
//! call it from `start` and from the PUT and HTTP handlers that change the same
//! setting (the examples in the repository do).
//!
//! # Testing
//!
//! - Natively, with [`testing`]: call the plugin's methods (handlers stay plain
//!   methods) and assert on the host calls the SDK recorded; [`testing::deliver`] hands
//!   a delta to `on_delta` as the generated export would.
//! - Under the real ABI, with the `signalk-plugin-host-mock` crate: the compiled
//!   `.wasm` under wasmtime, with signalk-server 2.32.0's imports, buffer sizes,
//!   capability rules and quirks, a time budget per call and an alloc ledger. The
//!   repository's reliability suite drives the examples through it with malformed
//!   input of every kind (`cargo test -p cross-crate-tests reliability -- --nocapture`).
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
//! - [`testing`]: the recorder that stands in for the host in unit tests (natively an
//!   in-process one; on wasm32 the mock host's test runner).
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

pub mod testing;

pub use config::schema::ConfigSchema;
pub use emit::{DeltaVersion, emit, emit_v2, emit_value, emit_values, notify};
pub use error::{ConfigError, ERROR_TEXT_LIMIT, Error, Result};
pub use model::{
    AlarmMethod, AlarmState, Delta, MAX_REPORTED_PATHS, Members, Meta, Notification, PathMeta,
    PathValue, RawJson, Skipped, Source, Update, Zone,
};
pub use objects::object_only;
pub use plugin::{BoxError, NoConfig, Plugin, PluginMetadata, PluginResult};
pub use signalk_plugin_macros::{ConfigSchema, plugin};
pub use status::{Capability, has_capability, set_error, set_status};
pub use vessel::{Deltas, self_context};

/// Re-exported so plugins can build values without adding `serde_json` themselves.
pub use serde_json::{self, Value, json};

/// The `log` facade, re-exported: `signalk_plugin::log::info!(…)` works without adding it.
pub use log;
