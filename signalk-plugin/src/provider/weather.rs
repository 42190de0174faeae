use serde::{Deserialize, Serialize};

use crate::{PluginResult, RawJson};

/// A position in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Latitude.
    pub latitude: f64,
    /// Longitude.
    pub longitude: f64,
}

/// `getObservations` / `getWarnings`: where, and the API's options.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WeatherRequest {
    /// Where.
    pub position: Position,
    /// Options of the weather API (`maxCount`, `startDate`, …), if any.
    #[serde(default)]
    pub options: Option<RawJson>,
}

/// Daily or point forecasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForecastKind {
    /// One forecast per day.
    Daily,
    /// Forecasts at points in time.
    Point,
}

/// `getForecasts`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ForecastRequest {
    /// Where.
    pub position: Position,
    /// Daily or point.
    #[serde(rename = "type")]
    pub kind: ForecastKind,
    /// Options of the weather API, if any.
    #[serde(default)]
    pub options: Option<RawJson>,
}

/// A weather provider. Each method returns a list of Signal K weather data objects.
///
/// ```
/// use serde::Serialize;
/// use signalk_plugin::provider::*;
/// use signalk_plugin::{plugin, NoConfig, Plugin, PluginResult};
///
/// #[derive(Default)]
/// struct Wx;
///
/// #[derive(Serialize)]
/// struct Observation { date: &'static str, #[serde(rename = "type")] kind: &'static str }
///
/// #[plugin(id = "wx", name = "Wx", weather = "Wx")]
/// impl Plugin for Wx {
///     type Config = NoConfig;
///     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
/// }
///
/// impl WeatherProvider for Wx {
///     fn observations(&mut self, _: WeatherRequest) -> PluginResult<impl Serialize> {
///         Ok([Observation { date: "2026-11-24T10:00:00Z", kind: "observation" }])
///     }
///     fn forecasts(&mut self, _: ForecastRequest) -> PluginResult<impl Serialize> {
///         Ok(Vec::<Observation>::new())
///     }
///     fn warnings(&mut self, _: WeatherRequest) -> PluginResult<impl Serialize> {
///         Ok(Vec::<Observation>::new())
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has `weather = ...` in #[plugin] but does not implement `WeatherProvider`",
    label = "this weather provider needs `impl WeatherProvider for {Self}`"
)]
pub trait WeatherProvider {
    /// Observations near a position.
    fn observations(&mut self, request: WeatherRequest) -> PluginResult<impl Serialize>;
    /// Forecasts for a position.
    fn forecasts(&mut self, request: ForecastRequest) -> PluginResult<impl Serialize>;
    /// Warnings for a position.
    fn warnings(&mut self, request: WeatherRequest) -> PluginResult<impl Serialize>;
}
