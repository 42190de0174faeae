//! The keys of `wasmCapabilities` in a plugin's `package.json` (§6.3).

use std::fmt;
use std::str::FromStr;

/// A capability a plugin declares in `package.json` under `wasmCapabilities`.
///
/// ```
/// use signalk_plugin_abi::Capability;
/// for c in Capability::ALL {
///     assert_eq!(c.as_str().parse::<Capability>(), Ok(c));
/// }
/// assert!("teleport".parse::<Capability>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Capability {
    /// `network`. Raw plugins have no HTTP client in 2.32.0, whatever this says.
    Network,
    /// `rawSockets`: UDP and TCP sockets.
    RawSockets,
    /// `putHandlers`: PUT handler registration.
    PutHandlers,
    /// `resourceProvider`.
    ResourceProvider,
    /// `weatherProvider`.
    WeatherProvider,
    /// `radarProvider`.
    RadarProvider,
    /// `httpEndpoints` (not enforced by 2.32.0).
    HttpEndpoints,
    /// `dataRead` (not enforced by 2.32.0).
    DataRead,
    /// `dataWrite` (not enforced by 2.32.0).
    DataWrite,
    /// `storage` (not enforced by 2.32.0).
    Storage,
}

impl Capability {
    /// Every capability, in the order the server's loader lists them.
    pub const ALL: [Capability; 10] = [
        Capability::Network,
        Capability::RawSockets,
        Capability::PutHandlers,
        Capability::ResourceProvider,
        Capability::WeatherProvider,
        Capability::RadarProvider,
        Capability::HttpEndpoints,
        Capability::DataRead,
        Capability::DataWrite,
        Capability::Storage,
    ];

    /// The key in `wasmCapabilities`.
    ///
    /// ```
    /// assert_eq!(signalk_plugin_abi::Capability::RawSockets.as_str(), "rawSockets");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Capability::Network => "network",
            Capability::RawSockets => "rawSockets",
            Capability::PutHandlers => "putHandlers",
            Capability::ResourceProvider => "resourceProvider",
            Capability::WeatherProvider => "weatherProvider",
            Capability::RadarProvider => "radarProvider",
            Capability::HttpEndpoints => "httpEndpoints",
            Capability::DataRead => "dataRead",
            Capability::DataWrite => "dataWrite",
            Capability::Storage => "storage",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `wasmCapabilities` key that names no [`Capability`].
///
/// ```
/// let err = "teleport".parse::<signalk_plugin_abi::Capability>().unwrap_err();
/// assert!(err.to_string().contains("`teleport`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCapability(pub String);

impl fmt::Display for UnknownCapability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown capability `{}`; known: ", self.0)?;
        for (i, c) in Capability::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(c.as_str())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownCapability {}

impl FromStr for Capability {
    type Err = UnknownCapability;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Capability::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCapability(s.to_owned()))
    }
}
