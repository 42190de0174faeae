//! The request an HTTP handler receives.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::HttpError;
use crate::RawJson;
use crate::json::lookup::{OneOrMany, lookup};

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
        lookup::<String>(self.params.as_str(), name)
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
        lookup::<OneOrMany>(self.query.as_str(), name).and_then(|v| v.0)
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
        lookup::<OneOrMany>(self.headers.as_str(), &name.to_ascii_lowercase()).and_then(|v| v.0)
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
