//! An object's members by name, found the cheap way. serde_json's `Map` (an `IndexMap`,
//! for `preserve_order`) hashes the name with SipHash on every lookup, which costs more
//! than comparing it with each name of the small objects deltas are made of (a
//! path-value pair has two or three members, a leaf of the data model about five, an
//! update four). These helpers compare names for small objects and hash for big ones;
//! the answer is the same either way, since names in an object are unique.

use serde_json::{Map, Value};

/// Objects with at most this many members are searched name by name.
const COMPARE_UP_TO: usize = 12;

/// `map[key]`.
pub(crate) fn get<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() <= COMPARE_UP_TO {
        map.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    } else {
        map.get(key)
    }
}

/// `map[key]`, mutably.
pub(crate) fn get_mut<'a>(map: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Value> {
    if map.len() <= COMPARE_UP_TO {
        map.iter_mut().find(|(k, _)| *k == key).map(|(_, v)| v)
    } else {
        map.get_mut(key)
    }
}

/// `key in map`.
pub(crate) fn contains(map: &Map<String, Value>, key: &str) -> bool {
    get(map, key).is_some()
}

/// `value[key]` for an object (`None` for anything else), like [`Value::get`].
pub(crate) fn field<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => get(map, key),
        _ => None,
    }
}

/// `map[key] = value`: a member already there keeps its place (and its name is not
/// allocated again), a new one goes last.
pub(crate) fn set(map: &mut Map<String, Value>, key: &str, value: Value) {
    match get_mut(map, key) {
        Some(slot) => *slot = value,
        None => {
            map.insert(key.to_owned(), value);
        }
    }
}

/// `map[key] ??= {}`, as the server walks a path into the tree: the member named `key`,
/// a new empty object (last) when there is none. Only a new member's name is allocated.
pub(crate) fn get_or_insert_object<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
) -> &'a mut Value {
    if contains(map, key) {
        match get_mut(map, key) {
            Some(value) => value,
            None => unreachable!("`contains` found it"),
        }
    } else {
        map.entry(key).or_insert_with(|| Value::Object(Map::new()))
    }
}

/// `delete map[key]`: the members after it keep their order.
pub(crate) fn remove(map: &mut Map<String, Value>, key: &str) {
    if contains(map, key) {
        map.shift_remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(members: usize) -> Map<String, Value> {
        (0..members).map(|i| (format!("k{i}"), json!(i))).collect()
    }

    #[test]
    fn small_and_big_objects_answer_alike() {
        for size in [0, 3, COMPARE_UP_TO, COMPARE_UP_TO + 1, 40] {
            let mut map = object(size);
            for i in 0..size + 2 {
                let key = format!("k{i}");
                assert_eq!(get(&map, &key), map.get(&key), "{key} of {size}");
                assert_eq!(contains(&map, &key), map.contains_key(&key));
                assert_eq!(field(&Value::Object(map.clone()), &key), map.get(&key));
            }
            // The same edits with the map's own methods give the same object, in order.
            let mut reference = map.clone();
            set(&mut map, "k1", json!("one"));
            reference.insert("k1".into(), json!("one"));
            set(&mut map, "new", json!(true));
            reference.insert("new".into(), json!(true));
            if let Some(v) = get_mut(&mut map, "new") {
                *v = json!(false);
            }
            reference.insert("new".into(), json!(false));
            *get_or_insert_object(&mut map, "k2") = json!(2.5);
            reference.insert("k2".into(), json!(2.5));
            get_or_insert_object(&mut map, "made");
            reference.insert("made".into(), json!({}));
            remove(&mut map, "k0");
            reference.shift_remove("k0");
            remove(&mut map, "absent");
            assert_eq!(
                map.iter().collect::<Vec<_>>(),
                reference.iter().collect::<Vec<_>>(),
                "{size}"
            );
        }
        assert_eq!(field(&json!([1]), "0"), None);
    }
}
