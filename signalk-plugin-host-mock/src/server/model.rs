//! The full data model (v1), ported from `@signalk/server-api`'s `FullSignalK`
//! (`dist/fullsignalk.js`), which signalk-server 2.32.0 keeps as `app.signalk` and
//! the REST API serves: one JSON tree `{vessels, self, version, sources}`.
//!
//! - `findContext`: a context without an identity (`meteo`) gets no tree; its meta
//!   still reaches the [registry](super::metadata). A new context gets its identity
//!   member (`mmsi`, `uuid` or `url`, `fillIdentityField`).
//! - `addValue`: a value's path is split on dots; a leaf that gets its first value
//!   also gets the registry's metadata (`{...registry entry, ...leaf.meta}`); the leaf
//!   holds `value`, `$source` (`getSourceId` of the update's source), `timestamp`,
//!   `pgn`/`sentence` and `state`; a second source turns on the `values` map.
//! - `addMeta`: the registry learns it; a leaf that already has a value merges it.
//! - `updateSource` / `updateDollarSource`: the `sources` tree.

use serde_json::{Map, Value, json};

use super::members::{self, field, set};
use super::metadata::MetadataRegistry;

/// Path segments the server refuses (`deltas.js`, `FORBIDDEN_PATH_KEYS`).
const FORBIDDEN: [&str; 3] = ["__proto__", "constructor", "prototype"];

/// Deepest path (in segments) the mock host puts in the tree: deeper ones are refused
/// with a log line, so the tree never nests beyond what serde_json can walk.
pub(crate) const MAX_PATH_SEGMENTS: usize = 64;

/// `app.signalk` and the metadata registry it reads.
#[derive(Debug)]
pub(crate) struct FullModel {
    root: Map<String, Value>,
    pub(crate) registry: MetadataRegistry,
}

impl FullModel {
    /// `new FullSignalK(selfId)`.
    pub(crate) fn new(self_id: &str) -> Self {
        let mut vessel = Map::new();
        fill_identity(&mut vessel, self_id);
        let root = json!({
            "vessels": {self_id: Value::Object(vessel)},
            "self": format!("vessels.{self_id}"),
            "version": "0.1.0",
            "sources": {},
        });
        let Value::Object(root) = root else {
            unreachable!("a json! object literal is an object")
        };
        FullModel {
            root,
            registry: MetadataRegistry::default(),
        }
    }

    /// The whole tree (`retrieve()`).
    pub(crate) fn root(&self) -> &Map<String, Value> {
        &self.root
    }

