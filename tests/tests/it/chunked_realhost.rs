//! The chunked channel on the real signalk-server 2.32.0, with the host half from
//! `host/signalk-server/` applied (`conformance/realhost.sh start --chunked`): replies of
//! 20 MB over HTTP and 5 MB from a resource provider arrive byte-identical, so do replies
//! right at the 64 KiB buffer; hostile guests get a clean error while the server goes on
//! serving; and the stock server still loads the same plugins and answers the documented
//! clear errors. The host half's own Node unit tests run here too.
//!
//! Needs npm, like `realhost.rs`; skipped, with a message, only when npm is unreachable.
//! Run alone: `cargo test -p cross-crate-tests chunked_realhost -- --nocapture`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cross_crate_tests::{RealServer, WatPlugin, realhost, repo_root};
use serde_json::{Value, json};
use signalk_plugin::chunked::{MAX_CHUNK, Marker, fletcher64};
use signalk_plugin::http::HttpResponse;
use signalk_plugin_host_mock::{PackageSpec, package_crate, package_plugin};

/// The server's buffer for HTTP and provider replies.
const BUFFER: usize = signalk_plugin::http::RESPONSE_BUFFER;
const BIG_HTTP: usize = 20 << 20;
const BIG_RESOURCES: usize = 5 << 20;

/// A running signalk-server, stock or patched; stopped (only this one) on drop.
struct Server(RealServer);

impl Server {
    fn start(chunked: bool, plugins: &[(&Path, Value)]) -> Option<Server> {
        if chunked {
            RealServer::start_chunked(plugins).map(Server)
        } else {
            RealServer::start(plugins).map(Server)
        }
    }

    fn get(&self, path: &str) -> (u16, Vec<u8>) {
        self.0.get_bytes(path)
    }

    fn get_text(&self, path: &str) -> (u16, String) {
        self.0.get(path)
    }

    fn put_json(&self, path: &str, body: &str) -> (u16, String) {
        self.0.put_text(path, body)
    }

    fn states(&self) -> Vec<(String, String)> {
        let (status, body) = self.get_text("/skServer/plugins");
        assert_eq!(status, 200, "{body}");
        let list: Value = serde_json::from_str(&body).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let field = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
                (field("id"), field("state"))
            })
            .collect()
    }

    /// The chunked transfers the host half logged: (export, bytes).
    fn transfers(&self) -> Vec<(String, usize)> {
        self.0
            .log()
            .lines()
            .filter_map(|l| {
                l.split_once("signalk:wasm:chunked-channel Chunked reply from ")?
                    .1
                    .split_once(": ")
            })
            .filter_map(|(export, rest)| {
                let bytes = rest.strip_suffix(" ms")?.split_once(" bytes in ")?.0;
                Some((export.to_owned(), bytes.parse().ok()?))
            })
            .collect()
    }
}

/// `/api/sample?bytes=n` of track-history: the alphabet, repeated.
fn sample(n: usize) -> Vec<u8> {
    (0..n).map(|i| b'a' + (i % 26) as u8).collect()
}

/// The envelope track-history writes for `/api/sample?bytes=n`.
fn sample_envelope(n: usize) -> Vec<u8> {
    HttpResponse::text(200, String::from_utf8(sample(n)).unwrap()).to_envelope()
}

/// The body size whose envelope is exactly `reply` bytes.
fn body_for_reply(reply: usize) -> usize {
    let n = reply - sample_envelope(0).len();
    assert_eq!(sample_envelope(n).len(), reply);
    n
}

fn hex(sum: u64) -> String {
    format!("fletcher64:0x{sum:016x}")
}

