//! The Express side of a plugin's HTTP routes, as signalk-server 2.32.0 runs it
//! (Express 4.22.3, body-parser 1.20.9, qs 6.16.2, finalhandler 1.3.2; §8). Each
//! module ports one library, or one part of the server, and names in its docs the file
//! and function under `node_modules` it follows; `docs/mock-host/express.md` lists
//! every rule. Pure functions of their input: no guest, no host.
//!
//! The order a request goes through, as the server's middleware stack has it:
//!
//! 1. `cors` answers every `OPTIONS` request with 204 ([`preflight`]).
//! 2. body-parser reads the body, for every path ([`body_parser`]); a refusal is
//!    errorhandler's error page ([`errorhandler`]) and no route runs.
//! 3. `express-static-gzip`, mounted at `/` for the server's `public` folder
//!    (`signalk-server/dist/interfaces/rest.js` → `staticfiles.js`), decodes every
//!    path first: one with a malformed `%` escape is 400 `URI malformed`
//!    ([`malformed_path`]).
//! 4. The plugin's router, mounted at `/plugins/<id>` and `/skServer/plugins/<id>`,
//!    tries the server's three built-in routes, then the plugin's, in order
//!    ([`router`]); `HEAD` runs a `GET` route and drops the body.
//! 5. The handler's envelope goes through `res.send` ([`response`]).
//! 6. Nothing matched: finalhandler's 404 page naming the whole path.
//!
//! Whatever answers, the app-wide middleware mounted before all of it leaves its
//! headers: helmet's, `cors`'s (not on a body-parser refusal, which comes first),
//! compression's `Vary` ([`middleware`]); `res.send` adds the weak `ETag`.

mod body_parser;
mod content_type;
pub(crate) mod errorhandler;
pub(crate) mod finalhandler;
mod from_sdk;
mod js_value;
pub(crate) mod middleware;
mod qs;
mod request;
pub(crate) mod response;
mod router;
mod v8_json;

pub use request::HttpRequest;
pub use response::HttpResponse;

pub(crate) use body_parser::BodyError;
pub(crate) use finalhandler::{error_page, not_found};
pub(crate) use response::envelope;
pub(crate) use response::{Body, send};
pub(crate) use router::{BadParam, Incoming, RoutePattern, Unsupported};
pub(crate) use v8_json::{JsonError, parse as v8_parse};

use finalhandler::PageError;

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

/// The body the plugin gets (`req.body`: `{}` unless a parser applied).
///
/// # Errors
///
/// [`BodyError`] when body-parser refuses the body or the port cannot read it.
pub(crate) fn request_body(request: &HttpRequest) -> Result<serde_json::Value, BodyError> {
    Ok(body_parser::parse(request)?
        .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new())))
}

/// The page a body body-parser refuses gets: errorhandler's, in the representation the
/// request's `Accept` asks for.
pub(crate) fn body_error_page(
    error: &finalhandler::PageError,
    request: &HttpRequest,
) -> HttpResponse {
    errorhandler::page(
        error,
        request.header_value("accept").as_deref(),
        request.method() == "HEAD",
    )
}

/// `express-static-gzip/index.js` (`expressStaticGzip`): `decodeURIComponent(req.path)`
/// failing is `res.status(400).send(e.message)`, V8's `URI malformed`. `None` when the
/// path decodes.
pub(crate) fn malformed_path(incoming: &Incoming, head: bool) -> Option<HttpResponse> {
    if qs::decode_uri_component(&incoming.original_path).is_some() {
        return None;
    }
    let mut response = HttpResponse::empty(400);
    // A string body with no type set cannot fail in res.send.
    let _ = response::send(&mut response, response::Body::Text("URI malformed".into()));
    Some(if head {
        response.without_body()
    } else {
        response
    })
}

/// The page for a param Express cannot decode (`express/lib/router/layer.js`,
/// `decode_param`: a `URIError` with status 400).
pub(crate) fn bad_param_page(param: &BadParam, head: bool) -> HttpResponse {
    error_page(
        &PageError {
            status: 400,
            name: "URIError".into(),
            message: format!("Failed to decode param '{}'", param.0),
            stack: format!("URIError: Failed to decode param '{}'", param.0),
            props: Vec::new(),
        },
        head,
    )
}

/// `cors` 2.8 as `signalk-server/dist/cors.js` (`setupCors`) configures it without
/// allowed origins (`credentials: true`): the preflight answer every `OPTIONS` request
/// gets, before any router (`cors/lib/index.js`, `cors`: status 204, empty).
pub(crate) fn preflight(request: &HttpRequest) -> HttpResponse {
    let mut response = HttpResponse::empty(204);
    response.set_header("access-control-allow-origin", "*".into());
    response.set_header("access-control-allow-credentials", "true".into());
    response.set_header(
        "access-control-allow-methods",
        "GET,HEAD,PUT,PATCH,POST,DELETE".into(),
    );
    // Without configured allowed headers, cors reflects the ones asked for.
    if let Some(asked) = request.header_value("access-control-request-headers") {
        response.set_header("vary", "Access-Control-Request-Headers".into());
        response.set_header("access-control-allow-headers", asked);
    } else {
        response.set_header("vary", "Access-Control-Request-Headers".into());
    }
    response.set_header("content-length", "0".into());
    response
}
