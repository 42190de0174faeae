//! §9 — PUT requests: handler lookup by exact context and path, the
//! `handle_put_<context>_<path>` export, the 8 192-byte reply buffer, and what a REST
//! client finally sees (always 500 on 2.32.0).

use serde_json::{Value, json};

use crate::guest::{Guest, Shape};
use crate::{Error, memory};

/// Size of the host's reply buffer for PUT handlers.
pub const REPLY_BUFFER: u32 = signalk_plugin_abi::buffers::PUT_REPLY as u32;

/// The result of a PUT request.
#[derive(Debug, Clone, PartialEq)]
pub struct PutResponse {
    /// The reply the server's action callback received (`{state, statusCode, message?}`),
    /// after the server's own mapping (`SUCCESS` → COMPLETED/200, `FAILURE` → 502).
    pub reply: Value,
    /// The HTTP status a REST client gets. With the 2.32.0 quirk this is always 500
    /// once a handler ran, whatever it replied.
    pub http_status: u16,
    /// Whether the plugin's handler export ran (its side effects happened).
    pub handler_ran: bool,
}

impl PutResponse {
    /// The reply's `statusCode`.
    #[must_use]
    pub fn status_code(&self) -> Option<u64> {
        self.reply["statusCode"].as_u64()
    }

    /// The reply's `message`.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        self.reply["message"].as_str()
    }
}

/// A PUT with the value's JSON text given as is; handlers run whatever the plugin's
/// state. See [`MockHost::put`](crate::MockHost::put).
///
/// # Errors
///
/// [`Error::Timeout`] (where the server would hang); every other outcome is a
/// [`PutResponse`].
pub(crate) fn put(
    guest: &mut Guest,
    context: &str,
    path: &str,
    value_json: &str,
) -> Result<PutResponse, Error> {
    let done = |reply: Value, ran: bool| PutResponse {
        http_status: reply["statusCode"]
            .as_u64()
            .and_then(|c| u16::try_from(c).ok())
            .unwrap_or(500),
        reply,
        handler_ran: ran,
    };
    if !guest
        .state()
        .put_handlers
        .contains(&(context.to_owned(), path.to_owned()))
    {
        return Ok(done(
            json!({"state": "COMPLETED", "statusCode": 405, "message": format!("PUT not supported for {path}")}),
            false,
        ));
    }
    let export = signalk_plugin_abi::put::export_name(context, path);
    if !guest.has_export(&export) {
        return Ok(done(
            json!({"state": "COMPLETED", "statusCode": 501, "message": "Handler not implemented"}),
            false,
        ));
    }
    let shape = Shape {
        input: Some(value_json.as_bytes()),
        output: Some(REPLY_BUFFER),
        free_on_trap: false,
    };
    let out = guest.invoke(&export, shape);
    let failed = |msg: String| json!({"state": "COMPLETED", "statusCode": 500, "message": format!("Handler error: {msg}")});
    let reply = match out {
        Ok(out) => {
            let text = memory::decode(&out.output.unwrap_or_default());
            match serde_json::from_str::<Value>(&text) {
                Ok(reply) => map_state(crate::js::round_trip(reply)),
                Err(err) => failed(err.to_string()),
            }
        }
        Err(err @ Error::Timeout { .. }) => return Err(err),
        Err(Error::Trap { message, .. }) => failed(message),
        Err(err) => failed(err.to_string()),
    };
    let mut response = done(reply, true);
    if guest.state().options.quirks.put_reply_always_500 {
        response.http_status = 500;
    } else if response.reply["state"] == "PENDING" {
        response.http_status = 202;
    }
    Ok(response)
}

/// The server maps the legacy states: SUCCESS → COMPLETED/200, FAILURE → COMPLETED/502.
fn map_state(mut reply: Value) -> Value {
    match reply["state"].as_str() {
        Some("SUCCESS") => {
            reply["state"] = "COMPLETED".into();
            reply["statusCode"] = 200.into();
        }
        Some("FAILURE") => {
            reply["state"] = "COMPLETED".into();
            reply["statusCode"] = 502.into();
        }
        _ => {}
    }
    reply
}
