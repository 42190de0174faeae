//! What a client of the server reaches besides the plugin's own routes:
//!
//! - the plugin's config routes (`wasm/loader/plugin-routes.js`,
//!   `setupWasmPluginRoutes`: `GET /`, `GET /config`, `POST /config`, mounted at
//!   `/plugins/<id>` and `/skServer/plugins/<id>`);
//! - the data model (`interfaces/rest.js`: `GET /signalk/v1/api/...`, with
//!   `enhanceTreeMetadata` / `enhanceMetadataResponse` adding `displayUnits`);
//! - PUT (`put.js`: `PUT /signalk/v1/api/...`; `interfaces/ws.js`,
//!   `processPutRequest`).

use serde_json::{Map, Value, json};

use super::requests::{self, PutOutcome};
use crate::express::middleware::Reached;
use crate::express::{BodyError, HttpResponse, error_page, not_found};
use crate::host::MockHost;
use crate::state::PluginState;
use crate::{Error, dispatch, pipeline};

/// The REST API's prefix.
const API: &str = "/signalk/v1/api/";

/// Members `enhanceTreeMetadata` does not descend into (`rest.js`, `SKIP_KEYS`).
const SKIP_KEYS: [&str; 7] = [
    "value",
    "meta",
    "$source",
    "timestamp",
    "pgn",
    "sentence",
    "values",
];

impl MockHost {
    /// A request to the server, as a client makes it (absolute path):
    ///
    /// - `/plugins/<id>/...` and `/skServer/plugins/<id>/...` go to
    ///   [`http`](Self::http) (the plugin's router, with its config routes);
    /// - `GET /signalk/v1/api/<path/with/slashes>`: the full data model with meta,
    ///   `$source` and values, `displayUnits` resolved (`interfaces/rest.js`); a path
    ///   that is not in the model answers finalhandler's 404 page;
    /// - `PUT /signalk/v1/api/<context>/<path>` with `{"value": ...}`: the PUT as 2.32.0
    ///   answers it (`put.js`; with [`Quirks`](crate::Quirks) as set, 500
    ///   `Cannot read properties of undefined (reading 'state')` once a handler ran).
    ///
    /// ```no_run
    /// use signalk_plugin_host_mock::{HostOptions, HttpRequest, MockHost};
    /// use serde_json::json;
    ///
    /// let mut host = MockHost::load("anchor_watch.wasm", HostOptions::new("anchor-watch"))?;
    /// host.start()?;
    /// let r = host.serve(HttpRequest::get("/signalk/v1/api/vessels/self/navigation/anchor/maxRadius"))?;
    /// assert_eq!(r.body_json().unwrap()["meta"]["units"], "m");
    /// let r = host.serve(HttpRequest::put("/signalk/v1/api/vessels/self/navigation/anchor/maxRadius")
    ///     .json(json!({"value": 60})))?;
    /// assert_eq!(r.status, 500);
    /// # Ok::<(), signalk_plugin_host_mock::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] for a route of the server the mock host does not model
    /// (the admin UI, the v2 APIs, the plugin list, PUT to metadata, ...);
    /// [`Error::Timeout`] where the real server would hang; as [`http`](Self::http) for
    /// the plugin's routes.
    pub fn serve(&mut self, request: impl Into<crate::HttpRequest>) -> Result<HttpResponse, Error> {
        let request = request.into();
        let target = request.target().to_owned();
        let pathname = target.split_once('?').map_or(target.as_str(), |(p, _)| p);
        let id = self.options().plugin_id();
        for prefix in [format!("/plugins/{id}"), format!("/skServer/plugins/{id}")] {
            if let Some(rest) = pathname.strip_prefix(&prefix)
                && (rest.is_empty() || rest.starts_with('/'))
            {
                // `http` adds the app-wide middleware's headers itself.
                return self.http(request);
            }
        }
        let (mut response, reached) = self.serve_server_route(&request)?;
        crate::express::middleware::apply(&request, &mut response, reached)?;
        Ok(response)
    }

