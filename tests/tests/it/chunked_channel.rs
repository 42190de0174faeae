//! The chunked channel end to end: replies around the 64 KiB buffer and of several MB
//! come back byte-identical; hosts without the channel get a clear error instead of a
//! truncation; hostile guests get clear errors and lose nothing.

use std::time::Duration;

use cross_crate_tests::{Export, WatPlugin, load_example};
use serde_json::{Value, json};
use signalk_plugin::Capability;
use signalk_plugin::chunked::{Marker, fletcher64};
use signalk_plugin_host_mock::{Error, HostOptions, HttpRequest, MockHost};

const BUFFER: usize = 65_536;

fn track(options: HostOptions) -> MockHost {
    load_example("track-history", options.memory_limit(512 << 20))
}

fn sample(n: usize) -> String {
    (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect()
}

/// The envelope the SDK writes for a text body of `n` bytes, so a test can aim at an
/// exact reply size.
fn envelope_len(body: usize) -> usize {
    let empty = json!({"statusCode": 200, "headers": {"Content-Type": "text/plain; charset=utf-8"}, "body": ""});
    empty.to_string().len() + body
}

#[test]
fn bodies_of_every_size_come_back_byte_identical() {
    let mut host = track(HostOptions::new("track-history"));
    assert_eq!(host.chunked_version(), Some(1));
    host.start().unwrap();
    let overhead = envelope_len(0);
    let sizes = [
        0,
        1,
        BUFFER - 1 - overhead,
        BUFFER - overhead,
        BUFFER + 1 - overhead,
        BUFFER - 1,
        BUFFER,
        BUFFER + 1,
        5 << 20,
    ];
    for body in sizes {
        let r = host
            .http(HttpRequest::get(&format!("/api/sample?bytes={body}")))
            .unwrap();
        assert_eq!(
            r.status,
            200,
            "body {body}: {}",
            &r.body[..r.body.len().min(200)]
        );
        assert_eq!(r.body.len(), body);
        assert!(r.body == sample(body), "body {body} differs");
        let reply = envelope_len(body);
        match host.last_transfer() {
            Some(t) if reply > BUFFER => assert_eq!(t.bytes as usize, reply, "body {body}"),
            _ => assert!(
                reply <= BUFFER,
                "a {reply}-byte reply must have used the channel"
            ),
        }
    }
    let t = host.last_transfer().unwrap();
    assert_eq!(
        t.host_bytes_held, t.bytes,
        "the host holds exactly the payload"
    );
    assert!(host.ledger().live.is_empty(), "{:?}", host.ledger().live);
    assert!(
        host.ledger().issues.is_empty(),
        "{:?}",
        host.ledger().issues
    );
}

#[test]
fn a_reply_of_exactly_the_buffer_size_needs_no_channel() {
    let mut host = track(HostOptions::new("track-history"));
    host.start().unwrap();
    let body = BUFFER - envelope_len(0);
    let r = host
        .http(HttpRequest::get(&format!("/api/sample?bytes={body}")))
        .unwrap();
    assert_eq!(r.body.len(), body);
    assert!(host.last_transfer().is_none());
}

#[test]
fn a_20_mb_json_body_is_byte_identical() {
    let mut host = track(HostOptions::new("track-history"));
    host.start().unwrap();
    // Binary fractions parse and print exactly, so the host can predict the guest's text.
    // The server re-serialises JSON bodies as JavaScript does (60.0 → 60); so does the mock.
    let js = |f: f64| {
        if f.fract() == 0.0 {
            json!(f as i64)
        } else {
            json!(f)
        }
    };
    let points: Vec<Value> = (0..560_000)
        .map(|i| json!({"latitude": js(60.0 + f64::from(i % 4096) / 1024.0), "longitude": js(-f64::from(i / 4096) / 64.0)}))
        .collect();
    for chunk in points.chunks(70_000) {
        let values: Vec<Value> = chunk
            .iter()
            .map(|p| json!({"path": "navigation.position", "value": p}))
            .collect();
        host.deliver_delta(&json!({"updates": [{"values": values}]}))
            .unwrap();
    }
    let expected = serde_json::to_string(&points).unwrap();
    assert!(expected.len() > 20_000_000, "{}", expected.len());
    let r = host.http(HttpRequest::get("/api/track")).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), expected.len());
    assert!(r.body == expected, "the 20 MB body differs");
    let csv = host.http(HttpRequest::get("/api/track.csv")).unwrap();
    assert_eq!(csv.body.lines().count(), points.len() + 1);
    // `res.send` appends the charset to the plugin's type, as Express does.
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
}

#[test]
fn without_the_channel_an_oversize_reply_is_a_clear_500() {
    let mut host = track(HostOptions::new("track-history").chunked_channel(false));
    host.start().unwrap();
    assert_eq!(host.chunked_version(), None);
    let r = host
        .http(HttpRequest::get("/api/sample?bytes=100000"))
        .unwrap();
    assert_eq!(r.status, 500);
    let err = r.body_json().unwrap();
    assert!(
        err["error"].as_str().unwrap().contains("holds 65536"),
        "{err}"
    );
    // What fits still works.
    assert_eq!(
        host.http(HttpRequest::get("/api/sample?bytes=10"))
            .unwrap()
            .body,
        sample(10)
    );
}

