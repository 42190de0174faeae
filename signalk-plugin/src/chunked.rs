//! The chunked channel (protocol v1, `docs/chunked-channel.md`): replies larger than
//! the host's fixed buffers, carried intact.
//!
//! You rarely touch this module: HTTP and provider replies use it automatically. When
//! a reply does not fit the host's buffer and the host has announced the channel (by
//! calling the `skc_v1_hello` export the macro generates), the reply is *parked* and a
//! small marker goes into the buffer instead; the host then pulls the bytes in chunks.
//! On a host without the channel (signalk-server 2.32.0), an oversize reply becomes a
//! clear error reply instead — never truncated output.
//!
//! The channel needs no host import, so a plugin using it still loads everywhere.
//!
//! [`BodyWriter`] is the streaming side for handler authors: write a large body with
//! `std::io::Write` (for example `serde_json::to_writer`), then turn it into a response.
//!
//! ```
//! use std::io::Write;
//! use signalk_plugin::chunked::{self, BodyWriter};
//!
//! let mut body = BodyWriter::new();
//! for i in 0..3 {
//!     writeln!(body, "line {i}").unwrap();
//! }
//! let response = body.into_text("text/plain");
//! assert_eq!(response.header("content-type"), Some("text/plain"));
//! assert_eq!(chunked::fletcher64(b"abcd"), (0x6463_6261 << 32) | 0x6463_6261);
//! ```

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use crate::http::HttpResponse;

/// The protocol version this SDK speaks.
pub const VERSION: i32 = 1;

/// Largest chunk a host may ask for.
pub const MAX_CHUNK: usize = 65_536;

/// Most replies parked at once; parking one more releases the oldest.
pub const MAX_PARKED: usize = 64;

/// `skc_v1_read`/`skc_v1_close`: unknown or closed handle.
pub const ERR_UNKNOWN_HANDLE: i32 = -1;
/// `skc_v1_read`: the offset is not the next byte.
pub const ERR_OUT_OF_ORDER: i32 = -2;
/// `skc_v1_read`: bad output buffer.
pub const ERR_BAD_BUFFER: i32 = -3;

/// Fletcher-64 over little-endian `u32` words (the last one zero-padded), modulo
/// 2³²−1, as `(b << 32) | a`. Position-dependent: a swapped or repeated chunk changes it.
///
/// ```
/// use signalk_plugin::chunked::fletcher64;
/// assert_eq!(fletcher64(b""), 0);
/// assert_ne!(fletcher64(b"abcdefgh"), fletcher64(b"efghabcd"));
/// ```
#[must_use]
pub fn fletcher64(bytes: &[u8]) -> u64 {
    let mut sum = Fletcher64::default();
    sum.update_aligned(bytes);
    sum.finish()
}

/// Incremental Fletcher-64 for data that arrives in pieces (any split).
///
/// ```
/// use signalk_plugin::chunked::{Fletcher64, fletcher64};
/// let mut f = Fletcher64::default();
/// f.update(b"abc");
/// f.update(b"defgh");
/// assert_eq!(f.finish(), fletcher64(b"abcdefgh"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Fletcher64 {
    a: u64,
    b: u64,
    pending: [u8; 4],
    pending_len: usize,
}

const MOD: u64 = 0xFFFF_FFFF;

impl Fletcher64 {
    /// Adds bytes.
    pub fn update(&mut self, mut bytes: &[u8]) {
        if self.pending_len > 0 {
            let take = (4 - self.pending_len).min(bytes.len());
            self.pending[self.pending_len..self.pending_len + take].copy_from_slice(&bytes[..take]);
            self.pending_len += take;
            bytes = &bytes[take..];
            if self.pending_len < 4 {
                return;
            }
            self.word(u32::from_le_bytes(self.pending));
            self.pending_len = 0;
        }
        let whole = bytes.len() / 4 * 4;
        self.update_aligned(&bytes[..whole]);
        let rest = &bytes[whole..];
        self.pending[..rest.len()].copy_from_slice(rest);
        self.pending_len = rest.len();
    }

    /// Words in blocks, reducing only every few hundred words: `a` and `b` stay far
    /// below 2⁶⁴ in between, and the modulus is applied once per block.
    fn update_aligned(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(4);
        loop {
            let mut n = 0;
            for w in words.by_ref().take(256) {
                self.a += u64::from(u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
                self.b += self.a;
                n += 1;
            }
            self.a %= MOD;
            self.b %= MOD;
            if n < 256 {
                break;
            }
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 4];
            last[..rest.len()].copy_from_slice(rest);
            self.pending = last;
            self.pending_len = rest.len();
        }
    }

