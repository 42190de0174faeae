//! The request body as signalk-server 2.32.0 reads it before any route: two
//! app-wide body-parser 1.20.9 middlewares (`signalk-server/dist/index.js`, the
//! `Server` constructor: `bodyParser.json({ limit: FILEUPLOADSIZELIMIT || '10mb' })`
//! then `bodyParser.urlencoded({ extended: true })`, default limit 100 KiB).
//!
//! - `body-parser/lib/types/json.js` (`json`): for `application/json` only; the
//!   charset must start with `utf-` (else 415); an empty body is `{}`; strict mode
//!   refuses any text whose first non-blank character is not `{` or `[`
//!   (`createStrictSyntaxError`, a V8 message about the text with `#` in place of
//!   everything from that character, the `#` runs then put back); otherwise
//!   `JSON.parse` ([`v8_json`]); failures are 400.
//! - `body-parser/lib/types/urlencoded.js` (`urlencoded`, `extendedparser`,
//!   `parameterCount`): for `application/x-www-form-urlencoded`; charset `utf-8`
//!   only (else 415); more than 1,000 `&`-separated parts is 413 "too many
//!   parameters"; `qs` ([`qs`]) with depth 32 strictly (400 "The input
//!   exceeded the depth").
//! - `body-parser/lib/read.js` and `raw-body` 2.5.3 (`getRawBody`): a declared length
//!   over the limit is 413 "request entity too large"; `identity` encoding only here
//!   (`gzip` and `deflate`, which the server inflates, are refused by the mock host
//!   with an error saying so; any other is 415); the text is decoded as UTF-8 with a
//!   leading byte-order mark dropped (`iconv-lite`).
//!
//! A request without a body (no `content-length` or `transfer-encoding`), or of
//! another type, keeps `req.body = {}`.

use serde_json::Value;

use super::HttpRequest;
use super::content_type;
use super::finalhandler::PageError;
use super::qs::{self, QsOptions};
use super::v8_json::{self, JsonError};

/// `bytes.parse('10mb')`: the server's JSON limit.
pub const JSON_LIMIT: usize = 10 * 1024 * 1024;
/// body-parser's default limit, which the server keeps for urlencoded bodies.
pub const URLENCODED_LIMIT: usize = 100 * 1024;
/// `parameterLimit`'s default.
pub const PARAMETER_LIMIT: usize = 1000;

/// Why a body does not reach the plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// What body-parser passes to `next(err)`: finalhandler's page.
    Page(PageError),
    /// A JSON body nested deeper than the mock host builds.
    TooDeep,
    /// Something the port does not reproduce (a charset other than UTF-8, a compressed
    /// body, a `content-length` that is not the body's length), as a noun phrase for
    /// [`Error::Unsupported`](crate::Error::Unsupported).
    NotPorted(String),
}

/// The body the plugin sees: `Ok(None)` when no parser applies (`req.body` stays
/// `{}`), `Ok(Some(value))` when one parsed it.
///
/// # Errors
///
/// [`BodyError`] when body-parser refuses it (a 4xx page) or the port cannot read it.
pub(crate) fn parse(request: &HttpRequest) -> Result<Option<Value>, BodyError> {
    if request.too_deep() {
        return Err(BodyError::TooDeep);
    }
    if !request.has_body() {
        return Ok(None);
    }
    let header = request.header_value("content-type");
    let essence = content_type::request_essence(header.as_deref());
    let json = match essence.as_deref() {
        Some("application/json") => true,
        Some("application/x-www-form-urlencoded") => false,
        _ => return Ok(None),
    };
    let charset = content_type::parse(header.as_deref()).unwrap_or_else(|| "utf-8".into());
    let charset_ok = if json {
        charset.starts_with("utf-")
    } else {
        charset == "utf-8"
    };
    if !charset_ok {
        return Err(unsupported_charset(&charset));
    }
    let limit = if json { JSON_LIMIT } else { URLENCODED_LIMIT };
    let text = read(request, &charset, limit)?;
    if json {
        parse_json(&text).map(Some)
    } else {
        parse_urlencoded(&text).map(Some)
    }
}

