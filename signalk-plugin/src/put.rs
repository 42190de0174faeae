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
//! A handler returns `()`, a [`PutReply`], a [`PutError`], a [`crate::Error`] or a
//! `Result` of those — [`PluginResult`](crate::PluginResult) too — so `emit(..)?` works
//! in it: an SDK error is a 500, a `PutError` keeps its status code (see
//! [`IntoPutReply`]). A value that does not parse as the handler's type is answered
//! with a 400 saying why, its text bounded to [`ERROR_TEXT_LIMIT`](crate::ERROR_TEXT_LIMIT)
//! characters, so the reply always fits the host's buffer.
//!
//! The path is the data path only: `#[put("vessels.self.a.b")]` does not compile; write
//! `#[put("a.b")]` (the context `vessels.self` is the default) or
//! `#[put("a.b", context = "...")]`.
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

use crate::{BoxError, Result, abi, reentry};

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

impl From<crate::Error> for PutError {
    /// A 500: the plugin failed, not the request (as for
    /// [`HttpError`](crate::http::HttpError)). So `emit(..)?` works in a handler that
    /// returns `Result<_, PutError>`:
    ///
    /// ```
    /// use signalk_plugin::put::{IntoPutReply, PutError};
    /// fn set_speed(speed: f64) -> Result<(), PutError> {
    ///     signalk_plugin::emit_value("navigation.speedThroughWater", speed)?;
    ///     Ok(())
    /// }
    /// let reply = set_speed(f64::NAN).into_put_reply();
    /// assert_eq!(reply.status_code, 500);
    /// assert!(reply.message.unwrap().contains("is NaN"));
    /// ```
    fn from(err: crate::Error) -> Self {
        Self::new(500, err.to_string())
    }
}

/// What a PUT handler may return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the reply of a #[put] handler",
    label = "not a PUT reply",
    note = "return `()`, `PutReply`, `PutError`, `signalk_plugin::Error`, or a `Result` of those (`Result<(), PutError>` is the usual one; `PluginResult` works too)"
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

impl IntoPutReply for crate::Error {
    /// A 500, as [`PutError::from`] makes it.
    fn into_put_reply(self) -> PutReply {
        PutError::from(self).into_put_reply()
    }
}