    /// [`serve`](Self::serve) for the server's own routes, without the app-wide
    /// middleware's headers, and how far the request got.
    fn serve_server_route(
        &mut self,
        request: &crate::HttpRequest,
    ) -> Result<(HttpResponse, Reached), Error> {
        let method = request.method().to_owned();
        if method == "OPTIONS" {
            return Ok((crate::express::preflight(request), Reached::Routes));
        }
        let target = request.target().to_owned();
        let pathname = target.split_once('?').map_or(target.as_str(), |(p, _)| p);
        let head = method == "HEAD";
        let routed = |response: HttpResponse| Ok((response, Reached::Routes));
        let bare = pathname.strip_suffix('/').unwrap_or(pathname);
        if (method == "GET" || head)
            && (bare.eq_ignore_ascii_case("/skServer/plugins")
                || bare.eq_ignore_ascii_case("/plugins"))
        {
            let response = HttpResponse::json_reply(200, &json!([self.list_entry()]));
            return routed(if head {
                response.without_body()
            } else {
                response
            });
        }
        if let Some(api_path) = pathname.strip_prefix(API) {
            return match method.as_str() {
                "GET" | "HEAD" => routed(self.rest_get(api_path, &method, pathname, head)),
                "PUT" => match app_body(request)? {
                    Ok(body) => routed(self.rest_put(api_path, &body)?),
                    Err(page) => Ok((page, Reached::BodyParsers)),
                },
                _ => Err(unsupported(&method, pathname)),
            };
        }
        if served_elsewhere(pathname) {
            return Err(unsupported(&method, pathname));
        }
        routed(not_found(&method, pathname, head))
    }

    /// The plugin's entry in `GET /skServer/plugins` (`interfaces/plugins.js`,
    /// `getPluginResponseInfo`): `statusMessage` is the provider status filed under the
    /// plugin's *name*, which is the package name the status was set under only when
    /// `plugin_name` returned nothing or the same.
    fn list_entry(&self) -> Value {
        let state = self.guest.state();
        let options = &state.options;
        let status_message = match &state.status {
            Some((_, message)) if self.name() == options.package_name => message.clone(),
            _ => String::new(),
        };
        let configuration = state
            .config_file
            .clone()
            .or_else(|| options.configuration.clone())
            .unwrap_or_else(|| json!({}));
        let data = if state.config_rewritten {
            json!({"configuration": configuration, "enabled": state.enabled, "enableDebug": options.enable_debug})
        } else {
            json!({"enabled": state.enabled, "enableDebug": options.enable_debug, "configuration": configuration})
        };
        let mut entry = Map::new();
        entry.insert("id".into(), Value::from(options.plugin_id()));
        entry.insert("name".into(), Value::from(self.name()));
        entry.insert(
            "packageName".into(),
            Value::from(options.package_name.clone()),
        );
        if let Some(keywords) = &options.package_keywords {
            entry.insert("keywords".into(), keywords.clone());
        }
        entry.insert(
            "version".into(),
            Value::from(options.package_version.clone()),
        );
        if let Some(description) = &options.package_description {
            entry.insert("description".into(), description.clone());
        }
        entry.insert("schema".into(), self.schema().clone());
        entry.insert("statusMessage".into(), Value::from(status_message));
        let state_name = match &state.state {
            PluginState::Running => "running",
            PluginState::Stopped => "stopped",
            PluginState::Error(_) => "error",
        };
        entry.insert("state".into(), Value::from(state_name));
        entry.insert("data".into(), data);
        entry.insert("type".into(), Value::from("wasm"));
        entry.insert("bundled".into(), Value::Bool(false));
        Value::Object(entry)
    }

