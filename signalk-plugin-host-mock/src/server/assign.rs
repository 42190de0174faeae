//! `Object.assign(target, source)` and `{...source}` on JSON, as the server's
//! JavaScript does them with whatever a plugin sent: an object's members are copied
//! (replacing in place, appending new ones), an array's or a string's elements become
//! members named by their index, and every other value adds nothing.

use serde_json::{Map, Value};

/// Copies `source`'s own members onto `target`.
///
/// ```ignore
/// let mut target = serde_json::Map::new();
/// object_assign(&mut target, &serde_json::json!("ab"));
/// assert_eq!(serde_json::Value::Object(target), serde_json::json!({"0": "a", "1": "b"}));
/// ```
pub(crate) fn object_assign(target: &mut Map<String, Value>, source: &Value) {
    match source {
        Value::Object(members) => {
            for (k, v) in members {
                target.insert(k.clone(), v.clone());
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                target.insert(i.to_string(), v.clone());
            }
        }
        Value::String(text) => {
            // JavaScript strings index UTF-16 code units; a lone surrogate half cannot
            // be a Rust string, so it becomes U+FFFD, as `JSON.stringify` would not.
            let units: Vec<u16> = text.encode_utf16().collect();
            for (i, unit) in units.iter().enumerate() {
                target.insert(
                    i.to_string(),
                    Value::from(String::from_utf16_lossy(std::slice::from_ref(unit))),
                );
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// `{...value}`: a new object with `value`'s own members.
pub(crate) fn spread(value: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    object_assign(&mut out, value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn assign_copies_members_of_objects_arrays_and_strings_only() {
        let mut target = Map::from_iter([("a".to_owned(), json!(1))]);
        object_assign(&mut target, &json!({"b": 2, "a": 3}));
        assert_eq!(Value::Object(target.clone()), json!({"a": 3, "b": 2}));
        assert_eq!(target.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(Value::Object(spread(&json!(["x"]))), json!({"0": "x"}));
        assert_eq!(
            Value::Object(spread(&json!("hé"))),
            json!({"0": "h", "1": "é"})
        );
        assert_eq!(Value::Object(spread(&json!(5))), json!({}));
        assert_eq!(Value::Object(spread(&json!(null))), json!({}));
    }
}
