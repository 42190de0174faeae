"use strict";
/**
 * Chunked channel, protocol version 1 (host side)
 *
 * The host hands a WASM plugin fixed output buffers (64 KiB for HTTP and provider
 * replies). A plugin whose reply does not fit parks it and writes a small marker
 * instead:
 *
 *   {"$skc":1,"handle":7,"length":20971520,"checksum":"fletcher64:0x9a1f0c55d2e8b7a4"}
 *
 * The host then pulls the parked bytes through the plugin's skc_v1_read export in
 * chunks, verifies length and Fletcher-64, and releases them with skc_v1_close. The
 * channel uses plugin exports only; a plugin that does not export skc_v1_hello never
 * sees a difference. Protocol: docs/chunked-channel.md in the signalk-plugin project.
 */
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.ChunkedReplyError = exports.MAX_MARKER_LENGTH = exports.MAX_CHUNK = exports.CHUNKED_VERSION = void 0;
exports.negotiateChunkedChannel = negotiateChunkedChannel;
exports.chunkedChannelVersion = chunkedChannelVersion;
exports.resolveChunkedReply = resolveChunkedReply;
exports.parseMarker = parseMarker;
exports.readParkedReply = readParkedReply;
exports.fletcher64 = fletcher64;
const debug_1 = __importDefault(require("debug"));
const debug = (0, debug_1.default)('signalk:wasm:chunked-channel');
/** The protocol version this host speaks */
exports.CHUNKED_VERSION = 1;
/** Largest chunk the protocol allows per skc_v1_read, and the size the host asks for */
exports.MAX_CHUNK = 65536;
/** A marker is a few dozen bytes; longer replies are never inspected */
exports.MAX_MARKER_LENGTH = 8192;
/** Negative results of skc_v1_read / skc_v1_close */
const ERROR_CODES = {
    [-1]: 'unknown or closed handle',
    [-2]: 'offset is not the next byte',
    [-3]: 'bad output buffer'
};
const CHECKSUM_PATTERN = /^fletcher64:0x([0-9a-f]{16})$/;
const FLETCHER_MODULUS = 0xffffffff;
/** Words summed before reducing: keeps both sums below 2^53, exact in a double */
const FLETCHER_BLOCK_WORDS = 1024;
/**
 * Raised for any failed chunked transfer. Callers turn it into an error reply;
 * partial data is never returned.
 */
class ChunkedReplyError extends Error {
    constructor(message) {
        super(message);
        this.name = 'ChunkedReplyError';
    }
}
exports.ChunkedReplyError = ChunkedReplyError;
/** Protocol version agreed with each instance, keyed by its (frozen) exports object */
const agreedVersions = new WeakMap();
/**
 * Offer the chunked channel to a freshly instantiated plugin. Call once, before any
 * other plugin export. Returns the agreed version, 0 when the plugin does not take part.
 */
function negotiateChunkedChannel(rawExports, pluginId) {
    if (!rawExports || typeof rawExports.skc_v1_hello !== 'function') {
        return 0;
    }
    let version;
    try {
        version = rawExports.skc_v1_hello(exports.CHUNKED_VERSION);
    }
    catch (error) {
        debug(`[${pluginId}] skc_v1_hello failed, chunked channel off: ${error}`);
        return 0;
    }
    if (version !== exports.CHUNKED_VERSION) {
        debug(`[${pluginId}] skc_v1_hello answered ${version}, chunked channel off`);
        return 0;
    }
    agreedVersions.set(rawExports, version);
    debug(`[${pluginId}] chunked channel version ${version}`);
    return version;
}
/** The version agreed with this instance, 0 if none */
function chunkedChannelVersion(rawExports) {
    return agreedVersions.get(rawExports) || 0;
}
/**
 * Pass an ordinary reply through unchanged; replace a marker by the parked reply it
 * stands for. Throws ChunkedReplyError when the transfer fails.
 *
 * @param rawExports the plugin's instance exports
 * @param replyText the reply as decoded from the output buffer
 * @param exportName the export that produced the reply, for messages
 */
function resolveChunkedReply(rawExports, replyText, exportName) {
    const marker = parseMarker(replyText);
    if (!marker) {
        return replyText;
    }
    const where = `Chunked reply from ${exportName}`;
    const agreed = chunkedChannelVersion(rawExports);
    if (agreed === 0) {
        throw new ChunkedReplyError(`${where}: the plugin sent a marker without having agreed to the chunked channel (skc_v1_hello)`);
    }
    if (marker.version !== agreed) {
        throw new ChunkedReplyError(`${where}: marker version ${marker.version}, agreed version ${agreed}`);
    }
    const started = performance.now();
    const reply = readParkedReply(rawExports, marker, where);
    debug(`${where}: ${reply.length} bytes in ${(performance.now() - started).toFixed(1)} ms`);
    return new TextDecoder('utf-8').decode(reply);
}
/**
 * Recognise a marker. Returns null for an ordinary reply, the marker fields for a
 * well-formed marker, and throws ChunkedReplyError for a malformed one (no Signal K
 * reply has a top-level "$skc" member, so that can only be a broken plugin).
 */
