'use strict';
// Unit tests of the host half of the chunked channel against a guest faked in
// JavaScript (test/support/fake-guest.js): negotiation, marker recognition, honest
// transfers of every awkward size, and each way a hostile guest can misbehave.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');

const { channel, debugLines } = require('./support/load.js');
const { FakeGuest, PAGE, textPayload } = require('./support/fake-guest.js');

const {
  ChunkedReplyError,
  MAX_CHUNK,
  fletcher64,
  negotiateChunkedChannel,
  chunkedChannelVersion,
  parseMarker,
  readParkedReply,
  resolveChunkedReply
} = channel;

/** Fletcher-64 by its definition, one word at a time, in BigInt. */
function referenceFletcher64(bytes) {
  const M = 0xffffffffn;
  let a = 0n;
  let b = 0n;
  for (let i = 0; i < bytes.length; i += 4) {
    let w = 0n;
    for (let k = 3; k >= 0; k--) {
      w = (w << 8n) | BigInt(i + k < bytes.length ? bytes[i + k] : 0);
    }
    a = (a + w) % M;
    b = (b + a) % M;
  }
  return (b << 32n) | a;
}

/** A guest that has said hello, with `payload` parked. */
function agreed(payload, options) {
  const guest = new FakeGuest(payload, options);
  assert.equal(negotiateChunkedChannel(guest.exports, 'test-plugin'), 1);
  return guest;
}

/** Resolves the guest's marker, expecting a ChunkedReplyError whose message matches. */
function rejects(guest, pattern, markerOptions) {
  assert.throws(
    () => resolveChunkedReply(guest.exports, guest.marker(markerOptions), 'handler_x'),
    (error) => {
      assert.ok(error instanceof ChunkedReplyError, `not a ChunkedReplyError: ${error}`);
      assert.match(error.message, /^Chunked reply from handler_x: /);
      assert.match(error.message, pattern);
      return true;
    }
  );
}

/** After any transfer, successful or not: handle closed once, chunk buffer released. */
function assertCleanedUp(guest) {
  assert.deepEqual(
    guest.calls.filter((c) => c[0] === 'close'),
    [['close', guest.handle]]
  );
  const allocations = guest.calls.filter((c) => c[0] === 'allocate');
  assert.equal(allocations.length, 1);
  assert.deepEqual(allocations[0], ['allocate', MAX_CHUNK]);
  const releases = guest.calls.filter((c) => c[0] === 'deallocate');
  assert.equal(releases.length, 1);
  assert.equal(releases[0][2], MAX_CHUNK);
}

describe('fletcher64', () => {
  it('matches values computed independently from the definition', () => {
    assert.equal(fletcher64(Buffer.alloc(0)), 0n);
    assert.equal(fletcher64(Buffer.from('abcd')), (0x64636261n << 32n) | 0x64636261n);
    const pattern = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7 + 3) & 0xff));
    assert.equal(fletcher64(pattern), 0x8c184021795027ebn);
    assert.equal(fletcher64(Buffer.alloc(4099, 0xff)), 0x00ffffff00ffffffn);
    assert.equal(fletcher64(Buffer.from('Grüße, ⚓ 𝄞!')), 0x257462b4016205ean);
  });

  it('agrees with the word-by-word reference for any length and alignment', () => {
    const data = textPayload(3 * 4096 + 11);
    for (const length of [0, 1, 2, 3, 4, 5, 7, 8, 4095, 4096, 4097, 4100, data.length]) {
      assert.equal(fletcher64(data.subarray(0, length)), referenceFletcher64(data.subarray(0, length)), `length ${length}`);
    }
    // An unaligned view into a larger buffer.
    assert.equal(fletcher64(data.subarray(3, 4103)), referenceFletcher64(data.subarray(3, 4103)));
  });

  it('stays exact with maximal words across many reduction blocks', () => {
    const ones = Buffer.alloc(40 * 1024 * 4 + 2, 0xff);
    assert.equal(fletcher64(ones), referenceFletcher64(ones));
  });

  it('depends on position: swapped words give another checksum', () => {
    assert.notEqual(fletcher64(Buffer.from('abcdefgh')), fletcher64(Buffer.from('efghabcd')));
  });
});

