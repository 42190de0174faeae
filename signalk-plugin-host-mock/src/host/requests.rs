//! What clients send the server for this plugin (§8-§10): HTTP requests to its routes,
//! PUTs, provider API calls and network traffic to its sockets, plus the chunked
//! channel that carries large replies back.

use serde::Serialize;
use serde_json::Value;
use signalk_plugin_abi::chunked::Marker;

use super::MockHost;
use crate::chunked::{self, ChunkReader, TransferStats};
use crate::dispatch::providers::Providers;
use crate::dispatch::put::PutResponse;
use crate::dispatch::sockets::SocketPeer;
use crate::express::middleware::Reached;
use crate::express::{self, BodyError, HttpRequest, HttpResponse, Incoming, Route, RoutePattern};
use crate::guest::Shape;
use crate::{Error, dispatch};

impl MockHost {
    /// The custom routes the server registered for this plugin.
    #[must_use]
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Sends an HTTP request through the server's Express stack to the plugin's router
    /// (`/plugins/<id>`; a target not starting with `/plugins/` or `/skServer/plugins/`
    /// is relative to it), the way signalk-server 2.32.0 answers it:
    ///
    /// - `OPTIONS` gets `cors`'s 204 preflight answer;
    /// - the body goes through body-parser (JSON, strict, 10 MB; urlencoded, extended,
    ///   100 KB, 1,000 parameters): a refused body is errorhandler's 400/413/415 page
    ///   (HTML, JSON or text as `Accept` asks) and no route runs;
    /// - `GET /`, `GET /config`, `POST /config` are the server's; then the plugin's
    ///   routes, in order, matched case-insensitively with an optional trailing slash,
    ///   `HEAD` running a `GET` route without sending the body;
    /// - a path with a malformed `%` escape is 400 `URI malformed` (the server's static
    ///   file middleware decodes every path before the plugin's router);
    /// - the query string is parsed by `qs` (nesting, arrays, depth 5, 1,000 params);
    /// - the handler's envelope goes through `res.send` (`; charset=utf-8` added);
    /// - nothing matched: finalhandler's 404 page, `Cannot GET /plugins/<id>/...`;
    /// - whoever answered, helmet's, `cors`'s and compression's headers, and the weak
    ///   `ETag` of `res.send`.
    ///
    /// The request is this crate's [`HttpRequest`] or the SDK's
    /// [`signalk_plugin::http::HttpRequest`], the one a native test hands to the handler
    /// method, so one value drives both kinds of test.
    ///
    /// Handlers are called whatever the plugin's state, as on the server.
    ///
    /// ```no_run
    /// use signalk_plugin_host_mock::{HostOptions, HttpRequest, MockHost};
    ///
    /// let mut host = MockHost::load("anchor_watch.wasm", HostOptions::new("anchor-watch"))?;
    /// let r = host.http(HttpRequest::get("/nope"))?;
    /// assert_eq!(r.status, 404);
    /// assert!(r.text().contains("Cannot GET /plugins/anchor-watch/nope"));
    /// let r = host.http(HttpRequest::post("/api/drop").body_raw("application/json", "\"x\""))?;
    /// assert_eq!(r.status, 400);
    /// # Ok::<(), signalk_plugin_host_mock::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`]: where the real server would hang; [`Error::TooDeep`] for a
    /// JSON body nested deeper than [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) levels
    /// (the host refuses it rather than build it); [`Error::Unsupported`] for a body the
    /// port does not read (compressed, a charset other than UTF-8, a `content-length`
    /// that is not its length). Everything else is an HTTP response, as a client would
    /// see it.
    pub fn http(&mut self, request: impl Into<HttpRequest>) -> Result<HttpResponse, Error> {
        let request = request.into();
        let (mut response, reached) = self.route_plugin_request(&request)?;
        express::middleware::apply(&request, &mut response, reached)?;
        Ok(response)
    }

    /// [`http`](Self::http) without the app-wide middleware's headers, and how far the
    /// request got (the body parsers answer before `cors` runs).
    fn route_plugin_request(
        &mut self,
        request: &HttpRequest,
    ) -> Result<(HttpResponse, Reached), Error> {
        if request.method() == "OPTIONS" {
            return Ok((express::preflight(request), Reached::Routes));
        }
        let body = match express::request_body(request) {
            Ok(body) => body,
            Err(BodyError::Page(page)) => {
                return Ok((
                    express::body_error_page(&page, request),
                    Reached::BodyParsers,
                ));
            }
            Err(BodyError::TooDeep) => {
                return Err(Error::TooDeep {
                    what: "the HTTP request body".into(),
                    limit: crate::MAX_JSON_DEPTH,
                });
            }
            Err(BodyError::NotPorted(what)) => return Err(Error::Unsupported(what)),
        };
        Ok((self.route_parsed(request, &body)?, Reached::Routes))
    }

    /// The part of [`http`](Self::http) after `cors`: the path check, the server's own
    /// routes, the plugin's, the 404 page.
    fn route_parsed(&mut self, request: &HttpRequest, body: &Value) -> Result<HttpResponse, Error> {
        let head = request.method() == "HEAD";
        let incoming = Incoming::from_request(request, &self.options().plugin_id());
        if let Some(response) = express::malformed_path(&incoming, head) {
            return Ok(response);
        }
        let Some(path) = incoming.path.clone() else {
            return Ok(express::not_found(
                &incoming.method,
                &incoming.original_path,
                head,
            ));
        };
        if let Some(response) = self.config_route(&incoming.method, &path, body) {
            return Ok(if head {
                response.without_body()
            } else {
                response
            });
        }
        // Express's Route: HEAD is handled by a GET route when there is no HEAD one.
        let method = if head {
            "GET"
        } else {
            incoming.method.as_str()
        };
        for route in self.routes.iter().filter(|r| r.method == method) {
            let Ok(pattern) = RoutePattern::compile(&route.path) else {
                continue;
            };
            let params = match pattern.matches(&path) {
                None => continue,
                Some(Err(bad)) => return Ok(express::bad_param_page(&bad, head)),
                Some(Ok(params)) => params,
            };
            let handler = route.handler.clone();
            let context = incoming.context(body, params);
            let response = dispatch::http::call_handler(
                &mut self.guest,
                &mut self.channel,
                &handler,
                &context,
            )?;
            return Ok(if head {
                response.without_body()
            } else {
                response
            });
        }
        Ok(express::not_found(
            &incoming.method,
            &incoming.original_path,
            head,
        ))
    }

    /// A PUT of `value` to `path` in `context` (REST PUTs to
    /// `/signalk/v1/api/vessels/self/…` have context `vessels.self`), through the
    /// server's request flow (`put.js`, `putPath`). Handlers run whatever the plugin's
    /// state. [`serve`](Self::serve) gives the whole REST answer and
    /// [`ws_put`](Self::ws_put) the WebSocket messages.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] (where the server would hang); [`Error::Input`] for a value
    /// that does not serialise, [`Error::TooDeep`] for one nested deeper than
    /// [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) levels (serialisation stops there, so
    /// it never recurses deeper); [`Error::Unsupported`] for a PUT to metadata. Every
    /// other outcome is a [`PutResponse`].
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
        let outcome = self.put_request(context, path, value_json, None, None)?;
        let http_status = crate::server::requests::http_status(&outcome.last);
        Ok(match outcome.callback {
            Some(callback) => PutResponse {
                reply: callback.reply,
                http_status,
                handler_ran: callback.handler_ran,
            },
            None => PutResponse {
                reply: outcome.last,
                http_status,
                handler_ran: false,
            },
        })
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
