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

/// Words per block of [`Fletcher64::update_aligned`] (see `block` for the bound).
const BLOCK_WORDS: usize = 1024;

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

    /// Whole words, a block at a time; a trailing partial word is kept as pending.
    fn update_aligned(&mut self, bytes: &[u8]) {
        let whole = bytes.len() / 4 * 4;
        for block in bytes[..whole].chunks(BLOCK_WORDS * 4) {
            self.block(block);
        }
        let rest = &bytes[whole..];
        if !rest.is_empty() {
            let mut last = [0u8; 4];
            last[..rest.len()].copy_from_slice(rest);
            self.pending = last;
            self.pending_len = rest.len();
        }
    }

    /// Adds at most [`BLOCK_WORDS`] whole words. The running sums `a += w; b += a` form one
    /// long dependency chain; four interleaved lanes break it so the processor (or the
    /// vectoriser) can add in parallel. For words `w_1..w_k` the result must be
    /// `a' = a + Σ w_i` and `b' = b + k·a + Σ (k − i + 1)·w_i`. Lane `l` sees the words
    /// `w_{4m+l+1}`; after `K` rounds its `b` is `Σ (K − m)·w`, and since
    /// `k − (4m + l + 1) + 1 = 4(K − m) − l`, the weighted sum is `Σ_l 4·b_l − l·a_l`.
    /// Within a block every sum stays below 2⁵², so one modulus per block suffices.
    fn block(&mut self, block: &[u8]) {
        let mut lane_a = [0u64; 4];
        let mut lane_b = [0u64; 4];
        let mut quads = block.chunks_exact(16);
        for quad in quads.by_ref() {
            for (l, word) in quad.chunks_exact(4).enumerate() {
                lane_a[l] += u64::from(u32::from_le_bytes([word[0], word[1], word[2], word[3]]));
                lane_b[l] += lane_a[l];
            }
        }
        let k = (block.len() / 16 * 4) as u64;
        let sum: u64 = lane_a.iter().sum();
        let weighted: u64 = (0..4).map(|l| 4 * lane_b[l] - l as u64 * lane_a[l]).sum();
        self.b += k * self.a + weighted;
        self.a += sum;
        for word in quads.remainder().chunks_exact(4) {
            self.a += u64::from(u32::from_le_bytes([word[0], word[1], word[2], word[3]]));
            self.b += self.a;
        }
        self.a %= MOD;
        self.b %= MOD;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, one word at a time, reduced at every step.
    fn reference(bytes: &[u8]) -> u64 {
        let (mut a, mut b) = (0u64, 0u64);
        for word in bytes.chunks(4) {
            let mut w = [0u8; 4];
            w[..word.len()].copy_from_slice(word);
            a = (a + u64::from(u32::from_le_bytes(w))) % MOD;
            b = (b + a) % MOD;
        }
        (b << 32) | a
    }

    /// Deterministic bytes that reach the top of the word range (the worst case for the
    /// unreduced block sums).
    fn bytes(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if i % 3 == 0 { 0xFF } else { x as u8 }
            })
            .collect()
    }

    #[test]
    fn matches_the_definition_for_every_length_and_split() {
        let lens = (0..70).chain([1023, 4095, 4096, 4097, 4100, 8192 + 13, 65_536, 200_001]);
        for (n, len) in lens.enumerate() {
            let data = bytes(len, n as u64);
            assert_eq!(fletcher64(&data), reference(&data), "length {len}");
            for split in [1, 3, 5, 4096, 16_385] {
                let mut f = Fletcher64::default();
                for piece in data.chunks(split) {
                    f.update(piece);
                }
                assert_eq!(f.finish(), reference(&data), "length {len} split {split}");
            }
        }
    }

    #[test]
    fn all_ones_words_do_not_overflow_a_block() {
        let data = vec![0xFF; BLOCK_WORDS * 4 * 3 + 7];
        assert_eq!(fletcher64(&data), reference(&data));
    }
}
