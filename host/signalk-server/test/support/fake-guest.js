'use strict';
// A plugin's exports faked in JavaScript around a real WebAssembly.Memory: a bump
// allocator, the chunked-channel exports serving one parked reply honestly, and hooks a
// test overrides to make the guest hostile. Every call is recorded.

const { fletcher64 } = require('./load.js').channel;

const PAGE = 65536;

class FakeGuest {
  /**
   * @param payload Buffer parked under `handle`
   * @param options.pages initial memory size in 64 KiB pages
   * @param options.handle handle of the parked reply
   */
  constructor(payload, { pages = 64, handle = 7 } = {}) {
    this.payload = payload;
    this.handle = handle;
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: 65536 });
    this.heap = 1024;
    this.calls = [];
    this.served = 0; // bytes honestly served so far
    const guest = this;
    this.exports = {
      memory: this.memory,
      allocate(size) {
        guest.calls.push(['allocate', size]);
        const ptr = guest.heap;
        guest.heap += size + 8;
        return ptr;
      },
      deallocate(ptr, size) {
        guest.calls.push(['deallocate', ptr, size]);
      },
      skc_v1_hello(version) {
        guest.calls.push(['hello', version]);
        return 1;
      },
      skc_v1_read(handle, offset, ptr, max) {
        guest.calls.push(['read', handle, offset, ptr, max]);
        return guest.read(handle, offset, ptr, max);
      },
      skc_v1_close(handle) {
        guest.calls.push(['close', handle]);
        return handle === guest.handle ? 0 : -1;
      }
    };
  }

  /** The honest skc_v1_read; tests replace it to misbehave. */
  read(handle, offset, ptr, max) {
    if (handle !== this.handle) return -1;
    if (offset !== this.served) return -2;
    if (max <= 0 || max > 65536 || ptr === 0) return -3;
    const n = Math.min(max, this.payload.length - offset);
    this.write(ptr, this.payload.subarray(offset, offset + n));
    this.served += n;
    return n;
  }

  write(ptr, bytes) {
    new Uint8Array(this.memory.buffer, ptr, bytes.length).set(bytes);
  }

  /** The marker text for the parked payload (checksum overridable). */
  marker({ checksum, length = this.payload.length, version = 1, handle = this.handle } = {}) {
    const sum = checksum === undefined ? fletcher64(this.payload) : checksum;
    return JSON.stringify({
      $skc: version,
      handle,
      length,
      checksum: `fletcher64:0x${sum.toString(16).padStart(16, '0')}`
    });
  }

  count(name) {
    return this.calls.filter((c) => c[0] === name).length;
  }

  reads() {
    return this.calls.filter((c) => c[0] === 'read');
  }
}

/** Deterministic bytes: text with multi-byte UTF-8 so chunk edges split characters. */
function textPayload(length) {
  const pieces = ['Grüße ', '⚓', ' 𝄞 ', 'plain ascii text ', '"quoted" \\ ', 'ñ'];
  const out = Buffer.alloc(length);
  let offset = 0;
  let i = 0;
  while (offset < length) {
    const piece = Buffer.from(pieces[i++ % pieces.length]);
    offset += piece.copy(out, offset, 0, Math.min(piece.length, length - offset));
  }
  return out;
}

module.exports = { FakeGuest, PAGE, textPayload };
