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

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Map, Value};

use super::reference::SCHEMA_META;

/// The registry's maps hash with FNV-1a: they are looked up for every value of every
/// delta, and std's SipHash, made to resist keys chosen to collide, costs more than the
/// rest of the lookup; the keys here are the Signal K paths the plugin under test sends.
/// These are the metadata entries by registry key.
type Entries = HashMap<String, Map<String, Value>, fnv::FnvBuildHasher>;

/// [`SCHEMA_META`], parsed once and keyed like the registry.
static SCHEMA: LazyLock<Entries> = LazyLock::new(|| {
    SCHEMA_META
        .iter()
        .filter_map(|(path, json)| match serde_json::from_str(json) {
            Ok(Value::Object(map)) if !map.is_empty() => Some((key(path).into_owned(), map)),
            _ => None,
        })
        .collect()
});

/// The registry's key for a dotted path. The registry keys `/*/a/b/c`, so `a.b` and
/// `a/b` are the same entry; here both are `a.b`, which needs no copy of a path
/// without a slash (every Signal K path).
fn key(path: &str) -> Cow<'_, str> {
    if path.contains('/') {
        Cow::Owned(path.replace('/', "."))
    } else {
        Cow::Borrowed(path)
    }
}

/// The runtime half of the registry (the schema half is static).
#[derive(Debug, Default)]
pub(crate) struct MetadataRegistry {
    runtime: Entries,
}

impl MetadataRegistry {
    /// `addMetaData(_context, path, meta)`: the context is ignored on purpose.
    pub(crate) fn add(&mut self, path: &str, meta: &Value) {
        if path.is_empty() {
            return;
        }
        let key = key(path);
        if let Some(existing) = self.runtime.get_mut(key.as_ref()) {
            super::assign::object_assign(existing, meta);
            return;
        }
        let mut entry = Map::from_iter([("description".to_owned(), Value::from(""))]);
        if let Some(seed) = SCHEMA.get(key.as_ref()) {
            entry.extend(seed.clone());
        }
        super::assign::object_assign(&mut entry, meta);
        self.runtime.insert(key.into_owned(), entry);
    }

    /// `internalGetMetadata(context.path)` for the value at `path` in a context whose
    /// [`context_spill`] is `spill`. The answer is the runtime entry; a schema entry
    /// becomes the runtime entry on first use.
    pub(crate) fn for_first_value(
        &mut self,
        spill: Option<&str>,
        path: &str,
    ) -> Option<&Map<String, Value>> {
        let joined;
        let rest = match spill {
            None => path,
            Some(spill) => {
                joined = format!("{spill}.{path}");
                &joined
            }
        };
        let key = key(rest);
        if !self.runtime.contains_key(key.as_ref()) {
            let seed = SCHEMA.get(key.as_ref())?.clone();
            self.runtime.insert(key.clone().into_owned(), seed);
        }
        self.runtime.get(key.as_ref())
    }

    /// What `getMetadata(path)` answers for a context-free path.
    pub(crate) fn get(&self, path: &str) -> Option<&Map<String, Value>> {
        let key = key(path);
        self.runtime
            .get(key.as_ref())
            .or_else(|| SCHEMA.get(key.as_ref()))
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

/// The part of `context_path` that `internalGetMetadata(context.path)` takes for the
/// start of the metadata path: it takes the first two dot-separated parts of the whole
/// path for the context, so a context with a third part (`vessels.boat.example`, an
/// identity with a dot) spills it (`example`) into the path. `None` for a context of
/// exactly two parts (`vessels.<id>`), whose values' paths are the metadata paths.
pub(crate) fn context_spill(context_path: &str) -> Option<&str> {
    context_path
        .match_indices('.')
        .nth(1)
        .map(|(second_dot, _)| &context_path[second_dot + 1..])
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
    SCHEMA.get(key(path).as_ref()).cloned().map(Value::Object)
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
        let first = |registry: &mut MetadataRegistry, context: &str, path: &str| {
            registry
                .for_first_value(context_spill(context), path)
                .map(|m| m["units"].clone())
        };
        assert_eq!(
            first(
                &mut registry,
                "vessels.urn:mrn:imo:mmsi:1",
                "navigation.speedOverGround"
            )
            .unwrap(),
            "m/s"
        );
        assert!(first(&mut registry, "vessels.x", "no.such.path").is_none());
        registry.add("no.such.path", &json!({"units": "m"}));
        assert_eq!(
            first(&mut registry, "meteo.y", "no.such.path").unwrap(),
            "m"
        );
        // The context is the first two parts of the whole path, dots in its identity
        // or not; `a/b` and `a.b` are one entry.
        registry.add("such.path", &json!({"units": "K"}));
        assert_eq!(
            first(&mut registry, "vessels.boat.no", "such.path").unwrap(),
            "m"
        );
        assert_eq!(context_spill("vessels.x."), Some(""));
        registry.add(".a", &json!({"units": "A"}));
        assert_eq!(first(&mut registry, "vessels.x.", "a").unwrap(), "A");
        registry.add("a/b", &json!({"units": "V"}));
        assert_eq!(first(&mut registry, "vessels.x", "a.b").unwrap(), "V");
        assert_eq!(registry.get("a.b").unwrap()["units"], "V");
    }
}
