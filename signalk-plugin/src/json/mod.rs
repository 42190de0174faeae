//! The one way the SDK parses JSON text.
//!
//! serde_json's parser is generic over its input reader; every reader type used
//! anywhere (`from_slice`, `from_str`, …) is another full copy of the parser in every
//! plugin binary. `RawJson` needs `from_str`, so everything parses from `&str`.

pub(crate) mod lookup;
pub(crate) mod scan;

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeOwned, Error as _};

/// How many of the kept characters come from the end of a cut text: serde ends its
/// messages with what was expected and where (`expected f64 at line 1 column 9`).
const KEPT_TAIL: usize = 50;

/// The most characters an error text that quotes input keeps (plus one `…`).
///
/// Configurations, PUT values, HTTP bodies and received deltas come from outside the
/// plugin, and serde quotes what it could not use (`invalid type: string "…"`), so
/// one bad 1 MB value would make a 1 MB error. Every error text the SDK builds from such
/// input — [`ConfigError`](crate::ConfigError), [`Error::Json`](crate::Error::Json), the 400 replies to a PUT value or HTTP body
/// that does not parse, the reports of skipped delta members — is cut to this many
/// characters when longer: the first 150 and the last 50 (where serde says what it
/// expected), joined by `…`. The cut falls on a character boundary. So an error reply
/// always fits the host's buffer and keeps its own status code.
///
/// ```
/// #[derive(serde::Deserialize, Debug)]
/// struct Config { radius: f64 }
/// let huge = format!(r#"{{"radius":"{}"}}"#, "x".repeat(100_000));
/// let err = signalk_plugin::config::parse::<Config>(huge.as_bytes()).unwrap_err();
/// let text = err.to_string();
/// assert_eq!(text.chars().count(), signalk_plugin::ERROR_TEXT_LIMIT + 1);
/// assert!(text.starts_with("invalid configuration at `radius`: invalid type: string \"xxx"));
/// assert!(text.contains("xxx…xxx"));
/// assert!(text.contains("expected f64"));
/// ```
pub const ERROR_TEXT_LIMIT: usize = 200;

/// `text` cut to [`ERROR_TEXT_LIMIT`] characters when it is longer: the first 150 and the
/// last 50, joined by `…`. The one place error texts that quote input are bounded.
pub(crate) fn bounded(text: &str) -> Cow<'_, str> {
    // A byte that does not continue a UTF-8 sequence starts a character.
    let starts = |b: &u8| *b & 0xC0 != 0x80;
    let bytes = text.as_bytes();
    if bytes.len() <= ERROR_TEXT_LIMIT
        || bytes.iter().filter(|b| starts(b)).count() <= ERROR_TEXT_LIMIT
    {
        return Cow::Borrowed(text);
    }
    // The first `ERROR_TEXT_LIMIT - KEPT_TAIL` characters, and the last `KEPT_TAIL`.
    let mut head_end = 0;
    let mut seen = 0;
    for (i, b) in bytes.iter().enumerate() {
        if starts(b) {
            if seen == ERROR_TEXT_LIMIT - KEPT_TAIL {
                head_end = i;
                break;
            }
            seen += 1;
        }
    }
    let mut tail_start = bytes.len();
    let mut seen = 0;
    while seen < KEPT_TAIL {
        tail_start -= 1;
        if starts(&bytes[tail_start]) {
            seen += 1;
        }
    }
    let mut out = String::with_capacity(head_end + 3 + text.len() - tail_start);
    out.push_str(&text[..head_end]);
    out.push('…');
    out.push_str(&text[tail_start..]);
    Cow::Owned(out)
}

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
/// A struct at the top must be a JSON object, not an array (`crate::objects`).
pub(crate) fn from_str_at_path<T: DeserializeOwned>(
    text: &str,
) -> Result<T, (String, serde_json::Error)> {
    crate::objects::from_str(text).map_err(|e| {
        let path = scan::path_at(text, offset_of(text, e.line(), e.column()));
        (path, e)
    })
}

