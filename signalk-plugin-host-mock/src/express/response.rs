//! [`HttpResponse`] and how a handler's envelope becomes one: the server's own code
//! (`signalk-server/dist/wasm/loader/plugin-routes.js`, the route callback in
//! `setupPluginSpecificRoutes`: `res.status(statusCode || 200)`, every envelope header
//! through `res.setHeader`, a string body under an `application/json` type parsed
//! first) and Express 4.22.3's `res.send` / `res.json` (`express/lib/response.js`): a
//! string is `text/html` unless typed, any `Content-Type` gets `; charset=utf-8`
//! (`express/lib/utils.js`, `setCharset`), 204 and 304 lose their body and content
//! headers, 205 gets `Content-Length: 0`, a bare number is a status.

use serde_json::{Value, json};

use super::content_type::MediaType;

/// What an HTTP client receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Response headers, names lower-case, in the order they were first set.
    pub headers: Vec<(String, String)>,
    /// The body text (empty for `HEAD`, 204 and 304).
    pub body: String,
}

impl HttpResponse {
    /// A header's value (case-insensitive name).
    ///
    /// ```
    /// # use signalk_plugin_host_mock::HttpResponse;
    /// let r = HttpResponse { status: 200, headers: vec![("x-a".into(), "1".into())], body: String::new() };
    /// assert_eq!(r.header("X-A"), Some("1"));
    /// ```
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON.
    ///
    /// # Errors
    ///
    /// If the body is not JSON.
    ///
    /// ```
    /// # use signalk_plugin_host_mock::HttpResponse;
    /// let r = HttpResponse { status: 200, headers: vec![], body: r#"{"a":1}"#.into() };
    /// assert_eq!(r.body_json().unwrap()["a"], 1);
    /// ```
    pub fn body_json(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(&self.body)
    }

    /// The body parsed as JSON into `T`, for a typed assertion on a reply.
    ///
    /// # Errors
    /// When the body is not JSON or does not fit `T`.
    ///
    /// ```
    /// # use signalk_plugin_host_mock::HttpResponse;
    /// #[derive(serde::Deserialize)]
    /// struct Status { running: bool }
    /// let r = HttpResponse { status: 200, headers: vec![], body: r#"{"running":true}"#.into() };
    /// assert!(r.json::<Status>().unwrap().running);
    /// ```
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.body)
    }

    /// The body text.
    ///
    /// ```
    /// # use signalk_plugin_host_mock::HttpResponse;
    /// let r = HttpResponse { status: 200, headers: vec![], body: "hi".into() };
    /// assert_eq!(r.text(), "hi");
    /// ```
    #[must_use]
    pub fn text(&self) -> &str {
        &self.body
    }

    /// The body bytes, as on the wire (UTF-8).
    ///
    /// ```
    /// # use signalk_plugin_host_mock::HttpResponse;
    /// let r = HttpResponse { status: 200, headers: vec![], body: "é".into() };
    /// assert_eq!(r.body_bytes(), [0xc3, 0xa9]);
    /// ```
    #[must_use]
    pub fn body_bytes(&self) -> &[u8] {
        self.body.as_bytes()
    }

    /// Sets a header, replacing an earlier value in place (`res.setHeader`).
    pub(crate) fn set_header(&mut self, name: &str, value: String) {
        let name = name.to_ascii_lowercase();
        match self.headers.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.headers.push((name, value)),
        }
    }

    /// `res.removeHeader`.
    pub(crate) fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// `res.status(500).json({ error })`: the server's answer to anything its route
    /// callback catches.
    pub(crate) fn error(message: &str) -> Self {
        Self::json_reply(500, &json!({ "error": message }))
    }

    /// `res.status(status).json(value)` on a fresh response (`status` a valid code).
    pub(crate) fn json_reply(status: u16, value: &Value) -> Self {
        let mut response = Self::empty(status);
        let text = value.to_string();
        response.set_header("content-type", "application/json; charset=utf-8".into());
        response.set_header("content-length", text.len().to_string());
        response.body = text;
        response
    }

    pub(crate) fn empty(status: u16) -> Self {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    /// For `HEAD`: Express ends the response without its body, every header kept.
    pub(crate) fn without_body(mut self) -> Self {
        self.body.clear();
        self
    }
}