    /// The messages a WebSocket client receives, in order, for one PUT request
    /// `{"context", "requestId", "put": {"path", "value"}}` (`interfaces/ws.js`,
    /// `processPutRequest`, and `put.js`, `putPath`). On 2.32.0 a request that reached a
    /// plugin's handler gets two: the plugin's reply, then 500
    /// `Cannot read properties of undefined (reading 'state')` with the same
    /// `requestId`. An empty `context` means `vessels.self`; an empty `request_id`
    /// makes the server generate one.
    ///
    /// ```no_run
    /// use signalk_plugin_host_mock::{HostOptions, MockHost};
    /// let mut host = MockHost::load("anchor_watch.wasm", HostOptions::new("anchor-watch"))?;
    /// host.start()?;
    /// let replies = host.ws_put("vessels.self", "navigation.anchor.maxRadius", "80", "r1")?;
    /// assert_eq!(replies[0]["statusCode"], 200);
    /// assert_eq!(replies[1]["statusCode"], 500);
    /// # Ok::<(), signalk_plugin_host_mock::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Input`] if `value_json` is not JSON; [`Error::TooDeep`] if it nests
    /// deeper than [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH); [`Error::Unsupported`] for
    /// a PUT to metadata; [`Error::Timeout`] where the server would hang.
    pub fn ws_put(
        &mut self,
        context: &str,
        path: &str,
        value_json: &str,
        request_id: &str,
    ) -> Result<Vec<Value>, Error> {
        let value: Value = serde_json::from_str(value_json)
            .map_err(|e| Error::Input(format!("the PUT value is not JSON: {e}")))?;
        let value = crate::js::within_depth(value, "the PUT value")?;
        let context = if context.is_empty() {
            "vessels.self"
        } else {
            context
        };
        let request_id = Some(request_id).filter(|r| !r.is_empty());
        let text = crate::js::round_trip(value).to_string();
        Ok(self
            .put_request(context, path, &text, None, request_id)?
            .messages)
    }

    /// `putPath(context, path, {value, source})`, with the value as the JSON text the
    /// handler receives (`JSON.stringify(value)`; given as is by
    /// [`put_raw`](Self::put_raw), to feed a plugin malformed text).
    pub(crate) fn put_request(
        &mut self,
        context: &str,
        path: &str,
        value_json: &str,
        source: Option<&Value>,
        request_id: Option<&str>,
    ) -> Result<PutOutcome, Error> {
        let parts: Vec<&str> = path.split('.').collect();
        let n = parts.len();
        if n > 1 && (parts[n - 1] == "meta" || parts[n - 2] == "meta") {
            return Err(Error::Unsupported(format!(
                "PUT to the metadata path {path} (put.js, putMetaHandler)"
            )));
        }
        let always_500 = self.options().quirks.put_reply_always_500;
        let package = self.options().package_name.clone();
        let id = self.guest.state_mut().requests.create(request_id);
        // A `source` picks the handler registered under that name: the package's.
        let ours = source.is_none_or(|s| s.as_str() == Some(package.as_str()));
        let callback = if ours {
            dispatch::put::run_callback(&mut self.guest, context, path, value_json)?
        } else {
            None
        };
        if callback.is_none() && parts[0] == "notifications" {
            let value = serde_json::from_str(value_json).unwrap_or(Value::Null);
            let result = self.put_notification(path, &value);
            let state = result.get("state").cloned();
            let reply = self
                .guest
                .state_mut()
                .requests
                .update(&id, state.as_ref(), &result);
            return Ok(PutOutcome {
                messages: vec![reply.clone()],
                last: reply,
                callback: None,
            });
        }
        let state = self.guest.state_mut();
        Ok(requests::complete(
            &mut state.requests,
            &id,
            path,
            callback,
            always_500,
        ))
    }

    /// `putNotification` (`put.js`): `state` or `method` of an existing notification of
    /// the own vessel, sent again through the pipeline as `server`.
    fn put_notification(&mut self, path: &str, value: &Value) -> Value {
        let Some((notif_path, key)) = path.rsplit_once('.') else {
            return json!({"state": "COMPLETED", "statusCode": 404});
        };
        let self_id = self.options().self_id.clone();
        let mut parts = vec!["vessels", self_id.as_str()];
        parts.extend(notif_path.split('.'));
        let existing = self.guest.state().model.node(&parts).cloned();
        let Some(existing) = existing.filter(|e| e.get("value").is_some_and(super::model::truthy))
        else {
            return json!({"state": "COMPLETED", "statusCode": 404});
        };
        if key != "method" && key != "state" {
            return json!({"state": "COMPLETED", "statusCode": 405});
        }
        let mut new_value = existing["value"].clone();
        if let Value::Object(fields) = &mut new_value {
            fields.insert(key.to_owned(), value.clone());
        }
        let delta = json!({"updates": [{
            "$source": existing.get("$source").cloned().unwrap_or(Value::Null),
            "values": [{"path": notif_path, "value": new_value}],
        }]});
        self.guest.arm();
        pipeline::handle_message(self.guest.store_mut(), "server", delta, false);
        json!({"state": "COMPLETED", "statusCode": 200})
    }

