//! The scenarios, as data: each is a list of steps a client takes against the server
//! hosting the `sdk-probe` fixture. Both hosts run the whole list in this order, so
//! state a scenario leaves (values, configuration, the probe's counters) is the same on
//! both for the next one.
//!
//! Every step is either an HTTP request (sent byte for byte as the mock host's
//! `HttpRequest` describes it) or a PUT over the WebSocket stream. Deltas, meta,
//! notifications and lifecycle changes are made through the routes a client has: the
//! probe's `/api/emit` and `/api/notify`, the plugin config route, REST PUT.

mod data_model;
mod http;
mod lifecycle;
mod put;

use serde_json::{Value, json};

/// The plugin id (and package name) of the probe on both hosts.
pub const ID: &str = "sdk-probe";

/// The configuration both hosts start the probe with (no status per poll: the real
/// server polls on a timer, the mock host only when told to).
pub fn probe_config() -> Value {
    json!({"tag": "diff", "stopEmit": true, "pollStatus": false})
}

/// One thing a client does.
#[derive(Debug, Clone)]
pub enum Step {
    /// An HTTP request.
    Http(Request),
    /// A PUT over the WebSocket stream, context `vessels.self`.
    WsPut {
        path: String,
        value_json: String,
        request_id: String,
    },
}

/// An HTTP request as a client sends it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query exactly as sent.
    pub target: String,
    /// Headers beyond the ones every request carries.
    pub headers: Vec<(String, String)>,
    /// `(content type, bytes)`.
    pub body: Option<(String, Vec<u8>)>,
    /// Compare every response header, the server-wide ones too (see the normaliser).
    pub all_headers: bool,
}

impl Request {
    fn new(method: &str, target: impl Into<String>) -> Self {
        Request {
            method: method.to_owned(),
            target: target.into(),
            headers: Vec::new(),
            body: None,
            all_headers: false,
        }
    }

    fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    fn body(mut self, content_type: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.body = Some((content_type.to_owned(), bytes.into()));
        self
    }

    fn json(self, value: &Value) -> Self {
        self.body("application/json", value.to_string())
    }

    fn all_headers(mut self) -> Self {
        self.all_headers = true;
        self
    }

    fn step(self) -> Step {
        Step::Http(self)
    }
}

/// One scenario: an id (kept stable: the known-divergence file names scenarios by it),
/// what it shows, and its steps.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: String,
    pub what: &'static str,
    pub steps: Vec<Step>,
}

fn plugin(path: &str) -> String {
    format!("/plugins/{ID}{path}")
}

fn model(path: &str) -> String {
    format!("/signalk/v1/api/vessels/self/{}", path.replace('.', "/"))
}

fn get(target: impl Into<String>) -> Step {
    Request::new("GET", target).step()
}

fn post_json(target: impl Into<String>, body: &Value) -> Step {
    Request::new("POST", target).json(body).step()
}

fn emit(delta: &Value) -> Step {
    post_json(plugin("/api/emit"), delta)
}

fn emit_values(values: &Value) -> Step {
    emit(&json!({"updates": [{"values": values}]}))
}

fn rest_put(path: &str, value: &Value) -> Step {
    Request::new("PUT", model(path))
        .json(&json!({"value": value}))
        .step()
}

fn ws_put(path: &str, value: &Value, request_id: &str) -> Step {
    Step::WsPut {
        path: path.to_owned(),
        value_json: value.to_string(),
        request_id: request_id.to_owned(),
    }
}

fn reply(ask: &Value) -> Step {
    post_json(plugin("/api/reply"), ask)
}

fn config(body: &Value) -> Step {
    post_json(plugin("/config"), body)
}

fn state() -> Step {
    get(plugin("/api/state"))
}

/// Emits one value under `source` (a `source` object, not `$source`).
fn sourced(source: &Value, path: &str, value: i64) -> Step {
    emit(&json!({"updates": [{
        "source": source,
        "values": [{"path": path, "value": value}]
    }]}))
}

fn notify(path: &str, notification: &Value) -> Step {
    post_json(
        plugin("/api/notify"),
        &json!({"path": path, "notification": notification}),
    )
}

/// A config route body: `enabled`, `enableDebug` when given, and the probe's
/// configuration with `tag`.
fn saved(enabled: bool, enable_debug: Option<bool>, tag: &str) -> Value {
    let mut body = json!({
        "enabled": enabled,
        "configuration": {"tag": tag, "stopEmit": true, "pollStatus": false}
    });
    if let Some(debug) = enable_debug {
        body["enableDebug"] = json!(debug);
    }
    body
}

struct List(Vec<Scenario>);

impl List {
    fn add(&mut self, id: &str, what: &'static str, steps: Vec<Step>) {
        self.0.push(Scenario {
            id: id.to_owned(),
            what,
            steps,
        });
    }
}
/// Every scenario, in the order both hosts run them.
pub fn all() -> Vec<Scenario> {
    let mut l = List(Vec::new());
    http::add(&mut l);
    data_model::add(&mut l);
    put::add(&mut l);
    lifecycle::add(&mut l);
    l.0
}
