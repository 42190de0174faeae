//! A test fixture, not an example: a plugin that shows over HTTP what the SDK does for
//! it (the own vessel, deltas held while learning it, supervision after panics) and
//! panics on command. The cross-crate tests drive it in the mock host and in
//! signalk-server 2.32.0 (`tests/tests/it/own_vessel.rs`, `supervisor.rs`).
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

use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Deserialize, Serialize};
use signalk_plugin::http::{HttpError, HttpRequest, Json};
use signalk_plugin::provider::{
    DeleteRequest, GetRequest, ListRequest, ResourceProvider, SetRequest,
};
use signalk_plugin::put::PutReply;
use signalk_plugin::{Delta, Deltas, Plugin, PluginResult, RawJson, plugin, vessel};

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
}

fn yes() -> bool {
    true
}

/// Every `start` call of the instance, whatever the plugin state: survives restarts.
static STARTS: AtomicU32 = AtomicU32::new(0);

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
        Ok(())
    }

    fn poll(&mut self) -> PluginResult {
        self.polls += 1;
        self.fire("poll");
        signalk_plugin::set_status(&format!("poll {}", self.polls));
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
        Ok(())
    }

    #[put("probe.panic")]
    fn put_panic(&mut self, value: bool) -> PutReply {
        assert!(!value, "PUT asked to panic (tag {})", self.tag);
        PutReply::with_status(200, format!("calm (tag {})", self.tag))
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
        })
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