    /// `GET /signalk/v1/api/<api_path>` (`rest.js`).
    fn rest_get(&self, api_path: &str, method: &str, pathname: &str, head: bool) -> HttpResponse {
        let found = self.rest_lookup(api_path);
        let response = match found {
            Some(value) => HttpResponse::json_reply(200, &value),
            None => return not_found(method, pathname, head),
        };
        if head {
            response.without_body()
        } else {
            response
        }
    }

    fn rest_lookup(&self, api_path: &str) -> Option<Value> {
        let state = self.guest.state();
        let self_id = &state.options.self_id;
        if api_path == "self" {
            return Some(Value::from(format!("vessels.{self_id}")));
        }
        let trimmed = api_path.strip_suffix('/').unwrap_or(api_path);
        let mut path: Vec<&str> = if trimmed.is_empty() {
            Vec::new()
        } else {
            trimmed.split('/').collect()
        };
        if path.first() == Some(&"resources") || path.first() == Some(&"snapshot") {
            return None;
        }
        let n = path.len();
        if n == 3 && path[0] == "vessels" && path[2] == "meta" {
            let vessel = if path[1] == "self" {
                self_id.as_str()
            } else {
                path[1]
            };
            let node = state.model.node(&["vessels", vessel])?;
            let mut result = Map::new();
            collect_meta(node, &mut Vec::new(), &mut result);
            for (p, meta) in &mut result {
                if let Value::Object(meta) = meta {
                    super::units::enhance(meta, p);
                }
            }
            return Some(Value::Object(result));
        }
        if n > 4 && path[n - 1] == "meta" {
            let meta_path = path[..n - 1].join(".");
            if let Some(meta) = state.model.registry.lookup(&meta_path) {
                let mut meta = meta.clone();
                let signalk_path = strip_vessel(&meta_path);
                super::units::enhance(&mut meta, &signalk_path);
                return Some(Value::Object(meta));
            }
        }
        if n > 5 && path[n - 2] == "meta" {
            let meta_path = path[..n - 2].join(".");
            if let Some(value) = state
                .model
                .registry
                .lookup(&meta_path)
                .and_then(|m| m.get(path[n - 1]))
                .filter(|v| super::model::truthy(v))
            {
                return Some(value.clone());
            }
        }
        for part in &mut path {
            if *part == "self" {
                *part = self_id;
            }
        }
        let mut node = if path.is_empty() {
            Value::Object(state.model.root().clone())
        } else {
            state.model.node(&path)?.clone()
        };
        // Paths under a vessel are looked up without `vessels.<id>` for display units.
        let vessel = path.first() == Some(&"vessels");
        if path.is_empty() || vessel {
            let skip = if vessel && path.len() >= 2 { 2 } else { 0 };
            let mut base: Vec<String> = path[skip..].iter().map(|s| (*s).to_owned()).collect();
            enhance_tree(&mut node, &mut base);
        }
        Some(node)
    }

    /// `PUT /signalk/v1/api/<api_path>` with the parsed `body` (`put.js`, `start`).
    fn rest_put(&mut self, api_path: &str, body: &Value) -> Result<HttpResponse, Error> {
        let Some(value) = body.as_object().and_then(|b| b.get("value")) else {
            return Ok(text_response(400, "input is missing a value"));
        };
        let trimmed = api_path.strip_suffix('/').unwrap_or(api_path);
        let dotted = trimmed.replace('/', ".");
        let parts: Vec<&str> = if dotted.is_empty() {
            Vec::new()
        } else {
            dotted.split('.').collect()
        };
        if parts.len() < 3 {
            return Ok(text_response(400, "invalid path"));
        }
        let context = format!("{}.{}", parts[0], parts[1]);
        let path = parts[2..].join(".");
        let text = crate::js::round_trip(value.clone()).to_string();
        let source = body.get("source").cloned();
        let outcome = self.put_request(&context, &path, &text, source.as_ref(), None)?;
        Ok(HttpResponse::json_reply(
            requests::http_status(&outcome.last),
            &outcome.last,
        ))
    }