/// A scratch directory for one test, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("skp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn example(&self, name: &str) -> PathBuf {
        package_crate(
            &repo_root().join("examples").join(name),
            &self.0.join(name),
            None,
        )
        .unwrap_or_else(|e| panic!("packaging {name}: {e}"))
    }

    fn wat(&self, name: &str, wasm: &[u8]) -> PathBuf {
        let file = self.0.join(format!("{name}.wasm"));
        std::fs::write(&file, wasm).unwrap();
        let spec = PackageSpec {
            name: name.to_owned(),
            version: "0.1.0".to_owned(),
            description: "a hostile chunked-channel guest".to_owned(),
        };
        package_plugin(&file, &self.0.join(name), &spec)
            .unwrap_or_else(|e| panic!("packaging {name}: {e}"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// --- The waypoints the resource provider serves -----------------------------------------

/// Ten waypoints of 512 KiB descriptions: JSON text exactly as the server will
/// re-serialise it (fixed member order, no escapes, numbers printed alike in Rust and JS).
fn waypoints() -> Vec<(String, String)> {
    (0..10u32)
        .map(|i| {
            let id = format!("3f2504e0-4f89-41d3-9a0c-0305e82c33{i:02}");
            let mut description = String::with_capacity(BIG_RESOURCES / 10);
            let words = ["Ankerplatz ", "Brücke ", "⚓ ", "𝄞 ", "øresund "];
            let mut k = i as usize;
            while description.len() < BIG_RESOURCES / 10 {
                description.push_str(words[k % words.len()]);
                k += 1;
            }
            let body = format!(
                r#"{{"name":"WP {i}","description":"{description}","feature":{{"type":"Feature","geometry":{{"type":"Point","coordinates":[4.{i}5,52.25]}},"properties":{{}}}}}}"#
            );
            (id, body)
        })
        .collect()
}

/// The provider's list reply for [`waypoints`]: the ids in order, each with its text.
fn waypoint_listing(points: &[(String, String)]) -> Vec<u8> {
    let mut text = String::from("{");
    for (i, (id, body)) in points.iter().enumerate() {
        let _ = write!(text, "{}\"{id}\":{body}", if i > 0 { "," } else { "" });
    }
    text.push('}');
    text.into_bytes()
}

fn put_waypoints(server: &Server, points: &[(String, String)]) {
    for (id, body) in points {
        let (status, reply) =
            server.put_json(&format!("/signalk/v2/api/resources/waypoints/{id}"), body);
        assert_eq!(status, 200, "PUT waypoint {id}: {reply}");
    }
}

// --- A hostile guest, in WAT --------------------------------------------------------------

/// Where the hostile guest keeps its one parked reply (memory is 16 MiB).
const PAYLOAD_AT: usize = 8 << 20;
const ROUTES_AT: usize = 256;
const MARKERS_AT: usize = 2048;
const OK_AT: usize = 3328;
const PREFIX_AT: usize = 3392;
const SUFFIX_AT: usize = 3440;
const OK_REPLY: &str = r#"{"statusCode":200,"body":"ok"}"#;
const CLOSES_PREFIX: &str = r#"{"statusCode":200,"body":""#;

/// One way to answer a request for the parked reply: route, handle, and the error the
/// host must give (`None`: the honest case, 200 with the body).
struct Case {
    path: &'static str,
    handle: i32,
    error: Option<&'static str>,
}

/// Handles select the misbehaviour in `skc_v1_read` (see [`hostile_guest`]).
const CASES: [Case; 9] = [
    Case {
        path: "/good",
        handle: 1,
        error: None,
    },
    Case {
        path: "/wrong-checksum",
        handle: 2,
        error: Some("checksum mismatch: the marker says fletcher64:0x"),
    },
    Case {
        path: "/short-read",
        handle: 3,
        error: Some("the plugin ended the reply at byte 65536 of "),
    },
    Case {
        path: "/swapped-chunks",
        handle: 4,
        error: Some("checksum mismatch"),
    },
    Case {
        path: "/out-of-order",
        handle: 5,
        error: Some("offset 65536) failed with -2 (offset is not the next byte)"),
    },
    Case {
        path: "/never-ending",
        handle: 6,
        error: Some("bytes its marker announced"),
    },
    Case {
        path: "/too-long",
        handle: 7,
        error: Some("more than the plugin's whole memory"),
    },
    Case {
        path: "/trap",
        handle: 8,
        error: Some("RuntimeError: unreachable"),
    },
    Case {
        path: "/overflow",
        handle: 9,
        error: Some("skc_v1_read wrote 65537 bytes into a 65536-byte buffer"),
    },
];

/// The text of the hostile guest's parked reply: an HTTP envelope whose body mixes
/// multi-byte UTF-8 and JSON escapes, so chunk edges fall inside characters.
fn hostile_body() -> String {
    let pieces = [
        "Grüße ",
        "⚓",
        " 𝄞 ",
        "\"quoted\" ",
        "back\\slash ",
        "line\n",
        "tab\t",
    ];
    let mut body = String::new();
    let mut k = 0;
    while body.len() < 200_000 {
        body.push_str(pieces[k % pieces.len()]);
        k += 1;
    }
    body
}

fn hostile_payload() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "statusCode": 200,
        "headers": {"Content-Type": "text/plain; charset=utf-8"},
        "body": hostile_body(),
    }))
    .unwrap()
}

