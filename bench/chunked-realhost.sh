#!/usr/bin/env bash
# Chunked-channel benchmark on the real signalk-server 2.32.0 with the host half applied
# (conformance/realhost.sh start --chunked). The track-history example answers
# /api/sample?bytes=N; this measures, in one run:
#   - a 20 MiB body (a 20,971,603-byte reply, pulled through the chunked channel) and a
#     60 KB body (fits the server's 64 KiB buffer: the ordinary path), each as time per
#     request and peak server RSS (VmHWM, reset between the two with /proc/PID/clear_refs);
#   - the host half alone (pull + verify, as the server logs it);
#   - a plain Node Buffer copy of the same number of bytes with the same node binary, and
#     the ratio of each throughput to it.
# Every 20 MiB reply is compared with the expected bytes. Prints numbers; exits 0 unless
# something fails (75 when npm is unreachable, as realhost.sh).
#
#   bench/chunked-realhost.sh            # RUNS=7 big and SMALL_RUNS=50 small requests
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${RUNS:-7}
SMALL_RUNS=${SMALL_RUNS:-50}
BIG=$((20 << 20))
SMALL=60000

echo "== building examples/track-history for wasm32-wasip1" >&2
cargo build --quiet --release --target wasm32-wasip1 \
    --manifest-path examples/track-history/Cargo.toml --target-dir target/wasm-plugins

