//! Binary streams to WebSocket clients (§3.8), at
//! `/signalk/v2/api/streams/<stream id>`.
//!
//! A plugin may use stream ids `plugins/<package name>/…` (for a scoped package that
//! literally contains `@scope/`) and `radars/<id>`. There is no size limit and no
//! back-pressure signal.

use crate::{Result, abi};

/// Sends `data` on a binary stream (`sk_emit_binary_stream`).
///
/// ```
/// signalk_plugin::streams::emit("plugins/my-plugin/track", &[1, 2, 3])?;
/// # Ok::<(), signalk_plugin::Error>(())
/// ```
///
/// # Errors
/// [`Error::HostRejected`](crate::Error::HostRejected) when the host refuses the stream id.
pub fn emit(stream_id: &str, data: &[u8]) -> Result<()> {
    abi::emit_binary_stream(stream_id, data).map_err(crate::error::rejected(
        "sk_emit_binary_stream (stream ids are `plugins/<package name>/…` or `radars/<id>`)",
    ))
}

/// Sends radar spoke data on `radars/<radar_id>` (`sk_radar_emit_spokes`).
///
/// # Errors
/// [`Error::HostRejected`](crate::Error::HostRejected) without the `radarProvider` capability, or when the radar
/// provider was not registered by a successful `plugin_start`.
pub fn emit_radar_spokes(radar_id: &str, data: &[u8]) -> Result<()> {
    abi::radar_emit_spokes(radar_id, data).map_err(crate::error::rejected(
        "sk_radar_emit_spokes (needs `radarProvider` and a registered radar)",
    ))
}