/// [`bounded`] for an owned text: returned as is when short enough.
pub(crate) fn bound(text: String) -> String {
    match bounded(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(cut) => cut,
    }
}

/// `"<what>: <error>"`, or `"<what> at `<path>`: <error>"` when the error is about a member,
/// [`bounded`].
pub(crate) fn describe_error(what: &str, (path, error): (String, serde_json::Error)) -> String {
    member_error(what, &path, error)
}

/// `"<what>: <message>"`, or `"<what> at `<path>`: <message>"` when `path` names a member
/// rather than the document (`.`), [`bounded`]. The one wording for config, PUT and HTTP
/// errors.
pub(crate) fn member_error(what: &str, path: &str, message: impl fmt::Display) -> String {
    bound(if path == "." {
        format!("{what}: {message}")
    } else {
        format!("{what} at `{path}`: {message}")
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_are_kept_as_they_are() {
        for len in [0, 1, 50, ERROR_TEXT_LIMIT] {
            let text = "é".repeat(len);
            assert!(
                matches!(bounded(&text), Cow::Borrowed(t) if t == text),
                "{len}"
            );
        }
    }

    #[test]
    fn long_texts_keep_the_first_150_and_last_50_characters() {
        let text: String = (0..100_000)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let cut = bounded(&text);
        assert_eq!(cut.chars().count(), ERROR_TEXT_LIMIT + 1);
        let (head, tail) = cut.split_once('…').unwrap();
        assert_eq!(head, &text[..150]);
        assert_eq!(tail, &text[text.len() - 50..]);
        // One character over the limit is cut too.
        let just_over = "x".repeat(ERROR_TEXT_LIMIT + 1);
        assert_eq!(
            bounded(&just_over),
            format!("{}…{}", "x".repeat(150), "x".repeat(50))
        );
    }

    #[test]
    fn the_cut_falls_on_character_boundaries() {
        // 1, 2, 3 and 4-byte characters, a megabyte of them.
        let text = "aé€🦀".repeat(1 << 18);
        let cut = bounded(&text);
        assert_eq!(cut.chars().count(), ERROR_TEXT_LIMIT + 1);
        let chars: Vec<char> = text.chars().collect();
        let expected: String = chars[..150]
            .iter()
            .chain(['…'].iter())
            .chain(&chars[chars.len() - 50..])
            .collect();
        assert_eq!(cut, expected);
    }

    #[test]
    fn member_errors_quoting_a_megabyte_are_bounded() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Anchor {
            radius: f64,
        }
        let text = format!(r#"{{"radius":"{}"}}"#, "x".repeat(1 << 20));
        let err = from_str_at_path::<Anchor>(&text).unwrap_err();
        let message = describe_error("invalid value", err);
        assert_eq!(message.chars().count(), ERROR_TEXT_LIMIT + 1);
        assert!(
            message.starts_with("invalid value at `radius`: invalid type: string \"xxx"),
            "{message}"
        );
        // serde points at the closing quote: after `{"radius":"` and the string.
        let column = r#"{"radius":""#.len() + (1 << 20) + 1;
        let tail = format!("xxx\", expected f64 at line 1 column {column}");
        assert!(message.ends_with(&tail), "{message}");
    }

    #[test]
    fn json_errors_display_bounded() {
        let value = crate::RawJson::from("y".repeat(1 << 20));
        let err = value.parse::<f64>().unwrap_err();
        let text = err.to_string();
        assert_eq!(text.chars().count(), ERROR_TEXT_LIMIT + 1);
        assert!(
            text.starts_with("JSON error: invalid type: string \"yyy"),
            "{text}"
        );
        // The serde_json error inside is whole, and not repeated as a source.
        let crate::Error::Json(inner) = &err else {
            panic!("{err:?}")
        };
        assert!(inner.to_string().len() > 1 << 20);
        assert!(std::error::Error::source(&err).is_none());
    }
}
