//! The chunked channel, protocol v1 (`docs/chunked-channel.md`): the wire facts both
//! ends share — export names, the version, chunk size, result codes, the marker and
//! the checksum. The guest's parking and the host's reader are built on these.

use std::fmt;

/// The protocol version this crate describes.
pub const VERSION: i32 = 1;

/// Largest chunk a host may ask for in one `skc_v1_read`.
pub const MAX_CHUNK: usize = 65_536;

/// `skc_v1_hello(host_version) -> guest_version`: the host announces the channel; the
/// guest answers the version it speaks, or 0 for none.
pub const HELLO: &str = "skc_v1_hello";
/// `skc_v1_read(handle, offset, out_ptr, out_max) -> written or error`.
pub const READ: &str = "skc_v1_read";
/// `skc_v1_close(handle) -> 0 or error`.
pub const CLOSE: &str = "skc_v1_close";

/// A negative result of `skc_v1_read` or `skc_v1_close`.
///
/// ```
/// use signalk_plugin_abi::chunked::ChunkError;
/// assert_eq!(ChunkError::from_code(-2), Some(ChunkError::OutOfOrder));
/// assert_eq!(ChunkError::OutOfOrder.code(), -2);
/// assert_eq!(ChunkError::from_code(-4), None);
/// assert_eq!(ChunkError::BadBuffer.to_string(), "bad buffer");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ChunkError {
    /// The handle is unknown or already closed.
    UnknownHandle = -1,
    /// `skc_v1_read`: the offset is not the next byte.
    OutOfOrder = -2,
    /// `skc_v1_read`: the output buffer is null, empty or larger than [`MAX_CHUNK`].
    BadBuffer = -3,
}

impl ChunkError {
    /// The code as the export returns it.
    #[must_use]
    pub const fn code(self) -> i32 {
        self as i32
    }

    /// The error a code stands for; `None` for a code the protocol does not define.
    #[must_use]
    pub const fn from_code(code: i32) -> Option<ChunkError> {
        match code {
            -1 => Some(ChunkError::UnknownHandle),
            -2 => Some(ChunkError::OutOfOrder),
            -3 => Some(ChunkError::BadBuffer),
            _ => None,
        }
    }
}

impl fmt::Display for ChunkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChunkError::UnknownHandle => "unknown handle",
            ChunkError::OutOfOrder => "out of order",
            ChunkError::BadBuffer => "bad buffer",
        })
    }
}

impl std::error::Error for ChunkError {}

/// Fletcher-64 over little-endian `u32` words (the last one zero-padded), modulo
/// 2³²−1, as `(b << 32) | a`. Position-dependent: a swapped or repeated chunk changes it.
///
/// ```
/// use signalk_plugin_abi::chunked::fletcher64;
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
/// use signalk_plugin_abi::chunked::{Fletcher64, fletcher64};
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
/// use signalk_plugin_abi::chunked::Marker;
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
