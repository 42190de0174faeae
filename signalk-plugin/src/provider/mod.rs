//! Resource, weather and radar providers (§3.7, §10).
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

use crate::abi::Refused;
use crate::{Capability, Error, Result};

/// The host's buffer for every provider reply, in bytes (§10).
///
/// ```
/// assert_eq!(
///     signalk_plugin::provider::REPLY_BUFFER,
///     signalk_plugin_abi::buffers::PROVIDER_REPLY
/// );
/// ```
pub const REPLY_BUFFER: usize = signalk_plugin_abi::buffers::PROVIDER_REPLY;

/// Calls one registration import and explains a refusal.
pub(crate) fn register(
    call: &'static str,
    capability: Capability,
    name: &str,
    import: fn(&str) -> Result<(), Refused>,
) -> Result<()> {
    import(name).map_err(|Refused(code)| {
        let capability = capability.as_str();
        Error::Registration(format!(
            "{call}({name:?}) returned {code}: is `{capability}: true` in wasmCapabilities?"
        ))
    })
}
