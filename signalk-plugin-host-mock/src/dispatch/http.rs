//! §8 — HTTP endpoints: the route list from `http_endpoints`, Express-style matching,
//! the request JSON the handler gets and the response envelope rules.

use serde_json::{Map, Value, json};

use crate::guest::{self, Shape};
use crate::host::{METADATA_BUFFER, MockHost};
use crate::state::PluginState;
use crate::{Error, memory};

/// Size of the host's response buffer for HTTP handlers.
pub const RESPONSE_BUFFER: u32 = 65_536;

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
    method: String,
    path: String,
    query: Map<String, Value>,
    headers: Map<String, Value>,
    body: Value,
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

    /// A JSON body (Express parses it before the plugin sees it).
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

    fn to_json_with(&self, params: Map<String, Value>) -> Value {
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
    fn new(status: u16, content_type: &str, body: String) -> Self {
        HttpResponse {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    fn json(status: u16, body: &Value) -> Self {
        Self::new(status, "application/json; charset=utf-8", body.to_string())
    }

    fn error(message: &str) -> Self {
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

impl MockHost {
    /// Reads the route list once, as the server does (§8.1). Any failure means no
    /// custom routes; a bad entry stops the list there.
    pub(crate) fn read_routes(&mut self) -> Vec<Route> {
        let Some(func) = self.func("http_endpoints") else {
            return Vec::new();
        };
        self.arm();
        let text = match guest::call_with_buffers(
            &mut self.store,
            func,
            "http_endpoints",
            Shape {
                input: None,
                output: Some(METADATA_BUFFER),
                free_on_trap: true,
            },
        ) {
            Ok(out) => memory::decode(&out.output.unwrap_or_default()),
            Err(err) => {
                self.store
                    .data_mut()
                    .log(format!("http_endpoints failed: {err}"));
                return Vec::new();
            }
        };
        let list = match serde_json::from_str::<Value>(&text) {
            Ok(Value::Array(list)) => list,
            Ok(_) => {
                self.store
                    .data_mut()
                    .log("http_endpoints: not an array; no custom routes");
                return Vec::new();
            }
            Err(err) => {
                self.store
                    .data_mut()
                    .log(format!("http_endpoints: {err}; no custom routes"));
                return Vec::new();
            }
        };
        let mut routes = Vec::new();
        for entry in list {
            let (Some(method), Some(path), Some(handler)) = (
                entry["method"].as_str(),
                entry["path"].as_str(),
                entry["handler"].as_str(),
            ) else {
                self.store.data_mut().log(format!(
                    "http_endpoints: bad entry {entry}; later routes dropped"
                ));
                break;
            };
            let method = method.to_ascii_uppercase();
            if !matches!(method.as_str(), "GET" | "POST" | "PUT" | "DELETE") {
                self.store
                    .data_mut()
                    .log(format!("http_endpoints: method {method} skipped"));
                continue;
            }
            routes.push(Route {
                method,
                path: path.to_owned(),
                handler: handler.to_owned(),
            });
        }
        routes
    }

    /// The custom routes the server registered for this plugin.
    #[must_use]
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Sends an HTTP request through the plugin's router, under `/plugins/<id>`.
    /// Handlers are called whatever the plugin's state, as on the server.
    ///
    /// # Errors
    ///
    /// Only [`Error::Timeout`]: where the real server would hang. Everything else is an
    /// HTTP response, as a client would see it (404, 500 with the trap message, ...).
    pub fn http(&mut self, request: HttpRequest) -> Result<HttpResponse, Error> {
        let id = self.options().plugin_id();
        let mut request = request;
        for prefix in [format!("/plugins/{id}"), format!("/skServer/plugins/{id}")] {
            if let Some(rest) = request.path.strip_prefix(&prefix) {
                request.path = if rest.is_empty() {
                    "/".into()
                } else {
                    rest.to_owned()
                };
            }
        }
        if let Some(response) = self.builtin_route(&request) {
            return Ok(response);
        }
        let found = self.routes.iter().find_map(|r| {
            (r.method == request.method)
                .then(|| match_path(&r.path, &request.path))
                .flatten()
                .map(|params| (r.handler.clone(), params))
        });
        let Some((handler, params)) = found else {
            return Ok(HttpResponse::new(
                404,
                "text/html; charset=utf-8",
                format!("Cannot {} {}", request.method, request.path),
            ));
        };
        let Some(func) = self.func(&handler) else {
            return Ok(HttpResponse::error(&format!(
                "Handler function {handler} not found"
            )));
        };
        let text = request.to_json_with(params).to_string();
        self.arm();
        let out = guest::call_with_buffers(
            &mut self.store,
            func,
            &handler,
            Shape {
                input: Some(text.as_bytes()),
                output: Some(RESPONSE_BUFFER),
                free_on_trap: false,
            },
        );
        let out = out.and_then(|out| self.resolve_reply(out.output.unwrap_or_default()));
        match out {
            Ok(bytes) => Ok(envelope(&memory::decode(&bytes))),
            Err(err @ Error::Timeout { .. }) => Err(err),
            Err(Error::Trap { message, .. }) => Ok(HttpResponse::error(&message)),
            Err(err) => Ok(HttpResponse::error(&err.to_string())),
        }
    }

    /// `GET /`, `GET /config` and `POST /config` come first and shadow plugin routes.
    fn builtin_route(&mut self, request: &HttpRequest) -> Option<HttpResponse> {
        let path = request.path.trim_end_matches('/');
        let running = *self.state() == PluginState::Running;
        match (request.method.as_str(), path) {
            ("GET", "") => Some(HttpResponse::json(
                200,
                &json!({
                    "enabled": running,
                    "enabledByDefault": false,
                    "id": self.options().plugin_id(),
                    "name": self.name(),
                    "version": self.options().package_version,
                }),
            )),
            ("GET", "/config") => Some(HttpResponse::json(
                200,
                &json!({
                    "enabled": running,
                    "enableDebug": self.options().enable_debug,
                    "configuration": self.saved_config().cloned().unwrap_or(json!({})),
                }),
            )),
            ("POST", "/config") => {
                let configuration = request
                    .body
                    .get("configuration")
                    .cloned()
                    .unwrap_or(json!({}));
                Some(match self.save_configuration(configuration) {
                    Ok(()) => HttpResponse::new(
                        200,
                        "text/html; charset=utf-8",
                        format!(
                            "Saved configuration for plugin {}",
                            self.options().plugin_id()
                        ),
                    ),
                    Err(err) => HttpResponse::error(&err.to_string()),
                })
            }
            _ => None,
        }
    }
}

/// Express 4 path matching (non-strict, case-insensitive): literal segments, `:param`,
/// a trailing `:param?`, and `*` (which matches the rest, slashes included). Regex
/// routes are not supported.
fn match_path(pattern: &str, path: &str) -> Option<Map<String, Value>> {
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
fn envelope(text: &str) -> HttpResponse {
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
