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
//! The protocol's facts — version, chunk size, error codes, marker and checksum — are
//! the host contract's, defined in `signalk_plugin_abi::chunked` and re-exported here.
//! To build a large HTTP body, see [`BodyWriter`](crate::http::BodyWriter).
//!
//! ```
//! use signalk_plugin::chunked;
//!
//! assert_eq!(chunked::fletcher64(b"abcd"), (0x6463_6261 << 32) | 0x6463_6261);
//! assert_eq!(chunked::ChunkError::OutOfOrder.code(), -2);
//! ```

pub use crate::__private::park::{MAX_PARKED, enabled};
pub use signalk_plugin_abi::chunked::{
    CLOSE, ChunkError, Fletcher64, HELLO, MAX_CHUNK, Marker, READ, VERSION, fletcher64,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Fletcher-64's modulus, 2³²−1, for the reference computation below.
    const MOD: u64 = 0xFFFF_FFFF;

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
}
