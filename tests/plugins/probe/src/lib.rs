//! A test fixture, not an example: a plugin that shows over HTTP what the SDK does for
//! it (the own vessel, deltas held while learning it, supervision after panics) and
//! panics on command. The cross-crate tests drive it in the mock host and in
//! signalk-server 2.32.0 (`tests/tests/it/own_vessel.rs`, `supervisor.rs`,
//! `differential/`).
//!
//! - `GET /api/state`: [`State`].
//! - `POST /api/emit` with a delta: emits it (a way to put deltas into the real
//!   server's pipeline).
//! - `POST /api/announce` with `{"on": bool}`: `vessel::set_announcements`.
//! - `POST /api/arm` with `{"at": "poll" | "delta" | "list"}`: the next poll, delta or
//!   resource listing panics.
//! - `POST /api/panic`: panics now; so does a PUT of `true` to `probe.panic`.
//! - Resources of type `probes`: one, `{"tag": …}`.
//! - A delta with a value at `probe.fail` makes `on_delta` return an error.
//!
//! For the differential suite (`tests/tests/it/differential/`), which compares what a
//! client and the plugin see on both hosts:
//! - `GET`/`POST`/`PUT`/`DELETE /api/echo` and `/api/echo/:id`: replies (200, JSON) with
//!   the whole request as the plugin received it: method, path, query, params, body,
//!   headers.
//! - `POST /api/reply` with `{"status", "headers": [[name, value]…], "text" | "json"}`:
//!   answers with the status, headers and body asked for (to see what the host does
//!   with a plugin's envelope).
//! - `POST /api/notify` with `{"path", "notification"}`: `signalk_plugin::notify`.
//! - PUT `probe.reply` with `{"status", "message"?}`: answers that; PUT `probe.setpoint`
//!   with a number: emits it at `probe.setpoint` and completes.
//! - Config `pollStatus: false`: polls set no status (the real server polls on a timer,
//!   so a status per poll differs from run to run).
//! - Config `stopEmit: true`: `stop` emits `probe.stopped` (the tag), and `seenEver` in
//!   the state lists every delta path received for the life of the instance, so a test
//!   sees whether a delta sent inside `stop` came back to the plugin.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Deserialize, Serialize};
use signalk_plugin::http::{HttpError, HttpRequest, HttpResponse, Json};
use signalk_plugin::provider::{
    DeleteRequest, GetRequest, ListRequest, ResourceProvider, SetRequest,
};
use signalk_plugin::put::PutReply;
use signalk_plugin::{
    Delta, Deltas, Notification, Plugin, PluginResult, RawJson, Update, plugin, vessel,
};

/// The configuration.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    /// Shown in the state, to tell configurations apart.
    #[serde(default)]
    pub tag: String,
    /// Whether the SDK may announce to learn the own vessel (default true).
    #[serde(default = "yes")]
    pub announce: bool,
    /// Starts after this many (counted for the life of the instance) fail.
    #[serde(default)]
    pub fail_starts_after: Option<u32>,
    /// Whether `stop` emits `probe.stopped` (default false).
    #[serde(default)]
    pub stop_emit: bool,
    /// Whether each poll sets the status `poll <n>` (default true).
    #[serde(default = "yes")]
    pub poll_status: bool,
}

fn yes() -> bool {
    true
}

/// Every `start` call of the instance, whatever the plugin state: survives restarts.
static STARTS: AtomicU32 = AtomicU32::new(0);

/// Every delta path received by the instance, whatever the plugin state: survives
/// restarts (the per-start `seen` does not), so a delta that arrives during or after
/// `stop` still shows.
static SEEN_EVER: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn seen_ever() -> Vec<String> {
    SEEN_EVER.lock().map(|l| l.clone()).unwrap_or_default()
}

/// `GET /api/state`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    tag: String,
    /// `start` calls of the instance so far (restarts included).
    starts: u32,
    /// Polls since this state was created (a restart begins at 0).
    polls: u32,
    /// Paths of the values of the own-vessel deltas received, in order.
    seen: Vec<String>,
    /// `signalk_plugin::self_context()`.
    self_context: Option<String>,
    /// `vessel::dropped_while_learning()`.
    dropped: u64,
    /// Deltas received for which `Delta::is_self()` was false (never, with
    /// `Deltas::OwnVessel`).
    not_self: u32,
    /// Paths of every delta value received by the instance (restarts included).
    seen_ever: Vec<String>,
}

