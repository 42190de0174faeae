//! Guest memory the host lends to or borrows from the plugin (§1.4, §4.2).
//!
//! `allocate(n)` hands out an exact `n`-byte block described by a [`Layout`];
//! `deallocate(ptr, n)` frees it with the same layout. No capacities are guessed.
//! The host never checks lengths, so [`write_output`] refuses to write more than the
//! host's buffer holds: that is what turns "silent truncation" into an error.

use std::alloc::{Layout, alloc, dealloc};

/// `allocate(size)`: returns a pointer to `size` writable bytes, or 0 on failure.
///
/// A zero-size request returns a dangling, non-null pointer that must not be read;
/// `deallocate` ignores it.
pub fn allocate(size: i32) -> i32 {
    let Ok(size) = usize::try_from(size) else {
        return 0;
    };
    if size == 0 {
        return 1;
    }
    match Layout::from_size_align(size, 1) {
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => unsafe { alloc(layout) as usize as i32 },
        Err(_) => 0,
    }
}

/// `deallocate(ptr, size)`: frees a block returned by [`allocate`] with the same size.
///
/// # Safety
/// `ptr` must come from `allocate(size)` and not have been freed yet.
pub unsafe fn deallocate(ptr: i32, size: i32) {
    let Ok(size) = usize::try_from(size) else {
        return;
    };
    if size == 0 || ptr == 0 {
        return;
    }
    if let Ok(layout) = Layout::from_size_align(size, 1) {
        // SAFETY: guaranteed by the caller.
        unsafe { dealloc(ptr as usize as *mut u8, layout) }
    }
}

/// Borrows `len` bytes the host placed at `ptr`.
///
/// # Safety
/// `ptr..ptr+len` must be a live block of guest memory (as the host guarantees for the
/// input buffer of an export call), not mutated while the slice lives.
pub unsafe fn input<'a>(ptr: i32, len: i32) -> &'a [u8] {
    let len = usize::try_from(len).unwrap_or(0);
    if len == 0 || ptr == 0 {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts(ptr as usize as *const u8, len) }
}

/// The host's output buffer as a writable slice (for the chunked channel's reads).
///
/// # Safety
/// `ptr..ptr+len` must be a writable block of guest memory that nothing else uses while
/// the slice lives (the host's output buffer of the current call); `ptr` is not null.
pub unsafe fn output<'a>(ptr: i32, len: usize) -> &'a mut [u8] {
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts_mut(ptr as usize as *mut u8, len) }
}

/// Copies `data` into the host's output buffer, or returns `None` if it does not fit.
///
/// # Safety
/// `ptr..ptr+max` must be a writable block of guest memory (the host's output buffer).
pub unsafe fn write_output(ptr: i32, max: i32, data: &[u8]) -> Option<i32> {
    let max = usize::try_from(max).ok()?;
    if data.len() > max || ptr == 0 {
        return None;
    }
    // SAFETY: the destination holds `max >= data.len()` bytes (caller), the source is a
    // valid slice, and they cannot overlap because `data` is owned by the guest code.
    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), ptr as usize as *mut u8, data.len()) };
    i32::try_from(data.len()).ok()
}

unsafe extern "C" {
    /// The lowest address of the shadow stack (defined by the linker).
    static __stack_low: u8;
}

/// Bytes of shadow stack left below the caller. A trap skips every epilogue, so the
/// stack the trapped frames held is never given back (`__stack_pointer` stays where
/// the trap left it): this shrinks with each trap.
#[inline(never)]
pub fn stack_left() -> usize {
    let here = std::hint::black_box(0u8);
    let here = &raw const here as usize;
    // Only the address of the linker symbol is taken (safe), never read through.
    let low = &raw const __stack_low as usize;
    here.saturating_sub(low)
}