    fn word(&mut self, w: u32) {
        self.a = (self.a + u64::from(w)) % MOD;
        self.b = (self.b + self.a) % MOD;
    }

    /// The checksum of everything added (a trailing partial word is zero-padded).
    #[must_use]
    pub fn finish(mut self) -> u64 {
        if self.pending_len > 0 {
            self.pending[self.pending_len..].fill(0);
            self.word(u32::from_le_bytes(self.pending));
        }
        (self.b << 32) | self.a
    }
}

/// The marker written into the host's buffer in place of a parked reply.
///
/// ```
/// use signalk_plugin::chunked::Marker;
/// let m = Marker { handle: 7, length: 100_000, checksum: 0xabc };
/// let text = m.to_json();
/// assert_eq!(text, r#"{"$skc":1,"handle":7,"length":100000,"checksum":"fletcher64:0x0000000000000abc"}"#);
/// assert_eq!(Marker::parse(text.as_bytes()), Some(m));
/// assert_eq!(Marker::parse(br#"{"statusCode":200}"#), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    /// The parked reply's handle.
    pub handle: i32,
    /// Its length in bytes.
    pub length: u32,
    /// Its Fletcher-64.
    pub checksum: u64,
}

impl Marker {
    /// The marker's JSON text.
    #[must_use]
    pub fn to_json(&self) -> String {
        format!(
            r#"{{"$skc":{VERSION},"handle":{},"length":{},"checksum":"fletcher64:0x{:016x}"}}"#,
            self.handle, self.length, self.checksum
        )
    }

    /// Recognises a marker (`None` for any ordinary reply). Hosts use this.
    #[must_use]
    pub fn parse(bytes: &[u8]) -> Option<Marker> {
        if !bytes.starts_with(br#"{"$skc":"#) {
            return None;
        }
        #[derive(serde::Deserialize)]
        struct Wire<'a> {
            #[serde(rename = "$skc")]
            version: i32,
            handle: i32,
            length: u32,
            checksum: &'a str,
        }
        let wire: Wire<'_> = serde_json::from_slice(bytes).ok()?;
        let hex = wire.checksum.strip_prefix("fletcher64:0x")?;
        (wire.version == VERSION && wire.handle > 0 && hex.len() == 16).then_some(())?;
        Some(Marker {
            handle: wire.handle,
            length: wire.length,
            checksum: u64::from_str_radix(hex, 16).ok()?,
        })
    }
}

struct Parked {
    handle: i32,
    bytes: Box<[u8]>,
    /// Next offset the host may read.
    next: usize,
}

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(false) };
    static PARKED: RefCell<VecDeque<Parked>> = const { RefCell::new(VecDeque::new()) };
    static NEXT_HANDLE: Cell<i32> = const { Cell::new(0) };
}

/// Whether the host announced the channel.
#[must_use]
pub fn enabled() -> bool {
    ENABLED.with(Cell::get)
}

/// `skc_v1_hello`: the host's version in, ours out.
#[doc(hidden)]
pub fn hello(host_version: i32) -> i32 {
    let on = host_version >= VERSION;
    ENABLED.with(|e| e.set(on));
    if on { VERSION } else { 0 }
}

/// Returns `bytes` if they fit `max`; otherwise parks them and returns the marker when
/// the host speaks the channel, or `oversize(len)` (a well-formed error reply) when not.
#[doc(hidden)]
pub fn fit(bytes: Vec<u8>, max: usize, oversize: impl FnOnce(usize) -> Vec<u8>) -> Vec<u8> {
    if bytes.len() <= max {
        return bytes;
    }
    let Ok(length) = u32::try_from(bytes.len()) else {
        return oversize(bytes.len());
    };
    if !enabled() {
        return oversize(bytes.len());
    }
    let checksum = fletcher64(&bytes);
    let handle = NEXT_HANDLE.with(|n| {
        let next = if n.get() == i32::MAX { 1 } else { n.get() + 1 };
        n.set(next);
        next
    });
    PARKED.with(|p| {
        let mut parked = p.borrow_mut();
        if parked.len() >= MAX_PARKED {
            parked.pop_front();
        }
        parked.push_back(Parked {
            handle,
            bytes: bytes.into_boxed_slice(),
            next: 0,
        });
    });
    let marker = Marker {
        handle,
        length,
        checksum,
    }
    .to_json()
    .into_bytes();
    if marker.len() <= max {
        marker
    } else {
        oversize(length as usize)
    }
}