/// Bytes as a WAT string literal.
fn wat_string(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
            s.push(char::from(b));
        } else {
            let _ = write!(s, "\\{b:02x}");
        }
    }
    s
}

/// A raw guest serving one parked reply (`hostile_payload`) through a marker per route
/// of [`CASES`], with `skc_v1_read` misbehaving according to the handle; `/ok` answers a
/// small reply and `/closes` the number of `skc_v1_close` calls. Without `hello` it does
/// not export `skc_v1_hello` and sends its markers all the same.
fn hostile_guest(hello: bool) -> Vec<u8> {
    let payload = hostile_payload();
    let len = payload.len();
    assert!(len > 2 * BUFFER + 1000 && PAYLOAD_AT + len < 16 << 20);
    let sum = fletcher64(&payload);
    let mut routes: Vec<Value> = CASES
        .iter()
        .map(|c| json!({"method": "GET", "path": c.path, "handler": format!("h_{}", c.handle)}))
        .collect();
    routes.push(json!({"method": "GET", "path": "/ok", "handler": "h_ok"}));
    routes.push(json!({"method": "GET", "path": "/closes", "handler": "h_closes"}));
    let routes = serde_json::to_vec(&routes).unwrap();
    assert!(ROUTES_AT + routes.len() < MARKERS_AT);

    let mut fields = vec![
        "(global $closes (mut i32) (i32.const 0))".to_owned(),
        format!(
            r#"(data (i32.const {PAYLOAD_AT}) "{}")"#,
            wat_string(&payload)
        ),
        format!(
            r#"(data (i32.const {ROUTES_AT}) "{}")"#,
            wat_string(&routes)
        ),
        format!(
            r#"(data (i32.const {OK_AT}) "{}")"#,
            wat_string(OK_REPLY.as_bytes())
        ),
        format!(
            r#"(data (i32.const {PREFIX_AT}) "{}")"#,
            wat_string(CLOSES_PREFIX.as_bytes())
        ),
        format!(r#"(data (i32.const {SUFFIX_AT}) "\22\7d")"#),
        format!(
            r#"(func (export "http_endpoints") (param i32 i32) (result i32)
    (memory.copy (local.get 0) (i32.const {ROUTES_AT}) (i32.const {n}))
    (i32.const {n}))"#,
            n = routes.len()
        ),
        format!(
            r#"(func (export "h_ok") (param i32 i32 i32 i32) (result i32)
    (memory.copy (local.get 2) (i32.const {OK_AT}) (i32.const {n}))
    (i32.const {n}))"#,
            n = OK_REPLY.len()
        ),
        // Decimal digits of $n at $p; returns their count.
        r#"(func $itoa (param $p i32) (param $n i32) (result i32)
    (local $len i32) (local $t i32) (local $i i32)
    (local.set $t (local.get $n))
    (local.set $len (i32.const 1))
    (block $done (loop $count
      (br_if $done (i32.lt_u (local.get $t) (i32.const 10)))
      (local.set $t (i32.div_u (local.get $t) (i32.const 10)))
      (local.set $len (i32.add (local.get $len) (i32.const 1)))
      (br $count)))
    (local.set $i (local.get $len))
    (local.set $t (local.get $n))
    (loop $write
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (i32.add (local.get $p) (local.get $i))
        (i32.add (i32.const 48) (i32.rem_u (local.get $t) (i32.const 10))))
      (local.set $t (i32.div_u (local.get $t) (i32.const 10)))
      (br_if $write (i32.gt_u (local.get $i) (i32.const 0))))
    (local.get $len))"#
            .to_owned(),
        format!(
            r#"(func (export "h_closes") (param i32 i32 i32 i32) (result i32)
    (local $n i32)
    (memory.copy (local.get 2) (i32.const {PREFIX_AT}) (i32.const {p}))
    (local.set $n (call $itoa (i32.add (local.get 2) (i32.const {p})) (global.get $closes)))
    (memory.copy (i32.add (local.get 2) (i32.add (i32.const {p}) (local.get $n))) (i32.const {SUFFIX_AT}) (i32.const 2))
    (i32.add (i32.const {total}) (local.get $n)))"#,
            p = CLOSES_PREFIX.len(),
            total = CLOSES_PREFIX.len() + 2
        ),
        r#"(func (export "skc_v1_close") (param $h i32) (result i32)
    (global.set $closes (i32.add (global.get $closes) (i32.const 1)))
    (select (i32.const 0) (i32.const -1)
      (i32.and (i32.ge_s (local.get $h) (i32.const 1)) (i32.le_s (local.get $h) (i32.const 9)))))"#
            .to_owned(),
        // Honest for handles 1, 2 and 7; 3 ends after one chunk, 4 swaps the first two
        // chunks, 5 answers -2 after one chunk, 6 never ends, 8 traps after one chunk,
        // 9 claims one byte more than the buffer holds.
        format!(
            r#"(func (export "skc_v1_read") (param $h i32) (param $off i32) (param $ptr i32) (param $max i32) (result i32)
    (local $n i32) (local $src i32)
    (if (i32.or (i32.lt_s (local.get $h) (i32.const 1)) (i32.gt_s (local.get $h) (i32.const 9)))
      (then (return (i32.const -1))))
    (if (i32.and (i32.eq (local.get $h) (i32.const 3)) (i32.ge_u (local.get $off) (i32.const {chunk})))
      (then (return (i32.const 0))))
    (if (i32.and (i32.eq (local.get $h) (i32.const 5)) (i32.ge_u (local.get $off) (i32.const {chunk})))
      (then (return (i32.const -2))))
    (if (i32.eq (local.get $h) (i32.const 6))
      (then (return (local.get $max))))
    (if (i32.and (i32.eq (local.get $h) (i32.const 8)) (i32.ge_u (local.get $off) (i32.const {chunk})))
      (then unreachable))
    (if (i32.eq (local.get $h) (i32.const 9))
      (then (return (i32.add (local.get $max) (i32.const 1)))))
    (if (i32.gt_u (local.get $off) (i32.const {len}))
      (then (return (i32.const -2))))
    (local.set $n (i32.sub (i32.const {len}) (local.get $off)))
    (if (i32.lt_u (local.get $max) (local.get $n))
      (then (local.set $n (local.get $max))))
    (local.set $src (i32.add (i32.const {PAYLOAD_AT}) (local.get $off)))
    (if (i32.eq (local.get $h) (i32.const 4))
      (then
        (if (i32.lt_u (local.get $off) (i32.const {chunk}))
          (then (local.set $src (i32.add (local.get $src) (i32.const {chunk}))))
          (else
            (if (i32.lt_u (local.get $off) (i32.const {two_chunks}))
              (then (local.set $src (i32.sub (local.get $src) (i32.const {chunk})))))))))
    (memory.copy (local.get $ptr) (local.get $src) (local.get $n))
    (local.get $n))"#,
            chunk = MAX_CHUNK,
            two_chunks = 2 * MAX_CHUNK
        ),
    ];
    if hello {
        fields.push(
            r#"(func (export "skc_v1_hello") (param i32) (result i32) (i32.const 1))"#.to_owned(),
        );
    }
    for (i, case) in CASES.iter().enumerate() {
        let marker = Marker {
            handle: case.handle,
            length: if case.handle == 7 {
                i32::MAX as u32
            } else {
                len as u32
            },
            checksum: if case.handle == 2 { sum ^ 1 } else { sum },
        }
        .to_json();
        let at = MARKERS_AT + 128 * i;
        assert!(marker.len() <= 128 && at + 128 <= OK_AT);
        fields.push(format!(
            r#"(data (i32.const {at}) "{}")"#,
            wat_string(marker.as_bytes())
        ));
        fields.push(format!(
            r#"(func (export "h_{h}") (param i32 i32 i32 i32) (result i32)
    (memory.copy (local.get 2) (i32.const {at}) (i32.const {n}))
    (i32.const {n}))"#,
            h = case.handle,
            n = marker.len()
        ));
    }
    let mut plugin = WatPlugin::new().pages(256);
    for field in fields {
        plugin = plugin.tail(field);
    }
    plugin.build()
}

