//! One request type for both kinds of test: the SDK's [`signalk_plugin::http::HttpRequest`]
//! (what a handler receives, which a native test builds and passes to the handler
//! method) turned into the request a client would send, so the same value also drives
//! [`MockHost::http`](crate::MockHost::http) through the server's whole Express path.

use serde_json::Value;

use super::HttpRequest;

impl From<signalk_plugin::http::HttpRequest> for HttpRequest {
    /// The client request that reaches a handler as `request`: its method and path, the
    /// query as a query string (nested members in brackets, arrays as repeated keys,
    /// which is how `qs` reads them back; scalars become strings, as every query
    /// value is on the wire), its headers, and its body as JSON unless it is the empty
    /// `{}` a request without a body has. Route `params` come from matching the path,
    /// so they are not sent.
    ///
    /// ```
    /// use serde_json::json;
    /// use signalk_plugin::http::HttpRequest as SdkRequest;
    /// use signalk_plugin_host_mock::HttpRequest;
    ///
    /// let native = SdkRequest::new("POST", "/api/drop")
    ///     .with_query(json!({"force": "1", "tags": ["a", "b"]}))
    ///     .with_body(json!({"radius": 50}));
    /// let wire = HttpRequest::from(native);
    /// assert_eq!(wire.target(), "/api/drop?force=1&tags=a&tags=b");
    /// assert_eq!(wire.body_bytes(), br#"{"radius":50}"#);
    /// ```
    fn from(request: signalk_plugin::http::HttpRequest) -> Self {
        let mut query = String::new();
        if let Ok(Value::Object(members)) = serde_json::from_str::<Value>(request.query().as_str())
        {
            let mut pairs = form_urlencoded::Serializer::new(String::new());
            for (name, value) in &members {
                append(&mut pairs, name, value);
            }
            query = pairs.finish();
        }
        let target = if query.is_empty() {
            request.path().to_owned()
        } else {
            format!("{}?{query}", request.path())
        };
        let mut wire = HttpRequest::new(request.method(), &target);
        if let Ok(Value::Object(headers)) =
            serde_json::from_str::<Value>(request.headers().as_str())
        {
            for (name, value) in &headers {
                match value {
                    Value::String(text) => wire = wire.header(name, text),
                    Value::Array(items) => {
                        let joined: Vec<String> = items.iter().map(scalar_text).collect();
                        wire = wire.header(name, &joined.join(", "));
                    }
                    other => wire = wire.header(name, &scalar_text(other)),
                }
            }
        }
        let body = request.body().as_str().trim();
        if body != "{}" && !body.is_empty() {
            let content_type = wire
                .header_value("content-type")
                .unwrap_or_else(|| "application/json".to_owned());
            wire = wire.body_raw(&content_type, body.as_bytes().to_vec());
        }
        wire
    }
}

/// `name=value` pairs for one query member, `qs`-style.
fn append(pairs: &mut form_urlencoded::Serializer<'_, String>, name: &str, value: &Value) {
    match value {
        Value::Array(items) => {
            for item in items {
                append(pairs, name, item);
            }
        }
        Value::Object(members) => {
            for (key, item) in members {
                append(pairs, &format!("{name}[{key}]"), item);
            }
        }
        other => {
            pairs.append_pair(name, &scalar_text(other));
        }
    }
}

/// A JSON scalar as the text a query string or header carries.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use signalk_plugin::http::HttpRequest as SdkRequest;

    #[test]
    fn nested_queries_go_out_in_brackets() {
        let wire = HttpRequest::from(
            SdkRequest::new("GET", "/api/x").with_query(json!({"a": {"b": "c"}, "n": 5})),
        );
        assert_eq!(wire.target(), "/api/x?a%5Bb%5D=c&n=5");
    }

    #[test]
    fn an_empty_body_sends_none_and_headers_go_through() {
        let wire = HttpRequest::from(
            SdkRequest::new("GET", "/api/x").with_headers(json!({"x-api-key": "k"})),
        );
        assert!(wire.body_bytes().is_empty());
        assert_eq!(wire.header_value("x-api-key").as_deref(), Some("k"));
    }
}
