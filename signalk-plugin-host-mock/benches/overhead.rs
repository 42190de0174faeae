//! The mock host's own cost per operation: per delivered delta, per `sk_handle_message`,
//! per HTTP request and per PUT, with the guest's time taken out. Target: <= 10 µs each.
//!
//! Each operation runs on the SDK benchmark plugin (`bench/guest/sdk`) under the mock
//! host and, with the same input, under the bare wasmtime host of `bare/mod.rs`, whose
//! imports do no work and whose engine compiles the guest as the mock host's does: the
//! bare time is the guest's own time (plus a typed-call protocol of about 0.06 µs), so
//! `mock - bare` is what the mock host adds. The two run interleaved, round by round;
//! printed are min / median / max over the rounds.
//!
//! Then where the time goes: the mock host's pipeline works on `serde_json::Value`
//! trees, so the cost of the tree operations it performs per delta is timed here on the
//! same delta (serialize check, `to_value`, clone, `to_string`, the timestamp it
//! formats), natively, for the owner of the pipeline to compare against the total.
//!
//! Run with `cargo bench -p signalk-plugin-host-mock --bench overhead`.
//!
//! For a profiler, `OVERHEAD_PROFILE=<operation>` (`deliver`, `emit`, `http` or `put`)
//! runs only that mock host operation, `OVERHEAD_PROFILE_N` times (default 2000), and
//! exits: for example under
//! `valgrind --tool=callgrind --toggle-collect='*MockHost*deliver_delta*'` on the
//! bench binary, whose instruction count divided by N is the cost per operation.

// Shared with the other guest-side bench; each uses part of it.
#[allow(dead_code)]
mod bare;

use std::time::Duration;

use bare::{Bare, build_guests, calibrate, per_op, three};
use serde_json::Value;
use signalk_plugin_abi::Capability;
use signalk_plugin_host_mock::{HostOptions, HttpRequest, MockHost};
use wasmtime::Module;

const ROUNDS: usize = 11;
const BATCH: Duration = Duration::from_millis(40);
const TARGET_US: f64 = 10.0;

/// A delta as a sensor plugin's would arrive: 10 numeric values with source and
/// timestamp, about the own vessel (the mock host's default self context).
fn delta(context: &str) -> Value {
    let values: Vec<Value> = (0..10)
        .map(|i| serde_json::json!({"path": format!("environment.sensor{i}.value"), "value": 3.85 + f64::from(i)}))
        .collect();
    serde_json::json!({
        "context": context,
        "updates": [{
            "source": {"label": "gps", "type": "NMEA0183", "talker": "GP", "sentence": "RMC"},
            "$source": "gps.GP",
            "timestamp": "2026-11-25T20:00:00.000Z",
            "values": values,
        }],
    })
}

const PUT_VALUE: &str = r#"{"latitude":60.1699,"longitude":24.9386}"#;
const PUT_EXPORT: &str = "handle_put_vessels_self_navigation_anchor_position";
/// What the mock host sends for `GET /api/status` with no query or headers (read from
/// its `call_route`: the six members, empty objects).
const HTTP_ENVELOPE: &[u8] =
    br#"{"method":"GET","path":"/api/status","query":{},"params":{},"body":{},"headers":{}}"#;

struct Row {
    name: &'static str,
    mock: Vec<f64>,
    guest: Vec<f64>,
}

fn us(ns: f64) -> f64 {
    ns / 1e3
}

/// Runs one operation `OVERHEAD_PROFILE_N` times, for a profiler.
fn profile(host: &mut MockHost, operation: &str, own: &Value) {
    let n: usize = std::env::var("OVERHEAD_PROFILE_N")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let position: Value = serde_json::from_str(PUT_VALUE).expect("json");
    for _ in 0..n {
        match operation {
            "deliver" => host.deliver_delta(own).expect("deliver"),
            "emit" => drop(
                host.call_export_with_reply("bench_emit", b"1", 16)
                    .expect("emit"),
            ),
            "http" => drop(
                host.http(HttpRequest::get("/plugins/guest-bench/api/status"))
                    .expect("http"),
            ),
            "put" => drop(
                host.put("vessels.self", "navigation.anchor.position", &position)
                    .expect("put"),
            ),
            other => panic!("OVERHEAD_PROFILE={other}: use deliver, emit, http or put"),
        }
    }
    println!("{operation}: {n} operations");
}

