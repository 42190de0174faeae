//! The app-wide middleware signalk-server 2.32.0 mounts before any route
//! (`signalk-server/dist/index.js`, the `Server` constructor, in this order):
//! `compression()`, `helmet({...})`, the two body parsers, then `cors` (`dist/cors.js`,
//! `setupCors`). Each leaves headers on every response that passes it, whichever route
//! (or error page) answers in the end; a body the parsers refuse is answered before
//! `cors` runs, so that page carries no CORS headers.

use super::{HttpRequest, HttpResponse};
use crate::Error;

/// How far a request got through the app-wide middleware before it was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reached {
    /// Answered by the body parsers' error path: `compression` and `helmet` ran.
    BodyParsers,
    /// Past `cors`: a route, a 404 page, `cors`'s own preflight answer.
    Routes,
}

/// The headers `helmet` 8 sets with the options `dist/index.js` passes (frameguard, CSP
/// and the cross-origin policies off); it also removes Express's `X-Powered-By`, which
/// the mock host never adds.
const HELMET: [(&str, &str); 8] = [
    ("origin-agent-cluster", "?1"),
    ("referrer-policy", "no-referrer"),
    (
        "strict-transport-security",
        "max-age=31536000; includeSubDomains",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-dns-prefetch-control", "off"),
    ("x-download-options", "noopen"),
    ("x-permitted-cross-domain-policies", "none"),
    ("x-xss-protection", "0"),
];

/// `compression`'s default size threshold: smaller bodies are never compressed.
const COMPRESSION_THRESHOLD: usize = 1024;

/// Adds what the middleware `reached` leaves on `response`.
///
/// # Errors
///
/// [`Error::Unsupported`] where the real server's answer depends on what the mock host
/// does not model: a body `compression` would gzip, deflate or brotli-encode (the
/// client asked for it), and a conditional GET that could turn into a 304.
pub(crate) fn apply(
    request: &HttpRequest,
    response: &mut HttpResponse,
    reached: Reached,
) -> Result<(), Error> {
    let conditional = request.header_value("if-none-match").is_some()
        || request.header_value("if-modified-since").is_some();
    if conditional && matches!(request.method(), "GET" | "HEAD") {
        return Err(Error::Unsupported(
            "a conditional GET (if-none-match / if-modified-since) may be answered 304 by \
             Express's freshness check (`req.fresh`), which the mock host does not model"
                .into(),
        ));
    }
    for (name, value) in HELMET {
        response.set_header(name, value.to_owned());
    }
    // `cors` with `credentials: true` and no allowed origins configured: every
    // non-preflight response allows any origin (`cors/lib/index.js`, `configureOrigin`
    // with `origin: '*'`, `configureCredentials`). The preflight set its own already.
    if reached == Reached::Routes && request.method() != "OPTIONS" {
        response.set_header("access-control-allow-origin", "*".into());
        response.set_header("access-control-allow-credentials", "true".into());
    }
    compression(request, response)
}

/// `compression` 1.8 (`compression/index.js`, `onResponseHeaders`): a compressible type
/// without `Cache-Control: no-transform` varies on `Accept-Encoding`; from 1 KiB on, a
/// client that accepts an encoding gets the body encoded.
fn compression(request: &HttpRequest, response: &mut HttpResponse) -> Result<(), Error> {
    let Some(content_type) = response.header("content-type") else {
        return Ok(());
    };
    if !compressible(content_type) {
        return Ok(());
    }
    let no_transform = response
        .header("cache-control")
        .is_some_and(|c| c.to_ascii_lowercase().contains("no-transform"));
    if no_transform {
        return Ok(());
    }
    vary(response, "Accept-Encoding");
    let length = response
        .header("content-length")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(response.body.len());
    if length < COMPRESSION_THRESHOLD || request.method() == "HEAD" {
        return Ok(());
    }
    if let Some(asked) = request.header_value("accept-encoding") {
        let encodes = asked.split(',').any(|coding| {
            let (name, q) = coding.split_once(';').unwrap_or((coding, ""));
            let refused = q
                .trim()
                .strip_prefix("q=")
                .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q == 0.0));
            let name = name.trim().to_ascii_lowercase();
            !refused && matches!(name.as_str(), "gzip" | "deflate" | "br" | "*")
        });
        if encodes {
            return Err(Error::Unsupported(format!(
                "the real server would compress this {length}-byte response (the request's \
                 accept-encoding is `{asked}`); the mock host does not encode bodies: leave \
                 accept-encoding out"
            )));
        }
    }
    Ok(())
}

