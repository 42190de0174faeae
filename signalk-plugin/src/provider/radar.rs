use serde::Deserialize;

use crate::{PluginResult, RawJson};

/// A radar API request: the radar and the whole request JSON (which carries the
/// method's own members: `state`, `range`, `gain`, `controls`, `controlId`, `value`,
/// `bearing`, `distance`, `targetId`, `settings`).
#[derive(Debug, Clone, PartialEq)]
pub struct RadarRequest {
    /// The radar.
    pub radar_id: String,
    /// The whole request.
    pub raw: RawJson,
}

impl RadarRequest {
    /// Parses the request (for example into a struct with the method's members).
    ///
    /// # Errors
    /// [`Error::Json`](crate::Error::Json) if it does not match `T`.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> crate::Result<T> {
        self.raw.parse()
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        #[derive(Deserialize)]
        struct Id {
            #[serde(rename = "radarId", default)]
            radar_id: String,
        }
        let text = crate::json::as_text(bytes)?;
        let id: Id = serde_json::from_str(text)?;
        Ok(Self {
            radar_id: id.radar_id,
            raw: RawJson::from_text(text.to_owned())
                .map_err(|_| <serde_json::Error as serde::de::Error>::custom("invalid request"))?,
        })
    }
}

/// A radar provider. Only [`radars`](Self::radars) is required; every other method
/// answers "not supported" unless implemented. Getters return `None` for "nothing"
/// (the server answers `null`); setters return whether they succeeded (the server needs
/// the literal `true`, which the SDK sends for `Ok(true)`).
#[allow(unused_variables)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` has `radar = ...` in #[plugin] but does not implement `RadarProvider`",
    label = "this radar provider needs `impl RadarProvider for {Self}`"
)]
pub trait RadarProvider {
    /// The ids of the radars this plugin provides.
    fn radars(&mut self) -> PluginResult<Vec<String>>;
    /// `getRadarInfo`.
    fn radar_info(&mut self, request: RadarRequest) -> PluginResult<Option<RawJson>> {
        Ok(None)
    }
    /// `setPower` (`state`).
    fn set_power(&mut self, request: RadarRequest) -> PluginResult<bool> {
        Ok(false)
    }
    /// `setRange` (`range`).
    fn set_range(&mut self, request: RadarRequest) -> PluginResult<bool> {
        Ok(false)
    }
    /// `setGain` (`gain`).
    fn set_gain(&mut self, request: RadarRequest) -> PluginResult<bool> {
        Ok(false)
    }
    /// `setSea` (`sea`).
    fn set_sea(&mut self, request: RadarRequest) -> PluginResult<bool> {
        Ok(false)
    }
    /// `setRain` (`rain`).
    fn set_rain(&mut self, request: RadarRequest) -> PluginResult<bool> {
        Ok(false)
    }
    /// `setControls` (`controls`).
    fn set_controls(&mut self, request: RadarRequest) -> PluginResult<bool> {
        Ok(false)
    }
    /// `getCapabilities`.
    fn capabilities(&mut self, request: RadarRequest) -> PluginResult<Option<RawJson>> {
        Ok(None)
    }
    /// `getState`.
    fn state(&mut self, request: RadarRequest) -> PluginResult<Option<RawJson>> {
        Ok(None)
    }
    /// `getControl` (`controlId`).
    fn control(&mut self, request: RadarRequest) -> PluginResult<Option<RawJson>> {
        Ok(None)
    }
    /// `setControl` (`controlId`, `value`): `{success, error?}`.
    fn set_control(&mut self, request: RadarRequest) -> PluginResult<Option<RawJson>> {
        Ok(None)
    }
    /// `getTargets`.
    fn targets(&mut self, request: RadarRequest) -> PluginResult<Option<RawJson>> {
        Ok(None)
    }
    /// `acquireTarget` (`bearing`, `distance`): `{success, …}`.
    fn acquire_target(&mut self, request: RadarRequest) -> PluginResult<Option<RawJson>> {
        Ok(None)
    }
    /// `cancelTarget` (`targetId`).
    fn cancel_target(&mut self, request: RadarRequest) -> PluginResult<bool> {
        Ok(false)
    }
    /// `getArpaSettings`.
    fn arpa_settings(&mut self, request: RadarRequest) -> PluginResult<Option<RawJson>> {
        Ok(None)
    }
    /// `setArpaSettings` (`settings`): `{success, …}`.
    fn set_arpa_settings(&mut self, request: RadarRequest) -> PluginResult<Option<RawJson>> {
        Ok(None)
    }
}
