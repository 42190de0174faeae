//! The two hosts behind one trait: the real signalk-server 2.32.0 (a raw HTTP/1.1
//! client that sends exactly the mock request's `wire_headers()` and body bytes, and a
//! WebSocket client for PUT) and the mock host (`MockHost::serve`, `MockHost::ws_put`).
//! Each answers a step with its normalised observation.

use cross_crate_tests::RealServer;
use serde_json::{Value, json};
use signalk_plugin_host_mock::{HttpRequest, MockHost};

use super::normalise;
use super::scenarios::{Request, Step};

/// A host the scenarios run against.
pub trait Host {
    /// What the host answers an HTTP request with, normalised.
    fn http(&mut self, request: &HttpRequest, all_headers: bool) -> Value;

    /// The messages a WebSocket client gets for one PUT (context `vessels.self`),
    /// normalised.
    fn ws_put(&mut self, path: &str, value_json: &str, request_id: &str) -> Value;

    /// Runs one step.
    fn run(&mut self, step: &Step) -> Value {
        match step {
            Step::Http(request) => {
                let observed = self.http(&mock_request(request), request.all_headers);
                let what = format!("{} {}", request.method, request.target);
                json!({"request": what, "reply": observed})
            }
            Step::WsPut {
                path,
                value_json,
                request_id,
            } => json!({
                "ws put": format!("{path} = {value_json}"),
                "messages": self.ws_put(path, value_json, request_id),
            }),
        }
    }
}

/// The request both hosts get: built once as the mock host's `HttpRequest`, whose wire
/// form the real server is sent.
pub fn mock_request(request: &Request) -> HttpRequest {
    let mut built = HttpRequest::new(&request.method, &request.target);
    for (name, value) in &request.headers {
        built = built.header(name, value);
    }
    if let Some((content_type, bytes)) = &request.body {
        built = built.body_raw(content_type, bytes.clone());
    }
    built
}

/// signalk-server 2.32.0, reached over loopback.
pub struct Real<'a>(pub &'a RealServer);

impl Host for Real<'_> {
    fn http(&mut self, request: &HttpRequest, all_headers: bool) -> Value {
        match self.0.send(
            request.method(),
            request.target(),
            &request.wire_headers(),
            request.body_bytes(),
        ) {
            Ok(reply) => normalise::http(reply.status, &reply.headers, &reply.body, all_headers),
            Err(e) => json!({"client error": e}),
        }
    }

    fn ws_put(&mut self, path: &str, value_json: &str, request_id: &str) -> Value {
        match self.0.ws_put("vessels.self", path, value_json, request_id) {
            Ok(messages) => normalise::ws(&messages),
            Err(e) => json!({"client error": e}),
        }
    }
}

/// The mock host, with the probe loaded and started.
pub struct Mock(pub MockHost);

impl Host for Mock {
    fn http(&mut self, request: &HttpRequest, all_headers: bool) -> Value {
        match self.0.serve(request.clone()) {
            Ok(reply) => normalise::http(
                reply.status,
                &reply.headers,
                reply.text().as_bytes(),
                all_headers,
            ),
            Err(e) => json!({"host error": e.to_string()}),
        }
    }

    fn ws_put(&mut self, path: &str, value_json: &str, request_id: &str) -> Value {
        match self.0.ws_put("vessels.self", path, value_json, request_id) {
            Ok(messages) => normalise::ws(&messages),
            Err(e) => json!({"host error": e.to_string()}),
        }
    }
}
