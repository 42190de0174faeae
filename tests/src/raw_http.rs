//! A raw HTTP/1.1 client over one `TcpStream` per request: it sends the request line,
//! the headers and the body exactly as given (no header added, none re-cased or
//! reordered), and reads the reply as the server framed it. The differential suite uses
//! it so the real server receives byte for byte what the mock host is handed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Largest reply body read (the suite's replies are far smaller; a larger one is an
/// error, never cut short).
const BODY_LIMIT: usize = 16 << 20;

/// Longest status or header line read.
const LINE_LIMIT: usize = 64 << 10;

/// A reply as it came off the wire: the status, every header in the order received
/// (names lower-cased, as Node reports them to a client), and the body bytes (for
/// `HEAD`, 204 and 304 there is none, whatever `content-length` says).
///
/// ```
/// let reply = cross_crate_tests::RawResponse {
///     status: 204,
///     headers: vec![("content-length".into(), "0".into())],
///     body: Vec::new(),
/// };
/// assert_eq!(reply.header("Content-Length"), Some("0"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// Headers in order, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The last value of header `name` (case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request to `addr` (`host:port`) and reads the reply.
///
/// # Errors
///
/// A message naming what failed: connecting, writing, a malformed status line or
/// header, a body larger than 16 MiB, or a connection closed before the body ended.
pub fn send(
    addr: &str,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<RawResponse, String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| format!("set timeout: {e}"))?;
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    for (name, value) in headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let mut wire = head.into_bytes();
    wire.extend_from_slice(body);
    stream
        .write_all(&wire)
        .map_err(|e| format!("write {method} {target}: {e}"))?;
    let mut reader = BufReader::new(stream);
    let status_line = read_line(&mut reader)?;
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut reply_headers = Vec::new();
    loop {
        let line = read_line(&mut reader)?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("bad header line {line:?}"))?;
        reply_headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let mut reply = RawResponse {
        status,
        headers: reply_headers,
        body: Vec::new(),
    };
    if method.eq_ignore_ascii_case("HEAD") || status == 204 || status == 304 {
        return Ok(reply);
    }
    if reply
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        reply.body = read_chunked(&mut reader)?;
    } else if let Some(length) = reply.header("content-length") {
        let length: usize = length
            .parse()
            .map_err(|_| format!("bad content-length {length:?}"))?;
        if length > BODY_LIMIT {
            return Err(format!("reply body of {length} bytes is over the limit"));
        }
        let mut body = vec![0; length];
        reader
            .read_exact(&mut body)
            .map_err(|e| format!("reading a {length}-byte body: {e}"))?;
        reply.body = body;
    } else {
        // Neither length nor chunks: the body runs to the end of the connection.
        let mut body = Vec::new();
        reader
            .take(BODY_LIMIT as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|e| format!("reading a body to the end: {e}"))?;
        if body.len() > BODY_LIMIT {
            return Err("reply body is over the limit".into());
        }
        reply.body = body;
    }
    Ok(reply)
}

fn read_line(reader: &mut impl BufRead) -> Result<String, String> {
    let mut line = Vec::new();
    reader
        .take(LINE_LIMIT as u64)
        .read_until(b'\n', &mut line)
        .map_err(|e| format!("reading the reply head: {e}"))?;
    if !line.ends_with(b"\n") {
        return Err(format!(
            "reply head line not ended within {LINE_LIMIT} bytes: {:?}",
            String::from_utf8_lossy(&line)
        ));
    }
    let text = String::from_utf8_lossy(&line);
    Ok(text.trim_end_matches(['\r', '\n']).to_owned())
}

fn read_chunked(reader: &mut impl BufRead) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let size_line = read_line(reader)?;
        let size_text = size_line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_line:?}"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            while !read_line(reader)?.is_empty() {}
            return Ok(body);
        }
        if body.len() + size > BODY_LIMIT {
            return Err("chunked reply body is over the limit".into());
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader
            .read_exact(&mut body[start..])
            .map_err(|e| format!("reading a {size}-byte chunk: {e}"))?;
        read_line(reader)?;
    }
}
