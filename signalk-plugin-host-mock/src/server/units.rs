//! `displayUnits` as the REST API adds them to metadata: `dist/interfaces/rest.js`,
//! `enhanceMetadataResponse`, with the category lookup of
//! `dist/unitpreferences/loader.js` (`getDefaultCategory`, `getCategoryForBaseUnit`)
//! and the resolution of `dist/unitpreferences/resolver.js` (`resolveDisplayUnits`)
//! under the default preset, `nautical-metric`, for an anonymous client.
//!
//! The data comes from [`reference`](super::reference). Not modelled (the answer is
//! then no `displayUnits`, and `docs/mock-host/server.md` says so): user presets, a
//! stored `targetUnit` other than the category's SI unit or the preset's target, a
//! `custom` category without its own formula, and the `override` form.

use std::sync::LazyLock;

use serde_json::{Map, Value};

use super::reference::{
    CATEGORY_BASE_UNITS, DEFAULT_CATEGORIES, PRIMARY_CATEGORIES, RESOLVED_CATEGORIES,
};

/// [`RESOLVED_CATEGORIES`], parsed once.
static RESOLVED: LazyLock<Vec<(&'static str, Map<String, Value>)>> = LazyLock::new(|| {
    RESOLVED_CATEGORIES
        .iter()
        .filter_map(|(name, json)| match serde_json::from_str(json) {
            Ok(Value::Object(map)) => Some((*name, map)),
            _ => None,
        })
        .collect()
});

/// `enhanceMetadataResponse(metadata, path)`: adds the resolved `displayUnits` to
/// `meta` (a copy the response owns) when the path or its units have a category.
pub(crate) fn enhance(meta: &mut Map<String, Value>, path: &str) {
    let units = meta.get("units").and_then(Value::as_str).map(str::to_owned);
    let mut stored = match meta.get("displayUnits") {
        Some(Value::Object(stored)) if truthy(stored.get("category")) => stored.clone(),
        _ => Map::new(),
    };
    if !truthy(stored.get("category"))
        && !path.is_empty()
        && let Some(category) = default_category(path, units.as_deref())
    {
        stored = Map::from_iter([("category".to_owned(), Value::from(category))]);
    }
    if truthy(stored.get("category"))
        && let Some(resolved) = resolve(&stored, units.as_deref())
    {
        meta.insert("displayUnits".into(), Value::Object(resolved));
    }
}

/// JavaScript truthiness of an optional member.
fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// `getDefaultCategory(path, units)`: the path's own entry, then the first wildcard
/// that matches, then the category of its SI unit.
pub(crate) fn default_category(path: &str, units: Option<&str>) -> Option<&'static str> {
    if let Some((_, category)) = DEFAULT_CATEGORIES.iter().find(|(p, _)| *p == path) {
        return Some(category);
    }
    if let Some((_, category)) = DEFAULT_CATEGORIES
        .iter()
        .find(|(p, _)| p.contains('*') && wildcard_matches(p, path))
    {
        return Some(category);
    }
    category_for_base_unit(units.filter(|u| !u.is_empty())?)
}

/// `rebuildDefaultCategoryWildcards`: `*` stands for one or more characters other
/// than `.`; everything else matches itself.
fn wildcard_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('.').collect();
    let path: Vec<&str> = path.split('.').collect();
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(pat, seg)| segment_matches(pat, seg))
}

/// One dot-free segment against a pattern whose `*`s match one character or more.
fn segment_matches(pattern: &str, segment: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == segment,
        Some((head, rest)) => {
            let Some(tail) = segment.strip_prefix(head) else {
                return false;
            };
            // `*` needs at least one character; try every split after that.
            tail.char_indices()
                .skip(1)
                .map(|(i, _)| i)
                .chain([tail.len()])
                .filter(|&i| i > 0)
                .any(|i| segment_matches(rest, &tail[i..]))
        }
    }
}

/// `getCategoryForBaseUnit(unit)` without a user: the only category of the unit, its
/// primary category, or the first of them in sort order.
pub(crate) fn category_for_base_unit(unit: &str) -> Option<&'static str> {
    let matching: Vec<&'static str> = CATEGORY_BASE_UNITS
        .iter()
        .filter(|(_, base)| *base == unit)
        .map(|(category, _)| *category)
        .collect();
    match matching.as_slice() {
        [] => None,
        [only] => Some(only),
        _ => PRIMARY_CATEGORIES
            .iter()
            .find(|(base, category)| *base == unit && matching.contains(category))
            .map(|(_, category)| *category)
            .or_else(|| matching.iter().min().copied()),
    }
}

