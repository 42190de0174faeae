//! A port of `qs.parse` (qs 6.16.2, `qs/lib/parse.js` and the helpers it uses from
//! `qs/lib/utils.js`) for the two ways signalk-server 2.32.0 calls it:
//!
//! - Express's "extended" query parser (`express/lib/utils.js`,
//!   `parseExtendedQueryString`): `{ allowPrototypes: true, arrayLimit: 1000 }`, so
//!   depth 5, 1,000 parameters, and keys nested past depth 5 kept as one literal
//!   segment ([`QsOptions::QUERY`]);
//! - body-parser's extended urlencoded parser (`body-parser/lib/types/urlencoded.js`,
//!   `extendedparser`): `{ allowPrototypes: true, arrayLimit: max(100, parameter
//!   count), depth: 32, strictDepth: true, parameterLimit: 1000 }`
//!   ([`QsOptions::urlencoded`]), where nesting past depth 32 is an error.
//!
//! Only the code paths those options reach are ported (no `allowDots`, `comma`,
//! charset sentinel, `plainObjects`, `throwOnLimitExceeded`); the function names below
//! are qs's, so each can be read next to its original.

use serde_json::Value;

use super::js_value::{JsArray, JsObject, JsValue, canonical_int, number_to_string};

/// The options of one `qs.parse` caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct QsOptions {
    /// `arrayLimit`: indexes at or above it make objects, arrays longer than it too.
    pub array_limit: usize,
    /// `depth`: bracket groups parsed per key.
    pub depth: usize,
    /// `parameterLimit`: `&`-separated parts read (the rest are ignored).
    pub parameter_limit: usize,
    /// `strictDepth`: more groups than `depth` is an error instead of a literal tail.
    pub strict_depth: bool,
}

/// `RangeError('Input depth exceeded depth option of N and strictDepth is true')`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DepthExceeded;

impl QsOptions {
    /// Express 4.22.3's extended query parser.
    pub const QUERY: QsOptions = QsOptions {
        array_limit: 1000,
        depth: 5,
        parameter_limit: 1000,
        strict_depth: false,
    };

    /// body-parser 1.20.9's extended urlencoded parser for a body with
    /// `parameter_count` `&`-separated parts (which it has checked against 1,000).
    pub fn urlencoded(parameter_count: usize) -> QsOptions {
        QsOptions {
            array_limit: parameter_count.max(100),
            depth: 32,
            parameter_limit: 1000,
            strict_depth: true,
        }
    }
}

/// `qs.parse(text, options)`, as the JSON `JSON.stringify` would make of the result.
///
/// # Errors
///
/// [`DepthExceeded`] with `strict_depth` and a key nested deeper than `depth`.
pub(crate) fn parse(text: &str, options: &QsOptions) -> Result<Value, DepthExceeded> {
    let mut result = JsValue::Object(JsObject::default());
    if text.is_empty() {
        return Ok(result.into_json());
    }
    for (key, value) in parse_values(text, options).into_entries() {
        if let Some(parsed) = parse_keys(&key, value, options)? {
            result = merge(result, parsed, options.array_limit);
        }
    }
    Ok(result.into_json())
}

/// `parseQueryStringValues`: splits on `&`, decodes each key and value, combines
/// repeated keys into arrays. Keys are still flat (`a[b]`).
fn parse_values(text: &str, options: &QsOptions) -> JsObject {
    let clean = brackets_unescaped(text);
    let mut values = JsObject::default();
    for part in clean.split('&').take(options.parameter_limit) {
        // A `]=` marks the end of a bracketed key even when the key holds an `=`.
        let pos = part.find("]=").map(|at| at + 1).or_else(|| part.find('='));
        let (key, value) = match pos {
            None => (decode(part), String::new()),
            Some(at) => (decode(&part[..at]), decode(&part[at + 1..])),
        };
        let value = JsValue::Str(value);
        match values.get_mut(&key) {
            Some(existing) => {
                let previous = std::mem::replace(existing, JsValue::Str(String::new()));
                *existing = combine(previous, value, options.array_limit);
            }
            None => values.set(key, value),
        }
    }
    values
}

/// `str.replace(/%5B/gi, '[').replace(/%5D/gi, ']')`: encoded brackets count as
/// brackets (in values too, where decoding would give the same text anyway).
fn brackets_unescaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let bytes = tail.as_bytes();
        if bytes.len() >= 3 && bytes[1] == b'5' && matches!(bytes[2], b'B' | b'b') {
            out.push('[');
            rest = &tail[3..];
        } else if bytes.len() >= 3 && bytes[1] == b'5' && matches!(bytes[2], b'D' | b'd') {
            out.push(']');
            rest = &tail[3..];
        } else {
            out.push('%');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// `utils.decode` for utf-8: `+` is a space; then `decodeURIComponent`, and when that
/// throws (a `%` not followed by two hex digits, escapes that are not UTF-8) the text
/// with only the `+` replaced.
pub(crate) fn decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    if !spaced.contains('%') {
        return spaced;
    }
    decode_uri_component(&spaced).unwrap_or(spaced)
}

