//! PUT requests as signalk-server 2.32.0 answers them: the request table of
//! `dist/requestResponse.js` (`createRequest`, `updateRequest`, `createReply`) and the
//! flow of `dist/put.js` (`putPath`), for REST (`PUT /signalk/v1/api/...`) and for the
//! WebSocket (`dist/interfaces/ws.js`, `processPutRequest`).
//!
//! A WASM plugin's PUT callback answers through `cb(reply)` and returns nothing, so:
//! the callback's reply goes to the request (a WebSocket client receives it at once);
//! then `putPath` reads `.state` of the missing return value, and the request is
//! completed again with 500 `Cannot read properties of undefined (reading 'state')`,
//! which a WebSocket client receives as a second message with the same `requestId`
//! and a REST client as the answer. [`Quirks::put_reply_always_500`] switches that
//! off: the callback's reply is then the only update and the REST answer.
//!
//! [`Quirks::put_reply_always_500`]: crate::Quirks::put_reply_always_500

use std::collections::HashMap;

use serde_json::{Map, Value};

/// What the server's PUT callback for a WASM plugin
/// (`wasm/bindings/env-imports.js`, the callback `sk_register_put_handler` registers)
/// hands to `cb`: the handler's reply as `JSON.parse` made it, or the error reply the
/// callback builds itself.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CallbackReply {
    /// What `cb` received.
    pub(crate) reply: Value,
    /// Whether the plugin's handler export ran.
    pub(crate) handler_ran: bool,
}

/// `fixReply` (`put.js`, `putPath`): the legacy states SUCCESS → COMPLETED/200 and
/// FAILURE → COMPLETED/502.
fn fix_reply(reply: &mut Value) {
    let Value::Object(fields) = reply else { return };
    match fields.get("state").and_then(Value::as_str) {
        Some("SUCCESS") => {
            fields.insert("state".into(), "COMPLETED".into());
            fields.insert("statusCode".into(), 200.into());
        }
        Some("FAILURE") => {
            fields.insert("state".into(), "COMPLETED".into());
            fields.insert("statusCode".into(), 502.into());
        }
        _ => {}
    }
}

/// The message `putPath` completes every WASM PUT with on 2.32.0.
pub(crate) const UNDEFINED_STATE: &str = "Cannot read properties of undefined (reading 'state')";

/// One request (`requestResponse.js`, the objects `createRequest` keeps).
#[derive(Debug, Clone)]
struct Request {
    state: Value,
    status_code: Value,
    message: Option<Value>,
    data: Option<Value>,
}

/// The server's request table.
#[derive(Debug, Default)]
pub(crate) struct Requests {
    requests: HashMap<String, Request>,
    generated: u64,
}

impl Requests {
    /// `createRequest`: the client's `requestId`, or a new one; state PENDING/202.
    pub(crate) fn create(&mut self, client_id: Option<&str>) -> String {
        let id = match client_id {
            Some(id) if !id.is_empty() => id.to_owned(),
            _ => {
                self.generated += 1;
                format!("00000000-0000-4000-9000-{:012x}", self.generated)
            }
        };
        self.requests.insert(
            id.clone(),
            Request {
                state: Value::from("PENDING"),
                status_code: Value::from(202),
                message: None,
                data: None,
            },
        );
        id
    }

    /// `updateRequest(id, state, reply)`: a truthy state, a non-null `statusCode`, a
    /// truthy `message` and `data` replace the request's; the answer is `createReply`.
    pub(crate) fn update(&mut self, id: &str, state: Option<&Value>, reply: &Value) -> Value {
        let Some(request) = self.requests.get_mut(id) else {
            return Value::Null;
        };
        let field = |k: &str| match reply {
            Value::Object(fields) => fields.get(k),
            _ => None,
        };
        if let Some(state) = state.filter(|s| super::model::truthy(s)) {
            request.state = state.clone();
        }
        if let Some(code) = field("statusCode").filter(|c| !c.is_null()) {
            request.status_code = code.clone();
        }
        if let Some(message) = field("message").filter(|m| super::model::truthy(m)) {
            request.message = Some(message.clone());
        }
        if let Some(data) = field("data").filter(|d| super::model::truthy(d)) {
            request.data = Some(data.clone());
        }
        create_reply(id, request)
    }
}

/// `createReply` (members that are `undefined` are left out, as `JSON.stringify`
/// does).
fn create_reply(id: &str, request: &Request) -> Value {
    // At most six members: sized once, not grown member by member.
    let mut reply = Map::with_capacity(6);
    reply.insert("state".into(), request.state.clone());
    reply.insert("requestId".into(), Value::from(id));
    reply.insert("statusCode".into(), request.status_code.clone());
    if let Some(message) = &request.message {
        reply.insert("message".into(), message.clone());
    }
    reply.insert(
        "href".into(),
        Value::from(format!("/signalk/v1/requests/{id}")),
    );
    if let Some(data) = &request.data {
        reply.insert("put".into(), data.clone());
    }
    Value::Object(reply)
}