    /// The plugin router's own routes (`plugin-routes.js`, `setupWasmPluginRoutes`),
    /// which come before the plugin's: `GET /`, `GET /config` and `POST /config`.
    /// `path` is relative to `/plugins/<id>`; `body` is what body-parser made of the
    /// request (`{}` without a JSON body). `None`: not one of them.
    pub(crate) fn config_route(
        &mut self,
        method: &str,
        path: &str,
        body: &Value,
    ) -> Option<HttpResponse> {
        let path = path.strip_suffix('/').unwrap_or(path);
        let get = method == "GET" || method == "HEAD";
        if get && path.is_empty() {
            let state = self.guest.state();
            return Some(HttpResponse::json_reply(
                200,
                &json!({
                    "enabled": state.enabled,
                    "enabledByDefault": false,
                    "id": state.options.plugin_id(),
                    "name": self.name(),
                    "version": state.options.package_version,
                }),
            ));
        }
        if !path.eq_ignore_ascii_case("/config") {
            return None;
        }
        if get {
            return Some(HttpResponse::json_reply(200, &self.config_view()));
        }
        if method != "POST" {
            return None;
        }
        Some(match self.post_config(body) {
            Ok(()) => HttpResponse::json_reply(
                200,
                &Value::from(format!(
                    "Saved configuration for plugin {}",
                    self.options().plugin_id()
                )),
            ),
            Err(message) => HttpResponse::json_reply(500, &json!({ "error": message })),
        })
    }

    /// `GET /config`: `{enabled, enableDebug, configuration, ...the config file}`.
    fn config_view(&self) -> Value {
        let state = self.guest.state();
        let mut view = Map::new();
        view.insert("enabled".into(), Value::Bool(state.enabled));
        view.insert(
            "enableDebug".into(),
            Value::Bool(state.options.enable_debug),
        );
        if let Some(configuration) = state
            .config_file
            .as_ref()
            .or(state.options.configuration.as_ref())
        {
            view.insert("configuration".into(), configuration.clone());
        }
        Value::Object(view)
    }

    /// `POST /config`: `enableDebug`, then `enabled`, then the configuration (saved,
    /// and a running, enabled plugin restarted), then a start or stop if `enabled`
    /// changed. `Err` is the message of what the server would have caught.
    fn post_config(&mut self, body: &Value) -> Result<(), String> {
        let field = |k: &str| body.as_object().and_then(|b| b.get(k));
        let state = self.guest.state_mut();
        if let Some(Value::Bool(debug)) = field("enableDebug") {
            state.options.enable_debug = *debug;
        }
        let enabled_changed = match field("enabled") {
            Some(Value::Bool(enabled)) if *enabled != state.enabled => {
                state.enabled = *enabled;
                true
            }
            _ => false,
        };
        let configuration = field("configuration").cloned();
        state.options.configuration.clone_from(&configuration);
        state.config_file = Some(configuration.unwrap_or_else(|| json!({})));
        state.config_rewritten = true;
        let running = |host: &MockHost| *host.state() == PluginState::Running;
        if running(self) && self.guest.state().enabled {
            self.stop().map_err(|e| js_message(&e))?;
            self.start().map_err(|e| js_message(&e))?;
        }
        if enabled_changed {
            let enabled = self.guest.state().enabled;
            if enabled && !running(self) {
                self.start().map_err(|e| js_message(&e))?;
            } else if !enabled && running(self) {
                self.stop().map_err(|e| js_message(&e))?;
            }
        }
        Ok(())
    }
}

/// `error.message` of what the server catches from a start or stop.
pub(crate) fn js_message(error: &Error) -> String {
    match error {
        Error::Trap { message, .. } => message.clone(),
        Error::StartFailed { code } => format!(
            "Plugin start() returned error code: {}",
            code.map_or("undefined".to_owned(), |c| c.to_string())
        ),
        Error::MissingExport(name) => format!("rawExports.{name} is not a function"),
        other => other.to_string(),
    }
}

