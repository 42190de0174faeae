//! Notification values in deltas, as signalk-server 2.32.0's notifications API takes
//! them (`dist/api/notifications/index.js`, `filterNotifications` and
//! `handleNotificationUpdate`; `dist/api/notifications/alarm.js`,
//! `syncFromNotificationUpdate` and `get delta`):
//!
//! - every value whose path starts with `notifications` leaves its update (an update
//!   left without values is dropped) and becomes an update of its own;
//! - that update gets a `notificationId`, one per context, path and `$source`, kept
//!   for the life of the server;
//! - its value gets `id` and `status`. A notification from a delta is "external":
//!   `canClear` is `false`; `acknowledgeStatus`, `temporarySilenceStatus`,
//!   `temporarySilenceSupport` and `acknowledgeSupport` (`"Yes"`/other) set the status,
//!   and an acknowledged or silenced alarm loses methods (`alignAlarmMethod`);
//! - it goes back through `handleMessage` (source `notificationApi`) as
//!   `{updates: [update without source], context}`, before the rest of the delta.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

/// One alarm of the notification manager.
#[derive(Debug, Clone)]
struct Alarm {
    status: Map<String, Value>,
    value: Value,
}

impl Alarm {
    /// `new Alarm()`: no id, so `canClear` starts false; the value is the default one
    /// (which already holds the status member).
    fn new() -> Self {
        let status = default_status();
        let value = json!({
            "state": "normal",
            "method": ["visual", "sound"],
            "message": "",
            "status": Value::Object(status.clone()),
        });
        Alarm { status, value }
    }
}

fn default_status() -> Map<String, Value> {
    let Value::Object(status) = json!({
        "silenced": false,
        "acknowledged": false,
        "canSilence": true,
        "canAcknowledge": true,
        "canClear": false,
    }) else {
        unreachable!("a json! object literal is an object")
    };
    status
}

/// The notification manager's memory: ids by key and alarms by id.
#[derive(Debug, Default)]
pub(crate) struct Notifications {
    ids: HashMap<String, String>,
    alarms: HashMap<String, Alarm>,
    next_id: u64,
}

/// What [`Notifications::filter`] made of a delta.
pub(crate) struct Filtered {
    /// The deltas the notifications API sends through `handleMessage`, in order.
    pub(crate) notification_deltas: Vec<Value>,
    /// Why a notification was lost (the server's `console.error`), if one was.
    pub(crate) error: Option<String>,
}

impl Notifications {
    /// `filterNotifications(delta)`: takes the notification values out of `delta`
    /// (which then goes on, possibly with no updates at all) and returns the deltas the
    /// manager emits for them.
    pub(crate) fn filter(&mut self, delta: &mut Value, now: &str) -> Filtered {
        let mut pending = Vec::new();
        let updates = match delta {
            Value::Object(delta) => super::members::get_mut(delta, "updates"),
            _ => None,
        };
        if let Some(Value::Array(updates)) = updates {
            updates.retain_mut(|update| {
                let Some(Value::Array(values)) = super::members::field(update, "values") else {
                    return true;
                };
                if super::members::field(update, "notificationId").is_some() {
                    return true;
                }
                // Most deltas carry no notification: the update stays as it is (an
                // empty `values` array leaves it with none, so it goes).
                if !values.iter().any(is_notification) {
                    return !values.is_empty();
                }
                let (notes, kept): (Vec<Value>, Vec<Value>) =
                    values.iter().cloned().partition(is_notification);
                for note in notes {
                    let mut copy = update.clone();
                    copy["values"] = Value::Array(vec![note]);
                    pending.push(copy);
                }
                if kept.is_empty() {
                    false
                } else {
                    update["values"] = Value::Array(kept);
                    true
                }
            });
        }
        let mut out = Filtered {
            notification_deltas: Vec::new(),
            error: None,
        };
        if pending.is_empty() {
            return out;
        }
        let context = delta.get("context").cloned().unwrap_or(Value::Null);
        for update in pending {
            match self.handle(update, &context, now) {
                Ok(delta) => out.notification_deltas.push(delta),
                Err(error) => {
                    // The chain catches the throw and passes the delta on; the
                    // notifications after this one are lost with it.
                    out.error = Some(error);
                    break;
                }
            }
        }
        out
    }

