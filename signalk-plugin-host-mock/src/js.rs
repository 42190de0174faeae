//! JSON as JavaScript sees it, and JSON from a test kept within bounds.
//!
//! The server `JSON.parse`s everything a plugin hands it and `JSON.stringify`s it
//! again, so every number becomes an IEEE double: `75.0` comes back as `75`, and
//! integers beyond 2⁵³ lose precision. The mock host applies the same round trip
//! wherever the server does, so assertions match the real server.
//!
//! serde_json serialises, clones and drops a [`Value`] recursively, and so does the
//! round trip: a value nested 10,000 levels deep would overflow a test thread's 2 MiB
//! stack. JSON the guest hands back is parsed by serde_json, which stops at 127 levels;
//! JSON a test hands the host through its Rust API is measured here first, without
//! recursion, and refused past [`MAX_JSON_DEPTH`] levels with [`Error::TooDeep`]. A
//! refused value the host owns is taken apart without recursion ([`drop_deep`]).

use std::cell::Cell;
use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};
use serde_json::{Number, Value};

use crate::Error;

/// The deepest nesting of arrays and objects the mock host accepts in JSON a test hands
/// it (an HTTP body, a PUT value, a delta, a configuration, a provider request): 128
/// levels. Deeper JSON is refused with [`Error::TooDeep`] before anything recursive
/// touches it. (The guest's serde_json parser stops at 127 levels, so 128 is the
/// deepest value a test can send to see the plugin refuse it.)
///
/// ```
/// use signalk_plugin_host_mock::{HttpRequest, MAX_JSON_DEPTH};
/// # use serde_json::{Value, json};
/// let mut deep = json!(1);
/// for _ in 0..MAX_JSON_DEPTH + 1 {
///     deep = Value::Array(vec![deep]);
/// }
/// // `host.http(HttpRequest::post("/api/x").json(deep))` answers Error::TooDeep.
/// # let _ = HttpRequest::post("/api/x").json(deep);
/// ```
pub const MAX_JSON_DEPTH: usize = 128;

/// How deeply `value` nests arrays and objects (a scalar is 0, `[]` is 1, `[[1]]` is 2),
/// measured without recursion.
#[must_use]
pub fn json_depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0_usize)];
    while let Some((value, depth)) = stack.pop() {
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|c| (c, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|c| (c, depth + 1))),
            _ => continue,
        }
        deepest = deepest.max(depth + 1);
    }
    deepest
}

/// Drops `value` without recursion: serde_json's own drop recurses once per level, and
/// overflows a 2 MiB stack somewhere past a few thousand levels. Use it for values a
/// test built deeper than that (the host uses it for the deep values it refuses).
///
/// ```
/// # use serde_json::Value;
/// let mut deep = Value::Null;
/// for _ in 0..100_000 {
///     deep = Value::Array(vec![deep]);
/// }
/// assert_eq!(signalk_plugin_host_mock::json_depth(&deep), 100_000);
/// signalk_plugin_host_mock::drop_deep(deep);
/// ```
pub fn drop_deep(value: Value) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        // The children move to the stack, so the container drops empty.
        match value {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

/// `value` back if it nests at most [`MAX_JSON_DEPTH`] levels; otherwise it is dropped
/// with [`drop_deep`] and `what` is refused.
pub(crate) fn within_depth(value: Value, what: &str) -> Result<Value, Error> {
    if json_depth(&value) <= MAX_JSON_DEPTH {
        return Ok(value);
    }
    drop_deep(value);
    Err(too_deep(what))
}

/// [`within_depth`] for an optional value.
pub(crate) fn option_within_depth(
    value: Option<Value>,
    what: &str,
) -> Result<Option<Value>, Error> {
    value.map(|v| within_depth(v, what)).transpose()
}

fn too_deep(what: &str) -> Error {
    Error::TooDeep {
        what: what.to_owned(),
        limit: MAX_JSON_DEPTH,
    }
}

/// Serialises `value` to compact JSON text, refusing it once serialisation goes past
/// [`MAX_JSON_DEPTH`] levels: the serialiser stops there, so the recursion of `value`'s
/// own `Serialize` never goes deeper than that either.
pub(crate) fn to_string_bounded<T: Serialize + ?Sized>(
    value: &T,
    what: &str,
) -> Result<String, Error> {
    let mut out = Vec::new();
    serialize_bounded(&mut out, value, what)?;
    // serde_json writes UTF-8 only.
    Ok(String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Whether `value` serialises within [`MAX_JSON_DEPTH`] levels, without keeping the text:
/// after `Ok`, serde_json's own recursion over it (`to_value`) is safe.
pub(crate) fn check_serializes<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<(), Error> {
    serialize_bounded(io::sink(), value, what)
}

fn serialize_bounded<W: io::Write, T: Serialize + ?Sized>(
    writer: W,
    value: &T,
    what: &str,
) -> Result<(), Error> {
    let too_deep_seen = Cell::new(false);
    let formatter = Bounded {
        depth: 0,
        too_deep: &too_deep_seen,
    };
    let mut serializer = serde_json::Serializer::with_formatter(writer, formatter);
    match value.serialize(&mut serializer) {
        Ok(()) => Ok(()),
        Err(_) if too_deep_seen.get() => Err(too_deep(what)),
        Err(err) => Err(Error::Input(format!("{what} does not serialise: {err}"))),
    }
}

/// serde_json's compact output, with a depth gauge that fails the write past the limit.
struct Bounded<'a> {
    depth: usize,
    too_deep: &'a Cell<bool>,
}

impl Bounded<'_> {
    fn enter(&mut self) -> io::Result<()> {
        self.depth += 1;
        if self.depth > MAX_JSON_DEPTH {
            self.too_deep.set(true);
            return Err(io::Error::other("nested too deeply"));
        }
        Ok(())
    }
}

impl Formatter for Bounded<'_> {
    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.enter()?;
        CompactFormatter.begin_array(writer)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth -= 1;
        CompactFormatter.end_array(writer)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.enter()?;
        CompactFormatter.begin_object(writer)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth -= 1;
        CompactFormatter.end_object(writer)
    }
}

