//! The server's delta pipeline (`app.handleMessage`, §3.3 and §4.8): normalise the
//! delta the way signalk-server does, keep v1 values in the data model, and hand every
//! delta to the running plugin's `delta_handler` — synchronously, so a plugin's own
//! `sk_handle_message` re-enters it exactly as on the real server.

use serde_json::{Value, json};
use wasmtime::AsContextMut;

use crate::guest::{Shape, call};
use crate::state::{HostState, PluginState};

/// Runs one delta from `source_package` through the pipeline.
pub(crate) fn handle_message(
    ctx: &mut impl AsContextMut<Data = HostState>,
    source_package: &str,
    delta: Value,
    v2: bool,
) {
    let mut store = ctx.as_context_mut();
    let state = store.data_mut();
    let self_context = state.self_context();
    let Some(mut delta) = normalize(crate::js::round_trip(delta), source_package, &self_context)
    else {
        state.log("handleMessage: delta dropped (not an object)");
        return;
    };
    mark_notifications(state, &mut delta);
    if !v2 {
        apply(state, &delta);
    }
    state.recorded.push_delta(delta.clone());
    dispatch(ctx, &delta);
}

/// Calls the plugin's `delta_handler` if it is running and has one.
pub(crate) fn dispatch(ctx: &mut impl AsContextMut<Data = HostState>, delta: &Value) {
    let mut store = ctx.as_context_mut();
    let state = store.data_mut();
    let Some(func) = state.exports.and_then(|e| e.delta_handler) else {
        return;
    };
    if state.state != PluginState::Running {
        return;
    }
    if state.delta_depth >= state.options.max_delta_depth {
        let msg = format!(
            "delta_handler re-entered {} levels deep: the mock host stopped the recursion (the real server would recurse until the stack overflows)",
            state.delta_depth
        );
        state.recorded.push_handler_fault(msg.clone());
        state.log(msg);
        return;
    }
    state.delta_depth += 1;
    let text = delta.to_string();
    let outcome = call::call_with_buffers(
        &mut store,
        func,
        signalk_plugin_abi::names::DELTA_HANDLER,
        Shape {
            input: Some(text.as_bytes()),
            output: None,
            free_on_trap: true,
        },
    );
    let state = store.data_mut();
    state.delta_depth -= 1;
    if let Err(err) = outcome {
        // The server swallows these with a debug line; tests can read them.
        state.recorded.push_handler_fault(err.to_string());
        state.log(format!("delta_handler failed: {err}"));
    }
}