work=$(mktemp -d "${TMPDIR:-/tmp}/skp-chunked-bench.XXXXXX")
config_dir=
cleanup() {
    [[ -n $config_dir ]] && conformance/realhost.sh stop "$config_dir" || true
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/track-history"
cp target/wasm-plugins/wasm32-wasip1/release/track_history.wasm "$work/track-history/plugin.wasm"
cat >"$work/track-history/package.json" <<'JSON'
{"name":"track-history","version":"0.1.0","keywords":["signalk-node-server-plugin","signalk-wasm-plugin"],
 "wasmManifest":"plugin.wasm","wasmCapabilities":{"httpEndpoints":true}}
JSON

status=0
conformance/realhost.sh install >/dev/null || status=$?
if [[ $status -eq 75 ]]; then
    echo "chunked-realhost: npm is unreachable; nothing measured" >&2
    exit 75
elif [[ $status -ne 0 ]]; then
    exit "$status"
fi
node=$(conformance/realhost.sh node)
server=$(conformance/realhost.sh start --chunked --config '{"maxPoints":1000}' "$work/track-history")
config_dir=$(sed -n 's/^SK_CONFIG_DIR=//p' <<<"$server")
base=$(sed -n 's/^SK_BASE_URL=//p' <<<"$server")
pid=$(sed -n 's/^SK_PID=//p' <<<"$server")
log=$(sed -n 's/^SK_LOG=//p' <<<"$server")

"$node" - "$base" "$pid" "$log" "$BIG" "$SMALL" "$RUNS" "$SMALL_RUNS" <<'JS'
'use strict';
const http = require('node:http');
const fs = require('node:fs');

const [base, pid, log] = process.argv.slice(2, 5);
const [big, small, runs, smallRuns] = process.argv.slice(5).map(Number);
const agent = new http.Agent({ keepAlive: true });

function get(path) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    http.get(`${base}${path}`, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        resolve({ status: res.statusCode, body: Buffer.concat(chunks), ms });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

const status = () => fs.readFileSync(`/proc/${pid}/status`, 'utf8');
const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status())[1]);
let peakResets = true;
function resetPeak() {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch (_e) {
    peakResets = false;
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (kb) => (kb / 1024).toFixed(1);
const rate = (bytes, ms) => bytes / 1e6 / (ms / 1e3); // MB/s

/** Transfers the host half logged: bytes and ms, in order. */
function transfers() {
  const re = /Chunked reply from \S+: (\d+) bytes in ([\d.]+) ms/g;
  return [...fs.readFileSync(log, 'utf8').matchAll(re)].map((m) => ({ bytes: Number(m[1]), ms: Number(m[2]) }));
}

function expected(n) {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = 97 + (i % 26);
  return out;
}

async function phase(n, count, check) {
  resetPeak();
  const before = kib('VmRSS');
  const times = [];
  for (let i = 0; i < count; i++) {
    const r = await get(`/plugins/track-history/api/sample?bytes=${n}`);
    if (r.status !== 200 || !r.body.equals(check)) {
      throw new Error(`bytes=${n}: status ${r.status}, ${r.body.length} bytes, not the expected reply`);
    }
    times.push(r.ms);
  }
  return { before, peak: kib('VmHWM'), median: median(times), best: Math.min(...times) };
}

(async () => {
  const bigBody = expected(big);
  const smallBody = expected(small);
  // Warm up both paths (JIT, first allocations), then measure.
  await phase(small, 3, smallBody);
  await phase(big, 1, bigBody);
  const smallRun = await phase(small, smallRuns, smallBody);
  const logged = transfers().length;
  const bigRun = await phase(big, runs, bigBody);
  const pulled = transfers().slice(logged);
  if (pulled.length !== runs) throw new Error(`expected ${runs} chunked transfers in the log, found ${pulled.length}`);
  const replyBytes = pulled[0].bytes;
  const pullMs = median(pulled.map((t) => t.ms));

  // A plain Buffer copy of the same number of bytes, same node binary, same run.
  const source = Buffer.alloc(replyBytes, 'a');
  const copies = [];
  for (let i = 0; i < 21; i++) {
    const started = process.hrtime.bigint();
    const copy = Buffer.from(source);
    copies.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (copy.length !== replyBytes) throw new Error('copy');
  }
  const copyMs = median(copies);
  const copyRate = rate(replyBytes, copyMs);

  const row = (what, bytes, r) =>
    `${what.padEnd(34)} ${String(bytes).padStart(10)} ${r.median.toFixed(1).padStart(9)} ${r.best.toFixed(1).padStart(8)} ` +
    `${rate(bytes, r.median).toFixed(0).padStart(7)} ${mib(r.peak).padStart(9)} ${('+' + mib(r.peak - r.before)).padStart(8)}`;
  console.log(`signalk-server 2.32.0 + chunked-channel patch, track-history /api/sample, node ${process.version}`);
  console.log(`${''.padEnd(34)} ${'body B'.padStart(10)} ${'median ms'.padStart(9)} ${'best ms'.padStart(8)} ` +
    `${'MB/s'.padStart(7)} ${'peak MiB'.padStart(9)} ${'vs before'.padStart(8)}`);
  console.log(row(`60 KB body (fits the buffer) x${smallRuns}`, small, smallRun));
  console.log(row(`20 MiB body (chunked channel) x${runs}`, big, bigRun));
  if (!peakResets) console.log('(peak RSS could not be reset between phases: the 20 MiB peak includes the 60 KB phase)');
  console.log(`20 MiB reply through the channel: ${replyBytes} bytes; host half (pull + verify) median ${pullMs.toFixed(1)} ms = ${rate(replyBytes, pullMs).toFixed(0)} MB/s`);
  console.log(`plain Buffer copy of ${replyBytes} bytes: median ${copyMs.toFixed(2)} ms = ${copyRate.toFixed(0)} MB/s`);
  console.log(`throughput / Buffer copy: host half ${(rate(replyBytes, pullMs) / copyRate).toFixed(3)}, ` +
    `end to end ${(rate(big, bigRun.median) / copyRate).toFixed(4)}`);
  console.log(`time per request, 20 MiB vs 60 KB: ${(bigRun.median / smallRun.median).toFixed(0)}x for ${(big / small).toFixed(0)}x the bytes`);
})().catch((e) => {
  console.error(`chunked-realhost: ${e.stack || e}`);
  process.exit(1);
});
JS
