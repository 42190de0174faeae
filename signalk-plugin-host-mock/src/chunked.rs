//! The host side of the chunked channel (`docs/chunked-channel.md`): announce it with
//! `skc_v1_hello`, recognise a marker in a reply, and pull the parked bytes through
//! `skc_v1_read` — as a [`std::io::Read`] — verifying order, length and checksum.
//!
//! Host memory stays at the payload: chunks are copied from the guest's buffer straight
//! into the caller's slice, and the one chunk buffer lives in guest memory.

use std::io::Read;
use std::time::{Duration, Instant};

use signalk_plugin_abi::chunked::{self as protocol, ChunkError, Fletcher64, MAX_CHUNK, Marker};

use crate::Error;
use crate::guest::Guest;

/// How one chunked transfer went (see [`MockHost::last_transfer`](crate::MockHost::last_transfer)).
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
/// Obtained from [`MockHost::open_parked`](crate::MockHost::open_parked); most tests
/// never see it because HTTP and provider calls reassemble replies themselves.
pub struct ChunkReader<'g> {
    guest: &'g mut Guest,
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
                    self.guest
                        .deallocate(ptr, len)
                        .map_err(|e| channel(e.to_string()))?;
                }
                let ptr = self
                    .guest
                    .allocate(size)
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
        let args = [
            self.marker.handle,
            self.offset as i32,
            ptr as i32,
            want as i32,
        ];
        self.reads += 1;
        // One export lookup per chunk: a missing `skc_v1_read` is the call's own error.
        // A void `skc_v1_read` answers nothing: not a count the protocol defines.
        let n = self
            .guest
            .call_within_budget(protocol::READ, &args)
            .map_err(|e| match e {
                Error::MissingExport(_) => {
                    channel("the guest sent a marker but does not export skc_v1_read")
                }
                e => channel(e.to_string()),
            })?;
        let Some(n) = n else {
            return Err(channel("skc_v1_read returned no value"));
        };
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
                ChunkError::from_code(n).map_or("unknown error".into(), |e| e.to_string())
            ))),
            n if n as u32 > want => Err(channel(format!(
                "skc_v1_read wrote {n} bytes into a {want}-byte buffer"
            ))),
            n if self.offset + n as u64 > length => Err(channel(format!(
                "the guest sent more than the {length} bytes its marker announced"
            ))),
            n => {
                let n = n as usize;
                if !self.guest.read_memory_into(ptr, &mut out[..n]) {
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
        // Best effort: the guest releases the parked reply (a guest without
        // `skc_v1_close` just keeps it), the host its chunk buffer.
        let _ = self
            .guest
            .call_within_budget(protocol::CLOSE, &[self.marker.handle]);
        if let Some((ptr, len)) = self.buffer.take() {
            let _ = self.guest.deallocate(ptr, len);
        }
    }
}

/// The host's side of the channel for one guest: the version agreed at load and the
/// statistics of the last transfer.
#[derive(Debug, Default)]
pub(crate) struct Channel {
    pub(crate) version: Option<i32>,
    pub(crate) last_transfer: Option<TransferStats>,
}

impl Channel {
    /// Announces the channel to a guest that exports `skc_v1_hello` (at load time),
    /// unless the host is set up without it.
    pub(crate) fn hello(guest: &mut Guest) -> Result<Channel, Error> {
        let mut channel = Channel::default();
        if !guest.state().options.chunked_channel || !guest.has_export(protocol::HELLO) {
            return Ok(channel);
        }
        let version = guest.call(protocol::HELLO, &[protocol::VERSION])?;
        channel.version = version.filter(|v| *v > 0);
        Ok(channel)
    }

    /// If `reply` is a marker, pulls and verifies the parked bytes; otherwise returns
    /// `reply` unchanged.
    pub(crate) fn resolve(&mut self, guest: &mut Guest, reply: Vec<u8>) -> Result<Vec<u8>, Error> {
        let Some(marker) = Marker::parse(&reply) else {
            return Ok(reply);
        };
        if self.version.is_none() {
            return Err(Error::Channel(
                "the guest answered with a chunked-channel marker, but the host never said hello"
                    .into(),
            ));
        }
        let started = Instant::now();
        // The parked bytes live in guest memory, so no honest length exceeds it.
        let bound = guest.memory_size().min(marker.length as usize);
        let mut payload = Vec::with_capacity(bound);
        let mut reader = open(guest, marker);
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
}

/// A reader over the reply parked under `marker`.
pub(crate) fn open(guest: &mut Guest, marker: Marker) -> ChunkReader<'_> {
    ChunkReader {
        guest,
        marker,
        offset: 0,
        buffer: None,
        sum: Fletcher64::default(),
        reads: 0,
        finished: false,
    }
}