function parseMarker(replyText) {
    if (typeof replyText !== 'string' ||
        replyText.length > exports.MAX_MARKER_LENGTH ||
        !replyText.includes('"$skc"')) {
        return null;
    }
    let value;
    try {
        value = JSON.parse(replyText);
    }
    catch (_e) {
        return null;
    }
    if (value === null ||
        typeof value !== 'object' ||
        Array.isArray(value) ||
        !Object.prototype.hasOwnProperty.call(value, '$skc')) {
        return null;
    }
    const { $skc: version, handle, length, checksum } = value;
    const bad = (what) => new ChunkedReplyError(`Malformed chunked-channel marker (${what}): ${replyText}`);
    if (!Number.isInteger(version) || version < 1) {
        throw bad('$skc must be a positive integer');
    }
    if (!Number.isInteger(handle) || handle < 1 || handle > 0x7fffffff) {
        throw bad('handle must be a positive i32');
    }
    if (!Number.isInteger(length) || length < 0 || length > 0x7fffffff) {
        throw bad('length must be between 0 and 2^31-1');
    }
    const match = typeof checksum === 'string' && CHECKSUM_PATTERN.exec(checksum);
    if (!match) {
        throw bad('checksum must be "fletcher64:0x" and 16 lower-case hex digits');
    }
    return { version, handle, length, checksum: BigInt(`0x${match[1]}`) };
}
/**
 * Pull the reply parked under `marker` out of the plugin: one chunk buffer in guest
 * memory, sequential skc_v1_read calls until the plugin answers 0, then length and
 * checksum checks. The handle is closed and the chunk buffer released in every case.
 * Returns a Buffer holding exactly `marker.length` verified bytes.
 */
function readParkedReply(rawExports, marker, where = 'Chunked reply') {
    const { skc_v1_read: read, skc_v1_close: close, allocate, deallocate, memory } = rawExports;
    if (typeof read !== 'function' || typeof close !== 'function') {
        throw new ChunkedReplyError(`${where}: the plugin does not export skc_v1_read and skc_v1_close`);
    }
    const fail = (message) => new ChunkedReplyError(`${where}: ${message}`);
    try {
        if (typeof allocate !== 'function' || !(memory instanceof WebAssembly.Memory)) {
            throw fail('the plugin exports no allocate function or no memory');
        }
        const { handle, length } = marker;
        // A parked reply lives in guest memory: no honest length exceeds it
        if (length > memory.buffer.byteLength) {
            throw fail(`the marker announces ${length} bytes, more than the plugin's whole memory (${memory.buffer.byteLength} bytes)`);
        }
        const chunkSize = exports.MAX_CHUNK;
        const chunkPtr = allocate(chunkSize);
        if (!Number.isInteger(chunkPtr) ||
            chunkPtr <= 0 ||
            chunkPtr + chunkSize > memory.buffer.byteLength) {
            throw fail(`allocate(${chunkSize}) returned an unusable pointer (${chunkPtr})`);
        }
        try {
            const reply = Buffer.alloc(length);
            let offset = 0;
            for (;;) {
                const written = read(handle, offset, chunkPtr, chunkSize);
                if (!Number.isInteger(written)) {
                    throw fail(`skc_v1_read returned ${written}, not a byte count`);
                }
                if (written < 0) {
                    const meaning = ERROR_CODES[written] || 'unknown error code';
                    throw fail(`skc_v1_read(handle ${handle}, offset ${offset}) failed with ${written} (${meaning})`);
                }
                if (written === 0) {
                    if (offset === length) {
                        break;
                    }
                    throw fail(`the plugin ended the reply at byte ${offset} of ${length}`);
                }
                if (written > chunkSize) {
                    throw fail(`skc_v1_read wrote ${written} bytes into a ${chunkSize}-byte buffer`);
                }
                if (offset + written > length) {
                    throw fail(`the plugin sent more than the ${length} bytes its marker announced`);
                }
                // memory.buffer is taken anew: the read may have grown guest memory
                reply.set(new Uint8Array(memory.buffer, chunkPtr, written), offset);
                offset += written;
            }
            const received = fletcher64(reply);
            if (received !== marker.checksum) {
                throw fail(`checksum mismatch: the marker says fletcher64:${hex64(marker.checksum)}, the ${length} bytes received give ${hex64(received)}`);
            }
            return reply;
        }
        finally {
            if (typeof deallocate === 'function') {
                try {
                    deallocate(chunkPtr, chunkSize);
                }
                catch (error) {
                    debug(`${where}: deallocate of the chunk buffer failed: ${error}`);
                }
            }
        }
    }
    catch (error) {
        // A trap inside skc_v1_read, a RangeError from a bad pointer, ...
        throw error instanceof ChunkedReplyError ? error : fail(String(error));
    }
    finally {
        try {
            const status = close(marker.handle);
            if (status !== 0) {
                debug(`${where}: skc_v1_close(${marker.handle}) returned ${status}`);
            }
        }
        catch (error) {
            debug(`${where}: skc_v1_close(${marker.handle}) failed: ${error}`);
        }
    }
}
/**
 * Fletcher-64 over little-endian 32-bit words (the last one zero-padded), sums
 * modulo 2^32-1, result (b << 32) | a.
 */
function fletcher64(bytes) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const whole = bytes.byteLength - (bytes.byteLength % 4);
    let a = 0;
    let b = 0;
    let i = 0;
    while (i < whole) {
        const end = Math.min(whole, i + FLETCHER_BLOCK_WORDS * 4);
        for (; i < end; i += 4) {
            a += view.getUint32(i, true);
            b += a;
        }
        a %= FLETCHER_MODULUS;
        b %= FLETCHER_MODULUS;
    }
    if (whole < bytes.byteLength) {
        let last = 0;
        for (let k = bytes.byteLength - 1; k >= whole; k--) {
            last = last * 256 + bytes[k];
        }
        a = (a + last) % FLETCHER_MODULUS;
        b = (b + a) % FLETCHER_MODULUS;
    }
    return (BigInt(b) << 32n) | BigInt(a);
}
function hex64(value) {
    return `0x${value.toString(16).padStart(16, '0')}`;
}
