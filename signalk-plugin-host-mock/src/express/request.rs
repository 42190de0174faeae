//! [`HttpRequest`]: a request exactly as a client puts it on the wire (method, target
//! as sent, headers, body bytes). Nothing is parsed here: the query string, path and
//! body are read at dispatch time by the ported Express pieces, as the server reads
//! them.

use serde_json::{Map, Value};

/// An HTTP request to the plugin's router (`/plugins/<id>/...`), as a client sends it.
///
/// The target is kept as sent: its path and query string are parsed when the request is
/// dispatched, by the same rules as Express (`qs` for the query, body-parser for the
/// body). A target that does not start with `/plugins/` or `/skServer/plugins/` is
/// taken as relative to the plugin and gets `/plugins/<id>` in front, so `/api/x` and
/// `//api/x` both reach the plugin's `/api/x` route, as on the server.
///
/// ```
/// use signalk_plugin_host_mock::HttpRequest;
/// use serde_json::json;
///
/// let req = HttpRequest::post("/api/drop?force=1&at[lat]=60").json(json!({"radius": 50}));
/// assert_eq!(req.method(), "POST");
/// assert_eq!(req.target(), "/api/drop?force=1&at[lat]=60");
/// assert_eq!(req.to_json()["query"], json!({"force": "1", "at": {"lat": "60"}}));
/// assert_eq!(req.body_bytes(), br#"{"radius":50}"#);
/// let headers = req.wire_headers();
/// assert_eq!(headers[0], ("host".to_owned(), "localhost:3000".to_owned()));
/// assert!(headers.contains(&("content-length".to_owned(), "13".to_owned())));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    method: String,
    target: String,
    /// Headers the caller set, names lower-cased, in the order set (a later value for
    /// the same name replaces the earlier one in place).
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    /// A `.json()` body nested past [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH): refused by
    /// [`MockHost::http`](crate::MockHost::http) with `Error::TooDeep`.
    too_deep: bool,
}

impl HttpRequest {
    /// The `host` header a request carries unless one is set (a real server's address
    /// differs only in the port: set `host` to compare header echoes byte for byte).
    pub const DEFAULT_HOST: &str = "localhost:3000";

    /// A request with `method` (any; upper-cased, as clients send it) for `target`, a
    /// path with an optional `?query`, kept byte for byte.
    ///
    /// ```
    /// use signalk_plugin_host_mock::HttpRequest;
    ///
    /// let req = HttpRequest::new("head", "/plugins/my-plugin//api/x?a[]=1");
    /// assert_eq!((req.method(), req.target()), ("HEAD", "/plugins/my-plugin//api/x?a[]=1"));
    /// // Express's mount takes the extra slash: the plugin sees `/api/x`.
    /// assert_eq!(req.to_json()["path"], "/api/x");
    /// assert_eq!(req.to_json()["query"]["a"][0], "1");
    /// ```
    #[must_use]
    pub fn new(method: &str, target: &str) -> Self {
        HttpRequest {
            method: method.to_ascii_uppercase(),
            target: target.to_owned(),
            headers: Vec::new(),
            body: None,
            too_deep: false,
        }
    }

    /// `GET target`.
    #[must_use]
    pub fn get(target: &str) -> Self {
        Self::new("GET", target)
    }

    /// `POST target`.
    #[must_use]
    pub fn post(target: &str) -> Self {
        Self::new("POST", target)
    }

    /// `PUT target`.
    #[must_use]
    pub fn put(target: &str) -> Self {
        Self::new("PUT", target)
    }

    /// `DELETE target`.
    #[must_use]
    pub fn delete(target: &str) -> Self {
        Self::new("DELETE", target)
    }

    /// A JSON body: `body` serialised, with `content-type: application/json`. A value
    /// nested deeper than [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) is dropped without
    /// recursion and [`MockHost::http`](crate::MockHost::http) refuses the request.
    #[must_use]
    pub fn json(mut self, body: Value) -> Self {
        if crate::js::json_depth(&body) > crate::MAX_JSON_DEPTH {
            crate::js::drop_deep(body);
            self.too_deep = true;
            self.body = Some(Vec::new());
        } else {
            self.body = Some(body.to_string().into_bytes());
        }
        self.header("content-type", "application/json")
    }

