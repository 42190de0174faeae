//! The JavaScript values `qs` builds while it parses (strings, possibly sparse arrays,
//! objects), with the two properties of V8 objects a port has to keep to produce the
//! same JSON: own keys come out integer-like keys first, ascending, then the others in
//! insertion order (ECMAScript `OrdinaryOwnPropertyKeys`), and arrays can have holes
//! until `utils.compact` removes them. `qs/lib/utils.js` also tracks two marks per
//! object in side channels (`markOverflow`, `markConflict`); here they are fields of
//! the object they mark, which is the same thing for trees without shared nodes.

use serde_json::{Map, Value};

/// A value `qs` produces: only strings and containers (the decoder never yields
/// anything else, and `qs.parse` with `strictMerge` never writes `true`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsValue {
    Str(String),
    Array(JsArray),
    Object(JsObject),
}

/// A JS array: `None` is a hole (`[,'a']`), which `forEach`, `Object.keys` and
/// `arrayToObject` skip and `compact` removes.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct JsArray {
    pub items: Vec<Option<JsValue>>,
    /// `markConflict`'s index (`qs/lib/utils.js`), `None` when not marked.
    pub conflict: Option<f64>,
}

/// A JS object with V8's own-key order.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct JsObject {
    entries: Vec<(String, JsValue)>,
    /// `markOverflow`'s highest numeric index, `None` when not marked.
    pub overflow: Option<f64>,
    /// `markConflict`'s index, `None` when not marked.
    pub conflict: Option<f64>,
}

impl JsArray {
    /// `[].concat(...)`'s argument handling: arrays are spread (holes kept), anything
    /// else is one element.
    pub fn concat(mut self, value: JsValue) -> JsArray {
        match value {
            JsValue::Array(other) => self.items.extend(other.items),
            other => self.items.push(Some(other)),
        }
        self
    }

    /// `arr[index] = value`, growing the array with holes as JS does.
    pub fn set(&mut self, index: usize, value: JsValue) {
        if index >= self.items.len() {
            self.items.resize(index + 1, None);
        }
        self.items[index] = Some(value);
    }

    /// `utils.arrayToObject`: the defined elements under their indexes.
    pub fn into_object(self) -> JsObject {
        let mut object = JsObject::default();
        for (index, item) in self.items.into_iter().enumerate() {
            if let Some(item) = item {
                object.set(index.to_string(), item);
            }
        }
        object
    }
}

impl JsObject {
    /// An own property's value, to change in place (its key keeps its position).
    pub fn get_mut(&mut self, key: &str) -> Option<&mut JsValue> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// `obj[key] = value` (or `defineProperty`, which `utils.setProperty` uses for
    /// `__proto__`: either way an own data property): an existing key keeps its place,
    /// a new one goes where V8 would list it.
    pub fn set(&mut self, key: String, value: JsValue) {
        if let Some(slot) = self.entries.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = value;
            return;
        }
        let at = match array_index(&key) {
            Some(index) => self
                .entries
                .iter()
                .position(|(k, _)| array_index(k).is_none_or(|other| other > index))
                .unwrap_or(self.entries.len()),
            None => self.entries.len(),
        };
        self.entries.insert(at, (key, value));
    }

    /// `Object.keys`, in V8's order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// The properties, in V8's order.
    pub fn into_entries(self) -> impl Iterator<Item = (String, JsValue)> {
        self.entries.into_iter()
    }
}

impl JsValue {
    /// `utils.compact` (every array loses its holes), then what `JSON.stringify` would
    /// write, as a [`Value`] whose maps keep the JS key order.
    pub fn into_json(self) -> Value {
        match self {
            JsValue::Str(s) => Value::String(s),
            JsValue::Array(a) => {
                Value::Array(a.items.into_iter().flatten().map(Self::into_json).collect())
            }
            JsValue::Object(o) => {
                let mut map = Map::new();
                for (k, v) in o.into_entries() {
                    map.insert(k, v.into_json());
                }
                Value::Object(map)
            }
        }
    }
}

/// The key is an ECMAScript array index ("canonical numeric string" of an integer in
/// 0 ..= 2^32 - 2), which V8 lists before other keys.
pub(crate) fn array_index(key: &str) -> Option<u32> {
    if key.is_empty() || key.len() > 10 || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if key.len() > 1 && key.starts_with('0') {
        return None;
    }
    key.parse::<u64>()
        .ok()
        .filter(|&n| n < u64::from(u32::MAX))
        .and_then(|n| u32::try_from(n).ok())
}

/// `parseInt(key, 10)` when `String(that) === key`, the test `qs` applies to tell an
/// index from a name: a canonical decimal integer, as a JS number.
pub(crate) fn canonical_int(key: &str) -> Option<f64> {
    let digits = key.strip_prefix('-').unwrap_or(key);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.len() > 1 && digits.starts_with('0') || key == "-0" {
        return None;
    }
    let n: f64 = key.parse().ok()?;
    (n.abs() < 1e21 && number_to_string(n) == key).then_some(n)
}

/// `String(n)` for an integral JS number below 1e21 in magnitude (where JS writes no
/// exponent; Rust's shortest round-trip digits are the same digits).
pub(crate) fn number_to_string(n: f64) -> String {
    format!("{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_keys_come_first_in_ascending_order() {
        let mut o = JsObject::default();
        for k in ["b", "10", "a", "2", "4294967295", "01"] {
            o.set(k.into(), JsValue::Str(k.into()));
        }
        let keys: Vec<_> = o.keys().collect();
        assert_eq!(keys, ["2", "10", "b", "a", "4294967295", "01"]);
    }

    #[test]
    fn canonical_ints_round_trip_like_string_of_parse_int() {
        assert_eq!(canonical_int("12"), Some(12.0));
        assert_eq!(canonical_int("-3"), Some(-3.0));
        assert_eq!(canonical_int("012"), None);
        assert_eq!(canonical_int("-0"), None);
        assert_eq!(canonical_int("1e3"), None);
        // 2^60 prints as 1152921504606847000 in JS: not canonical.
        assert_eq!(canonical_int("1152921504606846976"), None);
        assert_eq!(
            canonical_int("1152921504606847000"),
            Some(1.152_921_504_606_847e18)
        );
    }
}