/// Body of `POST /api/reply`: the response to send back.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reply {
    status: u16,
    /// Headers to set, in order.
    #[serde(default)]
    headers: Vec<(String, String)>,
    /// A text body (sent as is, `text/plain` unless a header says otherwise).
    #[serde(default)]
    text: Option<String>,
    /// A JSON body.
    #[serde(default)]
    json: Option<RawJson>,
}

/// Body of `POST /api/notify`.
#[derive(Deserialize)]
struct Notify {
    path: String,
    notification: Notification,
}

/// Value of a PUT to `probe.reply`.
#[derive(Deserialize)]
struct PutAsk {
    status: u16,
    #[serde(default)]
    message: Option<String>,
}

/// Body of `POST /api/arm`.
#[derive(Deserialize)]
struct Arm {
    at: String,
}

/// Body of `POST /api/announce`.
#[derive(Deserialize)]
struct Announce {
    on: bool,
}

/// The plugin state.
#[derive(Debug, Default)]
pub struct Probe {
    tag: String,
    polls: u32,
    seen: Vec<String>,
    not_self: u32,
    armed: Option<String>,
    stop_emit: bool,
    poll_status: bool,
}

impl Probe {
    fn fire(&mut self, at: &str) {
        if self.armed.as_deref() == Some(at) {
            panic!("armed panic in {at} (tag {})", self.tag);
        }
    }
}

#[plugin(
    id = "sdk-probe",
    name = "sdk-probe",
    schema = r#"{"type":"object"}"#,
    resources = ["probes"]
)]
impl Plugin for Probe {
    type Config = Config;
    const DELTAS: Deltas = Deltas::OwnVessel;

    fn start(&mut self, config: Config) -> PluginResult {
        let n = STARTS.fetch_add(1, Ordering::Relaxed) + 1;
        if config.fail_starts_after.is_some_and(|limit| n > limit) {
            return Err(format!("start #{n} refused (failStartsAfter)").into());
        }
        vessel::set_announcements(config.announce);
        self.tag = config.tag;
        self.stop_emit = config.stop_emit;
        self.poll_status = config.poll_status;
        Ok(())
    }

    fn stop(&mut self) -> PluginResult {
        if self.stop_emit {
            signalk_plugin::emit_value("probe.stopped", self.tag.as_str())?;
        }
        Ok(())
    }

    fn poll(&mut self) -> PluginResult {
        self.polls += 1;
        self.fire("poll");
        if self.poll_status {
            signalk_plugin::set_status(&format!("poll {}", self.polls));
        }
        Ok(())
    }

    fn on_delta(&mut self, delta: &Delta) -> PluginResult {
        self.fire("delta");
        if delta.value_of("probe.fail").is_some() {
            return Err("probe.fail received".into());
        }
        if !delta.is_self() {
            self.not_self += 1;
        }
        self.seen.extend(delta.values().map(|v| v.path.clone()));
        if let Ok(mut ever) = SEEN_EVER.lock() {
            ever.extend(delta.values().map(|v| v.path.clone()));
        }
        Ok(())
    }

    #[put("probe.panic")]
    fn put_panic(&mut self, value: bool) -> PutReply {
        assert!(!value, "PUT asked to panic (tag {})", self.tag);
        PutReply::with_status(200, format!("calm (tag {})", self.tag))
    }

    #[put("probe.reply")]
    fn put_reply(&mut self, ask: PutAsk) -> PutReply {
        match ask.message {
            Some(message) => PutReply::with_status(ask.status, message),
            None => PutReply {
                status_code: ask.status,
                ..PutReply::completed()
            },
        }
    }

    #[put("probe.setpoint")]
    fn put_setpoint(&mut self, value: f64) -> PluginResult {
        signalk_plugin::emit(
            &Delta::new().with_update(Update::new().with_value("probe.setpoint", value)),
        )?;
        Ok(())
    }

    #[http(GET, "/api/state")]
    fn state(&mut self, _req: HttpRequest) -> Json<State> {
        Json(State {
            tag: self.tag.clone(),
            starts: STARTS.load(Ordering::Relaxed),
            polls: self.polls,
            seen: self.seen.clone(),
            self_context: signalk_plugin::self_context(),
            dropped: vessel::dropped_while_learning(),
            not_self: self.not_self,
            seen_ever: seen_ever(),
        })
    }

