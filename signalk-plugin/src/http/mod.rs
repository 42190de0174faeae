//! HTTP endpoints under `/plugins/<id>/…` (spec §8): typed request in, response out.
//!
//! Declare an endpoint with `#[http(GET, "/api/status")]` on a method inside the
//! `#[plugin]` impl. The method takes `&mut self` and an [`HttpRequest`], and returns
//! anything that implements [`IntoResponse`] — including `Result<T, E>` where both do:
//!
//! ```
//! use serde::Deserialize;
//! use signalk_plugin::http::{HttpError, HttpRequest, Json};
//! use signalk_plugin::{json, plugin, NoConfig, Plugin, PluginResult, Value};
//!
//! #[derive(Default)]
//! struct Counter { count: u64 }
//!
//! #[derive(Deserialize)]
//! struct Add { by: u64 }
//!
//! #[plugin(id = "counter", name = "Counter")]
//! impl Plugin for Counter {
//!     type Config = NoConfig;
//!     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
//!
//!     #[http(GET, "/count")]
//!     fn get(&mut self, _req: HttpRequest) -> Json<Value> {
//!         Json(json!({ "count": self.count }))
//!     }
//!
//!     #[http(POST, "/add")]
//!     fn add(&mut self, req: HttpRequest) -> Result<Json<Value>, HttpError> {
//!         let add: Add = req.json()?; // a body that does not match is a 400 with the reason
//!         self.count += add.by;
//!         Ok(Json(json!({ "count": self.count })))
//!     }
//! }
//!
//! let mut c = Counter::default();
//! let req = HttpRequest::new("POST", "/add").with_body(json!({"by": "two"}));
//! let resp = signalk_plugin::http::IntoResponse::into_response(c.add(req));
//! assert_eq!(resp.status_code, 400);
//! ```
//!
//! Routes are read once, before `plugin_start`, and never change; only GET, POST, PUT and
//! DELETE exist; `GET /` and `/config` belong to the server. When the server runs with
//! security on, these routes are admin-only. Handlers run even while the plugin is stopped.

use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::RawJson;

/// The host's buffer for an HTTP response envelope, in bytes.
pub const RESPONSE_BUFFER: usize = 65_536;

/// A request, as the host describes it (method, path, query, params, body, headers).
///
/// The JSON parts stay JSON text until asked for, so a plugin pays (in time and code
/// size) only for what it reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HttpRequest {
    /// Upper-case method.
    pub method: String,
    /// Path relative to the plugin's mount, without the query string: `/api/items/42`.
    pub path: String,
    /// Query parameters; repeated keys are arrays, `a[b]=c` nests.
    #[serde(default = "empty_object")]
    pub query: RawJson,
    /// Route parameters: `/items/:id` gives `{"id": "42"}`.
    #[serde(default = "empty_object")]
    pub params: RawJson,
    /// The parsed JSON or form body; `{}` when there is none (never `null`).
    #[serde(default = "empty_object")]
    pub body: RawJson,
    /// Lower-case header names; values are strings (`set-cookie` is an array).
    #[serde(default = "empty_object")]
    pub headers: RawJson,
}

fn empty_object() -> RawJson {
    RawJson::from_text("{}".to_owned()).unwrap_or_default()
}

impl HttpRequest {
    /// A request with an empty query, params, body and headers, for tests.
    ///
    /// ```
    /// let req = signalk_plugin::http::HttpRequest::new("GET", "/status");
    /// assert_eq!(req.method, "GET");
    /// assert_eq!(req.body.as_str(), "{}");
    /// ```
    #[must_use]
    pub fn new(method: &str, path: &str) -> Self {
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            query: empty_object(),
            params: empty_object(),
            body: empty_object(),
            headers: empty_object(),
        }
    }

    /// Sets the body, for tests.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<RawJson>) -> Self {
        self.body = body.into();
        self
    }

    /// Sets the route parameters, for tests.
    #[must_use]
    pub fn with_params(mut self, params: impl Into<RawJson>) -> Self {
        self.params = params.into();
        self
    }

    /// Sets the query, for tests.
    #[must_use]
    pub fn with_query(mut self, query: impl Into<RawJson>) -> Self {
        self.query = query.into();
        self
    }

    /// Sets the headers, for tests.
    #[must_use]
    pub fn with_headers(mut self, headers: impl Into<RawJson>) -> Self {
        self.headers = headers.into();
        self
    }

    /// The body as `T`.
    ///
    /// # Errors
    /// A 400 [`HttpError`] saying what is wrong with the body.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, HttpError> {
        crate::json::from_str_at_path(self.body.as_str())
            .map_err(|e| HttpError::bad_request(crate::json::describe_error("invalid body", e)))
    }

    /// A route parameter.
    ///
    /// ```
    /// use signalk_plugin::http::HttpRequest;
    /// let req = HttpRequest::new("GET", "/items/7").with_params(serde_json::json!({"id": "7"}));
    /// assert_eq!(req.param("id").unwrap(), "7");
    /// assert_eq!(req.param("nope").unwrap_err().status_code, 400);
    /// ```
    ///
    /// # Errors
    /// A 400 [`HttpError`] if it is missing.
    pub fn param(&self, name: &str) -> Result<String, HttpError> {
        lookup::<String>(&self.params, name)
            .ok_or_else(|| HttpError::bad_request(format!("missing route parameter `{name}`")))
    }

    /// A query parameter (the first value if it was repeated).
    ///
    /// ```
    /// use signalk_plugin::http::HttpRequest;
    /// let req = HttpRequest::new("GET", "/").with_query(serde_json::json!({"q": ["1", "2"], "r": "x"}));
    /// assert_eq!(req.query_param("q").as_deref(), Some("1"));
    /// assert_eq!(req.query_param("r").as_deref(), Some("x"));
    /// ```
    #[must_use]
    pub fn query_param(&self, name: &str) -> Option<String> {
        lookup::<OneOrMany>(&self.query, name).and_then(|v| v.0)
    }

    /// A header value; `name` is matched case-insensitively.
    ///
    /// ```
    /// use signalk_plugin::http::HttpRequest;
    /// let req = HttpRequest::new("GET", "/").with_headers(serde_json::json!({"x-api-key": "k"}));
    /// assert_eq!(req.header("X-Api-Key").as_deref(), Some("k"));
    /// ```
    #[must_use]
    pub fn header(&self, name: &str) -> Option<String> {
        lookup::<OneOrMany>(&self.headers, &name.to_ascii_lowercase()).and_then(|v| v.0)
    }
}