fn unsupported_charset(charset: &str) -> BodyError {
    BodyError::Page(PageError::http(
        415,
        format!("unsupported charset \"{}\"", charset.to_uppercase()),
        vec![
            ("charset", Value::from(charset)),
            ("type", Value::from("charset.unsupported")),
        ],
    ))
}

/// `read` / `getRawBody`: encoding, limit, decoding.
fn read(request: &HttpRequest, charset: &str, limit: usize) -> Result<String, BodyError> {
    let encoding = request
        .header_value("content-encoding")
        .unwrap_or_else(|| "identity".into())
        .to_ascii_lowercase();
    match encoding.as_str() {
        "identity" => {}
        "gzip" | "deflate" => {
            return Err(BodyError::NotPorted(format!(
                "{encoding}-encoded request bodies (the server inflates them; send the body uncompressed)"
            )));
        }
        other => {
            return Err(BodyError::Page(PageError::http(
                415,
                format!("unsupported content encoding \"{other}\""),
                vec![
                    ("encoding", Value::from(other)),
                    ("type", Value::from("encoding.unsupported")),
                ],
            )));
        }
    }
    let bytes = request.body_bytes();
    if let Some(declared) = request.header_value("content-length") {
        let declared = declared.trim();
        if declared.parse::<usize>().ok() != Some(bytes.len()) {
            return Err(BodyError::NotPorted(format!(
                "a content-length ({declared}) that is not the body's length ({} bytes): on the wire the request would be cut short or hang",
                bytes.len()
            )));
        }
    }
    if bytes.len() > limit {
        return Err(BodyError::Page(PageError::http(
            413,
            "request entity too large",
            vec![
                ("expected", Value::from(bytes.len())),
                ("length", Value::from(bytes.len())),
                ("limit", Value::from(limit)),
                ("type", Value::from("entity.too.large")),
            ],
        )));
    }
    if charset != "utf-8" {
        return Err(BodyError::NotPorted(format!(
            "{charset} request bodies (the server decodes them with iconv-lite; the mock host reads UTF-8 only)"
        )));
    }
    let text = String::from_utf8_lossy(bytes);
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned())
}

/// The json parser's `parse`.
fn parse_json(text: &str) -> Result<Value, BodyError> {
    if text.is_empty() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    let first = text
        .char_indices()
        .find(|(_, c)| !matches!(c, ' ' | '\t' | '\n' | '\r'));
    if let Some((at, c)) = first
        && c != '{'
        && c != '['
    {
        let (thrown, message) = strict_violation(text, at);
        return Err(syntax(&thrown, message, text));
    }
    v8_json::parse(text).map_err(|e| match e {
        JsonError::Syntax(message) => syntax(&message.clone(), message, text),
        JsonError::TooDeep => BodyError::TooDeep,
    })
}

/// Stands for the call frames of a stack, which the mock host does not show.
const FRAMES: &str = "\n    at ";

/// `normalizeJsonSyntaxError` then `createError(400, syntaxError, { body, type:
/// 'entity.parse.failed' })`. The stack is rewritten with
/// `stack.replace(thrownMessage, message)`, where `$` patterns in the message (from the
/// body's text) take effect: `$'` pulls in the call frames, which the mock host cuts
/// at. A plain error gets `expose`, `statusCode`, `status` set on it, then the props.
fn syntax(thrown: &str, message: String, body: &str) -> BodyError {
    let original = format!("SyntaxError: {thrown}{FRAMES}");
    let rewritten = super::errorhandler::js_replace(&original, thrown, &message, false);
    let stack = rewritten
        .find(FRAMES)
        .map_or(rewritten.as_str(), |at| &rewritten[..at])
        .to_owned();
    BodyError::Page(PageError {
        status: 400,
        name: "SyntaxError".into(),
        message,
        stack,
        props: vec![
            ("expose".into(), Value::Bool(true)),
            ("statusCode".into(), Value::from(400)),
            ("status".into(), Value::from(400)),
            ("body".into(), Value::from(body)),
            ("type".into(), Value::from("entity.parse.failed")),
        ],
    })
}