/// What a handler gives `res.send`.
pub(crate) enum Body {
    /// `res.send(string)`.
    Text(String),
    /// `res.json(value)` (any JSON value, including `null`).
    Json(Value),
    /// `res.send(null)`: an empty string, with no type of its own.
    Null,
    /// `res.send(undefined)`: nothing at all, not even a `Content-Length` (Node then
    /// sends the response chunked).
    Undefined,
}

/// `res.send` / `res.json` on a response whose status and headers are already set.
/// `Err` carries the message of what Express or Node throws (an invalid status, an
/// unparseable `Content-Type`), which the server's route callback turns into a 500.
pub(crate) fn send(response: &mut HttpResponse, body: Body) -> Result<(), String> {
    let text = match body {
        Body::Text(text) => {
            if response.header("content-type").is_none() {
                response.set_header("content-type", "text/html".into());
            }
            text
        }
        Body::Json(value) => {
            if response.header("content-type").is_none() {
                response.set_header("content-type", "application/json".into());
            }
            // `JSON.stringify`; straight to bytes (`to_string` goes through
            // `fmt::Write`). A `Value` always serialises.
            serde_json::to_string(&value).map_err(|e| e.to_string())?
        }
        Body::Null => String::new(),
        Body::Undefined => {
            if let Some(current) = response.header("content-type").map(str::to_owned) {
                let typed = MediaType::parse(&current).map_err(|e| e.to_string())?;
                response.set_header("content-type", typed.with_charset_utf8());
            }
            return finish_without_body(response);
        }
    };
    if let Some(current) = response.header("content-type").map(str::to_owned) {
        let typed = MediaType::parse(&current).map_err(|e| e.to_string())?;
        response.set_header("content-type", typed.with_charset_utf8());
    }
    finish(response, text, true)
}

/// `res.send(number)`: the number is the status, its reason phrase the body, typed
/// `text/plain` unless a type was set.
pub(crate) fn send_status(response: &mut HttpResponse, code: f64) -> Result<(), String> {
    if response.header("content-type").is_none() {
        response.set_header("content-type", "text/plain; charset=utf-8".into());
    }
    let valid = code.fract() == 0.0 && (100.0..=999.0).contains(&code);
    if !valid {
        return Err(format!(
            "Invalid status code: {}",
            super::js_value::number_to_string(code)
        ));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let status = code as u16;
    response.status = status;
    match super::finalhandler::reason(status) {
        Some(reason) => {
            if let Some(current) = response.header("content-type").map(str::to_owned) {
                let typed = MediaType::parse(&current).map_err(|e| e.to_string())?;
                response.set_header("content-type", typed.with_charset_utf8());
            }
            finish(response, reason.to_owned(), true)
        }
        // `statuses.message[code]` is undefined: nothing is written, no length set.
        None => Ok(()),
    }
}

/// The end of `res.send(undefined)`: no length, then the 204/304/205 rules.
fn finish_without_body(response: &mut HttpResponse) -> Result<(), String> {
    // No chunk, no length, so no ETag either.
    finish(response, String::new(), false)?;
    if response.status != 205 {
        response.remove_header("content-length");
    }
    Ok(())
}

/// The end of `res.send`: `Content-Length`, the weak `ETag` of the chunk (unless one is
/// set; Express's default `etag fn`, `express/lib/utils.js` `wetag`), then the
/// 204/304/205 rules. Freshness (`req.fresh`, a 304 for a matching `If-None-Match`) is
/// not modelled: [`crate::MockHost::http`] refuses such requests.
fn finish(response: &mut HttpResponse, text: String, etag: bool) -> Result<(), String> {
    if !(100..=999).contains(&response.status) {
        return Err(format!("Invalid status code: {}", response.status));
    }
    response.set_header("content-length", text.len().to_string());
    if etag && response.header("etag").is_none() {
        response.set_header("etag", weak_etag(text.as_bytes()));
    }
    response.body = text;
    match response.status {
        204 | 304 => {
            response.remove_header("content-type");
            response.remove_header("content-length");
            response.remove_header("transfer-encoding");
            response.body.clear();
        }
        205 => {
            response.set_header("content-length", "0".into());
            response.remove_header("transfer-encoding");
            response.body.clear();
        }
        _ => {}
    }
    Ok(())
}

/// `etag` 1.8 (`etag/index.js`, `entitytag`) with `weak: true`: the length in hex and
/// the first 27 characters of the body's SHA-1 in base64.
pub(crate) fn weak_etag(body: &[u8]) -> String {
    use base64::Engine as _;
    use sha1::Digest as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(body));
    format!("W/\"{:x}-{}\"", body.len(), &hash[..27])
}