    /// A body exactly as sent on the wire, with its `content-type`; what the plugin gets
    /// from it is body-parser's business (JSON, urlencoded or nothing, or a 4xx page).
    ///
    /// ```
    /// use signalk_plugin_host_mock::HttpRequest;
    /// use serde_json::json;
    ///
    /// let req = HttpRequest::post("/api/x")
    ///     .body_raw("application/x-www-form-urlencoded", "a[b]=1&a[c]=2");
    /// assert_eq!(req.to_json()["body"], json!({"a": {"b": "1", "c": "2"}}));
    /// ```
    #[must_use]
    pub fn body_raw(mut self, content_type: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.body = Some(bytes.into());
        self.too_deep = false;
        self.header("content-type", content_type)
    }

    /// A request header. Names are lower-cased, as Node presents them; setting a name
    /// again replaces its value.
    ///
    /// ```
    /// use signalk_plugin_host_mock::HttpRequest;
    ///
    /// let req = HttpRequest::get("/api/x").header("X-Trace", "1").header("host", "boat:80");
    /// let headers = req.wire_headers();
    /// assert_eq!(headers[0], ("connection".to_owned(), "keep-alive".to_owned()));
    /// assert!(headers.contains(&("x-trace".to_owned(), "1".to_owned())));
    /// assert!(headers.contains(&("host".to_owned(), "boat:80".to_owned())));
    /// ```
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = name.to_ascii_lowercase();
        match self.headers.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value.to_owned(),
            None => self.headers.push((name, value.to_owned())),
        }
        self
    }

    /// The method, upper-case.
    #[must_use]
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request target (path and `?query`) as given.
    #[must_use]
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The body bytes (empty without a body).
    #[must_use]
    pub fn body_bytes(&self) -> &[u8] {
        self.body.as_deref().unwrap_or_default()
    }

    /// Every header the request carries on the wire, in the order a client writes
    /// them: `host`, `connection`, then the caller's headers, then `content-length`
    /// when there is a body (unless the caller set it, or `transfer-encoding`).
    /// Names are lower-case, as Node's `req.headers` has them.
    #[must_use]
    pub fn wire_headers(&self) -> Vec<(String, String)> {
        let mut out = Vec::with_capacity(self.headers.len() + 3);
        for (name, default) in [("host", Self::DEFAULT_HOST), ("connection", "keep-alive")] {
            if !self.has_header(name) {
                out.push((name.to_owned(), default.to_owned()));
            }
        }
        out.extend(self.headers.iter().cloned());
        if let Some(body) = &self.body
            && !self.has_header("content-length")
            && !self.has_header("transfer-encoding")
        {
            out.push(("content-length".to_owned(), body.len().to_string()));
        }
        out
    }

    /// The request as the plugin would receive it on a route without params:
    /// `{method, path, query, params, body, headers}` (a body body-parser refuses is
    /// shown as `{}`, the value `req.body` has when the plugin is never called).
    #[must_use]
    pub fn to_json(&self) -> Value {
        let incoming = super::router::Incoming::from_request(self, "");
        let body = super::body_parser::parse(self)
            .ok()
            .flatten()
            .unwrap_or_else(|| Value::Object(Map::new()));
        incoming.context(&body, Map::new())
    }

    /// Whether the caller set `name` (lower-case).
    pub(crate) fn has_header(&self, name: &str) -> bool {
        self.headers.iter().any(|(n, _)| n == name)
    }

    /// The value of `name` (lower-case) among the wire headers, as Node's
    /// `req.headers[name]`.
    pub(crate) fn header_value(&self, name: &str) -> Option<String> {
        self.wire_headers()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Whether the request came with a body Node would read (`type-is`'s `hasBody`:
    /// a `transfer-encoding` or a numeric `content-length` header).
    pub(crate) fn has_body(&self) -> bool {
        self.wire_headers().iter().any(|(n, v)| {
            n == "transfer-encoding" || n == "content-length" && v.trim().parse::<f64>().is_ok()
        })
    }

    /// `.json()` was given a value nested too deeply to send.
    pub(crate) fn too_deep(&self) -> bool {
        self.too_deep
    }
}