// --- The tests ------------------------------------------------------------------------------

#[test]
fn patched_server_carries_large_replies_intact_and_refuses_hostile_guests() {
    let scratch = Scratch::new("chunked-realhost-patched");
    let track = scratch.example("track-history");
    let resources = scratch.example("resource-provider");
    let hostile = scratch.wat("skc-hostile", &hostile_guest(true));
    let no_hello = scratch.wat("skc-nohello", &hostile_guest(false));
    let Some(server) = Server::start(
        true,
        &[
            (&track, json!({"maxPoints": 1000})),
            (&resources, json!({})),
            (&hostile, json!({})),
            (&no_hello, json!({})),
        ],
    ) else {
        return;
    };
    for (id, state) in server.states() {
        assert_eq!(state, "running", "{id} after start");
    }

    // 20 MB over HTTP, byte-identical; the host half logged one transfer of the envelope.
    let started = Instant::now();
    let (status, body) = server.get(&format!(
        "/plugins/track-history/api/sample?bytes={BIG_HTTP}"
    ));
    let elapsed = started.elapsed();
    assert_eq!(
        status,
        200,
        "{}",
        String::from_utf8_lossy(&body[..body.len().min(300)])
    );
    let expected = sample(BIG_HTTP);
    assert_eq!(body.len(), expected.len());
    assert_eq!(hex(fletcher64(&body)), hex(fletcher64(&expected)));
    assert!(body == expected, "the 20 MB body differs");
    let envelope = sample_envelope(BIG_HTTP).len();
    assert_eq!(server.transfers().last().map(|t| t.1), Some(envelope));
    eprintln!(
        "chunked_realhost: {BIG_HTTP}-byte HTTP body ({envelope}-byte reply, {}) in {elapsed:?}",
        hex(fletcher64(&sample_envelope(BIG_HTTP)))
    );

    // Right at the buffer: the first two fit it, the third needs the channel.
    for reply in [BUFFER - 1, BUFFER, BUFFER + 1] {
        let n = body_for_reply(reply);
        let before = server.transfers().len();
        let (status, body) = server.get(&format!("/plugins/track-history/api/sample?bytes={n}"));
        assert_eq!(
            status,
            200,
            "{reply}-byte reply: {}",
            String::from_utf8_lossy(&body)
        );
        assert!(body == sample(n), "{reply}-byte reply: the body differs");
        let transfers = server.transfers();
        if reply > BUFFER {
            assert_eq!(
                transfers.len(),
                before + 1,
                "{reply}-byte reply went around the channel"
            );
            assert_eq!(transfers.last().unwrap().1, reply);
        } else {
            assert_eq!(
                transfers.len(),
                before,
                "a {reply}-byte reply fits the buffer"
            );
        }
    }

    // 5 MB from a resource provider, byte-identical after the server's JSON round trip.
    let points = waypoints();
    put_waypoints(&server, &points);
    let expected = waypoint_listing(&points);
    assert!(expected.len() > BIG_RESOURCES);
    let started = Instant::now();
    let (status, body) =
        server.get("/signalk/v2/api/resources/waypoints?provider=resource-provider");
    let elapsed = started.elapsed();
    assert_eq!(
        status,
        200,
        "{}",
        String::from_utf8_lossy(&body[..body.len().min(300)])
    );
    assert_eq!(body.len(), expected.len());
    assert_eq!(hex(fletcher64(&body)), hex(fletcher64(&expected)));
    assert!(body == expected, "the 5 MB resource list differs");
    assert_eq!(
        server.transfers().last(),
        Some(&("resources_list_resources".to_owned(), expected.len()))
    );
    eprintln!(
        "chunked_realhost: {}-byte resource list in {elapsed:?}",
        expected.len()
    );

    // Hostile guests: a clean 500 naming the fault, and the server keeps serving.
    let body_text = hostile_body();
    for case in &CASES {
        let (status, body) = server.get_text(&format!("/plugins/skc-hostile{}", case.path));
        match case.error {
            None => {
                assert_eq!(status, 200, "{}: {body}", case.path);
                assert!(body == body_text, "{}: the body differs", case.path);
            }
            Some(error) => {
                assert_eq!(
                    status,
                    500,
                    "{}: {}",
                    case.path,
                    &body[..body.len().min(300)]
                );
                let reply: Value = serde_json::from_str(&body)
                    .unwrap_or_else(|e| panic!("{}: {e}: {body}", case.path));
                let message = reply["error"].as_str().unwrap_or_default();
                assert!(
                    message.starts_with(&format!("Chunked reply from h_{}: ", case.handle))
                        && message.contains(error),
                    "{}: {message}",
                    case.path
                );
                eprintln!("chunked_realhost: {} -> 500 {message}", case.path);
            }
        }
        assert_eq!(
            server.get_text("/plugins/skc-hostile/ok"),
            (200, "ok".to_owned())
        );
        let (status, small) = server.get("/plugins/track-history/api/sample?bytes=52");
        assert_eq!((status, small), (200, sample(52)), "after {}", case.path);
    }
    // Every transfer was closed, failed ones included.
    assert_eq!(
        server.get_text("/plugins/skc-hostile/closes"),
        (200, CASES.len().to_string())
    );

    // A marker from a guest that never agreed to the channel is refused, not passed on.
    let (status, body) = server.get_text("/plugins/skc-nohello/good");
    assert_eq!(status, 500, "{body}");
    assert!(
        body.contains("without having agreed to the chunked channel"),
        "{body}"
    );

    for (id, state) in server.states() {
        assert_eq!(state, "running", "{id} after the hostile requests");
    }
}

