//! The Express side of a plugin's HTTP routes, as signalk-server 2.32.0 mounts them
//! (Express 4 under `/plugins/<id>`, §8): the request a client makes, route matching,
//! the envelope rules that turn a handler's output into what the client receives
//! (§8.4), and `res.send`. Pure functions of their input: no guest, no host.

use serde_json::{Map, Value, json};

/// One route the plugin declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Upper-case method: GET, POST, PUT or DELETE.
    pub method: String,
    /// The Express path, relative to `/plugins/<id>`.
    pub path: String,
    /// The export that handles it.
    pub handler: String,
}

/// An HTTP request to the plugin's router.
///
/// Its body may be any JSON [`Value`]; [`MockHost::http`](crate::MockHost::http) refuses
/// one nested deeper than [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) levels, and a request
/// drops its body without recursion, however deep.
///
/// ```
/// use signalk_plugin_host_mock::HttpRequest;
/// use serde_json::json;
///
/// let req = HttpRequest::post("/api/drop?force=1").json(json!({"radius": 50}));
/// assert_eq!(req.to_json()["query"], json!({"force": "1"}));
/// assert_eq!(req.to_json()["headers"]["content-type"], "application/json");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Map<String, Value>,
    pub(crate) headers: Map<String, Value>,
    pub(crate) body: Value,
}

impl Drop for HttpRequest {
    fn drop(&mut self) {
        if matches!(self.body, Value::Array(_) | Value::Object(_)) {
            crate::js::drop_deep(self.body.take());
        }
    }
}

impl HttpRequest {
    /// A request with `method` for `target` (a path, optionally with `?query`). The path
    /// may be relative to the plugin (`/api/x`) or absolute (`/plugins/<id>/api/x`).
    #[must_use]
    pub fn new(method: &str, target: &str) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut map = Map::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let v = Value::from(v.into_owned());
            match map.get_mut(k.as_ref()) {
                Some(Value::Array(items)) => items.push(v),
                Some(prev) => *prev = Value::Array(vec![prev.take(), v]),
                None => {
                    map.insert(k.into_owned(), v);
                }
            }
        }
        HttpRequest {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            query: map,
            headers: Map::new(),
            body: Value::Object(Map::new()),
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

    /// A JSON body (Express parses it before the plugin sees it). At most
    /// [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) levels deep, or
    /// [`MockHost::http`](crate::MockHost::http) refuses the request.
    #[must_use]
    pub fn json(mut self, body: Value) -> Self {
        self.body = body;
        self.header("content-type", "application/json")
    }

    /// A request header (names are lower-cased, as Node does).
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .insert(name.to_ascii_lowercase(), Value::from(value));
        self
    }

    /// The request JSON without route params, as a handler would see it for a route
    /// without any.
    #[must_use]
    pub fn to_json(&self) -> Value {
        self.to_json_with(Map::new())
    }

    /// The body; [`MockHost::http`](crate::MockHost::http) checks its depth first.
    pub(crate) fn body(&self) -> &Value {
        &self.body
    }

    pub(crate) fn to_json_with(&self, params: Map<String, Value>) -> Value {
        json!({
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "params": params,
            "body": self.body,
            "headers": self.headers,
        })
    }
}

/// What an HTTP client would receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Response headers, in the order they were set (names as the plugin wrote them).
    pub headers: Vec<(String, String)>,
    /// The body text.
    pub body: String,
}

impl HttpResponse {
    pub(crate) fn new(status: u16, content_type: &str, body: String) -> Self {
        HttpResponse {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    pub(crate) fn json(status: u16, body: &Value) -> Self {
        Self::new(status, "application/json; charset=utf-8", body.to_string())
    }

    pub(crate) fn error(message: &str) -> Self {
        Self::json(500, &json!({ "error": message }))
    }

    /// A header's value (case-insensitive name).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON.
    ///
    /// # Errors
    ///
    /// If the body is not JSON.
    pub fn body_json(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(&self.body)
    }
}

/// Express 4 path matching (non-strict, case-insensitive): literal segments, `:param`,
/// a trailing `:param?`, and `*` (which matches the rest, slashes included). Regex
/// routes are not supported.
pub(crate) fn match_path(pattern: &str, path: &str) -> Option<Map<String, Value>> {
    let pat: Vec<&str> = pattern
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let mut params = Map::new();
    let mut wildcard = 0;
    let mut i = 0;
    for (n, p) in pat.iter().enumerate() {
        if *p == "*" {
            params.insert(
                wildcard.to_string(),
                Value::from(segs.get(i..).unwrap_or_default().join("/")),
            );
            wildcard += 1;
            i = segs.len();
            continue;
        }
        if let Some(name) = p.strip_prefix(':') {
            let (name, optional) = match name.strip_suffix('?') {
                Some(n) => (n, true),
                None => (name, false),
            };
            match segs.get(i) {
                Some(seg) => {
                    let decoded = percent_decode(seg);
                    params.insert(name.to_owned(), Value::from(decoded));
                    i += 1;
                }
                None if optional && n == pat.len() - 1 => {}
                None => return None,
            }
            continue;
        }
        match segs.get(i) {
            Some(seg) if seg.eq_ignore_ascii_case(p) => i += 1,
            _ => return None,
        }
    }
    (i == segs.len()).then_some(params)
}

fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_owned())
}