/// `resolveDisplayUnits(stored, units)` for an anonymous client.
fn resolve(stored: &Map<String, Value>, units: Option<&str>) -> Option<Map<String, Value>> {
    let category = stored.get("category")?.as_str()?;
    let text = |key: &str| {
        stored
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let mut out = Map::new();
    let mut put = |key: &str, value: Option<&str>| {
        if let Some(value) = value {
            out.insert(key.into(), Value::from(value));
        }
    };
    match category {
        "base" => {
            put("category", Some("base"));
            put(
                "targetUnit",
                Some(units.filter(|u| !u.is_empty()).unwrap_or("base")),
            );
            put("formula", Some("value"));
            put("inverseFormula", Some("value"));
            put("symbol", Some(units.unwrap_or("")));
        }
        "custom" => {
            let target = text("targetUnit")?;
            let symbol = text("symbol").unwrap_or(target);
            let (formula, inverse) = if units == Some(target) {
                ("value", "value")
            } else {
                (text("formula")?, text("inverseFormula").unwrap_or(""))
            };
            put("category", Some("custom"));
            put("targetUnit", Some(target));
            put("formula", Some(formula));
            put("inverseFormula", Some(inverse));
            put("symbol", Some(symbol));
            if let Some(format) = stored.get("displayFormat") {
                out.insert("displayFormat".into(), format.clone());
            }
        }
        _ => {
            let (_, base) = CATEGORY_BASE_UNITS.iter().find(|(c, _)| *c == category)?;
            let preset = RESOLVED
                .iter()
                .find(|(c, _)| *c == category)
                .map(|(_, m)| m);
            let preset_format = preset.and_then(|m| m.get("displayFormat")).cloned();
            let format = stored
                .get("displayFormat")
                .filter(|f| truthy(Some(f)))
                .cloned()
                .or(preset_format);
            let mut resolved = match text("targetUnit") {
                Some(target) if target == *base => {
                    put("category", Some(category));
                    put("targetUnit", Some(target));
                    put("formula", Some("value"));
                    put("inverseFormula", Some("value"));
                    put("symbol", Some(base));
                    out
                }
                Some(target) => {
                    // Only the preset's own target unit is in the embedded data.
                    let preset = preset?;
                    if preset.get("targetUnit").and_then(Value::as_str) != Some(target) {
                        return None;
                    }
                    preset.clone()
                }
                None => preset?.clone(),
            };
            resolved.shift_remove("displayFormat");
            if let Some(format) = format {
                resolved.insert("displayFormat".into(), format);
            }
            return Some(resolved);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn enhanced(meta: Value, path: &str) -> Value {
        let Value::Object(mut meta) = meta else {
            unreachable!("test input is an object")
        };
        enhance(&mut meta, path);
        Value::Object(meta)
    }

    #[test]
    fn paths_get_their_default_category_resolved_under_nautical_metric() {
        let meta = enhanced(json!({"units": "m/s"}), "navigation.speedThroughWater");
        assert_eq!(
            meta["displayUnits"],
            json!({"category": "speed", "targetUnit": "kn", "formula": "value * 1.94384",
                   "inverseFormula": "value * 0.514444", "symbol": "kn", "displayFormat": "0.0"})
        );
        // The path's entry wins over its units: the anchor radius is a length.
        let meta = enhanced(json!({"units": "m"}), "navigation.anchor.maxRadius");
        assert_eq!(meta["displayUnits"]["category"], "length");
        // A path without an entry takes the category of its unit; `m` is shared by
        // three categories and its primary one is `distance`.
        let meta = enhanced(json!({"units": "m"}), "my.custom.thing");
        assert_eq!(meta["displayUnits"]["category"], "distance");
        assert_eq!(meta["displayUnits"]["targetUnit"], "naut-mile");
        // No category, no displayUnits.
        let meta = enhanced(json!({"description": ""}), "navigation.anchor.state");
        assert_eq!(meta, json!({"description": ""}));
    }

    #[test]
    fn wildcards_match_one_segment() {
        assert!(wildcard_matches(
            "electrical.batteries.*.voltage",
            "electrical.batteries.house.voltage"
        ));
        assert!(!wildcard_matches(
            "electrical.batteries.*.voltage",
            "electrical.batteries.house.voltage.value"
        ));
        assert!(!wildcard_matches(
            "electrical.batteries.*.voltage",
            "electrical.batteries..voltage"
        ));
        assert_eq!(
            default_category("electrical.batteries.1.voltage", None),
            Some("voltage")
        );
    }

    #[test]
    fn stored_categories_resolve_and_unknown_ones_do_not() {
        let meta = enhanced(
            json!({"units": "K", "displayUnits": {"category": "base"}}),
            "x.y",
        );
        assert_eq!(
            meta["displayUnits"],
            json!({"category": "base", "targetUnit": "K", "formula": "value",
                   "inverseFormula": "value", "symbol": "K"})
        );
        let meta = enhanced(json!({"displayUnits": {"category": "nonsense"}}), "x.y");
        assert_eq!(meta["displayUnits"], json!({"category": "nonsense"}));
        let meta = enhanced(
            json!({"units": "m/s", "displayUnits": {"category": "speed", "displayFormat": "0.00"}}),
            "x.y",
        );
        assert_eq!(meta["displayUnits"]["displayFormat"], "0.00");
        assert_eq!(meta["displayUnits"]["targetUnit"], "kn");
    }
}