describe('negotiation (skc_v1_hello)', () => {
  it('offers version 1 once and remembers the answer per instance', () => {
    const guest = new FakeGuest(Buffer.alloc(0));
    assert.equal(chunkedChannelVersion(guest.exports), 0);
    assert.equal(negotiateChunkedChannel(guest.exports, 'p'), 1);
    assert.deepEqual(guest.calls, [['hello', 1]]);
    assert.equal(chunkedChannelVersion(guest.exports), 1);
    assert.equal(chunkedChannelVersion(new FakeGuest(Buffer.alloc(0)).exports), 0);
  });

  it('leaves the channel off without the export, on 0, on an unknown version and on a trap', () => {
    const { skc_v1_hello: _, ...withoutHello } = new FakeGuest(Buffer.alloc(0)).exports;
    assert.equal(negotiateChunkedChannel(withoutHello, 'p'), 0);
    for (const answer of [0, 2, -1, undefined]) {
      const guest = new FakeGuest(Buffer.alloc(0));
      guest.exports.skc_v1_hello = () => answer;
      assert.equal(negotiateChunkedChannel(guest.exports, 'p'), 0, `answer ${answer}`);
      assert.equal(chunkedChannelVersion(guest.exports), 0);
    }
    const trapping = new FakeGuest(Buffer.alloc(0));
    trapping.exports.skc_v1_hello = () => {
      throw new WebAssembly.RuntimeError('unreachable');
    };
    assert.equal(negotiateChunkedChannel(trapping.exports, 'p'), 0);
    assert.ok(debugLines.some((l) => l.includes('skc_v1_hello failed')));
  });
});

describe('marker recognition', () => {
  it('passes ordinary replies through untouched', () => {
    const guest = agreed(Buffer.alloc(0));
    for (const reply of [
      '',
      'not json',
      '{"statusCode":200,"body":"$skc"}',
      '{"statusCode":200,"body":{"$skc":1,"handle":1,"length":1,"checksum":"x"}}',
      '[{"$skc":1}]',
      '"$skc"',
      `{"$skc":1,"pad":"${'x'.repeat(9000)}"}`
    ]) {
      assert.equal(resolveChunkedReply(guest.exports, reply, 'h'), reply);
    }
    assert.equal(guest.count('read'), 0);
  });

  it('parses a marker, whitespace and member order notwithstanding', () => {
    assert.deepEqual(
      parseMarker(' { "checksum":"fletcher64:0x0000000000000abc", "length":100000, "handle":7, "$skc":1 } '),
      { version: 1, handle: 7, length: 100000, checksum: 0xabcn }
    );
  });

  it('rejects malformed markers with the reason', () => {
    const good = { $skc: 1, handle: 7, length: 10, checksum: 'fletcher64:0x0000000000000abc' };
    const cases = [
      [{ $skc: 0 }, /\$skc must be a positive integer/],
      [{ $skc: '1' }, /\$skc must be a positive integer/],
      [{ handle: 0 }, /handle must be a positive i32/],
      [{ handle: -3 }, /handle must be a positive i32/],
      [{ handle: 1.5 }, /handle must be a positive i32/],
      [{ handle: 2 ** 31 }, /handle must be a positive i32/],
      [{ length: -1 }, /length must be between 0 and 2\^31-1/],
      [{ length: 2 ** 31 }, /length must be between 0 and 2\^31-1/],
      [{ length: '10' }, /length must be between/],
      [{ checksum: 'fletcher64:0x0000000000000ABC' }, /checksum must be/],
      [{ checksum: 'fletcher64:0xabc' }, /checksum must be/],
      [{ checksum: '0x0000000000000abc' }, /checksum must be/],
      [{ checksum: 2748 }, /checksum must be/]
    ];
    for (const [change, pattern] of cases) {
      const text = JSON.stringify({ ...good, ...change });
      assert.throws(() => parseMarker(text), (e) => e instanceof ChunkedReplyError && pattern.test(e.message), text);
    }
  });

  it('refuses a marker from a plugin that never agreed to the channel', () => {
    const guest = new FakeGuest(Buffer.from('hello'));
    assert.throws(
      () => resolveChunkedReply(guest.exports, guest.marker(), 'h'),
      /without having agreed to the chunked channel/
    );
    assert.equal(guest.count('read'), 0);
  });

  it('refuses a marker of another version than the agreed one', () => {
    const guest = agreed(Buffer.from('hello'));
    rejects(guest, /marker version 2, agreed version 1/, { version: 2 });
  });
});

