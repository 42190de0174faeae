//! The one way the SDK parses JSON text.
//!
//! serde_json's parser is generic over its input reader; every reader type used
//! anywhere (`from_slice`, `from_str`, …) is another full copy of the parser in every
//! plugin binary. `RawJson` needs `from_str`, so everything parses from `&str`.

pub(crate) mod lookup;
pub(crate) mod scan;

use std::fmt;

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

/// Parses `text` as `T`. On failure, also returns the path of the member the error is
/// about (`zones[1].upper`, or `.` for the document), so a message can name the field.
pub(crate) fn from_str_at_path<T: DeserializeOwned>(
    text: &str,
) -> Result<T, (String, serde_json::Error)> {
    serde_json::from_str(text).map_err(|e| {
        let path = scan::path_at(text, offset_of(text, e.line(), e.column()));
        (path, e)
    })
}

/// `"<what>: <error>"`, or `"<what> at `<path>`: <error>"` when the error is about a member.
pub(crate) fn describe_error(what: &str, (path, error): (String, serde_json::Error)) -> String {
    let mut text = String::new();
    // Writing into a `String` cannot fail.
    let _ = write_member_error(&mut text, what, &path, error);
    text
}

/// Writes `"<what>: <message>"`, or `"<what> at `<path>`: <message>"` when `path` names a
/// member rather than the document (`.`). The one wording for config, PUT and HTTP errors.
pub(crate) fn write_member_error(
    out: &mut impl fmt::Write,
    what: &str,
    path: &str,
    message: impl fmt::Display,
) -> fmt::Result {
    if path == "." {
        write!(out, "{what}: {message}")
    } else {
        write!(out, "{what} at `{path}`: {message}")
    }
}

/// The byte offset of serde_json's 1-based line and column (the column counts bytes).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}
