//! The registrations the generated `plugin_start` makes before calling
//! `Plugin::start`: PUT handlers and providers. Each names what is missing when the host
//! refuses. The macro reaches these as `__private::runtime::register_*`.

use crate::{Capability, put};

/// Registers a PUT handler (called by the generated `plugin_start`).
///
/// # Errors
/// [`crate::Error::Registration`] naming the handler and the missing capability.
pub fn register_put(context: &str, path: &str) -> crate::Result<()> {
    put::register(context, path).map_err(|err| {
        crate::Error::Registration(format!("PUT handler for {context} {path}: {err}"))
    })
}

/// Registers a resource provider for one type (called by the generated `plugin_start`).
///
/// # Errors
/// [`crate::Error::Registration`] naming the missing capability.
pub fn register_resources(kind: &str) -> crate::Result<()> {
    let import = crate::abi::register_resource_provider;
    crate::provider::register(
        "sk_register_resource_provider",
        Capability::ResourceProvider,
        kind,
        import,
    )
}

/// Registers the weather provider (called by the generated `plugin_start`).
///
/// # Errors
/// [`crate::Error::Registration`] naming the missing capability.
pub fn register_weather(name: &str) -> crate::Result<()> {
    let import = crate::abi::register_weather_provider;
    crate::provider::register(
        "sk_register_weather_provider",
        Capability::WeatherProvider,
        name,
        import,
    )
}

/// Registers the radar provider (called by the generated `plugin_start`).
///
/// # Errors
/// [`crate::Error::Registration`] naming the missing capability.
pub fn register_radar(name: &str) -> crate::Result<()> {
    let import = crate::abi::register_radar_provider;
    crate::provider::register(
        "sk_register_radar_provider",
        Capability::RadarProvider,
        name,
        import,
    )
}