/// What the server's app-level body parsers leave in `req.body`: the parsed body,
/// `{}` when no parser applies, or the error page a refused body gets.
fn app_body(request: &crate::HttpRequest) -> Result<Result<Value, HttpResponse>, Error> {
    match crate::express::request_body(request) {
        Ok(body) => Ok(Ok(body)),
        Err(BodyError::Page(page)) => Ok(Err(error_page(&page, request.method() == "HEAD"))),
        Err(BodyError::TooDeep) => Err(Error::TooDeep {
            what: "the HTTP request body".into(),
            limit: crate::MAX_JSON_DEPTH,
        }),
        Err(BodyError::NotPorted(what)) => Err(Error::Unsupported(what)),
    }
}

/// `res.status(status).send(text)`.
fn text_response(status: u16, text: &str) -> HttpResponse {
    let mut response = HttpResponse::empty(status);
    // A plain string body is always sendable.
    let _ = crate::express::send(&mut response, crate::express::Body::Text(text.to_owned()));
    response
}

/// Whether the server has routes under `pathname` that the mock host does not model
/// (the admin UI, the other v1 and the v2 APIs, other plugins, ...): answering its
/// 404 there would be a guess. Everything else gets finalhandler's 404 page.
fn served_elsewhere(pathname: &str) -> bool {
    const PREFIXES: [&str; 9] = [
        "/skServer",
        "/signalk",
        "/admin",
        "/documentation",
        "/loginStatus",
        "/@signalk",
        "/plugins",
        "/apps",
        "/restart",
    ];
    const V1_ROUTES: [&str; 9] = [
        "api",
        "stream",
        "snapshot",
        "requests",
        "access",
        "auth",
        "playback",
        "applicationData",
        "unitpreferences",
    ];
    if pathname == "/" {
        return true;
    }
    if let Some(rest) = pathname.strip_prefix("/signalk/v1/") {
        let first = rest.split('/').next().unwrap_or("");
        return V1_ROUTES.iter().any(|r| r.eq_ignore_ascii_case(first));
    }
    let lower = pathname.to_ascii_lowercase();
    PREFIXES.iter().any(|p| {
        let p = p.to_ascii_lowercase();
        lower == p || lower.starts_with(&format!("{p}/")) && !lower.starts_with("/signalk/v1/")
    })
}

fn unsupported(method: &str, pathname: &str) -> Error {
    Error::Unsupported(format!("the route `{method} {pathname}` of the server"))
}

/// `metaPath.replace(/^vessels\.[^.]+\./, '')`.
fn strip_vessel(meta_path: &str) -> String {
    if let Some(rest) = meta_path.strip_prefix("vessels.")
        && let Some((_, tail)) = rest.split_once('.')
    {
        return tail.to_owned();
    }
    meta_path.to_owned()
}

/// `enhanceTreeMetadata(node, pathParts)`.
fn enhance_tree(node: &mut Value, parts: &mut Vec<String>) {
    let Value::Object(map) = node else { return };
    if let Some(Value::Object(meta)) = map.get_mut("meta") {
        super::units::enhance(meta, &parts.join("."));
    }
    for (key, child) in map.iter_mut() {
        if SKIP_KEYS.contains(&key.as_str()) {
            continue;
        }
        parts.push(key.clone());
        enhance_tree(child, parts);
        parts.pop();
    }
}

/// `collectMeta(node, pathParts, result)`.
fn collect_meta(node: &Value, parts: &mut Vec<String>, result: &mut Map<String, Value>) {
    let Value::Object(map) = node else { return };
    if let Some(meta) = map.get("meta").filter(|m| super::model::truthy(m)) {
        result.insert(parts.join("."), meta.clone());
    }
    for (key, child) in map {
        if SKIP_KEYS.contains(&key.as_str()) {
            continue;
        }
        parts.push(key.clone());
        collect_meta(child, parts, result);
        parts.pop();
    }
}
