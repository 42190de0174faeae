//! PUT handlers: typed value in, typed reply out (§3.6, §9).
//!
//! Declare a handler with `#[put("path")]` (context `vessels.self`) or
//! `#[put("path", context = "vessels.self")]` on a method inside the `#[plugin]` impl:
//!
//! ```
//! use signalk_plugin::{plugin, put::PutError, NoConfig, Plugin, PluginResult};
//!
//! #[derive(Default)]
//! struct Anchor { max_radius: f64 }
//!
//! #[plugin(id = "anchor", name = "Anchor")]
//! impl Plugin for Anchor {
//!     type Config = NoConfig;
//!     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
//!
//!     #[put("navigation.anchor.maxRadius")]
//!     fn set_max_radius(&mut self, radius: f64) -> Result<(), PutError> {
//!         if !(10.0..=1000.0).contains(&radius) {
//!             return Err(PutError::bad_request("radius must be 10..=1000 m"));
//!         }
//!         self.max_radius = radius;
//!         Ok(())
//!     }
//! }
//!
//! // The method stays a plain method for native tests.
//! let mut a = Anchor::default();
//! assert!(a.set_max_radius(5.0).is_err());
//! a.set_max_radius(50.0).unwrap();
//! ```
//!
//! The macro registers every declared handler with `sk_register_put_handler` before
//! calling your `start` (the `putHandlers` capability is required; without it start
//! fails with a message saying so) and exports `handle_put_<context>_<path>`.
//!
//! **2.32.0 quirk:** the HTTP answer to every REST PUT that reaches a WASM handler is 500,
//! whatever the handler replied; the handler still runs. WebSocket clients get the real
//! reply first. `PENDING` replies can never be completed.

use std::fmt;

use serde::Serialize;

use crate::{Result, abi, reentry};

/// The host's buffer for a PUT reply, in bytes (§9).
///
/// ```
/// assert_eq!(signalk_plugin::put::REPLY_BUFFER, signalk_plugin_abi::buffers::PUT_REPLY);
/// ```
pub const REPLY_BUFFER: usize = signalk_plugin_abi::buffers::PUT_REPLY;

/// The state of a PUT request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PutState {
    /// The request is done (successfully or not: see the status code).
    Completed,
    /// Accepted, still in progress. signalk-server 2.32.0 offers no way to finish it.
    Pending,
}

/// The reply a PUT handler sends: `{state, statusCode, message?}`.
///
/// ```
/// use signalk_plugin::put::PutReply;
/// let json = serde_json::to_string(&PutReply::completed()).unwrap();
/// assert_eq!(json, r#"{"state":"COMPLETED","statusCode":200}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PutReply {
    /// Completed or pending.
    pub state: PutState,
    /// HTTP-like status code.
    #[serde(rename = "statusCode")]
    pub status_code: u16,
    /// Optional message for the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl PutReply {
    /// `COMPLETED` / 200.
    #[must_use]
    pub fn completed() -> Self {
        Self {
            state: PutState::Completed,
            status_code: 200,
            message: None,
        }
    }

    /// `COMPLETED` with a status code and message.
    #[must_use]
    pub fn with_status(status_code: u16, message: impl Into<String>) -> Self {
        Self {
            state: PutState::Completed,
            status_code,
            message: Some(message.into()),
        }
    }
}

/// A failed PUT: a status code (400 unless said otherwise) and a message.
///
/// ```
/// use signalk_plugin::put::{IntoPutReply, PutError};
/// let reply = PutError::bad_request("out of range").into_put_reply();
/// assert_eq!(reply.status_code, 400);
/// let reply = PutError::new(503, "autopilot offline").into_put_reply();
/// assert_eq!(reply.message.as_deref(), Some("autopilot offline"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutError {
    status_code: u16,
    message: String,
}

impl PutError {
    /// An error with a status code.
    #[must_use]
    pub fn new(status_code: u16, message: impl Into<String>) -> Self {
        Self {
            status_code,
            message: message.into(),
        }
    }

    /// A 400 error: the value was not acceptable.
    #[must_use]
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }
}

impl fmt::Display for PutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status_code, self.message)
    }
}

impl std::error::Error for PutError {}

impl From<String> for PutError {
    fn from(message: String) -> Self {
        Self::bad_request(message)
    }
}

impl From<&str> for PutError {
    fn from(message: &str) -> Self {
        Self::bad_request(message)
    }
}

/// What a PUT handler may return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the reply of a #[put] handler",
    label = "not a PUT reply",
    note = "return `()`, `PutReply`, `PutError`, or a `Result` of those (`Result<(), PutError>` is the usual one)"
)]
pub trait IntoPutReply {
    /// Converts to the reply sent to the host.
    fn into_put_reply(self) -> PutReply;
}

impl IntoPutReply for PutReply {
    fn into_put_reply(self) -> PutReply {
        self
    }
}

impl IntoPutReply for () {
    fn into_put_reply(self) -> PutReply {
        PutReply::completed()
    }
}

impl IntoPutReply for PutError {
    fn into_put_reply(self) -> PutReply {
        PutReply::with_status(self.status_code, self.message)
    }
}

impl<T: IntoPutReply, E: IntoPutReply> IntoPutReply for Result<T, E> {
    fn into_put_reply(self) -> PutReply {
        match self {
            Ok(ok) => ok.into_put_reply(),
            Err(err) => err.into_put_reply(),
        }
    }
}

/// The export name the host calls for a PUT on `context` + `path`:
/// `handle_put_<context>_<path>` with every `.` replaced by `_`, case preserved. The
/// rule is the host's (§9), so it lives in `signalk-plugin-abi`.
///
/// ```
/// assert_eq!(
///     signalk_plugin::put::export_name("vessels.self", "steering.autopilot.target.headingTrue"),
///     "handle_put_vessels_self_steering_autopilot_target_headingTrue"
/// );
/// ```
pub use signalk_plugin_abi::put::export_name;

/// Registers a PUT handler with the host (`sk_register_put_handler`). The generated
/// `plugin_start` does this for every declared handler; call it yourself only for
/// handlers exported by hand.
///
/// # Errors
/// [`Error::HostRejected`](crate::Error::HostRejected) when the host answers 0: the `putHandlers` capability is
/// missing from `wasmCapabilities`, or the server has no action handlers.
pub fn register(context: &str, path: &str) -> Result<()> {
    // Registration emits a meta delta, which re-enters `delta_handler` (§3.6).
    reentry::host_call(|| abi::register_put_handler(context, path)).map_err(abi::rejected(
        "sk_register_put_handler (is `putHandlers: true` in wasmCapabilities?)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_map_to_replies() {
        let ok: Result<(), PutError> = Ok(());
        assert_eq!(ok.into_put_reply(), PutReply::completed());
        let err: Result<(), PutError> = Err("nope".into());
        assert_eq!(err.into_put_reply(), PutReply::with_status(400, "nope"));
    }

    #[test]
    fn register_reports_a_missing_capability() {
        crate::testing::reset();
        let err = register("vessels.self", "a.b").unwrap_err();
        assert!(err.to_string().contains("putHandlers"), "{err}");
        crate::testing::grant(crate::Capability::PutHandlers);
        register("vessels.self", "a.b").unwrap();
    }
}