/// Applies the envelope rules of §8.4 to the handler's output text.
pub(crate) fn envelope(text: &str) -> HttpResponse {
    let env: Value = match serde_json::from_str(text) {
        Ok(v) => crate::js::round_trip(v),
        Err(err) => return HttpResponse::error(&err.to_string()),
    };
    let status = match env.get("statusCode") {
        Some(Value::Number(n)) if n.as_f64().is_some_and(|f| f != 0.0) => {
            n.as_u64().and_then(|v| u16::try_from(v).ok())
        }
        Some(v) if is_truthy_non_number(v) => None,
        _ => Some(200),
    };
    let Some(status) = status.filter(|s| (100..=999).contains(s)) else {
        return HttpResponse::error(&format!("Invalid status code: {}", env["statusCode"]));
    };
    let mut headers = Vec::new();
    if let Some(map) = env.get("headers").and_then(Value::as_object) {
        for (name, value) in map {
            let value = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Array(items) if items.iter().all(Value::is_string) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                other => {
                    return HttpResponse::error(&format!(
                        "Invalid value \"{other}\" for header \"{name}\""
                    ));
                }
            };
            headers.push((name.clone(), value));
        }
    }
    let content_type = headers
        .iter()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.clone());
    let json_type = content_type
        .as_deref()
        .is_some_and(|t| t.to_ascii_lowercase().contains("application/json"));
    let body = env.get("body").cloned().unwrap_or(Value::Null);
    let (status, default_type, text) = match body {
        Value::String(s) if json_type => match serde_json::from_str::<Value>(&s) {
            Ok(parsed) => match send(status, crate::js::round_trip(parsed)) {
                Ok(r) => r,
                Err(resp) => return resp,
            },
            Err(_) => (status, "application/json", s),
        },
        Value::String(s) => (status, "text/html; charset=utf-8", s),
        other => match send(status, other) {
            Ok(r) => r,
            Err(resp) => return resp,
        },
    };
    if content_type.is_none() && !text.is_empty() {
        headers.insert(0, ("Content-Type".into(), default_type.into()));
    }
    HttpResponse {
        status,
        headers,
        body: text,
    }
}

fn is_truthy_non_number(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// Express `res.send(value)` for a parsed value.
fn send(status: u16, value: Value) -> Result<(u16, &'static str, String), HttpResponse> {
    Ok(match value {
        Value::Null => (status, "", String::new()),
        // A bare number is taken as a status code by Express 4.
        Value::Number(n) => match n
            .as_u64()
            .and_then(|v| u16::try_from(v).ok())
            .filter(|c| (100..=999).contains(c))
        {
            Some(code) => (code, "text/plain; charset=utf-8", code.to_string()),
            None => {
                return Err(HttpResponse::new(
                    500,
                    "text/html; charset=utf-8",
                    format!("Invalid status code: {n}"),
                ));
            }
        },
        Value::String(s) => (status, "text/html; charset=utf-8", s),
        other => (status, "application/json; charset=utf-8", other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn express_paths_match_params_and_wildcards() {
        assert_eq!(match_path("/api/status", "/api/status/"), Some(Map::new()));
        assert_eq!(match_path("/api/status", "/API/Status"), Some(Map::new()));
        assert!(match_path("/api/status", "/api/status/x").is_none());
        let p = match_path("/api/items/:id", "/api/items/4%202").unwrap();
        assert_eq!(p["id"], "4 2");
        assert!(match_path("/api/items/:id", "/api/items").is_none());
        assert!(match_path("/api/items/:id?", "/api/items").is_some());
        let p = match_path("/files/*", "/files/a/b.txt").unwrap();
        assert_eq!(p["0"], "a/b.txt");
    }

    #[test]
    fn envelopes_follow_the_servers_rules() {
        let r = envelope(r#"{"statusCode":201,"body":{"a":1}}"#);
        assert_eq!((r.status, r.body.as_str()), (201, r#"{"a":1}"#));
        assert!(
            r.header("content-type")
                .unwrap()
                .contains("application/json")
        );
        // `status` is ignored; a plain string is text/html.
        let r = envelope(r#"{"status":404,"body":"hi"}"#);
        assert_eq!((r.status, r.body.as_str()), (200, "hi"));
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        // A JSON-typed string body is parsed; a JSON string is sent raw.
        let r = envelope(r#"{"headers":{"Content-Type":"application/json"},"body":"\"hi\""}"#);
        assert_eq!(r.body, "hi");
        // A number body is a status code to Express.
        assert_eq!(envelope(r#"{"body":42}"#).status, 500);
        assert_eq!(envelope("{\"body\":").status, 500);
        assert_eq!(envelope(r#"{"body":null}"#).body, "");
    }
}