/// ECMAScript `decodeURIComponent`: `None` where it throws `URIError`. A run of
/// consecutive escapes must be valid UTF-8 as a whole, which is the same condition as
/// the standard's escape-by-escape decoding.
pub(crate) fn decode_uri_component(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let mut bytes = Vec::new();
        let mut run = &rest[at..];
        while let Some(escape) = run.strip_prefix('%') {
            let hex = escape.get(..2)?;
            bytes.push(
                u8::from_str_radix(hex, 16)
                    .ok()
                    .filter(|_| hex.bytes().all(|b| b.is_ascii_hexdigit()))?,
            );
            run = &escape[2..];
        }
        out.push_str(std::str::from_utf8(&bytes).ok()?);
        rest = run;
    }
    out.push_str(rest);
    Some(out)
}

/// `parseQueryStringKeys`: nothing for an empty key; the key's segments otherwise.
fn parse_keys(
    key: &str,
    value: JsValue,
    options: &QsOptions,
) -> Result<Option<JsValue>, DepthExceeded> {
    if key.is_empty() {
        return Ok(None);
    }
    let segments = split_key_into_segments(key, options)?;
    Ok(Some(parse_object(&segments, value, options)))
}

/// `splitKeyIntoSegments` (without `allowDots`, and with `allowPrototypes`, so no key
/// is refused): `a[b][c]` is `a`, `[b]`, `[c]`; bracket groups nest (`[c[]]` is one);
/// an unterminated group and whatever follows `depth` groups stay one literal segment.
fn split_key_into_segments(key: &str, options: &QsOptions) -> Result<Vec<String>, DepthExceeded> {
    let mut segments = Vec::new();
    let first = key.find('[');
    let parent = first.map_or(key, |at| &key[..at]);
    if !parent.is_empty() {
        segments.push(parent.to_owned());
    }
    let bytes = key.as_bytes();
    let mut open = first;
    let mut collected = 0;
    while let Some(start) = open {
        if collected >= options.depth {
            break;
        }
        let mut level = 1;
        let mut close = None;
        for (at, &b) in bytes.iter().enumerate().skip(start + 1) {
            match b {
                b'[' => level += 1,
                b']' => {
                    level -= 1;
                    if level == 0 {
                        close = Some(at);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(close) = close else {
            segments.push(format!("[{}]", &key[start..]));
            return Ok(segments);
        };
        segments.push(key[start..=close].to_owned());
        collected += 1;
        open = key[close + 1..].find('[').map(|at| at + close + 1);
    }
    if let Some(start) = open {
        if options.strict_depth {
            return Err(DepthExceeded);
        }
        segments.push(format!("[{}]", &key[start..]));
    }
    Ok(segments)
}

/// `parseObject`: builds the value for one key from the innermost segment out. `[]`
/// appends; `[n]` below the array limit is an array index; any other segment (and an
/// index at or past the limit, as an "overflow" object) is a property name, except
/// `__proto__`, which is dropped.
fn parse_object(chain: &[String], value: JsValue, options: &QsOptions) -> JsValue {
    let mut leaf = value;
    for root in chain.iter().rev() {
        leaf = if root == "[]" {
            if matches!(&leaf, JsValue::Object(o) if o.overflow.is_some()) {
                leaf
            } else {
                combine(
                    JsValue::Array(JsArray::default()),
                    leaf,
                    options.array_limit,
                )
            }
        } else {
            let clean = if root.len() >= 2 && root.starts_with('[') && root.ends_with(']') {
                &root[1..root.len() - 1]
            } else {
                root.as_str()
            };
            let index = canonical_int(clean).filter(|&i| i >= 0.0 && clean != root);
            match index {
                #[allow(clippy::cast_precision_loss)]
                Some(i) if i < options.array_limit as f64 => {
                    let mut array = JsArray::default();
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    array.set(i as usize, leaf);
                    JsValue::Array(array)
                }
                Some(i) => {
                    let mut object = JsObject::default();
                    object.set(clean.to_owned(), leaf);
                    object.overflow = Some(i);
                    JsValue::Object(object)
                }
                None if clean == "__proto__" => JsValue::Object(JsObject::default()),
                None => {
                    let mut object = JsObject::default();
                    object.set(clean.to_owned(), leaf);
                    JsValue::Object(object)
                }
            }
        };
    }
    leaf
}

/// `utils.combine(a, b, arrayLimit)`: `[].concat(a, b)`, an overflow object past the
/// limit; an overflow `a` takes `b` at its next index.
fn combine(a: JsValue, b: JsValue, limit: usize) -> JsValue {
    if let JsValue::Object(mut object) = a {
        if let Some(mut max) = object.overflow {
            let values = match b {
                JsValue::Array(array) => array.items,
                other => vec![Some(other)],
            };
            for value in values {
                max += 1.0;
                // An undefined element leaves an undefined property, which JSON omits.
                if let Some(value) = value {
                    object.set(number_to_string(max), value);
                }
            }
            object.overflow = Some(max);
            return JsValue::Object(object);
        }
        return overflow_if_long(
            JsArray::default().concat(JsValue::Object(object)).concat(b),
            limit,
        );
    }
    overflow_if_long(JsArray::default().concat(a).concat(b), limit)
}

/// An array longer than `limit` becomes `arrayToObject(array)` marked as an overflow
/// with its last index.
fn overflow_if_long(array: JsArray, limit: usize) -> JsValue {
    let len = array.items.len();
    if len > limit {
        let mut object = array.into_object();
        #[allow(clippy::cast_precision_loss)]
        let last = (len - 1) as f64;
        object.overflow = Some(last);
        JsValue::Object(object)
    } else {
        JsValue::Array(array)
    }
}

/// `utils.merge(target, source, { arrayLimit, strictMerge: true })`, the step that
/// folds each key's value into the result.
fn merge(target: JsValue, source: JsValue, limit: usize) -> JsValue {
    match source {
        // `if (!source) return target`: the empty string is falsy.
        JsValue::Str(s) if s.is_empty() => target,
        JsValue::Str(s) => merge_scalar(target, s, limit),
        container => merge_container(target, container, limit),
    }
}

/// `merge` with a non-empty string source.
fn merge_scalar(target: JsValue, source: String, limit: usize) -> JsValue {
    match target {
        JsValue::Array(mut array) => {
            let next = array.items.len();
            if next >= limit {
                let mut object = array.concat(JsValue::Str(source)).into_object();
                #[allow(clippy::cast_precision_loss)]
                let next = next as f64;
                object.overflow = Some(next);
                return JsValue::Object(object);
            }
            array.items.push(Some(JsValue::Str(source)));
            JsValue::Array(array)
        }
        JsValue::Object(mut object) => {
            if let Some(max) = object.overflow {
                object.set(number_to_string(max + 1.0), JsValue::Str(source));
                object.overflow = Some(max + 1.0);
                JsValue::Object(object)
            } else if let Some(index) = object.conflict {
                object.set(number_to_string(index + 1.0), JsValue::Str(source));
                object.conflict = Some(index + 1.0);
                JsValue::Object(object)
            } else {
                // strictMerge: an object meeting a string makes a pair, marked as a
                // conflict so later strings append to it.
                JsValue::Array(JsArray {
                    items: vec![Some(JsValue::Object(object)), Some(JsValue::Str(source))],
                    conflict: Some(1.0),
                })
            }
        }
        JsValue::Str(previous) => JsValue::Array(JsArray {
            items: vec![Some(JsValue::Str(previous)), Some(JsValue::Str(source))],
            conflict: None,
        }),
    }
}

/// `merge` with an array or object source.
fn merge_container(target: JsValue, source: JsValue, limit: usize) -> JsValue {
    let (mut object, source) = match (target, source) {
        (JsValue::Str(previous), source) => return merge_into_string(previous, source, limit),
        (JsValue::Array(mut array), JsValue::Array(items)) => {
            for (i, item) in items.items.into_iter().enumerate() {
                let Some(item) = item else { continue };
                match array.items.get_mut(i) {
                    Some(Some(existing)) => {
                        if is_container(existing) && is_container(&item) {
                            let previous = std::mem::replace(existing, JsValue::Str(String::new()));
                            *existing = merge(previous, item, limit);
                        } else {
                            array.items.push(Some(item));
                        }
                    }
                    _ => array.set(i, item),
                }
            }
            return overflow_if_long(array, limit);
        }
        (JsValue::Array(array), source) => {
            let conflict = array.conflict;
            let len = array.items.len();
            let mut object = array.into_object();
            if conflict.is_some() {
                // The array may have grown past its last conflict: continue after it.
                #[allow(clippy::cast_precision_loss)]
                let last = len as f64 - 1.0;
                object.conflict = Some(last);
            }
            (object, source)
        }
        (JsValue::Object(object), source) => (object, source),
    };
    let (entries, source_overflow): (Vec<(String, JsValue)>, Option<f64>) = match source {
        JsValue::Object(o) => {
            let overflow = o.overflow;
            (o.into_entries().collect(), overflow)
        }
        JsValue::Array(a) => (
            a.items
                .into_iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i.to_string(), v)))
                .collect(),
            None,
        ),
        // Not reached (`merge` sends strings to `merge_scalar`), and the same answer.
        JsValue::Str(s) => return merge_scalar(JsValue::Object(object), s, limit),
    };
    for (key, value) in entries {
        match object.get_mut(&key) {
            Some(existing) => {
                let previous = std::mem::replace(existing, JsValue::Str(String::new()));
                *existing = merge(previous, value, limit);
            }
            None => object.set(key.clone(), value),
        }
        if let (Some(source_max), None) = (source_overflow, object.overflow) {
            object.overflow = Some(max_numeric_index(&object, source_max));
        }
        if let Some(max) = object.overflow
            && let Some(k) = canonical_int(&key).filter(|&k| k >= 0.0 && k > max)
        {
            object.overflow = Some(k);
        }
        if let Some(index) = object.conflict
            && let Some(k) = canonical_int(&key).filter(|&k| k > index)
        {
            object.conflict = Some(k);
        }
    }
    JsValue::Object(object)
}

/// `merge` of a container into a string: `[target].concat(source)`, or for an
/// overflow object, the string at index 0 and the source's entries shifted by one.
fn merge_into_string(previous: String, source: JsValue, limit: usize) -> JsValue {
    if let JsValue::Object(object) = &source
        && let Some(max) = object.overflow
    {
        let JsValue::Object(object) = source else {
            return JsValue::Str(previous);
        };
        let mut result = JsObject::default();
        result.set("0".into(), JsValue::Str(previous));
        for (key, value) in object.into_entries() {
            result.set(number_to_string(js_parse_int(&key) + 1.0), value);
        }
        result.overflow = Some(max + 1.0);
        return JsValue::Object(result);
    }
    let combined = JsArray {
        items: vec![Some(JsValue::Str(previous))],
        conflict: None,
    }
    .concat(source);
    overflow_if_long(combined, limit)
}

fn is_container(value: &JsValue) -> bool {
    matches!(value, JsValue::Array(_) | JsValue::Object(_))
}

/// `utils.maxNumericIndex`: the largest canonical integer key, at least `min`.
fn max_numeric_index(object: &JsObject, min: f64) -> f64 {
    object.keys().filter_map(canonical_int).fold(min, f64::max)
}

/// `parseInt(text, 10)`: leading whitespace, a sign, then as many digits as there are
/// (`NaN` without any).
fn js_parse_int(text: &str) -> f64 {
    let trimmed = text.trim_start();
    let (sign, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (-1.0, &trimmed[1..]),
        Some(b'+') => (1.0, &trimmed[1..]),
        _ => (1.0, trimmed),
    };
    let digits: String = digits.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return f64::NAN;
    }
    sign * digits.parse::<f64>().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(text: &str) -> String {
        parse(text, &QsOptions::QUERY).unwrap().to_string()
    }

    // Expected values from qs's own documentation of these inputs.
    #[test]
    fn nests_arrays_and_mixes_like_qs() {
        assert_eq!(query("a[b][c]=d"), r#"{"a":{"b":{"c":"d"}}}"#);
        assert_eq!(query("a[]=1&a[]=2"), r#"{"a":["1","2"]}"#);
        assert_eq!(query("a[1]=c&a[0]=b"), r#"{"a":["b","c"]}"#);
        assert_eq!(query("a=b&a=c"), r#"{"a":["b","c"]}"#);
        assert_eq!(query("a%5Bb%5D=c"), r#"{"a":{"b":"c"}}"#);
        assert_eq!(query("a[1001]=x"), r#"{"a":{"1001":"x"}}"#);
        assert_eq!(
            query("a[b][c][d][e][f][g][h]=i"),
            r#"{"a":{"b":{"c":{"d":{"e":{"f":{"[g][h]":"i"}}}}}}}"#
        );
        assert_eq!(query("__proto__[x]=1&b=2"), r#"{"b":"2"}"#);
        assert_eq!(
            query("a=%E0%A4%A&b=%zz+1"),
            r#"{"a":"%E0%A4%A","b":"%zz 1"}"#
        );
    }

    #[test]
    fn strict_depth_is_an_error_for_bodies() {
        let deep = format!("a{}=1", "[x]".repeat(33));
        assert_eq!(parse(&deep, &QsOptions::urlencoded(1)), Err(DepthExceeded));
        let ok = format!("a{}=1", "[x]".repeat(32));
        assert!(parse(&ok, &QsOptions::urlencoded(1)).is_ok());
        assert_eq!(parse("", &QsOptions::QUERY), Ok(json!({})));
    }
}
