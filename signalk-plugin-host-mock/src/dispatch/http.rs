//! §8 — a plugin's HTTP routes: the route list `http_endpoints` declares (read once at
//! load), and one call of a matched route's handler export with the 64 KiB response
//! buffer, a chunked reply reassembled, and the envelope rules applied. Routing itself
//! is Express's (`crate::express`, driven by `MockHost::http`).

use serde_json::Value;

use crate::chunked::Channel;
use crate::express::{self, HttpResponse, Route, RoutePattern};
use crate::guest::{Guest, Shape};
use crate::{Error, memory};

/// Size of the host's response buffer for HTTP handlers.
pub const RESPONSE_BUFFER: u32 = signalk_plugin_abi::buffers::HTTP_RESPONSE as u32;

/// Reads the route list once, as the server does (§8.1). Any failure means no custom
/// routes; a bad entry stops the list there.
pub(crate) fn read_routes(guest: &mut Guest) -> Vec<Route> {
    let export = signalk_plugin_abi::names::HTTP_ENDPOINTS;
    if !guest.has_export(export) {
        return Vec::new();
    }
    let shape = Shape {
        input: None,
        output: Some(crate::METADATA_BUFFER),
        free_on_trap: true,
    };
    let text = match guest.invoke(export, shape) {
        Ok(out) => memory::decode(&out.output.unwrap_or_default()),
        Err(err) => {
            guest
                .state_mut()
                .log(format!("http_endpoints failed: {err}"));
            return Vec::new();
        }
    };
    let list = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(list)) => list,
        Ok(_) => {
            guest
                .state_mut()
                .log("http_endpoints: not an array; no custom routes");
            return Vec::new();
        }
        Err(err) => {
            guest
                .state_mut()
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
            guest.state_mut().log(format!(
                "http_endpoints: bad entry {entry}; later routes dropped"
            ));
            break;
        };
        let method = method.to_ascii_uppercase();
        if !matches!(method.as_str(), "GET" | "POST" | "PUT" | "DELETE") {
            guest
                .state_mut()
                .log(format!("http_endpoints: method {method} skipped"));
            continue;
        }
        if let Err(express::Unsupported(c)) = RoutePattern::compile(path) {
            // Express would compile it to a regular expression the mock host does not
            // port: say so rather than answer 404 without a reason.
            guest.state_mut().log(format!(
                "http_endpoints: route path {path:?} uses {c:?}, regular-expression syntax \
                 the mock host does not model; requests to it get 404 here"
            ));
        }
        routes.push(Route {
            method,
            path: path.to_owned(),
            handler: handler.to_owned(),
        });
    }
    routes
}

/// Calls `route`'s handler export with the request context (§8.3): a 500 naming a
/// missing export or a trap, the handler's envelope through `res.send` otherwise.
///
/// # Errors
///
/// Only [`Error::Timeout`]: where the real server would hang.
pub(crate) fn call_handler(
    guest: &mut Guest,
    channel: &mut Channel,
    handler: &str,
    context: &Value,
) -> Result<HttpResponse, Error> {
    if !guest.has_export(handler) {
        return Ok(HttpResponse::error(&format!(
            "Handler function {handler} not found"
        )));
    }
    // Straight to bytes (`to_string` goes through `fmt::Write`); a `Value` always
    // serialises.
    let text = serde_json::to_vec(context)
        .map_err(|e| Error::Input(format!("the request context does not serialise: {e}")))?;
    let shape = Shape {
        input: Some(&text),
        output: Some(RESPONSE_BUFFER),
        free_on_trap: false,
    };
    let out = guest
        .invoke(handler, shape)
        .and_then(|out| channel.resolve(guest, out.output.unwrap_or_default()));
    match out {
        Ok(bytes) => Ok(express::envelope(&memory::decode(&bytes))),
        Err(err @ Error::Timeout { .. }) => Err(err),
        Err(Error::Trap { message, .. }) => Ok(HttpResponse::error(&message)),
        Err(err) => Ok(HttpResponse::error(&err.to_string())),
    }
}