/// `skc_v1_read`, minus the pointer: fills `out` from `offset`.
#[doc(hidden)]
pub fn read(handle: i32, offset: i32, out: &mut [u8]) -> i32 {
    PARKED.with(|p| {
        let mut parked = p.borrow_mut();
        let Some(entry) = parked.iter_mut().find(|e| e.handle == handle) else {
            return ERR_UNKNOWN_HANDLE;
        };
        if usize::try_from(offset).ok() != Some(entry.next) {
            return ERR_OUT_OF_ORDER;
        }
        let n = out.len().min(entry.bytes.len() - entry.next);
        out[..n].copy_from_slice(&entry.bytes[entry.next..entry.next + n]);
        entry.next += n;
        n as i32
    })
}

/// `skc_v1_close`.
#[doc(hidden)]
pub fn close(handle: i32) -> i32 {
    PARKED.with(|p| {
        let mut parked = p.borrow_mut();
        match parked.iter().position(|e| e.handle == handle) {
            Some(i) => {
                parked.remove(i);
                0
            }
            None => ERR_UNKNOWN_HANDLE,
        }
    })
}

/// Checks `skc_v1_read`'s buffer arguments: a length in `1..=MAX_CHUNK`, a non-null pointer.
#[doc(hidden)]
#[must_use]
pub fn valid_buffer(ptr: i32, max: i32) -> Option<usize> {
    let max = usize::try_from(max)
        .ok()
        .filter(|m| (1..=MAX_CHUNK).contains(m))?;
    (ptr != 0).then_some(max)
}

/// A growing body for large responses, written with `std::io::Write`.
///
/// ```
/// use signalk_plugin::chunked::BodyWriter;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn reset() {
        ENABLED.with(|e| e.set(false));
        PARKED.with(|p| p.borrow_mut().clear());
    }

    #[test]
    fn incremental_checksum_matches_for_any_split() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 7 + 3) as u8).collect();
        let whole = fletcher64(&data);
        for split in [0, 1, 2, 3, 5, 1023, 4096, 4999, 5000] {
            let mut f = Fletcher64::default();
            f.update(&data[..split]);
            f.update(&data[split..]);
            assert_eq!(f.finish(), whole, "split at {split}");
        }
        // Reference: the definition, one word at a time.
        let mut a = 0u64;
        let mut b = 0u64;
        for w in data.chunks(4) {
            let mut word = [0u8; 4];
            word[..w.len()].copy_from_slice(w);
            a = (a + u64::from(u32::from_le_bytes(word))) % MOD;
            b = (b + a) % MOD;
        }
        assert_eq!(whole, (b << 32) | a);
    }

    #[test]
    fn without_hello_oversize_replies_become_the_error_reply() {
        reset();
        let out = fit(vec![b'x'; 10], 4, |len| {
            format!("too big: {len}").into_bytes()
        });
        assert_eq!(out, b"too big: 10");
        assert_eq!(fit(vec![1, 2], 4, |_| unreachable!()), [1, 2]);
    }

    #[test]
    fn parked_replies_are_read_in_order_and_closed() {
        reset();
        assert_eq!(hello(1), 1);
        // Big enough for the marker (about 90 bytes), too small for the data.
        let data: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        let marker = Marker::parse(&fit(data.clone(), 120, |_| unreachable!())).unwrap();
        assert_eq!(marker.length, 1000);
        assert_eq!(marker.checksum, fletcher64(&data));
        let mut buf = [0u8; 64];
        assert_eq!(read(marker.handle, 10, &mut buf), ERR_OUT_OF_ORDER);
        assert_eq!(read(marker.handle + 1, 0, &mut buf), ERR_UNKNOWN_HANDLE);
        let mut got = Vec::new();
        loop {
            let n = read(marker.handle, got.len() as i32, &mut buf);
            assert!(n >= 0);
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n as usize]);
        }
        assert_eq!(got, data);
        assert_eq!(close(marker.handle), 0);
        assert_eq!(close(marker.handle), ERR_UNKNOWN_HANDLE);
    }

    #[test]
    fn at_most_64_replies_stay_parked() {
        reset();
        hello(1);
        let first = Marker::parse(&fit(vec![0; 500], 120, |_| unreachable!())).unwrap();
        for _ in 0..MAX_PARKED {
            let _ = fit(vec![0; 500], 120, |_| unreachable!());
        }
        assert_eq!(read(first.handle, 0, &mut [0; 4]), ERR_UNKNOWN_HANDLE);
        assert_eq!(PARKED.with(|p| p.borrow().len()), MAX_PARKED);
    }

    #[test]
    fn buffers_are_validated() {
        assert_eq!(valid_buffer(16, 65_536), Some(65_536));
        assert_eq!(valid_buffer(16, 65_537), None);
        assert_eq!(valid_buffer(0, 10), None);
        assert_eq!(valid_buffer(16, 0), None);
    }
}