fn main() {
    let guests = build_guests();
    let bytes = std::fs::read(&guests.sdk).expect("sdk wasm");
    let options = HostOptions::new("guest-bench").capability(Capability::PutHandlers);
    let self_context = options.self_context();
    let mut host = MockHost::from_bytes(&bytes, options).expect("load");
    host.start().expect("start");
    // The first delta makes the SDK learn its vessel (an announcement on 2.32.0).
    let own = delta(&self_context);
    host.deliver_delta(&own).expect("deliver");
    let own_text = serde_json::to_vec(&own).expect("json");
    if let Ok(operation) = std::env::var("OVERHEAD_PROFILE") {
        profile(&mut host, &operation, &own);
        return;
    }

    // Compiled as the mock host compiles it, so both run the same guest machine code.
    let module = Module::new(bare::engine_like_mock(), &bytes).expect("compile");
    let mut b = Bare::start_module(&module);
    let delta_handler = b.input_export("delta_handler");
    let emit = b.reply_export("bench_emit");
    let http = b.reply_export("http_status");
    let put = b.reply_export(PUT_EXPORT);
    // The delta the mock host hands back for `bench_emit(1)`, to time the guest's own
    // delivery of it.
    host.call_export_with_reply("bench_emit", b"1", 16)
        .expect("emit");
    let echo = host
        .recorded()
        .delta_values()
        .last()
        .expect("the emitted delta")
        .to_string()
        .into_bytes();
    let mut reply = Vec::new();

    let mut rows = [
        Row {
            name: "delivered delta (pipeline)",
            mock: vec![],
            guest: vec![],
        },
        Row {
            name: "delta_handler call only",
            mock: vec![],
            guest: vec![],
        },
        Row {
            name: "sk_handle_message (+echo)",
            mock: vec![],
            guest: vec![],
        },
        Row {
            name: "HTTP request",
            mock: vec![],
            guest: vec![],
        },
        Row {
            name: "PUT",
            mock: vec![],
            guest: vec![],
        },
    ];
    let request = || HttpRequest::get("/plugins/guest-bench/api/status");
    let position: Value = serde_json::from_str(PUT_VALUE).expect("json");
    let n = [
        calibrate(BATCH, || host.deliver_delta(&own).expect("deliver")),
        calibrate(BATCH, || {
            host.deliver_raw_delta(std::str::from_utf8(&own_text).unwrap())
                .expect("deliver")
        }),
        calibrate(BATCH, || {
            drop(
                host.call_export_with_reply("bench_emit", b"1", 16)
                    .expect("emit"),
            )
        }),
        calibrate(BATCH, || drop(host.http(request()).expect("http"))),
        calibrate(BATCH, || {
            drop(
                host.put("vessels.self", "navigation.anchor.position", &position)
                    .expect("put"),
            )
        }),
    ];
    for _ in 0..ROUNDS {
        rows[0]
            .mock
            .push(per_op(n[0], || host.deliver_delta(&own).expect("deliver")));
        rows[0]
            .guest
            .push(per_op(n[0], || b.deliver(&delta_handler, &own_text)));
        let text = std::str::from_utf8(&own_text).expect("utf-8");
        rows[1].mock.push(per_op(n[1], || {
            host.deliver_raw_delta(text).expect("deliver")
        }));
        rows[1]
            .guest
            .push(per_op(n[1], || b.deliver(&delta_handler, &own_text)));
        rows[2].mock.push(per_op(n[2], || {
            drop(
                host.call_export_with_reply("bench_emit", b"1", 16)
                    .expect("emit"),
            );
        }));
        rows[2].guest.push(per_op(n[2], || {
            b.request(&emit, b"1", 16, &mut reply);
            b.deliver(&delta_handler, &echo);
        }));
        rows[3]
            .mock
            .push(per_op(n[3], || drop(host.http(request()).expect("http"))));
        rows[3].guest.push(per_op(n[3], || {
            b.request(&http, HTTP_ENVELOPE, 65536, &mut reply)
        }));
        rows[4].mock.push(per_op(n[4], || {
            drop(
                host.put("vessels.self", "navigation.anchor.position", &position)
                    .expect("put"),
            );
        }));
        rows[4].guest.push(per_op(n[4], || {
            b.request(&put, PUT_VALUE.as_bytes(), 8192, &mut reply)
        }));
    }
    let r = host.http(request()).expect("http");
    assert_eq!(r.status, 200, "{}", r.body);

    println!(
        "mock host overhead: µs per operation, {ROUNDS} interleaved rounds (min / median / max)"
    );
    println!(
        "{:<28} {:>26} {:>26} {:>26}",
        "operation", "mock host", "guest alone (bare)", "overhead = mock - guest"
    );
    for row in &rows {
        let over: Vec<f64> = row
            .mock
            .iter()
            .zip(&row.guest)
            .map(|(m, g)| us(m - g))
            .collect();
        let f = |v: &[f64]| {
            let (lo, mid, hi) = three(v.iter().map(|&x| us(x)).collect());
            format!("{lo:>8.2} {mid:>8.2} {hi:>8.2}")
        };
        let (lo, mid, hi) = three(over);
        println!(
            "{:<28} {} {} {lo:>8.2} {mid:>8.2} {hi:>8.2}  {}",
            row.name,
            f(&row.mock),
            f(&row.guest),
            if mid <= TARGET_US { "met" } else { "MISSED" }
        );
    }

    println!();
    println!(
        "where a delivered delta's time goes: the Value operations of the pipeline, on the same delta (µs, median of {ROUNDS})"
    );
    type Part<'a> = (&'static str, Box<dyn FnMut() + 'a>);
    let parts: [Part<'_>; 6] = [
        (
            "serialize check (to a sink)",
            Box::new(|| serde_json::to_writer(std::io::sink(), &own).expect("json")),
        ),
        (
            "to_value (copy into a tree)",
            Box::new(|| drop(serde_json::to_value(&own).expect("json"))),
        ),
        (
            "clone of the tree",
            Box::new(|| drop(std::hint::black_box(&own).clone())),
        ),
        (
            "to_string (for delta_handler)",
            Box::new(|| drop(own.to_string())),
        ),
        (
            "parse back from text",
            Box::new(|| drop(serde_json::from_slice::<Value>(&own_text).expect("json"))),
        ),
        (
            "format the current time",
            Box::new(|| {
                drop(humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string())
            }),
        ),
    ];
    for (name, mut f) in parts {
        let n = calibrate(BATCH / 4, &mut f);
        let (_, mid, _) = three((0..ROUNDS).map(|_| per_op(n, &mut f)).collect());
        println!("  {name:<32} {:>8.2}", us(mid));
    }
}
