//! The wire side of PUT and HTTP handlers: decoding what the host passes and encoding
//! replies for its fixed buffers. Not public API: the lifecycle exports call these.

use super::park;
use crate::http::{HttpError, HttpRequest, HttpResponse, IntoResponse};
use crate::put::PutReply;

/// Serializes a reply, replacing one that would not fit the host's buffer by a 500
/// reply that says why (the host would otherwise truncate it into invalid JSON).
#[must_use]
pub(crate) fn encode_reply(reply: &PutReply, max: usize) -> Vec<u8> {
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
    // Too large for the buffer: parked for the chunked channel if the host speaks it,
    // otherwise a 500 that says why — never a truncated envelope.
    park::fit(response.to_envelope(), max, |len| {
        HttpError::internal(format!(
            "the response is {len} bytes; the host's buffer holds {max}"
        ))
        .into_response()
        .to_envelope()
    })
}

/// Parses the request the host passed; a request that does not parse is a 400.
pub(crate) fn decode_request(bytes: &[u8]) -> Result<HttpRequest, HttpResponse> {
    crate::json::from_bytes(bytes).map_err(|e| {
        HttpError::bad_request(crate::json::bound(format!(
            "malformed request from the host: {e}"
        )))
        .into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::RESPONSE_BUFFER;
    use crate::put::REPLY_BUFFER;
    use serde_json::Value;

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
        assert_eq!(req.body.as_str(), "{}");
        assert!(decode_request(b"{").is_err());
    }
}
