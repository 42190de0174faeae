//! Type checks the macro emits on every target, so a handler with the wrong types, or a
//! provider key without its trait impl, fails `cargo check` and `cargo test` on the
//! developer's machine, not only the `wasm32` build that uses the generated exports.
//! Each function does nothing: its bounds are the check, evaluated in a `const`.

use serde::de::DeserializeOwned;

use crate::Plugin;
use crate::http::{HttpRequest, IntoResponse};
use crate::provider::{RadarProvider, ResourceProvider, WeatherProvider};
use crate::put::IntoPutReply;

/// A `#[put]` method: `fn(&mut self, value: T) -> R` with `T` from JSON and `R` a reply.
pub const fn put_handler<P: Plugin, T: DeserializeOwned, R: IntoPutReply>(
    _handler: fn(&mut P, T) -> R,
) {
}

/// An `#[http]` method: `fn(&mut self, req: HttpRequest) -> R` with `R` a response that
/// owns its data (it outlives the borrow of `self`).
pub const fn http_handler<P: Plugin, R: IntoResponse>(_handler: fn(&mut P, HttpRequest) -> R) {}

/// `resources = [...]` needs `impl ResourceProvider`.
pub const fn resource_provider<P: Plugin + ResourceProvider>() {}

/// `weather = "..."` needs `impl WeatherProvider`.
pub const fn weather_provider<P: Plugin + WeatherProvider>() {}

/// `radar = "..."` needs `impl RadarProvider`.
pub const fn radar_provider<P: Plugin + RadarProvider>() {}
