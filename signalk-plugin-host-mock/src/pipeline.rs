//! The server's delta pipeline (`app.handleMessage` in `dist/index.js`, §3.3 and
//! §4.8): normalise the delta the way signalk-server does, run the notifications
//! API's input handler (`server::notifications`), hand the delta to the running
//! plugin's `delta_handler` (the full model's `delta` event fires before the model
//! changes), then keep v1 values in the full model (`server::model`). All of it
//! synchronously, so a plugin's own `sk_handle_message` re-enters it exactly as on the
//! real server.

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use wasmtime::AsContextMut;

use crate::guest::{Shape, call};
use crate::server::members;
use crate::server::model::source_id;
use crate::state::{HostState, PluginState};

/// Runs one delta from `provider_id` (a package name, `notificationApi`, ...) through
/// the pipeline.
pub(crate) fn handle_message(
    ctx: &mut impl AsContextMut<Data = HostState>,
    provider_id: &str,
    delta: Value,
    v2: bool,
) {
    let mut store = ctx.as_context_mut();
    let state = store.data_mut();
    let self_context = state.self_context();
    let now = now();
    let mut delta = match normalize(
        crate::js::round_trip(delta),
        provider_id,
        &self_context,
        &now,
    ) {
        Ok(delta) => delta,
        Err(why) => {
            state.log(format!("handleMessage from {provider_id}: {why}"));
            return;
        }
    };
    // The notifications API's delta input handler: its own deltas go through
    // `handleMessage` first, then this one goes on (even with no updates left).
    let filtered = state.notifications.filter(&mut delta, &now);
    if let Some(error) = filtered.error {
        state.log(format!("Delta input handler threw: {error}"));
    }
    for note in filtered.notification_deltas {
        handle_message(ctx, "notificationApi", note, false);
    }
    let mut store = ctx.as_context_mut();
    let slot = store.data_mut().recorded.reserve_delta();
    dispatch(ctx, &delta);
    let mut store = ctx.as_context_mut();
    let state = store.data_mut();
    if !v2 {
        for error in state.model.add_delta(&delta) {
            state.log(error);
        }
    }
    state.recorded.fill_delta(slot, delta);
}

/// The time as `new Date().toISOString()` writes it. Many deltas share a millisecond,
/// so the text of the last one is kept (per thread) and formatted again only when the
/// clock has moved on: the answer is still the current time, to the millisecond.
pub(crate) fn now() -> String {
    thread_local! {
        static LAST: RefCell<(Option<u128>, String)> = const { RefCell::new((None, String::new())) };
    }
    let time = SystemTime::now();
    let format = |time| humantime::format_rfc3339_millis(time).to_string();
    // Before 1970 (a clock set wrong) there is nothing to key on: formatted each time.
    let Ok(since) = time.duration_since(UNIX_EPOCH) else {
        return format(time);
    };
    let millis = since.as_millis();
    LAST.with_borrow_mut(|last| {
        if last.0 != Some(millis) {
            *last = (Some(millis), format(time));
        }
        last.1.clone()
    })
}

/// The largest buffer the host keeps between deltas for their text (bigger ones are
/// freed after their call, so one huge delta does not hold memory for the host's life).
const KEPT_DELTA_BUFFER: usize = 64 * 1024;

