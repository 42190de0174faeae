//! The wire side of PUT and HTTP handlers: decoding what the host passes and encoding
//! replies for its fixed buffers. Not public API: the lifecycle exports call these.

use super::park;
use crate::http::{HttpError, HttpRequest, HttpResponse, IntoResponse};
use crate::put::{PutReply, PutState};

/// [`PutReply::completed`], and its JSON text.
const COMPLETED: PutReply = PutReply {
    state: PutState::Completed,
    status_code: 200,
    message: None,
};
const COMPLETED_JSON: &[u8] = br#"{"state":"COMPLETED","statusCode":200}"#;

/// Serializes a reply, replacing one that would not fit the host's buffer by a 500
/// reply that says why (the host would otherwise truncate it into invalid JSON).
#[must_use]
pub(crate) fn encode_reply(reply: &PutReply, max: usize) -> Vec<u8> {
    // Most handlers answer plain success: its text is known, no serializer needed.
    if *reply == COMPLETED && COMPLETED_JSON.len() <= max {
        return COMPLETED_JSON.to_vec();
    }
    let json = serde_json::to_vec(reply).unwrap_or_default();
    if json.len() <= max && !json.is_empty() {
        return json;
    }
    let fallback = PutReply::with_status(
        500,
        format!(
            "the PUT reply is {} bytes; the host's buffer holds {max}",
            json.len()
        ),
    );
    serde_json::to_vec(&fallback).unwrap_or_default()
}

/// Encodes a response for the host's buffer; one that does not fit becomes a 500 that
/// says so (the host would otherwise answer a truncated, invalid envelope).
#[must_use]
pub(crate) fn encode_response(response: &HttpResponse, max: usize) -> Vec<u8> {
    fit_envelope(response.to_envelope(), max)
}

/// An envelope's bytes for the host's buffer of `max` bytes: as they are if they fit;
/// too large, parked for the chunked channel if the host speaks it, otherwise a 500
/// that says why — never a truncated envelope.
#[must_use]
pub(crate) fn fit_envelope(envelope: Vec<u8>, max: usize) -> Vec<u8> {
    park::fit(envelope, max, |len| {
        HttpError::internal(format!(
            "the response is {len} bytes; the host's buffer holds {max}"
        ))
        .into_response()
        .to_envelope()
    })
}

/// The request the host passed, decoded when the handler first reads it (a handler that
/// reads nothing pays for no parsing). Text that is not even shaped like a JSON object
/// (empty, truncated, another kind) is a 400 here, before the handler runs; an object
/// that then does not decode is reported when read (`HttpRequest`'s methods).
pub(crate) fn decode_request(bytes: &[u8]) -> Result<HttpRequest, HttpResponse> {
    match bytes.trim_ascii() {
        [b'{', .., b'}'] => Ok(HttpRequest::from_envelope(bytes)),
        _ => Err(
            HttpError::bad_request("malformed request from the host: not a JSON object")
                .into_response(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::RESPONSE_BUFFER;
    use crate::put::REPLY_BUFFER;
    use serde_json::Value;

    #[test]
    fn the_plain_success_reply_is_what_serde_writes() {
        assert_eq!(COMPLETED, PutReply::completed());
        assert_eq!(
            encode_reply(&PutReply::completed(), REPLY_BUFFER),
            serde_json::to_vec(&PutReply::completed()).unwrap()
        );
        // Any other reply still goes through serde.
        let other = PutReply::with_status(200, "ok");
        assert_eq!(
            encode_reply(&other, REPLY_BUFFER),
            serde_json::to_vec(&other).unwrap()
        );
        // A buffer too small even for it: the usual short 500 (here: nothing fits).
        assert!(encode_reply(&PutReply::completed(), 10).len() > 10);
    }

    #[test]
    fn oversize_reply_becomes_a_short_500() {
        let big = PutReply::with_status(400, "x".repeat(10_000));
        let full_len = serde_json::to_vec(&big).unwrap().len();
        let bytes = encode_reply(&big, REPLY_BUFFER);
        assert!(bytes.len() <= REPLY_BUFFER);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("\"statusCode\":500"), "{text}");
        assert!(text.contains(&format!("{full_len} bytes")), "{text}");
    }

    #[test]
    fn oversize_response_is_a_500_not_a_truncation() {
        let big = HttpResponse::text(200, "x".repeat(RESPONSE_BUFFER));
        let bytes = encode_response(&big, RESPONSE_BUFFER);
        let env: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(env["statusCode"], 500);
        assert!(
            env["body"]["error"]
                .as_str()
                .unwrap()
                .contains(&RESPONSE_BUFFER.to_string())
        );
    }

    #[test]
    fn request_parses_host_shape() {
        let req = decode_request(
            br#"{"method":"GET","path":"/a/1","query":{"q":["1","2"]},"params":{"id":"1"},"body":{},"headers":{"x-y":"z"}}"#,
        )
        .unwrap();
        assert_eq!(req.query_param("q").as_deref(), Some("1"));
        assert_eq!(req.param("id").unwrap(), "1");
        assert_eq!(req.header("X-Y").as_deref(), Some("z"));
        assert_eq!(req.body().as_str(), "{}");
        assert_eq!((req.method(), req.path()), ("GET", "/a/1"));
        for bad in [&b"{"[..], b"", b"  ", b"[1]", b"}{", b"null"] {
            let refused = decode_request(bad).unwrap_err();
            assert_eq!(refused.status_code, 400);
        }
    }

    #[test]
    fn an_envelope_is_decoded_on_the_first_read_and_a_bad_one_is_a_400_then() {
        crate::testing::reset();
        // Shaped like an object, so it reaches the handler; it does not decode.
        let req = decode_request(br#"{"method":"GET","path":}"#).unwrap();
        assert!(crate::testing::logs().is_empty(), "nothing decoded yet");
        let err = req.json::<Value>().unwrap_err();
        assert_eq!(err.status_code, 400);
        assert!(
            err.message.starts_with("malformed request from the host: "),
            "{}",
            err.message
        );
        assert_eq!(req.param("id").unwrap_err().message, err.message);
        assert_eq!((req.method(), req.path()), ("", ""));
        assert_eq!(req.query_param("q"), None);
        // Logged once, though read several times.
        let logs = crate::testing::logs();
        assert_eq!(logs.len(), 1, "{logs:?}");
        assert!(logs[0].starts_with("[WARN] malformed request from the host: "));
        // A good envelope equals the same request built by hand.
        let req = decode_request(br#"{"method":"POST","path":"/x","body":{"a":1}}"#).unwrap();
        let built = HttpRequest::new("POST", "/x").with_body(serde_json::json!({"a": 1}));
        assert_eq!(req, built);
        assert_eq!(req.query().as_str(), "{}");
    }
}