#[test]
fn stock_server_loads_the_same_plugins_and_answers_the_documented_errors() {
    let scratch = Scratch::new("chunked-realhost-stock");
    let track = scratch.example("track-history");
    let resources = scratch.example("resource-provider");
    let Some(server) = Server::start(
        false,
        &[
            (&track, json!({"maxPoints": 1000})),
            (&resources, json!({})),
        ],
    ) else {
        return;
    };
    for (id, state) in server.states() {
        assert_eq!(state, "running", "{id} on the stock server");
    }
    for reply in [BUFFER - 1, BUFFER] {
        let n = body_for_reply(reply);
        let (status, body) = server.get(&format!("/plugins/track-history/api/sample?bytes={n}"));
        assert_eq!(status, 200, "{reply}-byte reply");
        assert!(body == sample(n), "{reply}-byte reply: the body differs");
    }
    for reply in [BUFFER + 1, sample_envelope(BIG_HTTP).len()] {
        let n = reply - sample_envelope(0).len();
        let (status, body) =
            server.get_text(&format!("/plugins/track-history/api/sample?bytes={n}"));
        assert_eq!(
            status,
            500,
            "{reply}-byte reply: {}",
            &body[..body.len().min(300)]
        );
        assert_eq!(
            serde_json::from_str::<Value>(&body).ok(),
            Some(
                json!({"error": format!("the response is {reply} bytes; the host's buffer holds {BUFFER}")})
            ),
        );
    }
    // An oversize provider reply is the server's empty default.
    put_waypoints(&server, &waypoints());
    let (status, body) =
        server.get_text("/signalk/v2/api/resources/waypoints?provider=resource-provider");
    assert_eq!((status, body.as_str()), (200, "{}"));
    assert!(
        server.transfers().is_empty(),
        "the stock server has no chunked channel"
    );
}

#[test]
fn host_half_unit_tests_pass_under_the_cached_node() {
    // The patched copy is what the binding tests exercise; install-chunked makes it.
    let Some(_) = realhost(&["install-chunked"]) else {
        return;
    };
    let Some(node) = realhost(&["node"]) else {
        return;
    };
    let node = String::from_utf8_lossy(&node.stdout).trim().to_owned();
    // Bounded: each test by node, the whole run by coreutils' timeout.
    let out = Command::new("timeout")
        .arg("120")
        .arg(node)
        .arg("--test")
        .arg("--test-timeout=60000")
        .arg(repo_root().join("host/signalk-server/test/"))
        .output()
        .expect("run node --test");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "node --test host/signalk-server/test/ failed:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report.contains("# fail 0") && !report.contains("# pass 0"),
        "{report}"
    );
}
