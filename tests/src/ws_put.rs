//! PUT over the real server's WebSocket stream: connect to `/signalk/v1/stream` with no
//! subscription, send one `{context, requestId, put: {path, value}}` message and collect
//! every message that follows until the server has been quiet for a moment. The hello
//! message the server sends on connect is not part of the answer.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;
use tungstenite::{Message, WebSocket};

/// How long the stream must stay quiet after a message before the answer is taken as
/// complete (2.32.0 sends both replies within a few milliseconds).
const QUIET: Duration = Duration::from_millis(400);

/// The longest a PUT may take in all, and the longest wait for its first reply.
const OVERALL: Duration = Duration::from_secs(10);

/// Sends one PUT request over a fresh WebSocket to `addr` (`host:port`) and returns the
/// messages received after the hello, in order.
///
/// # Errors
///
/// A message naming what failed: connecting, the handshake, the hello, sending, or a
/// message that is not JSON text.
pub fn ws_put(
    addr: &str,
    context: &str,
    path: &str,
    value_json: &str,
    request_id: &str,
) -> Result<Vec<Value>, String> {
    let value: Value =
        serde_json::from_str(value_json).map_err(|e| format!("the PUT value is not JSON: {e}"))?;
    let stream = TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
    let url = format!("ws://{addr}/signalk/v1/stream?subscribe=none");
    let (mut socket, _) =
        tungstenite::client(url.as_str(), stream).map_err(|e| format!("handshake {url}: {e}"))?;
    set_timeout(&socket, OVERALL)?;
    let hello = next_json(&mut socket)?.ok_or("the server sent no hello")?;
    if hello.get("name").is_none() {
        return Err(format!("the first message is not the hello: {hello}"));
    }
    let request = serde_json::json!({
        "context": context,
        "requestId": request_id,
        "put": {"path": path, "value": value},
    });
    socket
        .send(Message::text(request.to_string()))
        .map_err(|e| format!("sending the PUT: {e}"))?;
    // The first reply may take a while on a busy machine; after it, a quiet moment
    // ends the answer.
    let started = Instant::now();
    let mut answer = Vec::new();
    while started.elapsed() < OVERALL {
        match next_json(&mut socket)? {
            Some(message) => {
                answer.push(message);
                set_timeout(&socket, QUIET)?;
            }
            None => break,
        }
    }
    let _ = socket.close(None);
    Ok(answer)
}

fn set_timeout(socket: &WebSocket<TcpStream>, timeout: Duration) -> Result<(), String> {
    socket
        .get_ref()
        .set_read_timeout(Some(timeout))
        .map_err(|e| format!("set timeout: {e}"))
}

/// The next JSON text message; `None` when the read timed out (the stream is quiet) or
/// the server closed.
fn next_json(socket: &mut WebSocket<TcpStream>) -> Result<Option<Value>, String> {
    loop {
        match socket.read() {
            Ok(Message::Text(text)) => {
                return serde_json::from_str(text.as_str())
                    .map(Some)
                    .map_err(|e| format!("a message is not JSON ({e}): {text}"));
            }
            Ok(Message::Close(_)) => return Ok(None),
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(None);
            }
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                return Ok(None);
            }
            Err(e) => return Err(format!("reading the stream: {e}")),
        }
    }
}
