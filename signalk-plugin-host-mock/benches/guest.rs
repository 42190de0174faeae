//! Guest-side time: the SDK against the best hand-written twin, measured in the same run.
//!
//! `bench/guest/sdk` is a plugin written with signalk-plugin; `bench/guest/raw` does the
//! same by hand (raw FFI, typed and borrowed serde structs). Both run under a bare
//! wasmtime host whose imports do no work (`bare/mod.rs`), so the figures are guest time
//! plus the host's buffer protocol (allocate, copy in, call, copy out, deallocate),
//! which both pay alike. Before timing, the two are checked to behave the same on every
//! input (same state after the deltas, same emitted deltas, same replies).
//!
//! Each case runs in rounds; in every round both plugins run a batch of the same calls,
//! in alternating order, so a drifting machine affects both alike. Printed: ns per call,
//! min / median / max over the rounds, and the per-round ratio sdk/raw, against the
//! target (median ratio <= 1.0). Then the delta-in cases once more for two floor builds
//! of the twin (its `keep` features: decoding everything the SDK delivers, typed and
//! borrowed; the same with the source left raw), against the twin, without a target:
//! how low the SDK's ratio could go with serde, whatever the SDK's own decoder does.
//! Then cold start: the mock host (`MockHost::from_bytes` then `start`) against bare
//! wasmtime (`Module::new`, instantiate, `plugin_start`), each with a compiled-module
//! cache miss and hit.
//!
//! Run with `cargo bench -p signalk-plugin-host-mock --bench guest`.
//! `GUEST_BENCH_ONLY=<text>` runs only the cases whose name contains it;
//! `GUEST_BENCH_SDK_WASM=<file>` times that build of the SDK plugin instead of a fresh
//! one (for example one built from an earlier commit, to compare before and after in
//! one session: both runs still time it against the same freshly built twin).

// Shared with the other guest-side bench; each uses part of it.
#[allow(dead_code)]
mod bare;

use std::time::{Duration, Instant};

use bare::{Bare, Guests, SELF_CONTEXT, build_guests, build_twin_with, calibrate, per_op, three};
use serde_json::Value;
use signalk_plugin_abi::Capability;
use signalk_plugin_host_mock::{HostOptions, MockHost};
use wasmtime::Module;

const ROUNDS: usize = 15;
const BATCH: Duration = Duration::from_millis(25);
const COLD_ROUNDS: usize = 7;
const TARGET: f64 = 1.0;

const SOURCE: &str = r#""source":{"label":"gps","type":"NMEA0183","talker":"GP","sentence":"RMC"},"$source":"gps.GP","timestamp":"2026-11-25T20:00:00.000Z""#;

