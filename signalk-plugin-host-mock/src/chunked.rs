//! The host side of the chunked channel (`docs/chunked-channel.md`): announce it with
//! `skc_v1_hello`, recognise a marker in a reply, and pull the parked bytes through
//! `skc_v1_read` — as a [`std::io::Read`] — verifying order, length and checksum.
//!
//! Host memory stays at the payload: chunks are copied from the guest's buffer straight
//! into the caller's slice, and the one chunk buffer lives in guest memory.

use std::io::Read;
use std::time::{Duration, Instant};

use signalk_plugin::chunked::{Fletcher64, MAX_CHUNK, Marker};

use crate::guest::{self, Shape};
use crate::host::MockHost;
use crate::{Error, memory};

/// How one chunked transfer went (see [`MockHost::last_transfer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferStats {
    /// Bytes transferred.
    pub bytes: u64,
    /// `skc_v1_read` calls made (including the final one that returned 0).
    pub reads: u32,
    /// Time spent pulling and verifying.
    pub elapsed: Duration,
    /// Largest number of bytes the host held for this transfer (the reassembled payload;
    /// the chunk buffer is guest memory).
    pub host_bytes_held: u64,
}

/// Streams one parked reply out of the guest. Dropping it closes the handle.
///
/// Obtained from [`MockHost::open_parked`]; most tests never see it because HTTP and
/// provider calls reassemble replies themselves.
pub struct ChunkReader<'h> {
    host: &'h mut MockHost,
    marker: Marker,
    offset: u64,
    buffer: Option<(u32, u32)>,
    sum: Fletcher64,
    reads: u32,
    finished: bool,
}

impl std::fmt::Debug for ChunkReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkReader")
            .field("marker", &self.marker)
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

fn channel(message: impl Into<String>) -> std::io::Error {
    std::io::Error::other(message.into())
}

impl ChunkReader<'_> {
    /// The marker this reader serves.
    #[must_use]
    pub fn marker(&self) -> Marker {
        self.marker
    }

    fn buffer(&mut self, size: u32) -> std::io::Result<(u32, u32)> {
        match self.buffer {
            Some(b) if b.1 >= size => Ok(b),
            _ => {
                if let Some((ptr, len)) = self.buffer.take() {
                    guest::deallocate(&mut self.host.store, ptr, len)
                        .map_err(|e| channel(e.to_string()))?;
                }
                let ptr = guest::allocate(&mut self.host.store, size)
                    .map_err(|e| channel(e.to_string()))?;
                self.buffer = Some((ptr, size));
                Ok((ptr, size))
            }
        }
    }
}

impl Read for ChunkReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.finished || out.is_empty() {
            return Ok(0);
        }
        let length = u64::from(self.marker.length);
        let want = out.len().min(MAX_CHUNK) as u32;
        let (ptr, _) = self.buffer(MAX_CHUNK as u32)?;
        let func = self
            .host
            .func("skc_v1_read")
            .ok_or_else(|| channel("the guest sent a marker but does not export skc_v1_read"))?;
        let args = [
            self.marker.handle,
            self.offset as i32,
            ptr as i32,
            want as i32,
        ];
        self.reads += 1;
        let n = guest::call(&mut self.host.store, func, "skc_v1_read", &args)
            .map_err(|e| channel(e.to_string()))?
            .unwrap_or(-4);
        match n {
            0 if self.offset == length => {
                let sum = std::mem::take(&mut self.sum).finish();
                if sum != self.marker.checksum {
                    return Err(channel(format!(
                        "checksum mismatch: the marker says fletcher64:0x{:016x}, the {} bytes received give 0x{sum:016x}",
                        self.marker.checksum, length
                    )));
                }
                self.finished = true;
                Ok(0)
            }
            0 => Err(channel(format!(
                "the guest ended the transfer at byte {} of {length}",
                self.offset
            ))),
            n if n < 0 => Err(channel(format!(
                "skc_v1_read(handle {}, offset {}) failed with {n} ({})",
                self.marker.handle,
                self.offset,
                match n {
                    -1 => "unknown handle",
                    -2 => "out of order",
                    -3 => "bad buffer",
                    _ => "unknown error",
                }
            ))),
            n if n as u32 > want => Err(channel(format!(
                "skc_v1_read wrote {n} bytes into a {want}-byte buffer"
            ))),
            n if self.offset + n as u64 > length => Err(channel(format!(
                "the guest sent more than the {length} bytes its marker announced"
            ))),
            n => {
                let n = n as usize;
                if !memory::read_into(&self.host.store, ptr as i32, &mut out[..n]) {
                    return Err(channel("chunk buffer outside guest memory"));
                }
                self.sum.update(&out[..n]);
                self.offset += n as u64;
                Ok(n)
            }
        }
    }
}

