//! The request an HTTP handler receives.

use std::cell::OnceCell;
use std::fmt;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::HttpError;
use crate::RawJson;
use crate::json::lookup::{OneOrMany, lookup};

/// A request, as the host describes it (method, path, query, params, body, headers).
///
/// Nothing of it is decoded until the handler reads it: the host's envelope is kept as
/// received and decoded on the first read, once. A handler that reads nothing (a
/// status page) pays for neither parsing nor copies of the parts, and the JSON parts
/// stay JSON text until asked for, so a plugin pays (in time and code size) only for
/// what it reads.
///
/// ```
/// use signalk_plugin::http::HttpRequest;
/// let req = HttpRequest::new("GET", "/items/7").with_params(serde_json::json!({"id": "7"}));
/// assert_eq!(req.method(), "GET");
/// assert_eq!(req.path(), "/items/7");
/// assert_eq!(req.params().as_str(), r#"{"id":"7"}"#);
/// assert_eq!(req.body().as_str(), "{}");
/// ```
#[derive(Clone)]
pub struct HttpRequest {
    /// The host's envelope as it arrived; `None` for a request built with [`HttpRequest::new`].
    envelope: Option<Box<[u8]>>,
    /// The envelope decoded, once.
    parts: OnceCell<Decoded>,
}

/// The envelope decoded: its parts, or (`problem`) why it did not decode, and then
/// [`Parts::empty`].
#[derive(Debug, Clone, PartialEq)]
struct Decoded {
    parts: Parts,
    problem: Option<String>,
}

/// The members of the host's envelope.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Parts {
    method: String,
    path: String,
    #[serde(default = "empty_object")]
    query: RawJson,
    #[serde(default = "empty_object")]
    params: RawJson,
    #[serde(default = "empty_object")]
    body: RawJson,
    #[serde(default = "empty_object")]
    headers: RawJson,
}

impl Parts {
    /// What a request whose envelope did not decode reads as: no method, no path, every
    /// JSON part `{}`. (The methods that return a `Result` report the decoding error.)
    fn empty() -> Self {
        Self {
            method: String::new(),
            path: String::new(),
            query: empty_object(),
            params: empty_object(),
            body: empty_object(),
            headers: empty_object(),
        }
    }
}

fn empty_object() -> RawJson {
    RawJson::from_text("{}".to_owned()).unwrap_or_default()
}

impl HttpRequest {
    /// A request with an empty query, params, body and headers, for tests.
    ///
    /// ```
    /// let req = signalk_plugin::http::HttpRequest::new("GET", "/status");
    /// assert_eq!(req.method(), "GET");
    /// assert_eq!(req.body().as_str(), "{}");
    /// ```
    #[must_use]
    pub fn new(method: &str, path: &str) -> Self {
        let parts = Parts {
            method: method.to_owned(),
            path: path.to_owned(),
            ..Parts::empty()
        };
        Self {
            envelope: None,
            parts: OnceCell::from(Decoded {
                parts,
                problem: None,
            }),
        }
    }

    /// The host's envelope, kept as it is until a part is read. The caller has checked
    /// that it looks like a JSON object (`wire::decode_request`).
    pub(crate) fn from_envelope(envelope: &[u8]) -> Self {
        Self {
            envelope: Some(envelope.into()),
            parts: OnceCell::new(),
        }
    }

    /// The decoded envelope: decoded on the first call. An envelope that does not
    /// decode (a broken host) is logged once, here, at WARN.
    fn decoded(&self) -> &Decoded {
        self.parts.get_or_init(|| {
            let envelope = self.envelope.as_deref().unwrap_or_default();
            match crate::json::from_bytes::<Parts>(envelope) {
                Ok(parts) => Decoded {
                    parts,
                    problem: None,
                },
                Err(e) => {
                    let problem =
                        crate::json::bound(format!("malformed request from the host: {e}"));
                    crate::logging::write(log::Level::Warn, &problem);
                    Decoded {
                        parts: Parts::empty(),
                        problem: Some(problem),
                    }
                }
            }
        })
    }

    fn parts(&self) -> &Parts {
        &self.decoded().parts
    }

    /// The parts to change, for the builders (an envelope that did not decode reads as
    /// an empty request; its error was logged).
    fn parts_mut(&mut self) -> &mut Parts {
        self.decoded();
        match self.parts.get_mut() {
            Some(decoded) => &mut decoded.parts,
            None => unreachable!("decoded above"),
        }
    }

    /// A 400 for a request whose envelope did not decode.
    fn malformed(&self) -> Option<HttpError> {
        let problem = self.decoded().problem.as_ref()?;
        Some(HttpError::bad_request(problem.clone()))
    }

    /// The upper-case method.
    ///
    /// ```
    /// assert_eq!(signalk_plugin::http::HttpRequest::new("POST", "/a").method(), "POST");
    /// ```
    #[must_use]
    pub fn method(&self) -> &str {
        &self.parts().method
    }

    /// The path relative to the plugin's mount, without the query string: `/api/items/42`.
    ///
    /// ```
    /// assert_eq!(signalk_plugin::http::HttpRequest::new("GET", "/api/items/42").path(), "/api/items/42");
    /// ```
    #[must_use]
    pub fn path(&self) -> &str {
        &self.parts().path
    }