/// 2⁶³: integral doubles below it in magnitude fit an `i64` exactly.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
/// 2⁶⁴: positive integral doubles below it fit a `u64` exactly.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// `JSON.parse(JSON.stringify(value))` as a JS engine would do it. Recursive: only for
/// values parsed by serde_json or checked with [`within_depth`] (at most 128 levels).
pub(crate) fn round_trip(mut value: Value) -> Value {
    round_trip_in_place(&mut value);
    value
}

/// [`round_trip`] on a value the caller keeps: only the numbers change (object members
/// keep their order and arrays their length), so the tree is walked, not rebuilt.
pub(crate) fn round_trip_in_place(value: &mut Value) {
    match value {
        Value::Number(n) => {
            if let Some(js) = js_number(n) {
                *n = js;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(round_trip_in_place),
        Value::Object(map) => map.values_mut().for_each(round_trip_in_place),
        _ => {}
    }
}

/// 2⁵³: integers up to it in magnitude are doubles, and JS prints them unchanged.
const TWO_POW_53: u64 = 9_007_199_254_740_992;

/// The number JS prints for `n`, or `None` when that is `n` unchanged.
fn js_number(n: &Number) -> Option<Number> {
    // Integers a double holds exactly come back as they are (the common case).
    if n.as_u64().is_some_and(|u| u <= TWO_POW_53)
        || n.as_i64().is_some_and(|i| i.unsigned_abs() <= TWO_POW_53)
    {
        return None;
    }
    let f = n.as_f64()?;
    // JS prints integral doubles (below 1e21) without a fraction, and -0 as 0. The casts
    // are exact: the value is integral and inside the target type's range.
    if f.fract() == 0.0 {
        if f.abs() < TWO_POW_63 {
            return Some(Number::from(f as i64));
        }
        if f > 0.0 && f < TWO_POW_64 {
            return Some(Number::from(f as u64));
        }
    }
    if n.is_f64() {
        // A fractional (or huge) double is printed and read back as itself.
        return None;
    }
    Number::from_f64(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_round_trip_like_javascript() {
        let v = round_trip(json!({
            "a": 75.0,
            "b": [1.5, -0.0, 9_007_199_254_740_993u64, 1e19, -3e18],
            "c": "75.0"
        }));
        // 2^53 + 1 is not a double: JS rounds it to 2^53 and prints it without a fraction.
        assert_eq!(
            v.to_string(),
            r#"{"a":75,"b":[1.5,0,9007199254740992,10000000000000000000,-3000000000000000000],"c":"75.0"}"#
        );
    }

    fn nested(levels: usize) -> Value {
        // Built by moving, not with `json!` (which would clone `v` recursively).
        let mut v = json!({"leaf": 1});
        for i in 1..levels {
            v = if i % 2 == 0 {
                Value::Object([("k".to_owned(), v)].into_iter().collect())
            } else {
                Value::Array(vec![v, json!(2)])
            };
        }
        v
    }

    #[test]
    fn depth_is_measured_without_recursion() {
        assert_eq!(json_depth(&json!(1)), 0);
        assert_eq!(json_depth(&json!([])), 1);
        assert_eq!(json_depth(&json!({"a": [1, {"b": []}], "c": 2})), 4);
        assert_eq!(json_depth(&nested(7)), 7);
        let deep = nested(100_000);
        assert_eq!(json_depth(&deep), 100_000);
        drop_deep(deep);
    }

    #[test]
    fn the_limit_is_128_levels() {
        let ok = nested(MAX_JSON_DEPTH);
        let text = to_string_bounded(&ok, "the value").unwrap();
        assert_eq!(text, ok.to_string());
        let ok = within_depth(ok, "the value").unwrap();
        assert_eq!(json_depth(&ok), MAX_JSON_DEPTH);

        let over = nested(MAX_JSON_DEPTH + 1);
        let err = to_string_bounded(&over, "the value").unwrap_err();
        assert!(
            matches!(&err, Error::TooDeep { what, limit: 128 } if what == "the value"),
            "{err:?}"
        );
        assert!(within_depth(over, "the value").is_err());
    }

    #[test]
    fn ten_thousand_levels_are_refused_on_a_test_threads_stack() {
        // Serialising, cloning or dropping this recursively overflows 2 MiB.
        let deep = nested(10_000);
        let err = to_string_bounded(&deep, "the PUT value").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the PUT value nests deeper than 128 levels of arrays and objects: the mock host refuses it"
        );
        let err = within_depth(deep, "the body").unwrap_err();
        assert!(matches!(err, Error::TooDeep { .. }), "{err:?}");
    }

    #[test]
    fn values_that_do_not_serialise_are_input_errors() {
        let mut map = std::collections::BTreeMap::new();
        map.insert(vec![1u8], 1);
        let err = to_string_bounded(&map, "the delta").unwrap_err();
        assert!(
            matches!(&err, Error::Input(m) if m.starts_with("the delta does not serialise: key must be a string")),
            "{err:?}"
        );
    }
}