    /// The node at `parts` under the root, as `sendResult` walks it.
    pub(crate) fn node(&self, parts: &[&str]) -> Option<&Value> {
        let (first, rest) = parts.split_first()?;
        let mut node = self.root.get(*first)?;
        for part in rest {
            node = match node {
                Value::Object(map) => map.get(*part)?,
                Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// `addDelta(delta)` for a normalised v1 delta. Returns why part of it was not
    /// applied (the server's `console.error` lines), for the host log.
    pub(crate) fn add_delta(&mut self, delta: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        let Some(context_path) = field(delta, "context").and_then(Value::as_str) else {
            return errors;
        };
        // Borrowed, not copied: the model takes only the members it keeps.
        let updates: &[Value] = field(delta, "updates")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        let has_identity = context_path.split('.').nth(1).is_some();
        if !has_identity {
            for update in updates {
                for meta in field(update, "meta")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    self.add_meta(None, meta, &mut errors);
                }
            }
            return errors;
        }
        let mut context = self.take_context(context_path);
        for update in updates {
            self.add_update(&mut context, context_path, update, &mut errors);
        }
        self.put_context(context_path, context);
        errors
    }

    /// `findContext`: takes the context object out of the tree (creating it), so the
    /// update can work on it while the registry is borrowed too. Members are found with
    /// `members` and names allocated only for members that are new: this runs for
    /// every delta.
    fn take_context(&mut self, context_path: &str) -> Map<String, Value> {
        let (parents, last) = split_last(context_path);
        let mut node = &mut self.root;
        for part in parents.into_iter().flat_map(|p| p.split('.')) {
            let slot = members::get_or_insert_object(node, part);
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            let Value::Object(map) = slot else {
                unreachable!("made an object above")
            };
            node = map;
        }
        let mut context = match members::get_mut(node, last).map(Value::take) {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        fill_identity(&mut context, context_path.split('.').nth(1).unwrap_or(""));
        context
    }

    fn put_context(&mut self, context_path: &str, context: Map<String, Value>) {
        let (parents, last) = split_last(context_path);
        let mut node = &mut self.root;
        for part in parents.into_iter().flat_map(|p| p.split('.')) {
            let Some(Value::Object(map)) = members::get_mut(node, part) else {
                return;
            };
            node = map;
        }
        set(node, last, Value::Object(context));
    }

    fn add_update(
        &mut self,
        context: &mut Map<String, Value>,
        context_path: &str,
        update: &Value,
        errors: &mut Vec<String>,
    ) {
        let timestamp = field(update, "timestamp").cloned().unwrap_or(Value::Null);
        let structured = field(update, "source");
        let dollar = field(update, "$source");
        if let Some(source) = structured {
            self.update_source(source, &timestamp);
        }
        if let Some(dollar) = dollar {
            if structured.is_none()
                && let Some(dollar) = dollar.as_str()
            {
                self.update_dollar_source(dollar);
            }
        } else if structured.is_none() {
            errors.push(format!("No source in delta update:{update}"));
        }
        let source = structured
            .filter(|s| truthy(s))
            .or(dollar)
            .unwrap_or(&Value::Null);
        // One update, one source: its id and message are the same for every value.
        let source = LeafSource {
            id: source_id(source),
            message: Message::of(source),
            timestamp: &timestamp,
            spill: super::metadata::context_spill(context_path),
        };
        for pv in field(update, "values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Err(error) = self.add_value(context, &source, pv) {
                errors.push(error);
            }
        }
        for meta in field(update, "meta")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.add_meta(Some(context), meta, errors);
        }
    }

    /// `addValue`.
    fn add_value(
        &mut self,
        context: &mut Map<String, Value>,
        source: &LeafSource<'_>,
        pv: &Value,
    ) -> Result<(), String> {
        let (Some(path), Some(value)) = (field(pv, "path"), field(pv, "value")) else {
            return Err(format!("Delta is missing path or value in {pv}"));
        };
        let Some(path) = path.as_str() else {
            return Err(format!("Delta path is not a string in {pv}"));
        };
        if path.is_empty() {
            super::assign::object_assign(context, value);
            return Ok(());
        }
        let parts: Vec<&str> = path.split('.').collect();
        if let Some(bad) = parts.iter().find(|p| FORBIDDEN.contains(p)) {
            return Err(format!(
                "Delta path contains forbidden segment \"{bad}\" in {pv}"
            ));
        }
        if parts.len() > MAX_PATH_SEGMENTS {
            return Err(format!(
                "the mock host refuses a path of {} segments (more than {MAX_PATH_SEGMENTS}): {path}",
                parts.len()
            ));
        }
        // `internalGetMetadata(context.path)` runs for every value (it may copy a
        // schema entry into the registry); its answer is used only on a first value.
        let first_meta = self.registry.for_first_value(source.spill, path);
        let mut node = context;
        let mut parts = parts.into_iter().peekable();
        while let Some(part) = parts.next() {
            let slot = members::get_or_insert_object(node, part);
            if !truthy(slot) {
                *slot = Value::Object(Map::new());
            }
            let Value::Object(map) = slot else {
                // `previous[pathPart] = {}` on a primitive throws in strict mode.
                return Err(format!(
                    "TypeError: Cannot create property '{}' on {} '{slot}'",
                    parts.peek().unwrap_or(&part),
                    js_type(slot)
                ));
            };
            if parts.peek().is_none()
                && !members::contains(map, "value")
                && let Some(meta) = first_meta
            {
                let mut merged = meta.clone();
                if let Some(own) = members::get(map, "meta") {
                    super::assign::object_assign(&mut merged, own);
                }
                set(map, "meta", Value::Object(merged));
            }
            node = map;
        }
        let leaf = node;
        let source_id = source.id.as_str();
        let timestamp = source.timestamp;
        let state = field(pv, "state");
        if let Some(Value::Object(values)) = members::get_mut(leaf, "values") {
            if let Value::Object(entry) = members::get_or_insert_object(values, source_id) {
                set(entry, "value", value.clone());
                set(entry, "timestamp", timestamp.clone());
                source.message.set_on(entry);
                apply_state(entry, state);
            }
        } else if members::contains(leaf, "value")
            && members::get(leaf, "$source").and_then(Value::as_str) != Some(source_id)
        {
            let existing = leaf
                .get("$source")
                .map(|s| s.as_str().map_or_else(|| s.to_string(), str::to_owned))
                .unwrap_or_else(|| "undefined".into());
            let mut old = Map::new();
            for (k, v) in leaf.iter() {
                if !matches!(k.as_str(), "$source" | "timestamp" | "meta") {
                    old.insert(k.clone(), v.clone());
                }
            }
            old.insert(
                "timestamp".into(),
                leaf.get("timestamp").cloned().unwrap_or(Value::Null),
            );
            let mut new = Map::new();
            new.insert("value".into(), value.clone());
            new.insert("timestamp".into(), timestamp.clone());
            source.message.set_on(&mut new);
            apply_state(&mut new, state);
            let mut values = Map::new();
            values.insert(existing, Value::Object(old));
            values.insert(source_id.to_owned(), Value::Object(new));
            leaf.insert("values".into(), Value::Object(values));
        }
        set(leaf, "value", value.clone());
        match members::get_mut(leaf, "$source") {
            Some(Value::String(own)) if own == source_id => {}
            _ => set(leaf, "$source", Value::from(source_id)),
        }
        set(leaf, "timestamp", timestamp.clone());
        source.message.set_on(leaf);
        apply_state(leaf, state);
        Ok(())
    }

    /// `addMeta`: the registry learns it; with a context (`applyToTree`), a leaf that
    /// has a value merges it too (`mergeLeafMeta`).
    fn add_meta(
        &mut self,
        context: Option<&mut Map<String, Value>>,
        pm: &Value,
        errors: &mut Vec<String>,
    ) {
        let (Some(path), Some(meta)) = (pm.get("path"), pm.get("value")) else {
            errors.push(format!("Illegal value in delta:{pm}"));
            return;
        };
        let Some(path) = path.as_str() else {
            errors.push(format!("Illegal value in delta:{pm}"));
            return;
        };
        self.registry.add(path, meta);
        let Some(context) = context else { return };
        if path.is_empty() {
            return;
        }
        let mut parts = path.split('.');
        let Some(first) = parts.next() else { return };
        let Some(mut node) = context.get_mut(first) else {
            return;
        };
        for part in parts {
            let Some(next) = node.get_mut(part) else {
                return;
            };
            node = next;
        }
        if let Value::Object(leaf) = node
            && leaf.get("value").is_some()
        {
            let mut merged = match leaf.get("meta") {
                Some(own) => super::assign::spread(own),
                None => Map::new(),
            };
            super::assign::object_assign(&mut merged, meta);
            leaf.insert("meta".into(), Value::Object(merged));
        }
    }

    /// `updateSource`: a structured source's entry under its label.
    fn update_source(&mut self, source: &Value, timestamp: &Value) {
        let Some(sources) = self.root.get_mut("sources").and_then(Value::as_object_mut) else {
            return;
        };
        let label = js_string(field(source, "label"));
        let entry = sources.entry(label.clone()).or_insert_with(|| {
            let mut entry = Map::new();
            entry.insert(
                "label".into(),
                field(source, "label").cloned().unwrap_or(Value::Null),
            );
            if let Some(kind) = field(source, "type") {
                entry.insert("type".into(), kind.clone());
            }
            Value::Object(entry)
        });
        let Value::Object(entry) = entry else { return };
        let src = field(source, "src").filter(|s| !s.is_null());
        if field(source, "type").and_then(Value::as_str) == Some("NMEA2000") || src.is_some() {
            let key = js_string(field(source, "src"));
            let device = entry
                .entry(key)
                .or_insert_with(|| json!({"n2k": {"pgns": {}}}));
            if let Some(n2k) = device.get_mut("n2k").and_then(Value::as_object_mut) {
                if let Value::Object(fields) = source {
                    for (k, v) in fields {
                        if !matches!(k.as_str(), "pgn" | "label" | "instance" | "type") {
                            n2k.insert(k.clone(), v.clone());
                        }
                    }
                }
                let pgn = js_string(field(source, "pgn"));
                if let Some(pgns) = n2k.get_mut("pgns").and_then(Value::as_object_mut) {
                    pgns.insert(pgn, timestamp.clone());
                }
            }
            return;
        }
        if field(source, "type").and_then(Value::as_str) == Some("NMEA0183")
            || field(source, "sentence").is_some_and(truthy)
        {
            let talker = source
                .get("talker")
                .filter(|t| truthy(t))
                .map_or_else(|| "XX".to_owned(), |t| js_string(Some(t)));
            let slot = entry
                .entry(talker.clone())
                .or_insert_with(|| json!({"talker": talker, "sentences": {}}));
            let sentence = js_string(field(source, "sentence"));
            if let Some(sentences) = slot.get_mut("sentences").and_then(Value::as_object_mut) {
                sentences.insert(sentence, timestamp.clone());
            }
            return;
        }
        entry.insert("timestamp".into(), timestamp.clone());
    }

    /// `updateDollarSource`: `label.a.b` becomes nested empty objects.
    fn update_dollar_source(&mut self, dollar: &str) {
        let Some(sources) = self.root.get_mut("sources").and_then(Value::as_object_mut) else {
            return;
        };
        let schema_ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        let Some((label, suffix)) = dollar.split_once('.') else {
            members::get_or_insert_object(sources, dollar);
            return;
        };
        // A known label (every delta of a provider after its first) is found without
        // allocating its name.
        let mut node = members::get_or_insert_object(sources, label);
        let nested: Vec<&str> =
            if schema_ok(label) && schema_ok(suffix.split('.').next().unwrap_or("")) {
                suffix.split('.').collect()
            } else {
                vec![suffix]
            };
        for part in nested.into_iter().take(MAX_PATH_SEGMENTS) {
            let Value::Object(map) = node else { return };
            node = members::get_or_insert_object(map, part);
        }
    }
}

/// `fillIdentityField(vessel, identity)`.
fn fill_identity(vessel: &mut Map<String, Value>, identity: &str) {
    const MMSI: &str = "urn:mrn:imo:mmsi:";
    let (member, value) = if let Some(mmsi) = identity.strip_prefix(MMSI) {
        ("mmsi", mmsi)
    } else if identity.starts_with("urn:mrn:signalk") {
        ("uuid", identity)
    } else {
        ("url", identity)
    };
    // Assigning the value a member already has changes nothing, and it is the common
    // case (every delta about a known vessel): skipped, so nothing is allocated.
    if members::get(vessel, member).and_then(Value::as_str) != Some(value) {
        set(vessel, member, Value::from(value));
    }
}

/// A dotted path's part before its last dot (if it has one), and the segment after it.
fn split_last(path: &str) -> (Option<&str>, &str) {
    match path.rsplit_once('.') {
        Some((parents, last)) => (Some(parents), last),
        None => (None, path),
    }
}

/// `getSourceId(source)` (`@signalk/server-api`, `sourceutil.js`): a `$source`
/// string as is; a structured source as `label.canName`, `label.src`, `label` (type
/// `plugin`) or `label.talker`, and `label.XX` when it has none of these.
///
/// ```ignore
/// assert_eq!(source_id(&json!({"label": "gps"})), "gps.XX");
/// ```
pub(crate) fn source_id(source: &Value) -> String {
    if !truthy(source) {
        return "no_source".into();
    }
    let Value::Object(s) = source else {
        return js_string(Some(source));
    };
    let field = |k: &str| {
        members::get(s, k)
            .filter(|v| truthy(v))
            .map(|v| js_string(Some(v)))
    };
    let label = field("label");
    if let Some(can_name) = field("canName") {
        let label = label
            .or_else(|| field("src"))
            .unwrap_or("unknown_source".into());
        return format!("{label}.{can_name}");
    }
    if let Some(src) = members::get(s, "src").filter(|v| !v.is_null()) {
        let label = label
            .or_else(|| field("canName"))
            .unwrap_or("unknown_source".into());
        return format!("{label}.{}", js_string(Some(src)));
    }
    let label = label.unwrap_or_else(|| "unknown_source".into());
    if members::get(s, "type").and_then(Value::as_str) == Some("plugin") {
        return label;
    }
    match field("talker") {
        Some(talker) => format!("{label}.{talker}"),
        None => format!("{label}.XX"),
    }
}

/// What `addValue` puts on each leaf of one update: the source's id, message and the
/// update's timestamp.
struct LeafSource<'a> {
    id: String,
    message: Message,
    timestamp: &'a Value,
    /// The context's [`context_spill`](super::metadata::context_spill).
    spill: Option<&'a str>,
}

