//! What an HTTP handler returns: the response envelope and the conversions into it.

use std::fmt;

use serde::Serialize;

use crate::RawJson;

/// The body of a response.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body.
    Empty,
    /// Text, sent as is.
    Text(String),
    /// A JSON object, array, boolean or null, sent as JSON.
    Json(RawJson),
}

/// The response envelope the host expects: `{statusCode, headers, body}`.
///
/// ```
/// use signalk_plugin::http::{Body, HttpResponse};
/// let r = HttpResponse::text(201, "made").with_header("X-Id", "7");
/// assert_eq!(r.status_code, 201);
/// assert_eq!(r.body, Body::Text("made".into()));
/// assert_eq!(r.header("x-id"), Some("7"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    /// HTTP status.
    pub status_code: u16,
    /// Response headers, in order.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Body,
}

impl HttpResponse {
    /// A plain-text response.
    #[must_use]
    pub fn text(status_code: u16, text: impl Into<String>) -> Self {
        Self {
            status_code,
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
            body: Body::Text(text.into()),
        }
    }

    /// A JSON response.
    ///
    /// signalk-server mishandles some JSON bodies (a bare number is taken as a status
    /// code, a string is unwrapped), so numbers and strings are sent as JSON *text* with
    /// a `text/plain` type; objects, arrays, booleans and null go as JSON.
    #[must_use]
    pub fn json(status_code: u16, value: RawJson) -> Self {
        let scalar = value
            .as_str()
            .starts_with(|c: char| c == '"' || c == '-' || c.is_ascii_digit());
        if scalar {
            return Self::text(status_code, value.as_str());
        }
        Self {
            status_code,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Body::Json(value),
        }
    }

    /// An empty response.
    #[must_use]
    pub fn empty(status_code: u16) -> Self {
        Self {
            status_code,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    /// Sets a header, replacing one with the same (case-insensitive) name.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.headers.push((name, value.into()));
        self
    }

    /// A header's value; `name` is matched case-insensitively.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The envelope as JSON bytes, as the host reads it.
    #[must_use]
    pub fn to_envelope(&self) -> Vec<u8> {
        struct Headers<'a>(&'a [(String, String)]);
        impl Serialize for Headers<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
            }
        }
        #[derive(Serialize)]
        struct Envelope<'a> {
            #[serde(rename = "statusCode")]
            status_code: u16,
            headers: Headers<'a>,
            #[serde(skip_serializing_if = "Option::is_none")]
            body: Option<BodyRef<'a>>,
        }
        #[derive(Serialize)]
        #[serde(untagged)]
        enum BodyRef<'a> {
            Text(&'a str),
            Json(&'a RawJson),
        }
        let body = match &self.body {
            Body::Empty => None,
            Body::Text(text) => Some(BodyRef::Text(text)),
            Body::Json(value) => Some(BodyRef::Json(value)),
        };
        serde_json::to_vec(&Envelope {
            status_code: self.status_code,
            headers: Headers(&self.headers),
            body,
        })
        .unwrap_or_default()
    }
}

/// An error response: a status code and a message, sent as `{"error": message}`.
///
/// ```
/// use signalk_plugin::http::{HttpError, IntoResponse};
/// let resp = HttpError::not_found("no such route").into_response();
/// assert_eq!(resp.status_code, 404);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    /// HTTP status.
    pub status_code: u16,
    /// What went wrong.
    pub message: String,
}

impl HttpError {
    /// An error with a status code.
    #[must_use]
    pub fn new(status_code: u16, message: impl Into<String>) -> Self {
        Self {
            status_code,
            message: message.into(),
        }
    }

    /// 400 Bad Request.
    #[must_use]
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// 404 Not Found.
    #[must_use]
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }

    /// 500 Internal Server Error.
    #[must_use]
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, message)
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status_code, self.message)
    }
}

impl std::error::Error for HttpError {}

impl From<crate::Error> for HttpError {
    fn from(err: crate::Error) -> Self {
        Self::internal(err.to_string())
    }
}

/// JSON body with status 200; `Json(value)` is the usual handler return.
#[derive(Debug, Clone, PartialEq)]
pub struct Json<T>(pub T);

/// What an HTTP handler may return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the response of an #[http] handler",
    label = "not an HTTP response",
    note = "return `Json<T>` (T: Serialize), `String`, `&'static str`, `()`, `HttpResponse`, `HttpError`, or a `Result` of those"
)]
pub trait IntoResponse {
    /// Converts to the response sent to the host.
    fn into_response(self) -> HttpResponse;

    /// The envelope bytes the host reads: by default
    /// [`into_response`](Self::into_response) then [`HttpResponse::to_envelope`].
    /// [`Json`] overrides it to serialize its value once, straight into the envelope;
    /// the bytes are the same either way.
    ///
    /// ```
    /// use signalk_plugin::http::{IntoResponse, Json};
    /// let value = serde_json::json!({"speed": 3.5});
    /// assert_eq!(
    ///     Json(value.clone()).into_envelope(),
    ///     Json(value).into_response().to_envelope()
    /// );
    /// ```
    fn into_envelope(self) -> Vec<u8>
    where
        Self: Sized,
    {
        self.into_response().to_envelope()
    }
}