/// Finds one member of a JSON object without building a map of the rest.
fn lookup<T: DeserializeOwned>(object: &RawJson, key: &str) -> Option<T> {
    struct Find<'k, T>(&'k str, std::marker::PhantomData<T>);
    impl<'de, T: DeserializeOwned> Visitor<'de> for Find<'_, T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
            let mut found = None;
            while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if found.is_none() && k == self.0 {
                    found = map.next_value::<T>().ok();
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Find<'_, T> {
        type Value = Option<T>;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
            d.deserialize_map(self)
        }
    }
    let mut de = serde_json::Deserializer::from_str(object.as_str());
    Find(key, std::marker::PhantomData)
        .deserialize(&mut de)
        .ok()
        .flatten()
}

/// A string, or the first string of an array.
struct OneOrMany(Option<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(Some(v.to_owned())))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let first = seq.next_element::<String>()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(OneOrMany(first))
            }
        }
        d.deserialize_any(V)
    }
}

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
}

/// One route of `http_endpoints`, as the macro declares it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub handler: &'static str,
}

/// Encodes a response for the host's buffer; one that does not fit becomes a 500 that
/// says so (the host would otherwise answer a truncated, invalid envelope).
#[doc(hidden)]
#[must_use]
pub fn encode_response(response: &HttpResponse, max: usize) -> Vec<u8> {
    // Too large for the buffer: parked for the chunked channel if the host speaks it,
    // otherwise a 500 that says why — never a truncated envelope.
    crate::chunked::fit(response.to_envelope(), max, |len| {
        HttpError::internal(format!(
            "the response is {len} bytes; the host's buffer holds {max}"
        ))
        .into_response()
        .to_envelope()
    })
}

/// Parses the request the host passed; a request that does not parse is a 400.
#[doc(hidden)]
pub fn decode_request(bytes: &[u8]) -> Result<HttpRequest, HttpResponse> {
    crate::json::from_bytes(bytes).map_err(|e| {
        HttpError::bad_request(format!("malformed request from the host: {e}")).into_response()
    })
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
    fn envelope_uses_status_code_member() {
        let env: Value =
            serde_json::from_slice(&HttpResponse::text(201, "x").to_envelope()).unwrap();
        assert_eq!(env["statusCode"], 201);
        assert_eq!(env["body"], "x");
        assert!(env.get("status").is_none());
    }

    #[test]
    fn oversize_response_is_a_500_not_a_truncation() {
        let big = HttpResponse::text(200, "x".repeat(RESPONSE_BUFFER));
        let bytes = encode_response(&big, RESPONSE_BUFFER);
        let env: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(env["statusCode"], 500);
        assert!(env["body"]["error"].as_str().unwrap().contains("65536"));
    }

    #[test]
    fn bad_body_is_a_400_naming_the_member() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Position {
            latitude: f64,
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Drop {
            positions: Vec<Position>,
        }
        let req = HttpRequest::new("POST", "/drop")
            .with_body(json!({"positions": [{"latitude": 1}, {"latitude": "north"}]}));
        let err = req.json::<Drop>().unwrap_err();
        assert_eq!(err.status_code, 400);
        assert!(
            err.message
                .starts_with("invalid body at `positions[1].latitude`: invalid type: string"),
            "{}",
            err.message
        );
        assert!(err.message.contains("expected f64"), "{}", err.message);
        // An error about the document as a whole names no member.
        let err = HttpRequest::new("POST", "/drop")
            .with_body(json!("text"))
            .json::<Drop>()
            .unwrap_err();
        assert!(
            err.message
                .starts_with("invalid body: invalid type: string"),
            "{}",
            err.message
        );
    }

    #[test]
    fn request_parses_host_shape() {
        let req = decode_request(
            br#"{"method":"GET","path":"/a/1","query":{"q":["1","2"]},"params":{"id":"1"},"body":{},"headers":{"x-y":"z"}}"#,
        )
        .unwrap();
        assert_eq!(req.query_param("q").as_deref(), Some("1"));
        assert_eq!(req.param("id").unwrap(), "1");
        assert_eq!(req.header("X-Y").as_deref(), Some("z"));
        assert_eq!(req.body.as_str(), "{}");
        assert!(decode_request(b"{").is_err());
    }
}
