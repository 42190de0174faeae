//! The server's metadata registry: `@signalk/path-metadata`, class `MetadataRegistry`
//! (`metadataRegistry`). Metadata is keyed by path alone, whatever the context, and
//! seeded from the Signal K schema ([`SCHEMA_META`](super::reference::SCHEMA_META)):
//!
//! - `addMetaData(context, path, meta)` (a meta delta, such as the `supportsPut` one
//!   `sk_register_put_handler` sends) merges into the path's runtime entry, or creates
//!   it as `{description: "", ...schema entry, ...meta}` — which is where the
//!   `description: ""` next to `supportsPut` comes from.
//! - `internalGetMetadata(context.path)` (the full model, when a path gets its first
//!   value) returns the runtime entry, or a copy of the schema entry kept as the
//!   runtime entry from then on.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Map, Value};

use super::reference::SCHEMA_META;

/// [`SCHEMA_META`], parsed once and keyed like the registry (`a/b/c`).
static SCHEMA: LazyLock<HashMap<String, Map<String, Value>>> = LazyLock::new(|| {
    SCHEMA_META
        .iter()
        .filter_map(|(path, json)| match serde_json::from_str(json) {
            Ok(Value::Object(map)) if !map.is_empty() => Some((key(path), map)),
            _ => None,
        })
        .collect()
});

/// The registry's key for a dotted path (`/*/a/b/c` without the `/*/`).
fn key(path: &str) -> String {
    path.replace('.', "/")
}

/// The runtime half of the registry (the schema half is static).
#[derive(Debug, Default)]
pub(crate) struct MetadataRegistry {
    runtime: HashMap<String, Map<String, Value>>,
}

impl MetadataRegistry {
    /// `addMetaData(_context, path, meta)`: the context is ignored on purpose.
    pub(crate) fn add(&mut self, path: &str, meta: &Value) {
        if path.is_empty() {
            return;
        }
        let key = key(path);
        if let Some(existing) = self.runtime.get_mut(&key) {
            super::assign::object_assign(existing, meta);
            return;
        }
        let mut entry = Map::from_iter([("description".to_owned(), Value::from(""))]);
        if let Some(seed) = SCHEMA.get(&key) {
            entry.extend(seed.clone());
        }
        super::assign::object_assign(&mut entry, meta);
        self.runtime.insert(key, entry);
    }

    /// `internalGetMetadata(full_path)` where `full_path` is `context.path`: the first
    /// two dot-separated parts are the context, whatever its identity contains.
    pub(crate) fn for_first_value(&mut self, full_path: &str) -> Option<Map<String, Value>> {
        let mut parts = full_path.splitn(3, '.');
        let (_, _, rest) = (parts.next()?, parts.next()?, parts.next()?);
        let key = key(rest);
        if let Some(entry) = self.runtime.get(&key) {
            return Some(entry.clone());
        }
        let seed = SCHEMA.get(&key)?.clone();
        self.runtime.insert(key, seed.clone());
        Some(seed)
    }

    /// What `getMetadata(path)` answers for a context-free path.
    pub(crate) fn get(&self, path: &str) -> Option<&Map<String, Value>> {
        let key = key(path);
        self.runtime.get(&key).or_else(|| SCHEMA.get(&key))
    }

    /// `getMetadata(full_path)`: the path without its context first, then the whole
    /// path (for root entries such as `self`).
    pub(crate) fn lookup(&self, full_path: &str) -> Option<&Map<String, Value>> {
        let mut parts = full_path.splitn(3, '.');
        let without_context = match (parts.next(), parts.next(), parts.next()) {
            (Some(_), Some(_), Some(rest)) => self.get(rest),
            _ => None,
        };
        without_context.or_else(|| self.get(full_path))
    }
}

/// The schema entry of `path` (any context) as the mock host embeds it, before any
/// plugin added to it: for the reference tests.
///
/// ```
/// let meta = signalk_plugin_host_mock::server::schema_meta("navigation.anchor.maxRadius").unwrap();
/// assert_eq!(meta["units"], "m");
/// assert!(signalk_plugin_host_mock::server::schema_meta("navigation.anchor.state").is_none());
/// ```
#[doc(hidden)]
#[must_use]
pub fn schema_meta(path: &str) -> Option<Value> {
    SCHEMA.get(&key(path)).cloned().map(Value::Object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_meta_delta_creates_an_entry_with_an_empty_description() {
        let mut registry = MetadataRegistry::default();
        registry.add("navigation.anchor.state", &json!({"supportsPut": true}));
        assert_eq!(
            Value::Object(registry.get("navigation.anchor.state").unwrap().clone()),
            json!({"description": "", "supportsPut": true})
        );
        // A schema path keeps the schema's description and units.
        registry.add("navigation.anchor.maxRadius", &json!({"supportsPut": true}));
        let entry = registry.get("navigation.anchor.maxRadius").unwrap();
        assert_eq!(entry["units"], "m");
        assert_ne!(entry["description"], "");
        assert_eq!(
            entry.keys().collect::<Vec<_>>(),
            ["description", "units", "supportsPut"]
        );
    }

    #[test]
    fn first_values_get_the_entry_whatever_the_context() {
        let mut registry = MetadataRegistry::default();
        let meta = registry
            .for_first_value("vessels.urn:mrn:imo:mmsi:1.navigation.speedOverGround")
            .unwrap();
        assert_eq!(meta["units"], "m/s");
        assert!(registry.for_first_value("vessels.x").is_none());
        assert!(registry.for_first_value("vessels.x.no.such.path").is_none());
        registry.add("no.such.path", &json!({"units": "m"}));
        assert_eq!(
            registry.for_first_value("meteo.y.no.such.path").unwrap()["units"],
            "m"
        );
    }
}