fn valid_label(label: &str) -> bool {
    !label.is_empty()
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// What `app.handleMessage` does to a delta before anyone sees it.
pub(crate) fn normalize(delta: Value, source_package: &str, self_context: &str) -> Option<Value> {
    let Value::Object(mut delta) = delta else {
        return None;
    };
    match delta.get("context").and_then(Value::as_str) {
        None | Some("vessels.self") => {
            delta.insert("context".into(), Value::from(self_context));
        }
        Some(_) => {}
    }
    let now = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
    let updates = match delta.remove("updates") {
        Some(Value::Array(updates)) => updates,
        _ => Vec::new(),
    };
    let mut kept = Vec::with_capacity(updates.len());
    for update in updates {
        let Value::Object(mut update) = update else {
            continue;
        };
        match update.get_mut("source") {
            Some(Value::Object(source)) => {
                let ok = source
                    .get("label")
                    .and_then(Value::as_str)
                    .is_some_and(valid_label);
                if !ok {
                    source.insert("label".into(), Value::from(source_package));
                }
            }
            _ => {
                update
                    .entry("$source")
                    .or_insert_with(|| Value::from(source_package));
            }
        }
        update
            .entry("timestamp")
            .or_insert_with(|| Value::from(now.clone()));
        let has_values = match update.get_mut("values") {
            Some(Value::Array(values)) => {
                values.retain(|v| v.is_object() && v.get("path").is_some_and(Value::is_string));
                true
            }
            Some(_) => {
                update.remove("values");
                false
            }
            None => false,
        };
        if !matches!(update.get("meta"), Some(Value::Array(_))) {
            update.remove("meta");
        }
        if !has_values && !update.contains_key("meta") {
            continue;
        }
        kept.push(Value::Object(update));
    }
    delta.insert("updates".into(), Value::Array(kept));
    Some(Value::Object(delta))
}

/// The server adds `id` and `status` to notification values and `notificationId` to
/// their update.
fn mark_notifications(state: &mut HostState, delta: &mut Value) {
    let Some(updates) = delta.get_mut("updates").and_then(Value::as_array_mut) else {
        return;
    };
    for update in updates {
        let Some(values) = update.get_mut("values").and_then(Value::as_array_mut) else {
            continue;
        };
        let mut id = None;
        for pv in values.iter_mut() {
            let is_notification = pv["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("notifications."));
            if let (true, Some(value)) = (
                is_notification,
                pv.get_mut("value").and_then(Value::as_object_mut),
            ) {
                state.notification_ids += 1;
                let nid = format!("00000000-0000-4000-8000-{:012x}", state.notification_ids);
                value
                    .entry("id")
                    .or_insert_with(|| Value::from(nid.clone()));
                value.entry("status").or_insert_with(|| {
                    json!({"silenced": false, "acknowledged": false, "canSilence": true, "canAcknowledge": true, "canClear": true})
                });
                id = Some(nid);
            }
        }
        if let (Some(id), Some(update)) = (id, update.as_object_mut()) {
            update.entry("notificationId").or_insert(Value::from(id));
        }
    }
}

/// v1 deltas update the full model (what `/signalk/v1/api/` would serve).
fn apply(state: &mut HostState, delta: &Value) {
    let Some(context) = delta["context"].as_str() else {
        return;
    };
    let paths = state.model.entry(context.to_owned()).or_default();
    for update in delta["updates"].as_array().into_iter().flatten() {
        for pv in update["values"].as_array().into_iter().flatten() {
            if let Some(path) = pv["path"].as_str() {
                // A new value replaces value, source and timestamp; meta stays.
                let entry = paths.entry(path.to_owned()).or_insert_with(|| json!({}));
                if let Some(entry) = entry.as_object_mut() {
                    entry.insert("value".into(), pv["value"].clone());
                    entry.insert("$source".into(), update["$source"].clone());
                    entry.insert("timestamp".into(), update["timestamp"].clone());
                }
            }
        }
        for pm in update["meta"].as_array().into_iter().flatten() {
            if let (Some(path), Some(meta)) = (pm["path"].as_str(), pm["value"].as_object()) {
                let entry = paths.entry(path.to_owned()).or_insert_with(|| json!({}));
                if let Some(entry) = entry.as_object_mut() {
                    let slot = entry.entry("meta").or_insert_with(|| json!({}));
                    if let Some(slot) = slot.as_object_mut() {
                        slot.extend(meta.clone());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SELF: &str = "vessels.urn:mrn:signalk:uuid:1";

    #[test]
    fn context_and_source_are_filled_in() {
        let d = normalize(
            json!({"updates":[{"values":[{"path":"a","value":1}]}]}),
            "@acme/x",
            SELF,
        )
        .unwrap();
        assert_eq!(d["context"], SELF);
        assert_eq!(d["updates"][0]["$source"], "@acme/x");
        assert!(d["updates"][0]["timestamp"].is_string());
        let d = normalize(json!({"context":"vessels.self","updates":[]}), "p", SELF).unwrap();
        assert_eq!(d["context"], SELF);
        let d = normalize(json!({"context":"vessels.other","updates":[]}), "p", SELF).unwrap();
        assert_eq!(d["context"], "vessels.other");
    }

    #[test]
    fn bad_labels_are_replaced_and_bad_values_dropped() {
        let d = normalize(
            json!({"updates":[
                {"source":{"label":"has space"},"values":[{"path":"a","value":1}, null, {"value":2}]},
                {"values":"nope"},
                {"meta":{"not":"array"}}
            ]}),
            "pkg",
            SELF,
        )
        .unwrap();
        let updates = d["updates"].as_array().unwrap();
        assert_eq!(updates.len(), 1, "{d}");
        assert_eq!(updates[0]["source"]["label"], "pkg");
        assert_eq!(updates[0]["values"].as_array().unwrap().len(), 1);
        assert!(normalize(json!([1]), "pkg", SELF).is_none());
    }
}
