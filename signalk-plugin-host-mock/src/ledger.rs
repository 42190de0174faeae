//! The alloc/dealloc ledger: every buffer the host asks the guest for, and whether it
//! was given back with the same size (§1.4, §4.2).

use std::collections::BTreeMap;

/// A problem the ledger found in the guest's allocator or in the host's use of it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LedgerIssue {
    /// `allocate(size)` returned 0 (the real host writes to address 0 anyway, except
    /// for metadata calls).
    NullAllocation { size: u32 },
    /// `allocate` returned a region that is not inside linear memory.
    OutOfBounds { ptr: u32, size: u32 },
    /// `allocate` returned a region overlapping a buffer that is still live.
    Overlap { ptr: u32, size: u32, live_ptr: u32 },
    /// A buffer the host never gave back because the export trapped; the real host leaks
    /// it the same way (HTTP, PUT and provider calls).
    LeakedOnTrap { ptr: u32, size: u32, export: String },
}

/// What the ledger saw over the life of a host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerReport {
    /// `allocate` calls made by the host.
    pub allocations: u64,
    /// `deallocate` calls made by the host.
    pub deallocations: u64,
    /// Bytes requested over all allocations.
    pub bytes_requested: u64,
    /// Buffers still live (ptr → size); empty between calls unless a call trapped.
    pub live: BTreeMap<u32, u32>,
    /// Problems found.
    pub issues: Vec<LedgerIssue>,
}

#[derive(Debug, Default)]
pub(crate) struct Ledger {
    pub(crate) report: LedgerReport,
}

impl Ledger {
    pub(crate) fn allocated(&mut self, ptr: u32, size: u32, memory_len: usize) {
        let r = &mut self.report;
        r.allocations += 1;
        r.bytes_requested += u64::from(size);
        if ptr == 0 && size > 0 {
            r.issues.push(LedgerIssue::NullAllocation { size });
            return;
        }
        if u64::from(ptr) + u64::from(size) > memory_len as u64 {
            r.issues.push(LedgerIssue::OutOfBounds { ptr, size });
        }
        if size > 0 {
            let end = u64::from(ptr) + u64::from(size);
            if let Some((&live_ptr, _)) = r.live.iter().find(|&(&p, &s)| {
                s > 0 && u64::from(p) < end && u64::from(ptr) < u64::from(p) + u64::from(s)
            }) {
                r.issues.push(LedgerIssue::Overlap {
                    ptr,
                    size,
                    live_ptr,
                });
            }
        }
        r.live.insert(ptr, size);
    }

    pub(crate) fn deallocated(&mut self, ptr: u32) {
        self.report.deallocations += 1;
        self.report.live.remove(&ptr);
    }

    pub(crate) fn leaked_on_trap(&mut self, ptr: u32, export: &str) {
        if let Some(size) = self.report.live.remove(&ptr) {
            self.report.issues.push(LedgerIssue::LeakedOnTrap {
                ptr,
                size,
                export: export.to_owned(),
            });
        }
    }
}