/// The source's `pgn` or `sentence`, which `setMessage` puts on the leaf.
#[derive(Debug, Default)]
struct Message {
    pgn: Option<Value>,
    sentence: Option<Value>,
}

impl Message {
    /// The truthy `pgn` and `sentence` of a structured source.
    fn of(source: &Value) -> Self {
        let Value::Object(source) = source else {
            return Message::default();
        };
        let member = |k: &str| source.get(k).filter(|v| truthy(v)).cloned();
        Message {
            pgn: member("pgn"),
            sentence: member("sentence"),
        }
    }

    /// `setMessage(leaf, source)`: a `pgn` replaces the leaf's `sentence`, a
    /// `sentence` its `pgn` (with both, the sentence wins).
    fn set_on(&self, leaf: &mut Map<String, Value>) {
        if let Some(pgn) = &self.pgn {
            set(leaf, "pgn", pgn.clone());
            members::remove(leaf, "sentence");
        }
        if let Some(sentence) = &self.sentence {
            set(leaf, "sentence", sentence.clone());
            members::remove(leaf, "pgn");
        }
    }
}

/// `applyStateToLeaf`.
fn apply_state(leaf: &mut Map<String, Value>, state: Option<&Value>) {
    match state {
        Some(state) => set(leaf, "state", state.clone()),
        None => members::remove(leaf, "state"),
    }
}