impl IntoPutReply for BoxError {
    /// The reply of a [`PutError`] or [`Error`](crate::Error) inside the box; any other
    /// error is a 500 with its message and sources (bounded to
    /// [`ERROR_TEXT_LIMIT`](crate::ERROR_TEXT_LIMIT) characters). So a handler may return
    /// [`PluginResult`](crate::PluginResult) and still choose its status code:
    ///
    /// ```
    /// use signalk_plugin::put::{IntoPutReply, PutError};
    /// use signalk_plugin::PluginResult;
    /// fn set_radius(radius: f64) -> PluginResult {
    ///     if radius < 10.0 {
    ///         return Err(PutError::bad_request("radius must be at least 10 m").into());
    ///     }
    ///     signalk_plugin::emit_value("navigation.anchor.maxRadius", radius)?;
    ///     Ok(())
    /// }
    /// assert_eq!(set_radius(5.0).into_put_reply().status_code, 400);
    /// assert_eq!(set_radius(f64::INFINITY).into_put_reply().status_code, 500);
    /// assert_eq!(set_radius(50.0).into_put_reply().status_code, 200);
    /// ```
    fn into_put_reply(self) -> PutReply {
        match self.downcast::<PutError>() {
            Ok(put) => put.into_put_reply(),
            Err(other) => match other.downcast::<crate::Error>() {
                Ok(err) => err.into_put_reply(),
                Err(other) => PutReply::with_status(
                    500,
                    crate::json::bound(crate::__private::report::error_chain(&*other)),
                ),
            },
        }
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

/// Decodes a PUT value exactly as the generated `handle_put_*` export does before it
/// calls your handler, so a native test can check what a client's value becomes: `Ok`
/// with the typed value, or `Err` with the 400 reply the client would get (naming the
/// member that is wrong).
///
/// ```
/// use serde::Deserialize;
/// use signalk_plugin::put;
///
/// #[derive(Debug, Deserialize, PartialEq)]
/// struct Position { latitude: f64, longitude: f64 }
///
/// let p: Position = put::decode(r#"{"latitude": 52.1, "longitude": 4.5}"#).unwrap();
/// assert_eq!(p, Position { latitude: 52.1, longitude: 4.5 });
///
/// let refused = put::decode::<Position>(r#"{"latitude": "north"}"#).unwrap_err();
/// assert_eq!(refused.status_code, 400);
/// assert!(refused.message.unwrap().contains("latitude"));
/// // A struct is never filled from an array (GeoJSON's [lon, lat]).
/// assert!(put::decode::<Position>("[4.5, 52.1]").is_err());
/// ```
///
/// # Errors
/// The 400 [`PutReply`] the export sends for a value that is not UTF-8 or JSON, or
/// does not fit `T`.
pub fn decode<T: serde::de::DeserializeOwned>(value_json: impl AsRef<[u8]>) -> Result<T, PutReply> {
    crate::json::as_text(value_json.as_ref())
        .map_err(|e| (".".to_owned(), e))
        .and_then(crate::json::from_str_at_path::<T>)
        .map_err(|err| {
            PutReply::with_status(400, crate::json::describe_error("invalid value", err))
        })
}

/// Registers a PUT handler with the host (`sk_register_put_handler`). The generated
/// `plugin_start` does this for every declared handler; call it yourself only for
/// handlers exported by hand.
///
/// # Errors
/// [`Error::HostRejected`](crate::Error::HostRejected) when the host answers 0: the `putHandlers` capability is
/// missing from `wasmCapabilities`, or the server has no action handlers.
pub fn register(context: &str, path: &str) -> Result<()> {
    // Registration emits a meta delta, which re-enters `delta_handler` (§3.6).
    reentry::host_call(|| abi::register_put_handler(context, path)).map_err(crate::error::rejected(
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
    fn sdk_errors_are_500_replies() {
        let err = crate::Error::InvalidDelta("it has no updates");
        assert_eq!(
            PutError::from(err),
            PutError::new(500, "invalid delta: it has no updates")
        );
        let with_q = || -> Result<(), PutError> {
            crate::emit_value("navigation.anchor.maxRadius", f64::NAN)?;
            Ok(())
        };
        let reply = with_q().into_put_reply();
        assert_eq!(reply.status_code, 500);
        assert!(
            reply
                .message
                .unwrap()
                .starts_with("value at `navigation.anchor.maxRadius` is NaN"),
        );
        let direct: Result<(), crate::Error> = Err(crate::Error::Closed);
        assert_eq!(
            direct.into_put_reply(),
            PutReply::with_status(500, "the connection is closed")
        );
    }

    #[test]
    fn plugin_results_keep_the_status_of_the_error_inside() {
        let reply = |err: crate::BoxError| Err::<(), _>(err).into_put_reply();
        assert_eq!(
            reply(PutError::bad_request("too small").into()),
            PutReply::with_status(400, "too small")
        );
        assert_eq!(
            reply(PutError::new(503, "autopilot offline").into()),
            PutReply::with_status(503, "autopilot offline")
        );
        assert_eq!(
            reply(crate::Error::NotConnected.into()),
            PutReply::with_status(500, "not connected yet: the host would drop this data")
        );
        assert_eq!(
            reply("no anchor down".into()),
            PutReply::with_status(500, "no anchor down")
        );
        let ok: crate::PluginResult = Ok(());
        assert_eq!(ok.into_put_reply(), PutReply::completed());
        // Another error type's message, with its sources, bounded.
        let long = std::io::Error::other("z".repeat(1 << 20));
        let message = reply(long.into()).message.unwrap();
        assert_eq!(message.chars().count(), crate::ERROR_TEXT_LIMIT + 1);
    }

    #[test]
    fn a_1_mb_bad_value_keeps_its_400_and_fits_the_reply_buffer() {
        use crate::__private::{PluginCell, lifecycle};
        #[derive(Default)]
        struct P {
            radius: f64,
        }
        impl crate::Plugin for P {
            type Config = crate::NoConfig;
            fn start(&mut self, _: crate::NoConfig) -> crate::PluginResult {
                Ok(())
            }
        }
        fn set(p: &mut P, radius: f64) -> Result<(), PutError> {
            p.radius = radius;
            Ok(())
        }
        #[derive(serde::Deserialize)]
        struct Position {
            #[allow(dead_code)]
            latitude: f64,
        }
        fn set_position(_: &mut P, _: Position) {}
        thread_local! {
            static CELL: PluginCell<P> = const { PluginCell::new() };
        }
        crate::testing::reset();
        let check = |value: String, reply: Vec<u8>| {
            assert!(reply.len() <= REPLY_BUFFER, "{} bytes", reply.len());
            let reply: serde_json::Value = serde_json::from_slice(&reply).unwrap();
            assert_eq!(reply["statusCode"], 400, "{value:.40}: {reply}");
            let message = reply["message"].as_str().unwrap();
            assert_eq!(
                message.chars().count(),
                crate::ERROR_TEXT_LIMIT + 1,
                "{message}"
            );
            message.to_owned()
        };
        let value = format!("\"{}\"", "x".repeat(1 << 20));
        let reply = lifecycle::put(&CELL, value.as_bytes(), REPLY_BUFFER, set);
        let message = check(value, reply);
        assert!(
            message.starts_with("invalid value: invalid type: string \"xxx"),
            "{message}"
        );
        assert!(message.contains("expected f64"), "{message}");

        let value = format!(r#"{{"latitude":"{}"}}"#, "é".repeat(1 << 19));
        let reply = lifecycle::put(&CELL, value.as_bytes(), REPLY_BUFFER, set_position);
        let message = check(value, reply);
        assert!(
            message.starts_with("invalid value at `latitude`: "),
            "{message}"
        );
        let value = "[".repeat(1 << 20);
        let reply = lifecycle::put(&CELL, value.as_bytes(), REPLY_BUFFER, set);
        assert!(serde_json::from_slice::<serde_json::Value>(&reply).unwrap()["statusCode"] == 400);
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
