//! Resource, weather and radar providers (spec §3.7, §10).
//!
//! Implement the trait on your plugin type and name what you provide in the attribute:
//! `#[plugin(..., resources = ["routes", "waypoints"])]`, `weather = "My Weather"`,
//! `radar = "My Radar"`. The macro registers the provider inside `plugin_start` (the
//! only place where the 2.32.0 host gives it an instance) and exports the handlers the
//! server calls.
//!
//! Replies must fit the host's 64 KiB buffer; a larger one is not truncated into
//! garbage but reported with `sk_set_error` and answered empty (the server then sends
//! its default: `{}` or `[]`).

mod radar;
mod resources;
mod weather;

pub use radar::{RadarProvider, RadarRequest};
pub use resources::{DeleteRequest, GetRequest, ListRequest, ResourceProvider, SetRequest};
pub use weather::{ForecastKind, ForecastRequest, Position, WeatherProvider, WeatherRequest};

use crate::{Error, Result};

/// The host's buffer for every provider reply, in bytes.
pub const REPLY_BUFFER: usize = 65_536;

/// Calls one registration import and explains a refusal.
pub(crate) fn register(
    call: &'static str,
    capability: &'static str,
    name: &str,
    import: fn(&str) -> i32,
) -> Result<()> {
    match import(name) {
        1 => Ok(()),
        code => Err(Error::Registration(format!(
            "{call}({name:?}) returned {code}: is `{capability}: true` in wasmCapabilities?"
        ))),
    }
}