/// JavaScript truthiness.
pub(crate) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// `String(value)` for the scalars a source carries (`undefined` when absent).
fn js_string(value: Option<&Value>) -> String {
    match value {
        None => "undefined".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) => "null".into(),
        Some(Value::Object(_)) => "[object Object]".into(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::Null => String::new(),
                other => js_string(Some(other)),
            })
            .collect::<Vec<_>>()
            .join(","),
        Some(other) => other.to_string(),
    }
}

/// `typeof` for the error text.
fn js_type(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        _ => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SELF: &str = "urn:mrn:signalk:uuid:1";

    fn delta(context: &str, update: Value) -> Value {
        json!({"context": context, "updates": [update]})
    }

    #[test]
    fn source_ids_follow_get_source_id() {
        assert_eq!(source_id(&json!("pkg")), "pkg");
        assert_eq!(source_id(&json!({"label": "gps"})), "gps.XX");
        assert_eq!(
            source_id(&json!({"label": "gps", "talker": "GP"})),
            "gps.GP"
        );
        assert_eq!(source_id(&json!({"label": "can0", "src": 3})), "can0.3");
        assert_eq!(source_id(&json!({"label": "p", "type": "plugin"})), "p");
        assert_eq!(source_id(&json!({"src": "7"})), "unknown_source.7");
        assert_eq!(source_id(&Value::Null), "no_source");
    }

    #[test]
    fn first_values_get_schema_meta_and_later_sources_make_values() {
        let mut model = FullModel::new(SELF);
        let context = format!("vessels.{SELF}");
        let errors = model.add_delta(&delta(
            &context,
            json!({"$source": "a", "timestamp": "t1", "values": [{"path": "navigation.speedThroughWater", "value": 1}]}),
        ));
        assert!(errors.is_empty(), "{errors:?}");
        let leaf = model
            .node(&["vessels", SELF, "navigation", "speedThroughWater"])
            .unwrap();
        assert_eq!(leaf["meta"]["units"], "m/s");
        assert_eq!(leaf["$source"], "a");
        model.add_delta(&delta(
            &context,
            json!({"source": {"label": "b"}, "timestamp": "t2", "values": [{"path": "navigation.speedThroughWater", "value": 2}]}),
        ));
        let leaf = model
            .node(&["vessels", SELF, "navigation", "speedThroughWater"])
            .unwrap();
        assert_eq!(leaf["$source"], "b.XX");
        assert_eq!(leaf["value"], 2);
        assert_eq!(leaf["values"]["a"], json!({"value": 1, "timestamp": "t1"}));
        assert_eq!(
            leaf["values"]["b.XX"],
            json!({"value": 2, "timestamp": "t2"})
        );
        assert_eq!(
            model.node(&["sources", "b"]).unwrap(),
            &json!({"label": "b", "timestamp": "t2"})
        );
        assert_eq!(model.node(&["vessels", SELF, "uuid"]).unwrap(), SELF);
    }

    #[test]
    fn meta_before_a_value_waits_in_the_registry() {
        let mut model = FullModel::new(SELF);
        let context = format!("vessels.{SELF}");
        model.add_delta(&delta(
            &context,
            json!({"$source": "p", "meta": [{"path": "navigation.anchor.state", "value": {"supportsPut": true}}]}),
        ));
        assert!(model.node(&["vessels", SELF, "navigation"]).is_none());
        model.add_delta(&delta(
            &context,
            json!({"$source": "p", "timestamp": "t", "values": [{"path": "navigation.anchor.state", "value": "on"}]}),
        ));
        assert_eq!(
            model
                .node(&["vessels", SELF, "navigation", "anchor", "state"])
                .unwrap(),
            &json!({"meta": {"description": "", "supportsPut": true}, "value": "on", "$source": "p", "timestamp": "t"})
        );
    }

    #[test]
    fn bad_paths_are_refused_with_the_servers_words() {
        let mut model = FullModel::new(SELF);
        let context = format!("vessels.{SELF}");
        let errors = model.add_delta(&delta(
            &context,
            json!({"$source": "p", "values": [{"path": "a.__proto__.b", "value": 1}, {"path": "x"}]}),
        ));
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("forbidden segment \"__proto__\""));
        let errors = model.add_delta(&delta(
            "meteo",
            json!({"$source": "p", "values": [{"path": "a", "value": 1}]}),
        ));
        assert!(errors.is_empty());
        assert!(model.node(&["meteo"]).is_none());
    }
}