/// Calls the plugin's `delta_handler` if it is running and has one.
pub(crate) fn dispatch(ctx: &mut impl AsContextMut<Data = HostState>, delta: &Value) {
    let mut store = ctx.as_context_mut();
    let state = store.data_mut();
    let Some(func) = state.exports.and_then(|e| e.delta_handler) else {
        return;
    };
    // `startWasmPlugin` subscribes after a successful start; `stopWasmPlugin`
    // unsubscribes before it calls `plugin_stop`.
    if state.state != PluginState::Running || !state.delta_subscribed {
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
    // Written straight to bytes (`to_string` would go through `fmt::Write`), into the
    // buffer of the last delta: a fresh one would grow (and copy) itself to size every
    // time. A delta re-entered from inside `delta_handler` finds it taken and uses its own.
    let mut text = std::mem::take(&mut state.delta_text);
    text.clear();
    if let Err(err) = serde_json::to_writer(&mut text, delta) {
        let msg = format!("the delta for delta_handler does not serialise: {err}");
        state.recorded.push_handler_fault(msg.clone());
        state.log(msg);
        return;
    }
    state.delta_depth += 1;
    let outcome = call::call_with_buffers(
        &mut store,
        func,
        signalk_plugin_abi::names::DELTA_HANDLER,
        Shape {
            input: Some(&text),
            output: None,
            free_on_trap: true,
        },
    );
    let state = store.data_mut();
    state.delta_depth -= 1;
    // Kept for the next delta unless an outsized delta made it big.
    if text.capacity() <= KEPT_DELTA_BUFFER {
        state.delta_text = text;
    }
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

/// `isValidUpdate`: an object whose `values`, if present, is an array of objects that
/// all have a string `path`.
fn valid_update(update: &Value) -> bool {
    let Value::Object(update) = update else {
        return false;
    };
    match members::get(update, "values") {
        None => true,
        Some(Value::Array(values)) => values
            .iter()
            .all(|v| members::field(v, "path").is_some_and(Value::is_string)),
        Some(_) => false,
    }
}

/// What `app.handleMessage` does to a delta before anyone sees it: the context, each
/// update's validity, label, `$source` (`getSourceId` of a structured source, so a
/// label without a type gives `label.XX`) and timestamp. `Err` says why the server
/// drops the whole delta.
pub(crate) fn normalize(
    delta: Value,
    provider_id: &str,
    self_context: &str,
    now: &str,
) -> Result<Value, String> {
    let Value::Object(mut delta) = delta else {
        return Err("not an object: ignored".into());
    };
    // Members are found with `members` (compared by name, not hashed): see there.
    let Some(Value::Array(updates)) = members::get_mut(&mut delta, "updates").map(Value::take)
    else {
        return Err("no `updates` array: ignored".into());
    };
    match members::get_mut(&mut delta, "context") {
        None => {
            delta.insert("context".into(), Value::from(self_context));
        }
        Some(context @ Value::String(_)) if context == "vessels.self" => {
            *context = Value::from(self_context);
        }
        Some(_) => {}
    }
    let mut kept = Vec::with_capacity(updates.len());
    for update in updates {
        if !valid_update(&update) {
            continue;
        }
        let Value::Object(mut update) = update else {
            continue;
        };
        match members::get_mut(&mut update, "source") {
            None => {
                if !members::contains(&update, "$source") {
                    update.insert("$source".into(), Value::from(provider_id));
                }
            }
            Some(source @ (Value::Object(_) | Value::Array(_))) => {
                let ok = members::field(source, "label")
                    .and_then(Value::as_str)
                    .is_some_and(valid_label);
                if let (false, Value::Object(fields)) = (ok, &mut *source) {
                    fields.insert("label".into(), Value::from(provider_id));
                }
                // An array cannot carry the label through JSON, but getSourceId
                // sees it: the id is the provider's.
                let id = match source {
                    Value::Array(_) => format!("{provider_id}.XX"),
                    other => source_id(other),
                };
                if !members::get(&update, "$source").is_some_and(crate::server::model::truthy) {
                    members::set(&mut update, "$source", Value::from(id));
                }
            }
            Some(other) => {
                // `update.source.label = providerId` on a primitive throws in strict
                // mode, outside the server's try: the whole delta is lost.
                return Err(format!(
                    "TypeError: Cannot set properties of {} (setting 'label')",
                    if other.is_null() {
                        "null".to_owned()
                    } else {
                        format!("{other}")
                    }
                ));
            }
        }
        if !members::get(&update, "timestamp").is_some_and(crate::server::model::truthy) {
            members::set(&mut update, "timestamp", Value::from(now));
        }
        if members::get(&update, "meta").is_some_and(|meta| !meta.is_array()) {
            update.shift_remove("meta");
        }
        if members::contains(&update, "values") || members::contains(&update, "meta") {
            kept.push(Value::Object(update));
        }
    }
    if kept.is_empty() {
        return Err("no valid updates: discarded".into());
    }
    members::set(&mut delta, "updates", Value::Array(kept));
    Ok(Value::Object(delta))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SELF: &str = "vessels.urn:mrn:signalk:uuid:1";
    const NOW: &str = "2026-01-01T00:00:00.000Z";

    fn norm(delta: Value, provider: &str) -> Result<Value, String> {
        normalize(delta, provider, SELF, NOW)
    }

    #[test]
    fn now_is_the_current_millisecond_even_when_kept() {
        let format = |t| humantime::format_rfc3339_millis(t).to_string();
        for _ in 0..3 {
            let before = format(SystemTime::now());
            let first = now();
            let second = now();
            let after = format(SystemTime::now());
            // The texts have one length, so their order is the order of the times.
            assert_eq!(first.len(), "2026-01-01T00:00:00.000Z".len(), "{first}");
            assert!(
                before <= first && first <= second && second <= after,
                "{before} {first} {second} {after}"
            );
            std::thread::sleep(std::time::Duration::from_millis(3));
        }
    }

    #[test]
    fn context_and_source_are_filled_in() {
        let d = norm(
            json!({"updates":[{"values":[{"path":"a","value":1}]}]}),
            "@acme/x",
        )
        .unwrap();
        assert_eq!(d["context"], SELF);
        assert_eq!(d["updates"][0]["$source"], "@acme/x");
        assert_eq!(d["updates"][0]["timestamp"], NOW);
        let d = norm(
            json!({"context":"vessels.self","updates":[{"values":[]}]}),
            "p",
        )
        .unwrap();
        assert_eq!(d["context"], SELF);
        let d = norm(
            json!({"context":"vessels.other","updates":[{"values":[]}]}),
            "p",
        )
        .unwrap();
        assert_eq!(d["context"], "vessels.other");
        // Only a missing context is filled in: null stays null.
        let d = norm(json!({"context":null,"updates":[{"values":[]}]}), "p").unwrap();
        assert_eq!(d["context"], Value::Null);
        // A falsy timestamp is replaced.
        let d = norm(json!({"updates":[{"timestamp":"","values":[]}]}), "p").unwrap();
        assert_eq!(d["updates"][0]["timestamp"], NOW);
    }

    #[test]
    fn a_labelled_source_without_type_gets_label_xx() {
        let d = norm(
            json!({"updates":[{"source":{"label":"gps"},"values":[]}]}),
            "p",
        )
        .unwrap();
        assert_eq!(d["updates"][0]["$source"], "gps.XX");
        let d = norm(
            json!({"updates":[{"source":{"label":"has space","talker":"GP"},"values":[]}]}),
            "pkg",
        )
        .unwrap();
        assert_eq!(d["updates"][0]["source"]["label"], "pkg");
        assert_eq!(d["updates"][0]["$source"], "pkg.GP");
        let d = norm(
            json!({"updates":[{"source":{"label":"x"},"$source":"mine","values":[]}]}),
            "p",
        )
        .unwrap();
        assert_eq!(d["updates"][0]["$source"], "mine");
        assert!(norm(json!({"updates":[{"source":"str","values":[]}]}), "p").is_err());
    }

    #[test]
    fn an_update_with_one_bad_value_is_discarded_whole() {
        let d = norm(
            json!({"updates":[
                {"values":[{"path":"a","value":1}, null, {"value":2}]},
                {"values":"nope"},
                {"meta":{"not":"array"}},
                {"values":[{"path":"b","value":2}]}
            ]}),
            "pkg",
        )
        .unwrap();
        let updates = d["updates"].as_array().unwrap();
        assert_eq!(updates.len(), 1, "{d}");
        assert_eq!(updates[0]["values"], json!([{"path":"b","value":2}]));
        assert!(norm(json!([1]), "pkg").is_err());
        assert!(norm(json!({"updates":[{"values":[null]}]}), "pkg").is_err());
        assert!(norm(json!({"updates":{}}), "pkg").is_err());
    }
}
