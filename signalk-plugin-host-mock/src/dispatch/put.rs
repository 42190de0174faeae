//! §9 — PUT requests: handler lookup by exact context and path, the
//! `handle_put_<context>_<path>` export and the 8 192-byte reply buffer. What a REST or
//! WebSocket client then receives is `server::requests`.

use serde_json::{Value, json};

use crate::guest::{Guest, Shape};
use crate::server::requests::CallbackReply;
use crate::{Error, memory};

/// Size of the host's reply buffer for PUT handlers.
pub const REPLY_BUFFER: u32 = signalk_plugin_abi::buffers::PUT_REPLY as u32;

/// The result of a PUT request.
#[derive(Debug, Clone, PartialEq)]
pub struct PutResponse {
    /// The reply the server's action callback received (`{state, statusCode, message?}`),
    /// after the server's own mapping (`SUCCESS` → COMPLETED/200, `FAILURE` → 502);
    /// without a handler, the server's 405 reply.
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

/// Looks up the handler for exactly `context` and `path` (`put.js`, `putPath`: the
/// `actionHandlers[context][path]` table) and runs the WASM callback. `None`: no
/// plugin registered the path.
///
/// # Errors
///
/// [`Error::Timeout`] (where the server would hang).
pub(crate) fn run_callback(
    guest: &mut Guest,
    context: &str,
    path: &str,
    value_json: &str,
) -> Result<Option<CallbackReply>, Error> {
    if !guest
        .state()
        .put_handlers
        .contains(&(context.to_owned(), path.to_owned()))
    {
        return Ok(None);
    }
    let export = signalk_plugin_abi::put::export_name(context, path);
    if !guest.has_export(&export) {
        return Ok(Some(CallbackReply {
            reply: json!({"state": "COMPLETED", "statusCode": 501, "message": "Handler not implemented"}),
            handler_ran: false,
        }));
    }
    let shape = Shape {
        input: Some(value_json.as_bytes()),
        output: Some(REPLY_BUFFER),
        free_on_trap: false,
    };
    let failed = |msg: String| json!({"state": "COMPLETED", "statusCode": 500, "message": format!("Handler error: {msg}")});
    let reply = match guest.invoke(&export, shape) {
        Ok(out) => {
            let text = memory::decode(&out.output.unwrap_or_default());
            match crate::express::v8_parse(&text) {
                // `cb(null)` throws inside the callback's `try` (`reply.state`), which
                // then calls `cb` with the error.
                Ok(Value::Null) => {
                    failed("TypeError: Cannot read properties of null (reading 'state')".into())
                }
                Ok(reply) => reply,
                Err(crate::express::JsonError::Syntax(message)) => {
                    failed(format!("SyntaxError: {message}"))
                }
                // serde_json and V8 both stop far below what a reply buffer can nest;
                // the server's stack would overflow here.
                Err(crate::express::JsonError::TooDeep) => failed(format!(
                    "RangeError: {}",
                    crate::guest::call::STACK_OVERFLOW
                )),
            }
        }
        Err(err @ Error::Timeout { .. }) => return Err(err),
        Err(err) => failed(err.js_string()),
    };
    Ok(Some(CallbackReply {
        reply,
        handler_ran: true,
    }))
}
