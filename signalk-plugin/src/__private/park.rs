//! The guest's half of the chunked channel (protocol v1, `docs/chunked-channel.md`):
//! replies too large for the host's buffer are *parked* here and read back by the host
//! through the `skc_v1_*` exports. The protocol facts (version, chunk size, error codes,
//! marker, checksum) come from `signalk_plugin_abi::chunked`; the public face is
//! [`crate::chunked`].

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use signalk_plugin_abi::chunked::{ChunkError, MAX_CHUNK, Marker, VERSION, fletcher64};

/// Most replies parked at once; parking one more releases the oldest.
///
/// ```
/// assert_eq!(signalk_plugin::chunked::MAX_PARKED, 64);
/// ```
pub const MAX_PARKED: usize = 64;

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

/// Whether the host announced the channel (by calling `skc_v1_hello`).
///
/// ```
/// // Only a host that speaks the channel calls `skc_v1_hello`; natively nobody does.
/// assert!(!signalk_plugin::chunked::enabled());
/// ```
#[must_use]
pub fn enabled() -> bool {
    ENABLED.with(Cell::get)
}

/// `skc_v1_hello`: the host's version in, ours out.
pub fn hello(host_version: i32) -> i32 {
    let on = host_version >= VERSION;
    ENABLED.with(|e| e.set(on));
    if on { VERSION } else { 0 }
}

/// Returns `bytes` if they fit `max`; otherwise parks them and returns the marker when
/// the host speaks the channel, or `oversize(len)` (a well-formed error reply) when not.
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
pub fn read(handle: i32, offset: i32, out: &mut [u8]) -> i32 {
    PARKED.with(|p| {
        let mut parked = p.borrow_mut();
        let Some(entry) = parked.iter_mut().find(|e| e.handle == handle) else {
            return ChunkError::UnknownHandle.code();
        };
        if usize::try_from(offset).ok() != Some(entry.next) {
            return ChunkError::OutOfOrder.code();
        }
        let n = out.len().min(entry.bytes.len() - entry.next);
        out[..n].copy_from_slice(&entry.bytes[entry.next..entry.next + n]);
        entry.next += n;
        n as i32
    })
}

/// `skc_v1_close`.
pub fn close(handle: i32) -> i32 {
    PARKED.with(|p| {
        let mut parked = p.borrow_mut();
        match parked.iter().position(|e| e.handle == handle) {
            Some(i) => {
                parked.remove(i);
                0
            }
            None => ChunkError::UnknownHandle.code(),
        }
    })
}

/// Checks `skc_v1_read`'s buffer arguments: a length in `1..=MAX_CHUNK`, a non-null pointer.
#[must_use]
pub fn valid_buffer(ptr: i32, max: i32) -> Option<usize> {
    let max = usize::try_from(max)
        .ok()
        .filter(|m| (1..=MAX_CHUNK).contains(m))?;
    (ptr != 0).then_some(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reset() {
        ENABLED.with(|e| e.set(false));
        PARKED.with(|p| p.borrow_mut().clear());
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
        assert_eq!(
            read(marker.handle, 10, &mut buf),
            ChunkError::OutOfOrder.code()
        );
        assert_eq!(
            read(marker.handle + 1, 0, &mut buf),
            ChunkError::UnknownHandle.code()
        );
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
        assert_eq!(close(marker.handle), ChunkError::UnknownHandle.code());
    }

    #[test]
    fn at_most_64_replies_stay_parked() {
        reset();
        hello(1);
        let first = Marker::parse(&fit(vec![0; 500], 120, |_| unreachable!())).unwrap();
        for _ in 0..MAX_PARKED {
            let _ = fit(vec![0; 500], 120, |_| unreachable!());
        }
        assert_eq!(
            read(first.handle, 0, &mut [0; 4]),
            ChunkError::UnknownHandle.code()
        );
        assert_eq!(PARKED.with(|p| p.borrow().len()), MAX_PARKED);
    }

    #[test]
    fn buffers_are_validated() {
        assert_eq!(valid_buffer(16, MAX_CHUNK as i32), Some(MAX_CHUNK));
        assert_eq!(valid_buffer(16, MAX_CHUNK as i32 + 1), None);
        assert_eq!(valid_buffer(0, 10), None);
        assert_eq!(valid_buffer(16, 0), None);
    }
}