/// An http-errors error from the urlencoded parser, after read.js added the body.
fn parse_failed(status: u16, message: &str, kind: &str, body: &str) -> BodyError {
    BodyError::Page(PageError::http(
        status,
        message,
        vec![("type", Value::from(kind)), ("body", Value::from(body))],
    ))
}

/// `createStrictSyntaxError(str, char)`: V8's message for the text with `#` from the
/// offending character on (returned first), and that message with each `#` run
/// replaced by as many UTF-16 units of the text from that character.
fn strict_violation(text: &str, at: usize) -> (String, String) {
    let units: Vec<u16> = text.encode_utf16().collect();
    let index = text[..at].encode_utf16().count();
    let partial = format!("{}{}", &text[..at], "#".repeat(units.len() - index));
    let message = match v8_json::parse(&partial) {
        Err(JsonError::Syntax(m)) => m,
        // `#` is never valid JSON; keep V8's wording for the impossible case.
        _ => "strict violation".to_owned(),
    };
    let mut out = String::with_capacity(message.len());
    let mut rest = message.as_str();
    while let Some(start) = rest.find('#') {
        out.push_str(&rest[..start]);
        let run = rest[start..].len() - rest[start..].trim_start_matches('#').len();
        let end = (index + run).min(units.len());
        out.push_str(&String::from_utf16_lossy(&units[index..end]));
        rest = &rest[start + run..];
    }
    out.push_str(rest);
    (message, out)
}

/// The extended urlencoded parser's `parse`.
fn parse_urlencoded(text: &str) -> Result<Value, BodyError> {
    if text.is_empty() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    let count = text.matches('&').count() + 1;
    if count > PARAMETER_LIMIT {
        return Err(parse_failed(
            413,
            "too many parameters",
            "parameters.too.many",
            text,
        ));
    }
    qs::parse(text, &QsOptions::urlencoded(count)).map_err(|_| {
        parse_failed(
            400,
            "The input exceeded the depth",
            "querystring.parse.rangeError",
            text,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(content_type: &str, text: &str) -> Result<Option<Value>, BodyError> {
        parse(&HttpRequest::post("/x").body_raw(content_type, text))
    }

    fn page(result: Result<Option<Value>, BodyError>) -> (u16, String) {
        match result {
            Err(BodyError::Page(p)) => (p.status, p.headline()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn strict_json_refuses_scalars_with_v8s_words() {
        assert_eq!(
            page(body("application/json", "\"str\"")),
            (
                400,
                "SyntaxError: Unexpected token '\"', \"\"str\"\" is not valid JSON".into()
            )
        );
        assert_eq!(
            body("application/json", "").unwrap().unwrap(),
            serde_json::json!({})
        );
        assert_eq!(body("text/plain", "x").unwrap(), None);
        assert_eq!(page(body("application/json; charset=latin1", "{}")).0, 415);
    }

    #[test]
    fn urlencoded_bodies_nest_and_have_limits() {
        let v = body("application/x-www-form-urlencoded", "a[b]=1&a[c][]=2")
            .unwrap()
            .unwrap();
        assert_eq!(v, serde_json::json!({"a": {"b": "1", "c": ["2"]}}));
        let many = vec!["a=1"; 1001].join("&");
        assert_eq!(
            page(body("application/x-www-form-urlencoded", &many)).0,
            413
        );
        let big = "a=".to_owned() + &"x".repeat(URLENCODED_LIMIT);
        assert_eq!(
            page(body("application/x-www-form-urlencoded", &big)),
            (413, "PayloadTooLargeError: request entity too large".into())
        );
    }
}
