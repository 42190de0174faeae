//! The radar provider's request-taking exports (§10.3).

/// A radar provider method that takes a request, with the export the host calls for it.
/// (`radar_get_radars` takes none: [`crate::names::RADAR_GET_RADARS`].)
///
/// ```
/// use signalk_plugin_abi::radar::RadarMethod;
/// assert_eq!(RadarMethod::SetGain.export_name(), "radar_set_gain");
/// assert_eq!(RadarMethod::SetGain.variant_name(), "SetGain");
/// assert_eq!(RadarMethod::ALL.len(), 16);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RadarMethod {
    /// `getRadarInfo(id)`.
    RadarInfo,
    /// `setPower(id, state)`.
    SetPower,
    /// `setRange(id, range)`.
    SetRange,
    /// `setGain(id, gain)`.
    SetGain,
    /// `setSea(id, sea)`.
    SetSea,
    /// `setRain(id, rain)`.
    SetRain,
    /// `setControls(id, controls)`.
    SetControls,
    /// `getCapabilities(id)`.
    Capabilities,
    /// `getState(id)`.
    State,
    /// `getControl(id, controlId)`.
    Control,
    /// `setControl(id, controlId, value)`.
    SetControl,
    /// `getTargets(id)`.
    Targets,
    /// `acquireTarget(id, bearing, distance)`.
    AcquireTarget,
    /// `cancelTarget(id, targetId)`.
    CancelTarget,
    /// `getArpaSettings(id)`.
    ArpaSettings,
    /// `setArpaSettings(id, settings)`.
    SetArpaSettings,
}

impl RadarMethod {
    /// Every method.
    pub const ALL: [RadarMethod; 16] = [
        RadarMethod::RadarInfo,
        RadarMethod::SetPower,
        RadarMethod::SetRange,
        RadarMethod::SetGain,
        RadarMethod::SetSea,
        RadarMethod::SetRain,
        RadarMethod::SetControls,
        RadarMethod::Capabilities,
        RadarMethod::State,
        RadarMethod::Control,
        RadarMethod::SetControl,
        RadarMethod::Targets,
        RadarMethod::AcquireTarget,
        RadarMethod::CancelTarget,
        RadarMethod::ArpaSettings,
        RadarMethod::SetArpaSettings,
    ];

    /// The export the host calls.
    #[must_use]
    pub const fn export_name(self) -> &'static str {
        match self {
            RadarMethod::RadarInfo => "radar_get_radar_info",
            RadarMethod::SetPower => "radar_set_power",
            RadarMethod::SetRange => "radar_set_range",
            RadarMethod::SetGain => "radar_set_gain",
            RadarMethod::SetSea => "radar_set_sea",
            RadarMethod::SetRain => "radar_set_rain",
            RadarMethod::SetControls => "radar_set_controls",
            RadarMethod::Capabilities => "radar_get_capabilities",
            RadarMethod::State => "radar_get_state",
            RadarMethod::Control => "radar_get_control",
            RadarMethod::SetControl => "radar_set_control",
            RadarMethod::Targets => "radar_get_targets",
            RadarMethod::AcquireTarget => "radar_acquire_target",
            RadarMethod::CancelTarget => "radar_cancel_target",
            RadarMethod::ArpaSettings => "radar_get_arpa_settings",
            RadarMethod::SetArpaSettings => "radar_set_arpa_settings",
        }
    }

    /// The variant's name, for code generators that spell it out.
    #[must_use]
    pub const fn variant_name(self) -> &'static str {
        match self {
            RadarMethod::RadarInfo => "RadarInfo",
            RadarMethod::SetPower => "SetPower",
            RadarMethod::SetRange => "SetRange",
            RadarMethod::SetGain => "SetGain",
            RadarMethod::SetSea => "SetSea",
            RadarMethod::SetRain => "SetRain",
            RadarMethod::SetControls => "SetControls",
            RadarMethod::Capabilities => "Capabilities",
            RadarMethod::State => "State",
            RadarMethod::Control => "Control",
            RadarMethod::SetControl => "SetControl",
            RadarMethod::Targets => "Targets",
            RadarMethod::AcquireTarget => "AcquireTarget",
            RadarMethod::CancelTarget => "CancelTarget",
            RadarMethod::ArpaSettings => "ArpaSettings",
            RadarMethod::SetArpaSettings => "SetArpaSettings",
        }
    }

    /// How the host reads this method's reply (§10.3).
    #[must_use]
    pub const fn reply(self) -> RadarReply {
        match self {
            RadarMethod::SetPower
            | RadarMethod::SetRange
            | RadarMethod::SetGain
            | RadarMethod::SetSea
            | RadarMethod::SetRain
            | RadarMethod::SetControls
            | RadarMethod::CancelTarget => RadarReply::Flag,
            RadarMethod::Capabilities
            | RadarMethod::State
            | RadarMethod::Control
            | RadarMethod::Targets
            | RadarMethod::ArpaSettings => RadarReply::NullOnError,
            RadarMethod::SetControl | RadarMethod::AcquireTarget | RadarMethod::SetArpaSettings => {
                RadarReply::Outcome
            }
            RadarMethod::RadarInfo => RadarReply::Value,
        }
    }

    /// The method whose export is `name`.
    ///
    /// ```
    /// use signalk_plugin_abi::radar::RadarMethod;
    /// assert_eq!(RadarMethod::from_export_name("radar_set_sea"), Some(RadarMethod::SetSea));
    /// assert_eq!(RadarMethod::from_export_name("radar_get_radars"), None);
    /// ```
    #[must_use]
    pub fn from_export_name(name: &str) -> Option<RadarMethod> {
        RadarMethod::ALL
            .into_iter()
            .find(|m| m.export_name() == name)
    }
}

/// How the host turns a radar method's reply into the API's answer (§10.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RadarReply {
    /// A setter: only the exact text `true` means success; anything else is `false`.
    Flag,
    /// The parsed value, but `null` if it has an `error` member; `null` by default.
    NullOnError,
    /// The parsed value, or `{success: false, error}` when there is none.
    Outcome,
    /// The parsed value, or `null`.
    Value,
}
