//! Plugin status and error messages, and capability queries.

use crate::abi;

/// Sets the plugin's status message (`sk_set_status`).
///
/// The server broadcasts it as a `PROVIDERSTATUS` event. In 2.32.0 it does not show in
/// the plugin list's `statusMessage`. An empty message clears it.
///
/// ```
/// signalk_plugin::set_status("Watching anchor");
/// assert_eq!(signalk_plugin::testing::statuses(), ["Watching anchor"]);
/// ```
pub fn set_status(message: &str) {
    abi::set_status(message);
}

/// Sets the plugin's error message (`sk_set_error`). The plugin's state stays `running`.
///
/// ```
/// signalk_plugin::set_error("GPS lost");
/// assert_eq!(signalk_plugin::testing::errors(), ["GPS lost"]);
/// ```
pub fn set_error(message: &str) {
    abi::set_error(message);
}

/// Capabilities a plugin declares in `package.json` under `wasmCapabilities`; defined
/// in `signalk-plugin-abi`, the host contract.
///
/// ```
/// assert_eq!(signalk_plugin::Capability::RawSockets.as_str(), "rawSockets");
/// ```
pub use signalk_plugin_abi::Capability;

/// Asks the host whether a capability was granted (`sk_has_capability`).
///
/// signalk-server 2.32.0 answers truthfully only for [`Capability::Network`] and
/// [`Capability::RawSockets`]; for every other capability it answers `false` even when
/// granted. Registration calls (PUT handlers, providers) report a missing capability
/// themselves.
///
/// ```
/// use signalk_plugin::{has_capability, testing, Capability};
/// assert!(!has_capability(Capability::RawSockets));
/// testing::grant(Capability::RawSockets);
/// assert!(has_capability(Capability::RawSockets));
/// ```
#[must_use]
pub fn has_capability(capability: Capability) -> bool {
    abi::has_capability(capability.as_str())
}
