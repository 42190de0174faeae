//! A tiny scanner over JSON *structure* (no values are decoded), used where a full
//! deserializer wrapper would add kilobytes to every plugin: taking the server's
//! `enableDebug` member out of the config text, and turning the position of a
//! serde_json error into the path of the member it is about.
//!
//! Input is always text serde_json is about to parse (or has parsed), so the scanner
//! can be lenient: on malformed input it just reports what it saw so far.

use std::ops::Range;

enum Frame {
    Object {
        key: Option<String>,
        expecting_key: bool,
    },
    Array {
        index: usize,
    },
}

/// Walks `text`, calling `visit(offset, stack)` before each byte that starts a token.
/// Returns early when `visit` returns `true`.
fn walk(text: &str, mut visit: impl FnMut(usize, &[Frame]) -> bool) {
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if visit(i, &stack) {
            return;
        }
        match b {
            b'{' => stack.push(Frame::Object {
                key: None,
                expecting_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { expecting_key, .. }) = stack.last_mut() {
                    *expecting_key = false;
                }
            }
            b'"' => {
                let end = string_end(bytes, i);
                if let Some(Frame::Object {
                    key,
                    expecting_key: true,
                }) = stack.last_mut()
                {
                    *key = Some(unescape(&text[i + 1..end.saturating_sub(1).max(i + 1)]));
                }
                i = end;
                continue;
            }
            _ => {
                // A number or a literal: skip to the next delimiter.
                while i < bytes.len()
                    && !matches!(bytes[i], b',' | b'}' | b']' | b':')
                    && !bytes[i].is_ascii_whitespace()
                {
                    i += 1;
                }
                continue;
            }
        }
        i += 1;
    }
    visit(bytes.len(), &stack);
}

/// The index just past the string that starts at `start` (a `"`).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Good enough for member names in error messages: common escapes decoded, `\u` kept.
fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other @ ('"' | '\\' | '/')) => out.push(other),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The dotted path (`zones[1].upper`, or `.` for the document) of the innermost member
/// whose value contains byte `offset`.
pub(crate) fn path_at(text: &str, offset: usize) -> String {
    let mut path = String::from(".");
    walk(text, |at, stack| {
        if at < offset {
            return false;
        }
        path = render(stack);
        true
    });
    path
}

fn render(stack: &[Frame]) -> String {
    let mut path = String::new();
    for frame in stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    if path.is_empty() {
        ".".to_owned()
    } else {
        path
    }
}

/// Finds the top-level member `key` of an object: returns the byte range to cut so the
/// rest is still valid JSON (the member and one adjoining comma), and the value's range.
pub(crate) fn top_level_member(text: &str, key: &str) -> Option<(Range<usize>, Range<usize>)> {
    let bytes = text.as_bytes();
    // (start of the member's key, end of the previous member's value / the `{`)
    let mut member_start = None;
    let mut prev_comma = None;
    let mut value_start = None;
    let mut found = None;
    walk(text, |at, stack| {
        if stack.len() != 1 {
            return false;
        }
        let Frame::Object {
            key: current,
            expecting_key,
        } = &stack[0]
        else {
            return true; // not an object
        };
        match bytes[at..].first() {
            Some(b'"') if *expecting_key => member_start = Some(at),
            Some(b',') => {
                if let (Some(start), Some(value)) = (member_start, value_start)
                    && current.as_deref() == Some(key)
                {
                    found = Some((start..at + 1, value..at));
                    return true;
                }
                prev_comma = Some(at);
                value_start = None;
            }
            Some(b'}') | None => {
                if let (Some(start), Some(value)) = (member_start, value_start)
                    && current.as_deref() == Some(key)
                {
                    found = Some((prev_comma.unwrap_or(start)..at, value..at));
                }
                return true;
            }
            Some(b':') => {}
            Some(_) if !*expecting_key && value_start.is_none() => value_start = Some(at),
            Some(_) => {}
        }
        false
    });
    // Trim whitespace off the value's range.
    found.map(|(cut, value)| {
        let v = &text[value.clone()];
        let start = value.start + (v.len() - v.trim_start().len());
        (cut, start..start + v.trim().len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_at_offsets() {
        let text = r#"{"maxRadius":1,"zones":[{"upper":1},{"upper":"x"}],"a":{"b":[1,[2,3]]}}"#;
        let at = |needle: &str| path_at(text, text.find(needle).unwrap() + 1);
        assert_eq!(at(r#""x""#), "zones[1].upper");
        assert_eq!(at("1,"), "maxRadius");
        assert_eq!(at("3]"), "a.b[1][1]");
        assert_eq!(path_at(text, 0), ".");
        assert_eq!(path_at(text, text.len()), ".");
    }

    #[test]
    fn escaped_keys_and_strings() {
        let text = r#"{"we\"ird":"va}l,ue","k":[ 1 , "]" ]}"#;
        assert_eq!(path_at(text, text.find("ue").unwrap()), "we\"ird");
        assert_eq!(path_at(text, text.find(r#""]""#).unwrap() + 1), "k[1]");
    }

    fn cut(text: &str) -> (String, Option<String>) {
        match top_level_member(text, "enableDebug") {
            Some((cut, value)) => {
                let mut rest = text.to_owned();
                rest.replace_range(cut, "");
                (rest, Some(text[value].to_owned()))
            }
            None => (text.to_owned(), None),
        }
    }

    #[test]
    fn removes_the_member_anywhere_at_top_level() {
        assert_eq!(
            cut(r#"{"a":1,"enableDebug":true}"#),
            (r#"{"a":1}"#.into(), Some("true".into()))
        );
        assert_eq!(
            cut(r#"{"enableDebug":false,"a":1}"#),
            (r#"{"a":1}"#.into(), Some("false".into()))
        );
        assert_eq!(
            cut(r#"{"enableDebug":false}"#),
            ("{}".into(), Some("false".into()))
        );
        assert_eq!(
            cut(r#"{ "a" : 1 , "enableDebug" : true , "b" : [ {"enableDebug":1} ] }"#),
            (
                r#"{ "a" : 1 ,  "b" : [ {"enableDebug":1} ] }"#.into(),
                Some("true".into())
            )
        );
        assert_eq!(cut(r#"{"a":{"enableDebug":true}}"#).1, None);
        assert_eq!(cut(r#"[1,2]"#).1, None);
        assert_eq!(
            cut(r#"{"x":"enableDebug","enableDebug":{"n":[1]}}"#).1,
            Some(r#"{"n":[1]}"#.into())
        );
    }

    #[test]
    fn results_stay_valid_json() {
        for text in [
            r#"{"a":1,"enableDebug":true}"#,
            r#"{"enableDebug":false,"a":1}"#,
            r#"{"enableDebug":false}"#,
            r#"{"a":1,"enableDebug":true,"b":2}"#,
        ] {
            let (rest, _) = cut(text);
            serde_json::from_str::<serde_json::Value>(&rest)
                .unwrap_or_else(|e| panic!("{rest}: {e}"));
        }
    }
}