/// A delta as the server delivers it: resolved context, source, `$source`, timestamp.
fn delta(context: &str, source: &str, values: &str) -> Vec<u8> {
    format!(r#"{{"context":"{context}","updates":[{{{source},"values":[{values}]}}]}}"#)
        .into_bytes()
}

fn numbers(n: usize) -> String {
    const PATHS: [&str; 10] = [
        "navigation.speedOverGround",
        "navigation.courseOverGroundTrue",
        "navigation.headingTrue",
        "navigation.rateOfTurn",
        "environment.depth.belowKeel",
        "environment.wind.speedApparent",
        "environment.wind.angleApparent",
        "environment.water.temperature",
        "electrical.batteries.house.voltage",
        "propulsion.main.revolutions",
    ];
    PATHS[..n]
        .iter()
        .enumerate()
        .map(|(i, p)| format!(r#"{{"path":"{p}","value":{}}}"#, 3.85 + i as f64 * 1.5))
        .collect::<Vec<_>>()
        .join(",")
}

/// The deltas of the "delta in" cases.
pub fn deltas() -> Vec<(&'static str, Vec<u8>)> {
    let ais_source = r#""source":{"label":"ais","type":"NMEA0183","talker":"AI","sentence":"VDM"},"$source":"ais.AI","timestamp":"2026-11-25T20:00:01.000Z""#;
    let ais_values = [
        r#"{"path":"navigation.position","value":{"longitude":24.9512,"latitude":60.1543}}"#,
        r#"{"path":"navigation.courseOverGroundTrue","value":1.2566}"#,
        r#"{"path":"navigation.speedOverGround","value":3.4}"#,
        r#"{"path":"navigation.headingTrue","value":1.2392}"#,
        r#"{"path":"navigation.state","value":"motoring"}"#,
        r#"{"path":"","value":{"mmsi":"230099999"}}"#,
        r#"{"path":"","value":{"name":"BOATY MCBOATFACE"}}"#,
    ]
    .join(",");
    vec![
        (
            "delta in: 1 value",
            delta(SELF_CONTEXT, SOURCE, &numbers(1)),
        ),
        (
            "delta in: 10 values",
            delta(SELF_CONTEXT, SOURCE, &numbers(10)),
        ),
        (
            "delta in: position",
            delta(
                SELF_CONTEXT,
                SOURCE,
                r#"{"path":"navigation.position","value":{"longitude":24.9386,"latitude":60.1699}}"#,
            ),
        ),
        (
            "delta in: AIS target",
            delta(
                "vessels.urn:mrn:imo:mmsi:230099999",
                ais_source,
                &ais_values,
            ),
        ),
    ]
}

/// The request the server sends for `GET /plugins/guest-bench/api/status` from curl.
pub const HTTP_REQUEST: &[u8] = br#"{"method":"GET","path":"/api/status","query":{},"params":{},"body":{},"headers":{"host":"127.0.0.1:3000","user-agent":"curl/8.5.0","accept":"*/*"}}"#;
/// The value of `PUT /signalk/v1/api/vessels/self/navigation/anchor/position`.
pub const PUT_VALUE: &[u8] = br#"{"latitude":60.1699,"longitude":24.9386}"#;
pub const PUT_EXPORT: &str = "handle_put_vessels_self_navigation_anchor_position";
pub const HTTP_EXPORT: &str = "http_status";

/// One timed case: what to call on a plugin instance.
enum Case {
    Delta(Vec<u8>),
    /// The count, and the SDK plugin's export (the twin's is always `bench_emit`).
    Emit(&'static [u8], &'static str),
    Http,
    Put,
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

/// Both plugins must do the same thing before their times mean anything.
fn check_same_behaviour(sdk: &[u8], raw: &[u8]) {
    let (mut s, mut r) = (Bare::cold_start(sdk), Bare::cold_start(raw));
    for (name, delta) in deltas() {
        for b in [&mut s, &mut r] {
            let f = b.input_export("delta_handler");
            b.deliver(&f, &delta);
        }
        let _ = name;
    }
    let mut replies = Vec::new();
    for b in [&mut s, &mut r] {
        let put = b.reply_export(PUT_EXPORT);
        let mut reply = Vec::new();
        b.request(&put, PUT_VALUE, 8192, &mut reply);
        let put_reply = json(&reply);
        let http = b.reply_export(HTTP_EXPORT);
        b.request(&http, HTTP_REQUEST, 65536, &mut reply);
        let http_reply = json(&reply);
        let emit = b.reply_export("bench_emit");
        let mut emitted = Vec::new();
        for count in [&b"1"[..], b"10"] {
            b.request(&emit, count, 16, &mut reply);
            emitted.push(json(&b.state().sent));
        }
        if let Ok(builder) = b.try_reply_export("bench_emit_builder") {
            b.request(&builder, b"10", 16, &mut reply);
            assert_eq!(
                json(&b.state().sent),
                emitted[1],
                "the builder emits the same"
            );
        }
        replies.push((put_reply, http_reply, emitted));
    }
    assert_eq!(replies[0].0, replies[1].0, "PUT replies differ (sdk, raw)");
    assert_eq!(replies[0].1, replies[1].1, "HTTP replies differ (sdk, raw)");
    assert_eq!(
        replies[0].2, replies[1].2,
        "emitted deltas differ (sdk, raw)"
    );
    let body = &replies[0].1["body"];
    // 1 + 10 own values and the AIS target's course, speed and heading.
    assert_eq!(body["numbers"], 14, "every numeric value was read: {body}");
    assert_eq!(
        body["targets"], 1,
        "the AIS delta is another vessel's: {body}"
    );
    assert_eq!(
        body["position"]["latitude"], 60.1699,
        "own position: {body}"
    );
}

/// ns per call of `case` on `b`, `n` calls.
fn run(b: &mut Bare, case: &Case, n: u32, sdk: bool) -> f64 {
    match case {
        Case::Delta(delta) => {
            let f = b.input_export("delta_handler");
            per_op(n, || b.deliver(&f, delta))
        }
        Case::Emit(count, export) => {
            let f = b.reply_export(if sdk { export } else { "bench_emit" });
            let mut reply = Vec::new();
            per_op(n, || b.request(&f, count, 16, &mut reply))
        }
        Case::Http => {
            let f = b.reply_export(HTTP_EXPORT);
            let mut reply = Vec::with_capacity(1024);
            per_op(n, || b.request(&f, HTTP_REQUEST, 65536, &mut reply))
        }
        Case::Put => {
            let f = b.reply_export(PUT_EXPORT);
            let mut reply = Vec::with_capacity(1024);
            per_op(n, || b.request(&f, PUT_VALUE, 8192, &mut reply))
        }
    }
}

fn fmt3((lo, mid, hi): (f64, f64, f64)) -> String {
    format!("{lo:>8.0} {mid:>8.0} {hi:>8.0}")
}

/// Times `case` on `sdk` against `raw` and prints a row; `verdict` adds met/MISSED
/// against the target (the floor references have none).
fn time_case(name: &str, case: &Case, sdk: &Module, raw: &Module, verdict: bool) {
    let (mut s, mut r) = (Bare::start_module(sdk), Bare::start_module(raw));
    let n = calibrate(BATCH, || {
        run(&mut s, case, 1, true);
    });
    let (mut ts, mut tr, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (a, b) = if round % 2 == 0 {
            let a = run(&mut s, case, n, true);
            (a, run(&mut r, case, n, false))
        } else {
            let b = run(&mut r, case, n, false);
            (run(&mut s, case, n, true), b)
        };
        ts.push(a);
        tr.push(b);
        ratios.push(a / b);
    }
    let (lo, ratio, hi) = three(ratios);
    let verdict = match (verdict, ratio <= TARGET) {
        (false, _) => "",
        (true, true) => "met",
        (true, false) => "MISSED",
    };
    println!(
        "{name:<22} {}  {}  {lo:>5.2} {ratio:>5.2} {hi:>5.2}  {verdict}",
        fmt3(three(ts)),
        fmt3(three(tr))
    );
}

/// The twin's floor builds (`bench/guest/raw`'s features) and what each decodes.
const FLOORS: [(&str, &str); 2] = [
    (
        "keep",
        "every member the SDK delivers, typed and borrowed (derived serde)",
    ),
    (
        "keep-lazy-source",
        "the same, but the source kept as raw text until read",
    ),
];

/// The delta-in cases again, timed for each floor build of the twin against the twin:
/// what delivering the SDK's content costs a hand-writer at best, apart from how the
/// SDK decodes it. No target; these tell how far below a ratio can go.
fn floors(cases: &[&(String, Case)], raw: &[u8], raw_module: &Module) {
    for (feature, what) in FLOORS {
        let path = build_twin_with(feature);
        let floor =
            std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        check_same_behaviour(&floor, raw);
        let module = Module::new(bare::engine(), &floor).expect("compile floor");
        println!();
        println!("floor `{feature}`: the twin decoding {what}");
        println!(
            "{:<22} {:>26}  {:>26}  {:>17}",
            "case", "floor", "hand-written twin", "ratio floor/raw"
        );
        for (name, case) in cases {
            time_case(name, case, &module, raw_module, false);
        }
    }
}

/// `bytes` with a custom section appended that makes it unique: a compiled-module cache
/// keyed by content misses on it, and the module behaves the same.
fn unique(bytes: &[u8], n: u64) -> Vec<u8> {
    let name = b"bench-unique";
    let payload = n.to_le_bytes();
    let mut out = bytes.to_vec();
    out.push(0); // custom section
    out.push((1 + name.len() + payload.len()) as u8); // size (< 128: one LEB byte)
    out.push(name.len() as u8);
    out.extend_from_slice(name);
    out.extend_from_slice(&payload);
    out
}

fn millis(f: impl FnOnce()) -> f64 {
    let started = Instant::now();
    f();
    started.elapsed().as_secs_f64() * 1e3
}

fn cold_start(guests: &Guests) {
    let sdk = std::fs::read(&guests.sdk).expect("sdk wasm");
    let raw = std::fs::read(&guests.raw).expect("raw wasm");
    let options = || HostOptions::new("guest-bench").capability(Capability::PutHandlers);
    let mock = |bytes: &[u8]| {
        let mut host = MockHost::from_bytes(bytes, options()).expect("load");
        host.start().expect("start");
    };
    // Warm the mock host's cache for the hit figures.
    mock(&sdk);
    let sdk_module = Module::new(bare::engine(), &sdk).expect("compile");
    let raw_module = Module::new(bare::engine(), &raw).expect("compile");
    let mut rows: Vec<(&str, Vec<f64>)> = vec![
        ("mock host, cache miss", Vec::new()),
        ("mock host, cache hit", Vec::new()),
        ("bare, compile (miss)", Vec::new()),
        ("bare, compiled (hit)", Vec::new()),
        ("raw twin bare, miss", Vec::new()),
        ("raw twin bare, hit", Vec::new()),
    ];
    for round in 0..COLD_ROUNDS {
        let fresh = unique(&sdk, round as u64 + 1);
        rows[0].1.push(millis(|| mock(&fresh)));
        rows[1].1.push(millis(|| mock(&sdk)));
        rows[2].1.push(millis(|| drop(Bare::cold_start(&sdk))));
        rows[3]
            .1
            .push(millis(|| drop(Bare::start_module(&sdk_module))));
        rows[4].1.push(millis(|| drop(Bare::cold_start(&raw))));
        rows[5]
            .1
            .push(millis(|| drop(Bare::start_module(&raw_module))));
    }
    println!();
    println!(
        "cold start, SDK plugin ({} bytes; raw twin {} bytes), ms, {COLD_ROUNDS} rounds: min / median / max",
        sdk.len(),
        raw.len()
    );
    for (name, v) in rows {
        let (lo, mid, hi) = three(v);
        println!("  {name:<24} {lo:>8.3} {mid:>8.3} {hi:>8.3}");
    }
}

fn main() {
    let mut guests = build_guests();
    if let Some(file) = std::env::var_os("GUEST_BENCH_SDK_WASM") {
        guests.sdk = file.into();
        println!("SDK plugin: {}", guests.sdk.display());
    }
    let sdk = std::fs::read(&guests.sdk)
        .unwrap_or_else(|e| panic!("reading {}: {e}", guests.sdk.display()));
    let raw = std::fs::read(&guests.raw).expect("raw wasm");
    check_same_behaviour(&sdk, &raw);
    let sdk_module = Module::new(bare::engine(), &sdk).expect("compile sdk");
    let raw_module = Module::new(bare::engine(), &raw).expect("compile raw");

    println!(
        "guest benchmark: ns per call, {ROUNDS} interleaved rounds (min / median / max), target sdk/raw <= {TARGET}"
    );
    println!(
        "{:<22} {:>26}  {:>26}  {:>17}",
        "case", "SDK", "hand-written twin", "ratio sdk/raw"
    );
    let mut cases: Vec<(String, Case)> = deltas()
        .into_iter()
        .map(|(name, d)| (name.to_owned(), Case::Delta(d)))
        .collect();
    cases.push(("emit: 1 value".into(), Case::Emit(b"1", "bench_emit")));
    cases.push(("emit: 10 values".into(), Case::Emit(b"10", "bench_emit")));
    cases.push((
        "emit: 10, Delta builder".into(),
        Case::Emit(b"10", "bench_emit_builder"),
    ));
    cases.push(("HTTP GET, JSON reply".into(), Case::Http));
    cases.push(("PUT, position".into(), Case::Put));
    // `GUEST_BENCH_ONLY=http` runs only the cases whose name contains `http` (any case),
    // and skips the cold start unless it matches `cold`.
    let only = std::env::var("GUEST_BENCH_ONLY")
        .ok()
        .map(|s| s.to_lowercase());
    let wanted = |name: &str| {
        only.as_ref()
            .is_none_or(|o| name.to_lowercase().contains(o))
    };
    for (name, case) in &cases {
        if wanted(name) {
            time_case(name, case, &sdk_module, &raw_module, true);
        }
    }
    let delta_cases: Vec<_> = cases
        .iter()
        .filter(|(name, case)| matches!(case, Case::Delta(_)) && wanted(name))
        .collect();
    if !delta_cases.is_empty() {
        floors(&delta_cases, &raw, &raw_module);
    }
    if wanted("cold start") {
        cold_start(&guests);
    }
}