describe('honest transfers', () => {
  for (const length of [0, 1, 3, MAX_CHUNK - 1, MAX_CHUNK, MAX_CHUNK + 1, 3 * MAX_CHUNK + 5, 1 << 20]) {
    it(`carries ${length} bytes intact, reading sequentially`, () => {
      const payload = textPayload(length);
      const guest = agreed(payload);
      const text = resolveChunkedReply(guest.exports, guest.marker(), 'h');
      assert.equal(text, new TextDecoder().decode(payload));
      const reads = guest.reads();
      assert.equal(reads.length, Math.ceil(length / MAX_CHUNK) + 1);
      let offset = 0;
      for (const [, handle, at, , max] of reads) {
        assert.equal(handle, guest.handle);
        assert.equal(at, offset);
        assert.equal(max, MAX_CHUNK);
        offset = Math.min(length, offset + MAX_CHUNK);
      }
      assertCleanedUp(guest);
    });
  }

  it('returns a Buffer of exactly the verified bytes from readParkedReply', () => {
    const payload = textPayload(200000);
    const guest = agreed(payload);
    const bytes = readParkedReply(guest.exports, parseMarker(guest.marker()));
    assert.ok(Buffer.isBuffer(bytes));
    assert.ok(bytes.equals(payload));
  });

  it('copes with a guest whose memory grows during a read', () => {
    const payload = textPayload(5 * MAX_CHUNK);
    const guest = agreed(payload, { pages: 8 });
    const honest = guest.read.bind(guest);
    guest.read = (handle, offset, ptr, max) => {
      guest.memory.grow(1); // detaches the old ArrayBuffer
      return honest(handle, offset, ptr, max);
    };
    assert.equal(resolveChunkedReply(guest.exports, guest.marker(), 'h'), new TextDecoder().decode(payload));
  });

  it('accepts small chunks: the guest may write less than asked', () => {
    const payload = textPayload(10000);
    const guest = agreed(payload);
    const honest = guest.read.bind(guest);
    guest.read = (handle, offset, ptr) => honest(handle, offset, ptr, 777);
    assert.equal(resolveChunkedReply(guest.exports, guest.marker(), 'h'), payload.toString());
    assert.equal(guest.count('read'), Math.ceil(10000 / 777) + 1);
  });

  it('still delivers verified data when skc_v1_close fails or traps (logged)', () => {
    const payload = textPayload(70000);
    for (const close of [() => -1, () => { throw new WebAssembly.RuntimeError('unreachable'); }]) {
      const guest = agreed(payload);
      guest.exports.skc_v1_close = close;
      assert.equal(resolveChunkedReply(guest.exports, guest.marker(), 'h'), payload.toString());
    }
    assert.ok(debugLines.some((l) => l.includes('skc_v1_close(7) returned -1')));
    assert.ok(debugLines.some((l) => l.includes('skc_v1_close(7) failed')));
  });
});

