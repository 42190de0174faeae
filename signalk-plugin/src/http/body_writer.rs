//! [`BodyWriter`]: a large HTTP body, written with `std::io::Write`.

use super::HttpResponse;

/// A growing body for large responses, written with `std::io::Write`.
///
/// A response larger than the host's buffer travels over the chunked channel
/// ([`crate::chunked`]) where the host speaks it.
///
/// ```
/// use std::io::Write;
/// use signalk_plugin::http::BodyWriter;
///
/// let mut body = BodyWriter::new();
/// for i in 0..3 {
///     writeln!(body, "line {i}").unwrap();
/// }
/// let response = body.into_text("text/plain");
/// assert_eq!(response.header("content-type"), Some("text/plain"));
/// ```
///
/// ```
/// use signalk_plugin::http::BodyWriter;
/// let mut body = BodyWriter::new();
/// serde_json::to_writer(&mut body, &vec![1, 2, 3]).unwrap();
/// let response = body.into_json().unwrap();
/// assert_eq!(response.header("content-type"), Some("application/json"));
/// ```
#[derive(Debug, Default, Clone)]
pub struct BodyWriter {
    bytes: Vec<u8>,
}

impl BodyWriter {
    /// An empty body.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes written so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether nothing was written.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// A 200 response with the body as text (invalid UTF-8 is replaced) and the given
    /// content type.
    #[must_use]
    pub fn into_text(self, content_type: &str) -> HttpResponse {
        HttpResponse::text(200, self.into_string()).with_header("Content-Type", content_type)
    }

    /// A 200 JSON response; the body must be valid JSON.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Json`] if the written bytes are not JSON.
    pub fn into_json(self) -> Result<HttpResponse, crate::Error> {
        let raw = crate::RawJson::from_text(self.into_string())?;
        Ok(HttpResponse::json(200, raw))
    }

    fn into_string(self) -> String {
        String::from_utf8(self.bytes)
            .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
    }
}

impl std::io::Write for BodyWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
