//! Reading and writing guest linear memory the way the host does (§1.2, §1.3): every
//! access is bounds-checked and a bad pointer is a failure value, never a trap or a
//! host panic.

use wasmtime::{AsContext, AsContextMut};

use crate::state::HostState;

fn range(ptr: i32, len: i32, memory_len: usize) -> Option<std::ops::Range<usize>> {
    // i32 values reach the host signed; a negative pointer or length fails the view.
    let start = usize::try_from(ptr).ok()?;
    let len = usize::try_from(len).ok()?;
    let end = start.checked_add(len)?;
    (end <= memory_len).then_some(start..end)
}

/// Runs `f` on the `len` bytes at `ptr` in guest memory, where they are (no copy);
/// `None` if the guest has no memory yet or the bytes are not all in it.
fn view<T>(
    ctx: &impl AsContext<Data = HostState>,
    ptr: i32,
    len: i32,
    f: impl FnOnce(&[u8]) -> T,
) -> Option<T> {
    let store = ctx.as_context();
    let memory = store.data().exports?.memory;
    let data = memory.data(&store);
    range(ptr, len, data.len()).map(|r| f(&data[r]))
}

/// Copies `len` bytes at `ptr` out of guest memory.
pub(crate) fn read(ctx: &impl AsContext<Data = HostState>, ptr: i32, len: i32) -> Option<Vec<u8>> {
    view(ctx, ptr, len, <[u8]>::to_vec)
}

/// Copies `out.len()` bytes at `ptr` into `out`; false if they are not all in memory.
pub(crate) fn read_into(ctx: &impl AsContext<Data = HostState>, ptr: i32, out: &mut [u8]) -> bool {
    let len = i32::try_from(out.len()).unwrap_or(-1);
    view(ctx, ptr, len, |bytes| out.copy_from_slice(bytes)).is_some()
}

/// Decodes a `(ptr, len)` string like the host's non-fatal `TextDecoder`: invalid UTF-8
/// becomes U+FFFD and a leading BOM is dropped.
pub(crate) fn read_text(
    ctx: &impl AsContext<Data = HostState>,
    ptr: i32,
    len: i32,
) -> Option<String> {
    // Decoded straight from linear memory: one copy, not a copy and then a decoded copy.
    view(ctx, ptr, len, decode)
}

/// The host's decoding of guest bytes.
pub(crate) fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes `bytes` at `ptr`; false (and nothing written) if any byte falls outside memory.
pub(crate) fn write(ctx: &mut impl AsContextMut<Data = HostState>, ptr: i32, bytes: &[u8]) -> bool {
    let mut store = ctx.as_context_mut();
    let Some(exports) = store.data().exports else {
        return false;
    };
    let data = exports.memory.data_mut(&mut store);
    let Some(r) = range(ptr, i32::try_from(bytes.len()).unwrap_or(-1), data.len()) else {
        return false;
    };
    data[r].copy_from_slice(bytes);
    true
}

/// Current size of linear memory in bytes.
pub(crate) fn size(ctx: &impl AsContext<Data = HostState>) -> usize {
    let store = ctx.as_context();
    store
        .data()
        .exports
        .map_or(0, |e| e.memory.data_size(&store))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_reject_negative_and_overflowing_values() {
        assert_eq!(range(0, 4, 4), Some(0..4));
        assert_eq!(range(1, 4, 4), None);
        assert_eq!(range(-1, 1, 4), None);
        assert_eq!(range(0, -1, 4), None);
        assert_eq!(
            range(i32::MAX, i32::MAX, usize::MAX),
            Some(i32::MAX as usize..(i32::MAX as usize) * 2)
        );
    }

    #[test]
    fn decoding_is_lossy_and_drops_a_bom() {
        assert_eq!(decode(b"\xEF\xBB\xBFhi"), "hi");
        assert_eq!(decode(b"a\xFFb"), "a\u{FFFD}b");
    }
}
