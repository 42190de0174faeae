//! The one way the SDK parses JSON text.
//!
//! serde_json's parser is generic over its input reader; every reader type used
//! anywhere (`from_slice`, `from_str`, …) is another full copy of the parser in every
//! plugin binary. `RawJson` needs `from_str`, so everything parses from `&str`.

use serde::de::{DeserializeOwned, Error as _};

/// Parses UTF-8 bytes from the host as JSON.
pub(crate) fn from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_str(as_text(bytes)?)
}

/// The bytes as text; the host always sends UTF-8, so a failure means a broken host.
pub(crate) fn as_text(bytes: &[u8]) -> Result<&str, serde_json::Error> {
    std::str::from_utf8(bytes)
        .map_err(|e| serde_json::Error::custom(format!("input is not UTF-8: {e}")))
}