    /// `handleNotificationUpdate` and `processNotificationUpdate` for one update.
    fn handle(&mut self, mut update: Value, context: &Value, now: &str) -> Result<Value, String> {
        let path = update["values"][0]["path"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let key = format!(
            "{}/{path}/{}",
            js_text(context),
            js_text(update.get("$source").unwrap_or(&Value::Null))
        );
        let id = match self.ids.get(&key) {
            Some(id) => id.clone(),
            None => {
                self.next_id += 1;
                let id = format!("00000000-0000-4000-8000-{:012x}", self.next_id);
                self.ids.insert(key, id.clone());
                id
            }
        };
        if let Value::Object(u) = &mut update {
            u.insert("notificationId".into(), Value::from(id.clone()));
        }
        let mut alarm = self.alarms.get(&id).cloned().unwrap_or_else(Alarm::new);
        sync(&mut alarm, &update, now)?;
        // `Object.assign(value, {id}, {status})` on the value the plugin sent.
        let mut value = alarm.value.clone();
        if let Value::Object(v) = &mut value {
            v.insert("id".into(), Value::from(id.clone()));
            v.insert("status".into(), Value::Object(alarm.status.clone()));
        }
        alarm.value = value.clone();
        self.alarms.insert(id, alarm);
        let Value::Object(mut u) = update else {
            unreachable!("updates reaching here are objects")
        };
        u.insert("values".into(), json!([{"path": path, "value": value}]));
        u.shift_remove("source");
        Ok(json!({"updates": [Value::Object(u)], "context": context}))
    }
}

/// `syncFromNotificationUpdate`.
fn sync(alarm: &mut Alarm, update: &Value, now: &str) -> Result<(), String> {
    alarm.status.insert("canClear".into(), Value::Bool(false));
    let previous_state = alarm.value.get("state").cloned();
    let sent = update["values"][0]
        .get("value")
        .cloned()
        .unwrap_or(Value::Null);
    if super::model::truthy(&sent) {
        alarm.value = sent;
    } else if let Value::Object(v) = &mut alarm.value {
        v.insert("message".into(), Value::from(""));
        v.insert("method".into(), json!([]));
        v.insert("state".into(), Value::from("normal"));
    }
    let state = alarm.value.get("state").cloned();
    if previous_state.as_ref().and_then(Value::as_str) == Some("normal")
        && state.as_ref().and_then(Value::as_str) != Some("normal")
    {
        alarm
            .status
            .insert("acknowledged".into(), Value::Bool(false));
        alarm.status.shift_remove("acknowledgedAt");
        alarm.status.insert("silenced".into(), Value::Bool(false));
    }
    let fields = match &alarm.value {
        Value::Object(v) => v.clone(),
        Value::Array(_) => Map::new(),
        other => {
            return Err(format!(
                "TypeError: Cannot use 'in' operator to search for 'acknowledgeStatus' in {}",
                js_text(other)
            ));
        }
    };
    let yes = |k: &str| fields.get(k).and_then(Value::as_str) == Some("Yes");
    if alarm.status.get("acknowledged") != Some(&Value::Bool(true))
        && fields.contains_key("acknowledgeStatus")
    {
        if yes("acknowledgeStatus") {
            alarm
                .status
                .insert("acknowledgedAt".into(), Value::from(now));
            alarm
                .status
                .insert("acknowledged".into(), Value::Bool(true));
        } else {
            alarm
                .status
                .insert("acknowledged".into(), Value::Bool(false));
            alarm.status.shift_remove("acknowledgedAt");
        }
    }
    if alarm.status.get("silenced") != Some(&Value::Bool(true))
        && fields.contains_key("temporarySilenceStatus")
    {
        alarm.status.insert(
            "silenced".into(),
            Value::Bool(yes("temporarySilenceStatus")),
        );
    }
    if fields.contains_key("temporarySilenceSupport") {
        alarm.status.insert(
            "canSilence".into(),
            Value::Bool(yes("temporarySilenceSupport")),
        );
    }
    if fields.contains_key("acknowledgeSupport") {
        alarm.status.insert(
            "canAcknowledge".into(),
            Value::Bool(yes("acknowledgeSupport")),
        );
    }
    align_method(alarm);
    Ok(())
}

/// `alignAlarmMethod`.
fn align_method(alarm: &mut Alarm) {
    let Value::Object(value) = &mut alarm.value else {
        return;
    };
    let emergency = value.get("state").and_then(Value::as_str) == Some("emergency");
    if alarm.status.get("acknowledged") == Some(&Value::Bool(true)) {
        let method = if emergency {
            json!(["visual"])
        } else {
            json!([])
        };
        value.insert("method".into(), method);
    } else if alarm.status.get("silenced") == Some(&Value::Bool(true))
        && !emergency
        && let Some(Value::Array(methods)) = value.get_mut("method")
    {
        methods.retain(|m| m != "sound");
    }
}

/// Whether a path-value pair is a notification (its path starts with `notifications`).
fn is_notification(pv: &Value) -> bool {
    super::members::field(pv, "path")
        .and_then(Value::as_str)
        .is_some_and(|p| p.starts_with("notifications"))
}

/// `String(value)` for keys and error texts.
fn js_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(_) => "[object Object]".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2026-01-01T00:00:00.000Z";

