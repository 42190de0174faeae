//! Reading the server's data model (§3.3).
//!
//! **signalk-server 2.32.0 cannot do this**: `sk_get_self_path` always returns nothing
//! there (the host calls a function the raw server app does not have). The working path
//! is to receive deltas: define [`Plugin::on_delta`](crate::Plugin::on_delta) and keep
//! the values you need. The function is here for hosts that fix it, and so the mock
//! host can model both.

use serde::de::DeserializeOwned;

use crate::{Result, abi};

/// Reads a path of this vessel (`sk_get_self_path`), for example `navigation.position`.
///
/// `Ok(None)` means the host returned nothing: the value is absent, or (always, on
/// 2.32.0) the host cannot read it. Buffers are grown from 4 KiB to 1 MiB, because the
/// host also answers nothing when the buffer is too small.
///
/// ```
/// let speed: Option<f64> = signalk_plugin::data::self_path("navigation.speedOverGround")?;
/// assert_eq!(speed, None); // as on signalk-server 2.32.0
/// # Ok::<(), signalk_plugin::Error>(())
/// ```
///
/// # Errors
/// [`Error::Json`](crate::Error::Json) if the value does not match `T`.
pub fn self_path<T: DeserializeOwned>(path: &str) -> Result<Option<T>> {
    let mut size = 4 * 1024;
    while size <= 1024 * 1024 {
        let mut buf = vec![0u8; size];
        if let Some(n) = abi::get_self_path(path, &mut buf) {
            return Ok(Some(crate::json::from_bytes(&buf[..n])?));
        }
        size *= 4;
    }
    Ok(None)
}