/// Everything one PUT produced.
#[derive(Debug, Clone)]
pub(crate) struct PutOutcome {
    /// The replies a WebSocket client receives, in order.
    pub(crate) messages: Vec<Value>,
    /// The final reply (what a REST client gets as its body).
    pub(crate) last: Value,
    /// What the plugin's callback handed to `cb` (after `fixReply`), if a handler was
    /// found.
    pub(crate) callback: Option<CallbackReply>,
}

/// `putPath` once the handler's callback ran (or none was found): the request's
/// updates in order. `always_500` is [`Quirks::put_reply_always_500`](crate::Quirks).
pub(crate) fn complete(
    requests: &mut Requests,
    request_id: &str,
    path: &str,
    callback: Option<CallbackReply>,
    always_500: bool,
) -> PutOutcome {
    let mut messages = Vec::with_capacity(2);
    let Some(mut callback) = callback else {
        let reply = serde_json::json!({
            "statusCode": 405,
            "message": format!("PUT not supported for {path}"),
        });
        let answer = requests.update(request_id, Some(&Value::from("COMPLETED")), &reply);
        messages.push(answer.clone());
        return PutOutcome {
            messages,
            last: answer,
            callback: None,
        };
    };
    fix_reply(&mut callback.reply);
    let state = match &callback.reply {
        Value::Object(fields) => fields.get("state").cloned(),
        _ => None,
    };
    let answer = requests.update(request_id, state.as_ref(), &callback.reply);
    let last = if always_500 {
        // The callback's answer is only a message: moved there, not copied.
        messages.push(answer);
        let bogus = serde_json::json!({"statusCode": 500, "message": UNDEFINED_STATE});
        let answer = requests.update(request_id, Some(&Value::from("COMPLETED")), &bogus);
        messages.push(answer.clone());
        answer
    } else {
        messages.push(answer.clone());
        // The REST answer of a pending request also points at where to follow it.
        let mut answer = answer;
        if answer["state"] == "PENDING" {
            let href = answer["href"].clone();
            answer["action"] = serde_json::json!({ "href": href });
        }
        answer
    };
    PutOutcome {
        messages,
        last,
        callback: Some(callback),
    }
}

/// The HTTP status `res.status(reply.statusCode)` gives (a code Node would refuse is
/// answered as 500).
pub(crate) fn http_status(reply: &Value) -> u16 {
    reply["statusCode"]
        .as_u64()
        .and_then(|c| u16::try_from(c).ok())
        .filter(|c| (100..=999).contains(c))
        .unwrap_or(500)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ran(reply: Value) -> Option<CallbackReply> {
        Some(CallbackReply {
            reply,
            handler_ran: true,
        })
    }

    #[test]
    fn on_2_32_0_the_plugins_reply_is_followed_by_a_500() {
        let mut requests = Requests::default();
        let id = requests.create(Some("r1"));
        let out = complete(
            &mut requests,
            &id,
            "a.b",
            ran(json!({"state": "SUCCESS"})),
            true,
        );
        assert_eq!(
            out.messages,
            [
                json!({"state": "COMPLETED", "requestId": "r1", "statusCode": 200, "href": "/signalk/v1/requests/r1"}),
                json!({"state": "COMPLETED", "requestId": "r1", "statusCode": 500, "message": UNDEFINED_STATE, "href": "/signalk/v1/requests/r1"}),
            ]
        );
        assert_eq!(http_status(&out.last), 500);
    }

    #[test]
    fn fixed_answers_once_and_messages_stick() {
        let mut requests = Requests::default();
        let id = requests.create(None);
        assert!(id.starts_with("00000000-0000-4000-9000-"));
        let out = complete(
            &mut requests,
            &id,
            "a.b",
            ran(json!({"state": "COMPLETED", "statusCode": 400, "message": "bad"})),
            false,
        );
        assert_eq!(out.messages.len(), 1);
        assert_eq!(out.last["message"], "bad");
        assert_eq!(http_status(&out.last), 400);
        // A reply that is not an object leaves the request pending.
        let id = requests.create(Some("r2"));
        let out = complete(&mut requests, &id, "a.b", ran(json!(5)), false);
        assert_eq!(out.last["state"], "PENDING");
        assert_eq!(out.last["statusCode"], 202);
    }

    #[test]
    fn no_handler_is_405() {
        let mut requests = Requests::default();
        let id = requests.create(Some("r"));
        let out = complete(&mut requests, &id, "x.y", None, true);
        assert_eq!(out.messages.len(), 1);
        assert_eq!(out.last["statusCode"], 405);
        assert_eq!(out.last["message"], "PUT not supported for x.y");
    }
}