impl IntoResponse for HttpResponse {
    fn into_response(self) -> HttpResponse {
        self
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> HttpResponse {
        #[derive(Serialize)]
        struct ErrorBody<'a> {
            error: &'a str,
        }
        let body = RawJson::serialize(&ErrorBody {
            error: &self.message,
        })
        .unwrap_or_default();
        HttpResponse::json(self.status_code, body)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> HttpResponse {
        match RawJson::serialize(&self.0) {
            Ok(value) => HttpResponse::json(200, value),
            Err(err) => HttpError::internal(format!("could not serialize the response: {err}"))
                .into_response(),
        }
    }

    fn into_envelope(self) -> Vec<u8> {
        json_envelope(&self.0).unwrap_or_else(|| self.into_response().to_envelope())
    }
}

/// The envelope start [`HttpResponse::to_envelope`] writes for a 200 JSON response.
const JSON_ENVELOPE_START: &[u8] =
    br#"{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"#;

/// The envelope of `Json(value)`, serialized once and straight into place: the common
/// case of an object or array without NaN or infinity. `None` for every other case
/// (a scalar, which goes as text; a non-finite number; a value that does not
/// serialize), which [`Json::into_response`] handles as before.
fn json_envelope<T: Serialize + ?Sized>(value: &T) -> Option<Vec<u8>> {
    if RawJson::has_non_finite(value) {
        return None;
    }
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(JSON_ENVELOPE_START);
    serde_json::to_writer(&mut out, value).ok()?;
    match out.get(JSON_ENVELOPE_START.len()) {
        Some(b'{' | b'[' | b't' | b'f' | b'n') => {
            out.push(b'}');
            Some(out)
        }
        _ => None,
    }
}

impl IntoResponse for String {
    fn into_response(self) -> HttpResponse {
        HttpResponse::text(200, self)
    }
}

impl IntoResponse for &'static str {
    fn into_response(self) -> HttpResponse {
        HttpResponse::text(200, self)
    }
}

impl IntoResponse for () {
    fn into_response(self) -> HttpResponse {
        HttpResponse::empty(204)
    }
}

impl<T: IntoResponse, E: IntoResponse> IntoResponse for Result<T, E> {
    fn into_response(self) -> HttpResponse {
        match self {
            Ok(ok) => ok.into_response(),
            Err(err) => err.into_response(),
        }
    }

    fn into_envelope(self) -> Vec<u8> {
        match self {
            Ok(ok) => ok.into_envelope(),
            Err(err) => err.into_envelope(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn scalars_are_not_sent_as_bare_json() {
        let r = Json(42).into_response();
        assert_eq!(r.body, Body::Text("42".into()));
        let r = Json("hi").into_response();
        assert_eq!(r.body, Body::Text("\"hi\"".into()));
        let r = Json(json!({"a": 1})).into_response();
        assert_eq!(r.body, Body::Json(RawJson::from(json!({"a": 1}))));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let r = Json(-1).into_response();
        assert_eq!(r.body, Body::Text("-1".into()));
    }

    #[test]
    fn json_envelopes_match_the_response_path_byte_for_byte() {
        #[derive(Serialize)]
        struct Reading {
            speed: f64,
            name: &'static str,
        }
        fn both<T: Serialize + Clone>(value: T) -> (Vec<u8>, Vec<u8>) {
            (
                Json(value.clone()).into_envelope(),
                Json(value).into_response().to_envelope(),
            )
        }
        let cases = [
            both(json!({"a": [1, 2.5, "x\"y"], "b": null})),
            both(json!([true, false])),
            both(json!(true)),
            both(json!(null)),
            both(json!(42)),
            both(json!(-1.5)),
            both(json!("text")),
            both(json!({})),
        ];
        for (fast, reference) in cases {
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                String::from_utf8(reference).unwrap()
            );
        }
        #[derive(Serialize, Clone)]
        struct Bad {
            speed: f64,
        }
        let (fast, reference) = both(Bad { speed: f64::NAN });
        assert_eq!(fast, reference);
        let reading = Reading {
            speed: 3.5,
            name: "log",
        };
        let env: Value = serde_json::from_slice(&Json(reading).into_envelope()).unwrap();
        assert_eq!(
            env,
            json!({"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": {"speed": 3.5, "name": "log"}})
        );
        // A map with non-string keys does not serialize: the same 500 either way.
        let map: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        let (fast, reference) = (
            Json(map.clone()).into_envelope(),
            Json(map).into_response().to_envelope(),
        );
        assert_eq!(fast, reference);
        let env: Value = serde_json::from_slice(&fast).unwrap();
        assert_eq!(env["statusCode"], 500);
        // Result forwards to the value it holds.
        let ok: Result<Json<Value>, HttpError> = Ok(Json(json!({"a": 1})));
        assert_eq!(ok.into_envelope(), Json(json!({"a": 1})).into_envelope());
    }

    #[test]
    fn envelope_uses_status_code_member() {
        let env: Value =
            serde_json::from_slice(&HttpResponse::text(201, "x").to_envelope()).unwrap();
        assert_eq!(env["statusCode"], 201);
        assert_eq!(env["body"], "x");
        assert!(env.get("status").is_none());
    }
}