describe('hostile guests get a clear error, never partial data', () => {
  const payload = textPayload(3 * MAX_CHUNK + 100);

  it('wrong checksum', () => {
    const guest = agreed(payload);
    rejects(guest, /checksum mismatch: the marker says fletcher64:0x[0-9a-f]{16}, the 196708 bytes received give 0x[0-9a-f]{16}/, {
      checksum: fletcher64(payload) ^ 1n
    });
    assertCleanedUp(guest);
  });

  it('short read: the guest ends before the announced length', () => {
    const guest = agreed(payload);
    const honest = guest.read.bind(guest);
    guest.read = (handle, offset, ptr, max) => (offset >= MAX_CHUNK ? 0 : honest(handle, offset, ptr, max));
    rejects(guest, /the plugin ended the reply at byte 65536 of 196708/);
    assertCleanedUp(guest);
  });

  it('short length: the marker announces more than the guest has', () => {
    const guest = agreed(payload);
    rejects(guest, /ended the reply at byte 196708 of 196709/, { length: payload.length + 1, checksum: fletcher64(payload) });
    assertCleanedUp(guest);
  });

  it('out of order: chunks delivered swapped are caught by the checksum', () => {
    const guest = agreed(payload);
    guest.read = (handle, offset, ptr, max) => {
      // Serves the second chunk first and the first second.
      const order = [MAX_CHUNK, 0];
      const index = offset / MAX_CHUNK;
      const from = index < 2 ? order[index] : offset;
      const n = Math.min(max, payload.length - from, payload.length - offset);
      guest.write(ptr, payload.subarray(from, from + n));
      return n;
    };
    rejects(guest, /checksum mismatch/);
    assertCleanedUp(guest);
  });

  it('out of order: the guest reports -2 (offset is not the next byte)', () => {
    const guest = agreed(payload);
    guest.served = 5; // the guest believes it is elsewhere
    rejects(guest, /skc_v1_read\(handle 7, offset 0\) failed with -2 \(offset is not the next byte\)/);
    assertCleanedUp(guest);
  });

  it('never-ending stream: a guest that keeps sending past the end is stopped', () => {
    const guest = agreed(payload);
    guest.read = (handle, offset, ptr, max) => max; // always a full chunk, forever
    rejects(guest, /sent more than the 196708 bytes its marker announced/);
    assert.equal(guest.count('read'), Math.ceil(payload.length / MAX_CHUNK));
    assertCleanedUp(guest);
  });

  it('a read that claims more bytes than the buffer holds', () => {
    const guest = agreed(payload);
    guest.read = (handle, offset, ptr, max) => max + 1;
    rejects(guest, /skc_v1_read wrote 65537 bytes into a 65536-byte buffer/);
    assertCleanedUp(guest);
  });

  it('unknown negative codes, void results and traps', () => {
    for (const [read, pattern] of [
      [() => -1, /failed with -1 \(unknown or closed handle\)/],
      [() => -3, /failed with -3 \(bad output buffer\)/],
      [() => -9, /failed with -9 \(unknown error code\)/],
      [() => undefined, /skc_v1_read returned undefined, not a byte count/],
      [() => 1.5, /skc_v1_read returned 1.5, not a byte count/],
      [() => { throw new WebAssembly.RuntimeError('unreachable'); }, /RuntimeError: unreachable/]
    ]) {
      const guest = agreed(payload);
      guest.read = read;
      rejects(guest, pattern);
      assertCleanedUp(guest);
    }
  });

  it('a length beyond the guest memory is refused before anything is allocated', () => {
    const guest = agreed(payload, { pages: 4 });
    rejects(guest, /announces 2147483647 bytes, more than the plugin's whole memory \(262144 bytes\)/, {
      length: 2 ** 31 - 1
    });
    assert.equal(guest.count('allocate'), 0);
    assert.equal(guest.count('read'), 0);
    assert.equal(guest.count('close'), 1);
  });

  it('an allocator that returns null or a pointer past the end of memory', () => {
    for (const ptr of [0, -8, 4 * PAGE - 100]) {
      const guest = agreed(payload, { pages: 4 });
      guest.exports.allocate = () => ptr;
      rejects(guest, /allocate\(65536\) returned an unusable pointer/);
      assert.equal(guest.count('read'), 0);
      assert.equal(guest.count('close'), 1);
    }
  });

  it('a marker from a guest lacking skc_v1_read or skc_v1_close', () => {
    for (const name of ['skc_v1_read', 'skc_v1_close']) {
      const guest = agreed(payload);
      delete guest.exports[name];
      rejects(guest, /does not export skc_v1_read and skc_v1_close/);
    }
  });

  it('a trap in deallocate does not hide the transfer error', () => {
    const guest = agreed(payload);
    guest.exports.deallocate = () => {
      throw new WebAssembly.RuntimeError('unreachable');
    };
    rejects(guest, /checksum mismatch/, { checksum: 1n });
  });
});