    /// The query parameters as JSON text; repeated keys are arrays, `a[b]=c` nests.
    /// [`HttpRequest::query_param`] reads one.
    ///
    /// ```
    /// use signalk_plugin::http::HttpRequest;
    /// let req = HttpRequest::new("GET", "/").with_query(serde_json::json!({"a": {"b": "c"}}));
    /// assert_eq!(req.query().as_str(), r#"{"a":{"b":"c"}}"#);
    /// ```
    #[must_use]
    pub fn query(&self) -> &RawJson {
        &self.parts().query
    }

    /// The route parameters as JSON text: `/items/:id` gives `{"id": "42"}`.
    /// [`HttpRequest::param`] reads one.
    ///
    /// ```
    /// use signalk_plugin::http::HttpRequest;
    /// let req = HttpRequest::new("GET", "/items/42").with_params(serde_json::json!({"id": "42"}));
    /// assert_eq!(req.params().as_str(), r#"{"id":"42"}"#);
    /// ```
    #[must_use]
    pub fn params(&self) -> &RawJson {
        &self.parts().params
    }

    /// The parsed JSON or form body as JSON text; `{}` when there is none (never `null`).
    /// [`HttpRequest::json`] reads it as a type.
    ///
    /// ```
    /// use signalk_plugin::http::HttpRequest;
    /// let req = HttpRequest::new("POST", "/").with_body(serde_json::json!([1, 2]));
    /// assert_eq!(req.body().as_str(), "[1,2]");
    /// ```
    #[must_use]
    pub fn body(&self) -> &RawJson {
        &self.parts().body
    }

    /// The headers as JSON text: lower-case names, string values (`set-cookie` is an
    /// array). [`HttpRequest::header`] reads one.
    ///
    /// ```
    /// use signalk_plugin::http::HttpRequest;
    /// let req = HttpRequest::new("GET", "/").with_headers(serde_json::json!({"accept": "*/*"}));
    /// assert_eq!(req.headers().as_str(), r#"{"accept":"*/*"}"#);
    /// ```
    #[must_use]
    pub fn headers(&self) -> &RawJson {
        &self.parts().headers
    }

    /// Sets the body, for tests.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<RawJson>) -> Self {
        self.parts_mut().body = body.into();
        self
    }

    /// Sets the route parameters, for tests.
    #[must_use]
    pub fn with_params(mut self, params: impl Into<RawJson>) -> Self {
        self.parts_mut().params = params.into();
        self
    }

    /// Sets the query, for tests.
    #[must_use]
    pub fn with_query(mut self, query: impl Into<RawJson>) -> Self {
        self.parts_mut().query = query.into();
        self
    }

    /// Sets the headers, for tests.
    #[must_use]
    pub fn with_headers(mut self, headers: impl Into<RawJson>) -> Self {
        self.parts_mut().headers = headers.into();
        self
    }

    /// The body as `T`.
    ///
    /// # Errors
    /// A 400 [`HttpError`] saying what is wrong with the body (or with the host's
    /// envelope, if that did not decode).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, HttpError> {
        if let Some(malformed) = self.malformed() {
            return Err(malformed);
        }
        crate::json::from_str_at_path(self.body().as_str())
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
    /// A 400 [`HttpError`] if it is missing (or if the host's envelope did not decode).
    pub fn param(&self, name: &str) -> Result<String, HttpError> {
        if let Some(malformed) = self.malformed() {
            return Err(malformed);
        }
        lookup::<String>(self.params().as_str(), name)
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
        lookup::<OneOrMany>(self.query().as_str(), name).and_then(|v| v.0)
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
        lookup::<OneOrMany>(self.headers().as_str(), &name.to_ascii_lowercase()).and_then(|v| v.0)
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let decoded = self.decoded();
        let p = &decoded.parts;
        match &decoded.problem {
            None => f
                .debug_struct("HttpRequest")
                .field("method", &p.method)
                .field("path", &p.path)
                .field("query", &p.query)
                .field("params", &p.params)
                .field("body", &p.body)
                .field("headers", &p.headers)
                .finish(),
            Some(problem) => f.debug_tuple("HttpRequest").field(problem).finish(),
        }
    }
}

impl PartialEq for HttpRequest {
    /// Requests are equal when what they hold is: one built with [`HttpRequest::new`]
    /// equals one the host sent with the same parts.
    fn eq(&self, other: &Self) -> bool {
        self.decoded() == other.decoded()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn a_1_mb_bad_body_is_a_bounded_400_that_fits_the_buffer() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Drop {
            radius: f64,
        }
        let body = json!({ "radius": "x".repeat(1 << 20) });
        let err = HttpRequest::new("POST", "/drop")
            .with_body(body)
            .json::<Drop>()
            .unwrap_err();
        assert_eq!(err.status_code, 400);
        assert_eq!(err.message.chars().count(), crate::ERROR_TEXT_LIMIT + 1);
        assert!(
            err.message
                .starts_with("invalid body at `radius`: invalid type: string")
        );
        assert!(err.message.contains("expected f64"), "{}", err.message);
        let envelope = crate::http::IntoResponse::into_response(err).to_envelope();
        assert!(envelope.len() < crate::http::RESPONSE_BUFFER);
    }
}