#[test]
fn large_provider_replies_use_the_channel_or_report_an_error() {
    let waypoints: serde_json::Map<String, Value> = (0..3000)
        .map(|i| (format!("wp{i:05}"), json!({"name": format!("Waypoint {i}"), "position": {"latitude": 60.0, "longitude": 25.0}, "notes": "x".repeat(40)})))
        .collect();
    let options = HostOptions::new("resource-provider")
        .capability(Capability::ResourceProvider)
        .configuration(json!({"waypoints": waypoints}));
    let mut host = load_example("resource-provider", options.clone());
    host.start().unwrap();
    let list = host
        .providers()
        .list_resources("waypoints", json!({}))
        .unwrap();
    assert_eq!(list, Value::Object(waypoints.clone()));
    assert!(host.last_transfer().unwrap().bytes > BUFFER as u64);

    let mut old = load_example("resource-provider", options.chunked_channel(false));
    old.start().unwrap();
    assert_eq!(
        old.providers()
            .list_resources("waypoints", json!({}))
            .unwrap(),
        json!({}),
        "the server's default"
    );
    assert!(
        old.recorded()
            .errors()
            .iter()
            .any(|e| e.contains("holds 65536")),
        "{:?}",
        old.recorded().errors()
    );
}

/// A guest ([`WatPlugin`]: 8 pages, heap at 0x40000, no `plugin_name` or
/// `plugin_schema`) with one HTTP route whose reply is a marker for `length` bytes with
/// `checksum`, and an `skc_v1_read` built from `read_body` (params: handle, offset,
/// out_ptr, out_max; the payload is the bytes at 0x10000).
fn hostile(marker: &str, read_body: &str) -> Vec<u8> {
    let routes = r#"[{"method":"GET","path":"/x","handler":"h"}]"#;
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    WatPlugin::new()
        .pages(8)
        .heap_start(262_144)
        .without(Export::PluginName)
        .without(Export::PluginSchema)
        .head(format!(r#"(data (i32.const 16) "{}")"#, esc(routes)))
        .head(format!(r#"(data (i32.const 1024) "{}")"#, esc(marker)))
        .tail(format!(
            r#"(func (export "http_endpoints") (param $out i32) (param i32) (result i32)
    (memory.copy (local.get $out) (i32.const 16) (i32.const {rl})) (i32.const {rl}))
  (func (export "h") (param i32 i32 i32 i32) (result i32)
    (memory.copy (local.get 2) (i32.const 1024) (i32.const {ml})) (i32.const {ml}))
  (func (export "skc_v1_hello") (param i32) (result i32) (i32.const 1))
  (func (export "skc_v1_read") (param $h i32) (param $off i32) (param $out i32) (param $max i32) (result i32)
    {read_body})
  (func (export "skc_v1_close") (param i32) (result i32) (i32.const 0))"#,
            rl = routes.len(),
            ml = marker.len(),
        ))
        .build()
}

/// A well-behaved read: copies min(max, len - off) bytes from 0x10000 + off.
fn honest_read(len: u32) -> String {
    format!(
        "(local $n i32)
         (local.set $n (i32.sub (i32.const {len}) (local.get $off)))
         (if (i32.gt_s (local.get $n) (local.get $max)) (then (local.set $n (local.get $max))))
         (memory.copy (local.get $out) (i32.add (i32.const 65536) (local.get $off)) (local.get $n))
         (local.get $n)"
    )
}

fn marker(length: u32, checksum: u64) -> String {
    Marker {
        handle: 1,
        length,
        checksum,
    }
    .to_json()
}

fn get_x(wasm: &[u8]) -> signalk_plugin_host_mock::HttpResponse {
    let mut host = MockHost::from_bytes(
        wasm,
        HostOptions::new("h").call_timeout(Duration::from_secs(2)),
    )
    .unwrap();
    let r = host.http(HttpRequest::get("/x")).unwrap();
    assert!(
        host.ledger().live.is_empty(),
        "the chunk buffer is given back: {:?}",
        host.ledger()
    );
    r
}

#[test]
fn hostile_chunks_are_clear_errors() {
    // The payload region (0x10000..) is zeros: its checksum is 0.
    let len = 70_000;
    let zeros = fletcher64(&vec![0; len as usize]);
    // Honest guest, right checksum: the reply parses (zeros are not JSON → 500 from the
    // envelope parser, but the transfer itself succeeded).
    let ok = get_x(&hostile(&marker(len, zeros), &honest_read(len)));
    assert!(!ok.body.contains("chunked channel"), "{}", ok.body);

    let cases = [
        (
            marker(len, zeros ^ 1),
            honest_read(len),
            "checksum mismatch",
        ),
        (
            marker(len, zeros),
            "(i32.const -2)".to_owned(),
            "out of order",
        ),
        (
            marker(len, zeros),
            "(i32.const -1)".to_owned(),
            "unknown handle",
        ),
        (
            marker(len, zeros),
            "(i32.const 0)".to_owned(),
            "ended the transfer at byte 0",
        ),
        (
            marker(len, zeros),
            "(i32.add (local.get $max) (i32.const 1))".to_owned(),
            "byte buffer",
        ),
        (
            marker(10, zeros),
            "(local.get $max)".to_owned(),
            "more than the 10 bytes",
        ),
        (
            marker(len, zeros),
            "(unreachable)".to_owned(),
            "unreachable",
        ),
    ];
    for (marker, read, expected) in cases {
        let r = get_x(&hostile(&marker, &read));
        assert_eq!(r.status, 500, "{expected}");
        assert!(
            r.body.contains(expected),
            "expected {expected:?} in {}",
            r.body
        );
    }
}

#[test]
fn a_marker_without_hello_is_refused() {
    let wasm = hostile(&marker(70_000, 0), &honest_read(70_000));
    let mut host =
        MockHost::from_bytes(&wasm, HostOptions::new("h").chunked_channel(false)).unwrap();
    let r = host.http(HttpRequest::get("/x")).unwrap();
    assert_eq!(r.status, 500);
    assert!(r.body.contains("never said hello"), "{}", r.body);
    assert!(matches!(
        host.call_export_with_reply("h", b"{}", 65_536),
        Err(Error::Channel(_))
    ));
}
