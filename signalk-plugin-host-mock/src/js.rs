//! JSON as JavaScript sees it. The server `JSON.parse`s everything a plugin hands it and
//! `JSON.stringify`s it again, so every number becomes an IEEE double: `75.0` comes back
//! as `75`, and integers beyond 2⁵³ lose precision. The mock host applies the same
//! round trip wherever the server does, so assertions match the real server.

use serde_json::{Number, Value};

/// 2⁶³: integral doubles below it in magnitude fit an `i64` exactly.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
/// 2⁶⁴: positive integral doubles below it fit a `u64` exactly.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// `JSON.parse(JSON.stringify(value))` as a JS engine would do it.
pub(crate) fn round_trip(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::Number(js_number(&n)),
        Value::Array(items) => Value::Array(items.into_iter().map(round_trip).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, round_trip(v))).collect())
        }
        other => other,
    }
}

fn js_number(n: &Number) -> Number {
    let Some(f) = n.as_f64() else {
        return n.clone();
    };
    // JS prints integral doubles (below 1e21) without a fraction, and -0 as 0. The casts
    // are exact: the value is integral and inside the target type's range.
    if f.fract() == 0.0 {
        if f.abs() < TWO_POW_63 {
            return Number::from(f as i64);
        }
        if f > 0.0 && f < TWO_POW_64 {
            return Number::from(f as u64);
        }
    }
    Number::from_f64(f).unwrap_or_else(|| n.clone())
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
}