/// The handler's output text through the server's route callback (§8.4): its
/// `statusCode`, `headers` and `body`, then `res.send`. What the callback would catch
/// (bad JSON, an invalid status or header) is a 500 `{"error": message}`.
pub(crate) fn envelope(text: &str) -> HttpResponse {
    match try_envelope(text) {
        Ok(response) => response,
        Err(message) => HttpResponse::error(&message),
    }
}

fn try_envelope(text: &str) -> Result<HttpResponse, String> {
    let mut env: Value = match serde_json::from_str(text) {
        Ok(v) => crate::js::round_trip(v),
        Err(err) => return Err(err.to_string()),
    };
    // `res.status(response.statusCode || 200)`: a falsy status is 200; anything else
    // must be an integer Node accepts.
    let status = match env.get("statusCode") {
        None | Some(Value::Null | Value::Bool(false)) => 200,
        Some(Value::Number(n)) if n.as_f64() == Some(0.0) => 200,
        Some(Value::String(s)) if s.is_empty() => 200,
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|v| u16::try_from(v).ok())
            .filter(|s| (100..=999).contains(s))
            .ok_or_else(|| format!("Invalid status code: {n}"))?,
        Some(other) => return Err(format!("Invalid status code: {other}")),
    };
    let mut response = HttpResponse::empty(status);
    if let Some(map) = env.get("headers").and_then(Value::as_object) {
        for (name, value) in map {
            let value = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Array(items) if items.iter().all(Value::is_string) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                other => return Err(format!("Invalid value \"{other}\" for header \"{name}\"")),
            };
            response.set_header(name, value);
        }
    }
    let json_typed = response
        .header("content-type")
        .is_some_and(|t| t.contains("application/json"));
    // The envelope is not used after its body: the body is moved out, not copied.
    let Some(body) = env.as_object_mut().and_then(|m| m.shift_remove("body")) else {
        send(&mut response, Body::Undefined)?;
        return Ok(response);
    };
    let body = match body {
        Value::String(s) if json_typed => match serde_json::from_str::<Value>(&s) {
            Ok(parsed) => crate::js::round_trip(parsed),
            Err(_) => Value::String(s),
        },
        other => other,
    };
    match body {
        Value::String(s) => send(&mut response, Body::Text(s))?,
        Value::Number(n) => send_status(&mut response, n.as_f64().unwrap_or(f64::NAN))?,
        // `res.send(null)` sends an empty string, untyped.
        Value::Null => send(&mut response, Body::Null)?,
        other => send(&mut response, Body::Json(other))?,
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_follow_the_servers_rules() {
        let r = envelope(r#"{"statusCode":201,"body":{"a":1}}"#);
        assert_eq!((r.status, r.body.as_str()), (201, r#"{"a":1}"#));
        assert_eq!(
            r.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        // `status` is ignored; a plain string is text/html.
        let r = envelope(r#"{"status":404,"body":"hi"}"#);
        assert_eq!((r.status, r.body.as_str()), (200, "hi"));
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        // A plugin's own type gets the charset.
        let r = envelope(r#"{"headers":{"Content-Type":"text/plain"},"body":"x"}"#);
        assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
        // A JSON-typed string body is parsed; a JSON string is sent raw.
        let r = envelope(r#"{"headers":{"Content-Type":"application/json"},"body":"\"hi\""}"#);
        assert_eq!(r.body, "hi");
        // A number body is a status code to Express.
        assert_eq!(envelope(r#"{"body":42}"#).status, 500);
        let r = envelope(r#"{"body":200}"#);
        assert_eq!((r.status, r.body.as_str()), (200, "OK"));
        assert_eq!(envelope("{\"body\":").status, 500);
        let r = envelope(r#"{"statusCode":204,"body":"gone"}"#);
        assert_eq!((r.body.as_str(), r.header("content-type")), ("", None));
        assert_eq!(
            envelope(r#"{"body":null}"#).header("content-length"),
            Some("0")
        );
    }
}
