//! Chunked-channel throughput: 64 MiB pulled through `skc_v1_read` in 64 KiB chunks
//! (with order, length and checksum checks) against one raw copy of the same number of
//! bytes out of guest memory, measured in the same run, the two interleaved round by
//! round so a drifting machine affects both alike. Prints min / median / max of each and
//! of the per-round ratio; the targets are a median throughput ratio >= 0.8 and host
//! memory <= payload + 2 chunks.
//!
//! Run with `cargo bench -p signalk-plugin-host-mock --bench chunked`.

use std::path::Path;
use std::time::{Duration, Instant};

use signalk_plugin_host_mock::{HostOptions, HttpRequest, MockHost, build_plugin};

const PAYLOAD: usize = 64 << 20;
const CHUNK: u64 = 65_536;
const ROUNDS: usize = 9;
const TARGET: f64 = 0.8;

/// Minimum, median and maximum.
fn three(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let wasm = build_plugin(root.join("examples/track-history")).expect("build track-history");
    let options = HostOptions::new("track-history").memory_limit(1 << 30);
    let mut host = MockHost::load(&wasm, options).expect("load");
    host.start().expect("start");

    let mut channel = Vec::new();
    let mut raw = Vec::new();
    let mut ratios = Vec::new();
    let mut held = 0;
    let mut bytes = 0;
    let mut reads = 0;
    for _ in 0..ROUNDS {
        let r = host
            .http(HttpRequest::get(&format!("/api/sample?bytes={PAYLOAD}")))
            .expect("request");
        assert_eq!(r.status, 200, "{}", &r.body[..r.body.len().min(300)]);
        assert_eq!(r.body.len(), PAYLOAD);
        let t = host
            .last_transfer()
            .expect("the reply went through the channel");
        held = t.host_bytes_held;
        bytes = t.bytes;
        reads = t.reads;
        let started = Instant::now();
        let copy = host
            .copy_guest_memory(0, bytes as u32)
            .expect("guest memory is large enough");
        let copied = started.elapsed();
        assert_eq!(copy.len() as u64, bytes);
        drop(copy);
        ratios.push(copied.as_secs_f64() / t.elapsed.as_secs_f64());
        channel.push(t.elapsed);
        raw.push(copied);
    }
    let spread = |v: &[Duration]| {
        let ms: Vec<f64> = v.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        let (lo, mid, hi) = three(ms);
        format!(
            "{lo:>8.2} {mid:>8.2} {hi:>8.2} ms  (median {:>7.1} MiB/s)",
            bytes as f64 / (1 << 20) as f64 / (mid / 1e3)
        )
    };
    println!("chunked channel benchmark ({ROUNDS} rounds, min / median / max)");
    println!("  payload (HTTP envelope)    {bytes} bytes in {reads} skc_v1_read calls");
    println!("  channel                    {}", spread(&channel));
    println!("  raw copy out of guest      {}", spread(&raw));
    let (lo, ratio, hi) = three(ratios);
    println!(
        "  throughput ratio           {lo:.3} {ratio:.3} {hi:.3}  (median target >= {TARGET}: {})",
        if ratio >= TARGET { "met" } else { "MISSED" }
    );
    let limit = bytes + 2 * CHUNK;
    println!(
        "  host bytes held            {held} (payload + 2 chunks = {limit}: {})",
        if held <= limit { "met" } else { "MISSED" }
    );
}