/// `vary` 1.1: adds `field` to the `Vary` header unless it is listed already.
fn vary(response: &mut HttpResponse, field: &str) {
    match response.header("vary").map(str::to_owned) {
        None => response.set_header("vary", field.to_owned()),
        Some(current) => {
            let listed = current
                .split(',')
                .any(|f| f.trim() == "*" || f.trim().eq_ignore_ascii_case(field));
            if !listed {
                response.set_header("vary", format!("{current}, {field}"));
            }
        }
    }
}

/// `compressible` 2.0 for the types a plugin or the server sends: `text/*`, the
/// `+json`/`+text`/`+xml` suffixes, and the application types mime-db marks
/// compressible that a Signal K plugin plausibly serves.
fn compressible(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.starts_with("text/")
        || essence.ends_with("+json")
        || essence.ends_with("+text")
        || essence.ends_with("+xml")
        || matches!(
            essence.as_str(),
            "application/json"
                | "application/javascript"
                | "application/xml"
                | "application/x-javascript"
                | "application/ld+json"
                | "application/geo+json"
                | "application/x-www-form-urlencoded"
                | "image/svg+xml"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(content_type: &str, body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![
                ("content-type".into(), content_type.into()),
                ("content-length".into(), body.len().to_string()),
            ],
            body: body.into(),
        }
    }

    #[test]
    fn every_response_gets_helmets_headers_and_routes_get_cors() {
        let request = HttpRequest::get("/api/x");
        let mut routed = typed("application/json; charset=utf-8", "{}");
        apply(&request, &mut routed, Reached::Routes).unwrap();
        assert_eq!(routed.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(routed.header("access-control-allow-origin"), Some("*"));
        assert_eq!(routed.header("vary"), Some("Accept-Encoding"));
        let mut refused = typed("text/html; charset=utf-8", "bad");
        apply(&request, &mut refused, Reached::BodyParsers).unwrap();
        assert_eq!(refused.header("x-xss-protection"), Some("0"));
        assert_eq!(refused.header("access-control-allow-origin"), None);
    }

    #[test]
    fn binary_and_untyped_bodies_do_not_vary() {
        let request = HttpRequest::get("/api/x");
        let mut png = typed("image/png", "x");
        apply(&request, &mut png, Reached::Routes).unwrap();
        assert_eq!(png.header("vary"), None);
        let mut empty = HttpResponse {
            status: 204,
            headers: Vec::new(),
            body: String::new(),
        };
        apply(&request, &mut empty, Reached::Routes).unwrap();
        assert_eq!(empty.header("vary"), None);
    }

    #[test]
    fn vary_keeps_what_is_there() {
        let mut r = typed("text/plain", "x");
        r.set_header("vary", "Origin".into());
        vary(&mut r, "Accept-Encoding");
        vary(&mut r, "accept-encoding");
        assert_eq!(r.header("vary"), Some("Origin, Accept-Encoding"));
    }

    #[test]
    fn a_body_the_server_would_compress_is_refused_not_sent_plain() {
        let big = "x".repeat(COMPRESSION_THRESHOLD);
        let plain = HttpRequest::get("/api/x");
        apply(&plain, &mut typed("text/plain", &big), Reached::Routes).unwrap();
        let gzip = HttpRequest::get("/api/x").header("accept-encoding", "gzip, deflate");
        let err = apply(&gzip, &mut typed("text/plain", &big), Reached::Routes).unwrap_err();
        assert!(err.to_string().contains("compress"), "{err}");
        let refused = HttpRequest::get("/api/x").header("accept-encoding", "gzip;q=0");
        apply(&refused, &mut typed("text/plain", &big), Reached::Routes).unwrap();
        // Below the threshold nothing is encoded, so nothing is refused.
        apply(&gzip, &mut typed("text/plain", "small"), Reached::Routes).unwrap();
    }
}