    fn delta(values: Value) -> Value {
        json!({"updates": [{"$source": "p", "timestamp": "t", "values": values}], "context": "vessels.x"})
    }

    #[test]
    fn notifications_leave_the_delta_with_an_id_and_an_external_status() {
        let mut n = Notifications::default();
        let mut d = delta(json!([
            {"path": "notifications.a", "value": {"state": "alarm", "method": ["visual", "sound"], "message": "m"}},
            {"path": "navigation.b", "value": 1}
        ]));
        let out = n.filter(&mut d, NOW);
        assert_eq!(
            d["updates"][0]["values"],
            json!([{"path": "navigation.b", "value": 1}])
        );
        assert_eq!(out.notification_deltas.len(), 1);
        let note = &out.notification_deltas[0];
        assert_eq!(note["context"], "vessels.x");
        let update = &note["updates"][0];
        let id = update["notificationId"].as_str().unwrap();
        assert_eq!(update["values"][0]["value"]["id"], id);
        assert_eq!(
            update["values"][0]["value"]["status"],
            json!({"silenced": false, "acknowledged": false, "canSilence": true, "canAcknowledge": true, "canClear": false})
        );
        // Same context, path and source: same id.
        let mut again = delta(json!([{"path": "notifications.a", "value": {"state": "normal"}}]));
        let out = n.filter(&mut again, NOW);
        assert_eq!(again["updates"], json!([]));
        assert_eq!(
            out.notification_deltas[0]["updates"][0]["notificationId"],
            id
        );
    }

    #[test]
    fn acknowledged_alarms_lose_their_methods_and_odd_values_are_lost() {
        let mut n = Notifications::default();
        let mut d = delta(
            json!([{"path": "notifications.a", "value": {"state": "alarm", "method": ["visual", "sound"], "acknowledgeStatus": "Yes", "acknowledgeSupport": "No"}}]),
        );
        let out = n.filter(&mut d, NOW);
        let value = &out.notification_deltas[0]["updates"][0]["values"][0]["value"];
        assert_eq!(value["method"], json!([]));
        assert_eq!(value["status"]["acknowledged"], true);
        assert_eq!(value["status"]["acknowledgedAt"], NOW);
        assert_eq!(value["status"]["canAcknowledge"], false);
        let mut d =
            delta(json!([{"path": "notifications.b", "value": "text"}, {"path": "x", "value": 1}]));
        let out = n.filter(&mut d, NOW);
        assert!(out.notification_deltas.is_empty());
        assert!(out.error.unwrap().contains("'in' operator"));
        assert_eq!(
            d["updates"][0]["values"],
            json!([{"path": "x", "value": 1}])
        );
    }
}