impl Drop for ChunkReader<'_> {
    fn drop(&mut self) {
        // Best effort: the guest releases the parked reply, the host its chunk buffer.
        if let Some(close) = self.host.func("skc_v1_close") {
            let _ = guest::call(
                &mut self.host.store,
                close,
                "skc_v1_close",
                &[self.marker.handle],
            );
        }
        if let Some((ptr, len)) = self.buffer.take() {
            let _ = guest::deallocate(&mut self.host.store, ptr, len);
        }
    }
}

impl MockHost {
    /// Announces the channel to a guest that exports `skc_v1_hello` (at load time).
    pub(crate) fn chunked_hello(&mut self) -> Result<(), Error> {
        if !self.store.data().options.chunked_channel {
            return Ok(());
        }
        let Some(hello) = self.func("skc_v1_hello") else {
            return Ok(());
        };
        self.arm();
        let version = guest::call(
            &mut self.store,
            hello,
            "skc_v1_hello",
            &[signalk_plugin::chunked::VERSION],
        )?;
        self.chunked_version = version.filter(|v| *v > 0);
        Ok(())
    }

    /// The channel version agreed with the guest (`None`: not in use).
    #[must_use]
    pub fn chunked_version(&self) -> Option<i32> {
        self.chunked_version
    }

    /// Statistics of the most recent chunked transfer.
    #[must_use]
    pub fn last_transfer(&self) -> Option<TransferStats> {
        self.last_transfer
    }

    /// A reader over the reply parked under `marker`.
    #[must_use]
    pub fn open_parked(&mut self, marker: Marker) -> ChunkReader<'_> {
        ChunkReader {
            host: self,
            marker,
            offset: 0,
            buffer: None,
            sum: Fletcher64::default(),
            reads: 0,
            finished: false,
        }
    }

    /// If `reply` is a marker, pulls and verifies the parked bytes; otherwise returns
    /// `reply` unchanged.
    pub(crate) fn resolve_reply(&mut self, reply: Vec<u8>) -> Result<Vec<u8>, Error> {
        let Some(marker) = Marker::parse(&reply) else {
            return Ok(reply);
        };
        if self.chunked_version.is_none() {
            return Err(Error::Channel(
                "the guest answered with a chunked-channel marker, but the host never said hello"
                    .into(),
            ));
        }
        let started = Instant::now();
        // The parked bytes live in guest memory, so no honest length exceeds it.
        let bound = self.memory_size().min(marker.length as usize);
        let mut payload = Vec::with_capacity(bound);
        let mut reader = self.open_parked(marker);
        let result = reader.read_to_end(&mut payload);
        let reads = reader.reads;
        drop(reader);
        result.map_err(|e| Error::Channel(e.to_string()))?;
        self.last_transfer = Some(TransferStats {
            bytes: payload.len() as u64,
            reads,
            elapsed: started.elapsed(),
            host_bytes_held: payload.capacity() as u64,
        });
        Ok(payload)
    }

    /// Copies `len` bytes at `ptr` out of guest memory in one go (the benchmark's
    /// baseline for the channel).
    #[doc(hidden)]
    #[must_use]
    pub fn copy_guest_memory(&self, ptr: u32, len: u32) -> Option<Vec<u8>> {
        memory::read(&self.store, ptr as i32, len as i32)
    }

    /// Calls an export with the host's buffer protocol and an output buffer of
    /// `out_max` bytes, then resolves a chunked reply (for benchmarks and protocol tests).
    ///
    /// # Errors
    ///
    /// A missing export, trap, protocol or channel error.
    pub fn call_export_with_reply(
        &mut self,
        export: &str,
        input: &[u8],
        out_max: u32,
    ) -> Result<Vec<u8>, Error> {
        let func = self
            .func(export)
            .ok_or_else(|| Error::MissingExport(export.into()))?;
        self.arm();
        let out = guest::call_with_buffers(
            &mut self.store,
            func,
            export,
            Shape {
                input: Some(input),
                output: Some(out_max),
                free_on_trap: false,
            },
        )?;
        self.resolve_reply(out.output.unwrap_or_default())
    }
}