    #[http(GET, "/api/echo")]
    fn echo_get(&mut self, req: HttpRequest) -> HttpResponse {
        echo(&req)
    }

    #[http(POST, "/api/echo")]
    fn echo_post(&mut self, req: HttpRequest) -> HttpResponse {
        echo(&req)
    }

    #[http(PUT, "/api/echo")]
    fn echo_put(&mut self, req: HttpRequest) -> HttpResponse {
        echo(&req)
    }

    #[http(DELETE, "/api/echo")]
    fn echo_delete(&mut self, req: HttpRequest) -> HttpResponse {
        echo(&req)
    }

    #[http(GET, "/api/echo/:id")]
    fn echo_param(&mut self, req: HttpRequest) -> HttpResponse {
        echo(&req)
    }

    #[http(POST, "/api/reply")]
    fn reply(&mut self, req: HttpRequest) -> Result<HttpResponse, HttpError> {
        let ask: Reply = req.json()?;
        let mut response = match (ask.text, ask.json) {
            (Some(text), None) => HttpResponse::text(ask.status, text),
            (None, Some(json)) => HttpResponse::json(ask.status, json),
            (None, None) => HttpResponse::empty(ask.status),
            (Some(_), Some(_)) => {
                return Err(HttpError::bad_request("give `text` or `json`, not both"));
            }
        };
        for (name, value) in ask.headers {
            response = response.with_header(name, value);
        }
        Ok(response)
    }

    #[http(POST, "/api/notify")]
    fn notify(&mut self, req: HttpRequest) -> Result<&'static str, HttpError> {
        let ask: Notify = req.json()?;
        signalk_plugin::notify(&ask.path, &ask.notification)
            .map_err(|e| HttpError::bad_request(e.to_string()))?;
        Ok("notified")
    }

    #[http(POST, "/api/emit")]
    fn emit(&mut self, req: HttpRequest) -> Result<&'static str, HttpError> {
        let delta: Delta = req.json()?;
        signalk_plugin::emit(&delta).map_err(|e| HttpError::bad_request(e.to_string()))?;
        Ok("emitted")
    }

    #[http(POST, "/api/announce")]
    fn announce(&mut self, req: HttpRequest) -> Result<&'static str, HttpError> {
        vessel::set_announcements(req.json::<Announce>()?.on);
        Ok("ok")
    }

    #[http(POST, "/api/arm")]
    fn arm(&mut self, req: HttpRequest) -> Result<&'static str, HttpError> {
        self.armed = Some(req.json::<Arm>()?.at);
        Ok("armed")
    }

    #[http(POST, "/api/panic")]
    fn panic_now(&mut self, _req: HttpRequest) -> &'static str {
        panic!("HTTP asked to panic (tag {})", self.tag);
    }
}

/// The request as the plugin received it, every member as the host sent it.
fn echo(req: &HttpRequest) -> HttpResponse {
    let text = format!(
        r#"{{"method":{},"path":{},"query":{},"params":{},"body":{},"headers":{}}}"#,
        RawJson::serialize(req.method())
            .map_or_else(|_| "null".to_owned(), |j| j.as_str().to_owned()),
        RawJson::serialize(req.path())
            .map_or_else(|_| "null".to_owned(), |j| j.as_str().to_owned()),
        req.query().as_str(),
        req.params().as_str(),
        req.body().as_str(),
        req.headers().as_str(),
    );
    match RawJson::from_text(text) {
        Ok(json) => HttpResponse::json(200, json),
        Err(e) => HttpResponse::text(500, format!("echo: {e}")),
    }
}

impl ResourceProvider for Probe {
    fn list_resources(
        &mut self,
        _request: ListRequest,
        _query: RawJson,
    ) -> PluginResult<impl Serialize> {
        self.fire("list");
        Ok(std::collections::BTreeMap::from([(
            "one",
            std::collections::BTreeMap::from([("tag", self.tag.clone())]),
        )]))
    }

    fn get_resource(&mut self, _request: GetRequest) -> PluginResult<impl Serialize> {
        Ok(std::collections::BTreeMap::from([(
            "tag",
            self.tag.clone(),
        )]))
    }

    fn set_resource(&mut self, _request: SetRequest) -> PluginResult {
        Ok(())
    }

    fn delete_resource(&mut self, _request: DeleteRequest) -> PluginResult {
        Ok(())
    }
}
