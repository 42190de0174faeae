//! What clients send the server for this plugin (§8-§10): HTTP requests to its routes,
//! PUTs, provider API calls and network traffic to its sockets, plus the chunked
//! channel that carries large replies back.

use serde::Serialize;
use serde_json::json;
use signalk_plugin_abi::chunked::Marker;

use super::MockHost;
use crate::chunked::{self, ChunkReader, TransferStats};
use crate::dispatch::providers::Providers;
use crate::dispatch::put::PutResponse;
use crate::dispatch::sockets::SocketPeer;
use crate::express::{HttpRequest, HttpResponse, Route};
use crate::guest::Shape;
use crate::state::PluginState;
use crate::{Error, dispatch};

impl MockHost {
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
    /// [`Error::Timeout`]: where the real server would hang; [`Error::TooDeep`] for a
    /// body nested deeper than [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) levels (the
    /// host refuses it rather than recurse through it). Everything else is an HTTP
    /// response, as a client would see it (404, 500 with the trap message, ...).
    pub fn http(&mut self, request: HttpRequest) -> Result<HttpResponse, Error> {
        if crate::js::json_depth(request.body()) > crate::MAX_JSON_DEPTH {
            // The request drops its body without recursion.
            return Err(Error::TooDeep {
                what: "the HTTP request body".into(),
                limit: crate::MAX_JSON_DEPTH,
            });
        }
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
        dispatch::http::call_route(&mut self.guest, &mut self.channel, &self.routes, &request)
    }

    /// `GET /`, `GET /config` and `POST /config` come first and shadow plugin routes
    /// (§8.2).
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

    /// A PUT of `value` to `path` in `context` (REST PUTs to
    /// `/signalk/v1/api/vessels/self/…` have context `vessels.self`). Handlers run
    /// whatever the plugin's state.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] (where the server would hang); [`Error::Input`] for a value
    /// that does not serialise, [`Error::TooDeep`] for one nested deeper than
    /// [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) levels (serialisation stops there, so
    /// it never recurses deeper). Every other outcome is a [`PutResponse`].
    pub fn put(
        &mut self,
        context: &str,
        path: &str,
        value: &impl Serialize,
    ) -> Result<PutResponse, Error> {
        let value = crate::js::to_string_bounded(value, "the PUT value")?;
        self.put_raw(context, path, &value)
    }

    /// [`put`](Self::put) with the value's JSON text given as is.
    ///
    /// # Errors
    ///
    /// As [`put`](Self::put).
    pub fn put_raw(
        &mut self,
        context: &str,
        path: &str,
        value_json: &str,
    ) -> Result<PutResponse, Error> {
        dispatch::put::put(&mut self.guest, context, path, value_json)
    }

    /// The server's resource, weather and radar APIs, calling into this plugin.
    pub fn providers(&mut self) -> Providers<'_> {
        Providers {
            guest: &mut self.guest,
            channel: &mut self.channel,
        }
    }

    /// The network on the other side of the plugin's UDP and TCP sockets.
    pub fn sockets(&mut self) -> SocketPeer<'_> {
        SocketPeer {
            sockets: &mut self.guest.state_mut().sockets,
        }
    }

    /// The channel version agreed with the guest (`None`: not in use).
    #[must_use]
    pub fn chunked_version(&self) -> Option<i32> {
        self.channel.version
    }

    /// Statistics of the most recent chunked transfer.
    #[must_use]
    pub fn last_transfer(&self) -> Option<TransferStats> {
        self.channel.last_transfer
    }

    /// A reader over the reply parked under `marker`.
    #[must_use]
    pub fn open_parked(&mut self, marker: Marker) -> ChunkReader<'_> {
        chunked::open(&mut self.guest, marker)
    }

    /// Copies `len` bytes at `ptr` out of guest memory in one go (the benchmark's
    /// baseline for the channel).
    #[doc(hidden)]
    #[must_use]
    pub fn copy_guest_memory(&self, ptr: u32, len: u32) -> Option<Vec<u8>> {
        self.guest.read_memory(ptr, len)
    }

    /// Calls an export with the host's buffer protocol and an output buffer of
    /// `out_max` bytes, then resolves a chunked reply (for benchmarks and protocol tests).
    ///
    /// # Errors
    ///
    /// A missing export, trap, protocol or channel error.
    pub fn call_export_with_reply(
        &mut self,
        export: &str,
        input: &[u8],
        out_max: u32,
    ) -> Result<Vec<u8>, Error> {
        let shape = Shape {
            input: Some(input),
            output: Some(out_max),
            free_on_trap: false,
        };
        let out = self.guest.invoke(export, shape)?;
        self.channel
            .resolve(&mut self.guest, out.output.unwrap_or_default())
    }
}
