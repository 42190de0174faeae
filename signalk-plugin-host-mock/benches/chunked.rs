//! Chunked-channel throughput: 64 MiB pulled through `skc_v1_read` in 64 KiB chunks
//! (with order, length and checksum checks) against one raw copy of the same number of
//! bytes out of guest memory, measured in the same run. Prints numbers; the target is a
//! throughput ratio >= 0.5 and host memory <= payload + 2 chunks.
//!
//! Run with `cargo bench -p signalk-plugin-host-mock --bench chunked`.

use std::path::Path;
use std::time::{Duration, Instant};

use signalk_plugin_host_mock::{HostOptions, HttpRequest, MockHost, build_plugin};

const PAYLOAD: usize = 64 << 20;
const CHUNK: u64 = 65_536;
const ROUNDS: usize = 5;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn mib_per_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / (1 << 20) as f64 / d.as_secs_f64()
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let wasm = build_plugin(root.join("examples/track-history")).expect("build track-history");
    let options = HostOptions::new("track-history").memory_limit(1 << 30);
    let mut host = MockHost::load(&wasm, options).expect("load");
    host.start().expect("start");

    let mut channel = Vec::new();
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
        channel.push(t.elapsed);
        held = t.host_bytes_held;
        bytes = t.bytes;
        reads = t.reads;
    }
    let mut raw = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let copy = host
            .copy_guest_memory(0, bytes as u32)
            .expect("guest memory is large enough");
        raw.push(started.elapsed());
        assert_eq!(copy.len() as u64, bytes);
    }
    let (channel, raw) = (median(channel), median(raw));
    let ratio = mib_per_s(bytes, channel) / mib_per_s(bytes, raw);
    println!("chunked channel benchmark ({ROUNDS} rounds, medians)");
    println!("  payload (HTTP envelope)    {bytes} bytes in {reads} skc_v1_read calls");
    println!(
        "  channel                    {:>9.2} ms  {:>9.1} MiB/s",
        channel.as_secs_f64() * 1e3,
        mib_per_s(bytes, channel)
    );
    println!(
        "  raw copy out of guest      {:>9.2} ms  {:>9.1} MiB/s",
        raw.as_secs_f64() * 1e3,
        mib_per_s(bytes, raw)
    );
    println!(
        "  throughput ratio           {ratio:.3}  (target >= 0.5: {})",
        if ratio >= 0.5 { "met" } else { "MISSED" }
    );
    let limit = bytes + 2 * CHUNK;
    println!(
        "  host bytes held            {held} (payload + 2 chunks = {limit}: {})",
        if held <= limit { "met" } else { "MISSED" }
    );
}
