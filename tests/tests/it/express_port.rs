//! The mock host's ports of `qs` (Express's extended query parser) and body-parser
//! (strict JSON, extended urlencoded, limits and error pages), checked against the real
//! libraries signalk-server 2.32.0 runs: `tests/node/express-oracle.cjs`, under the
//! server's Node, parses seeded random query strings and bodies with them; the same
//! inputs go through `MockHost::http` to the probe's echo route (with
//! `accept: application/json`, so a refused body comes back as errorhandler's JSON).
//! Every outcome must be the same: the parsed value (key order included; numbers
//! compared as doubles), or the error's status, first stack line, message and
//! properties. Needs the cached Node (`conformance/realhost.sh node`); skipped with a
//! message only when npm is unreachable.
//!
//! Not generated, because the port is known to differ there (docs/mock-host/express.md):
//! JSON nested deeper than 128 levels (the mock host refuses it), `\ud800`-style lone
//! surrogates (a Rust string cannot hold one), charsets other than UTF-8 and compressed
//! bodies (refused with `Error::Unsupported`).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use cross_crate_tests::{realhost, repo_root};
use serde_json::{Map, Number, Value, json};
use signalk_plugin_host_mock::{HttpRequest, MockHost};

use crate::own_vessel::probe;

/// xorshift64*: the same cases on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const KEYS: &[&str] = &[
    "a",
    "b",
    "a",
    "0",
    "1",
    "10",
    "x y",
    "é",
    "__proto__",
    "hasOwnProperty",
    "toString",
    "constructor",
    "a.b",
    "",
    "%61",
    "a%5Bb%5D",
    "[",
    "]",
    "[]",
    "a+b",
    "%zz",
    "%E2%9C%93",
];
const SEGMENTS: &[&str] = &[
    "[]",
    "[b]",
    "[0]",
    "[1]",
    "[5]",
    "[21]",
    "[99]",
    "[100]",
    "[999]",
    "[1000]",
    "[1001]",
    "[-1]",
    "[01]",
    "[__proto__]",
    "[hasOwnProperty]",
    "[a.b]",
    "%5B%5D",
    "%5Bc%5D",
    "%5b2%5d",
    "[[x]]",
    "[x",
    "]",
    "[ ]",
    "[%5D",
    "[c][d]",
    "[4294967295]",
];
const VALUES: &[&str] = &[
    "",
    "1",
    "x",
    "+",
    "a+b",
    "%20",
    "%2B",
    "%zz",
    "%E0%A4%A",
    "%F0%9F%98%80",
    "%C3%A9",
    "=",
    "x=y",
    "%",
    "%%",
    "[1]",
    "%5B",
    "true",
    "null",
    "%00",
    "%ED%A0%80",
];

/// One `key=value` part.
fn part(rng: &mut Rng) -> String {
    let mut key = rng.pick(KEYS).to_owned();
    for _ in 0..rng.below(4) {
        key.push_str(rng.pick(SEGMENTS));
    }
    match rng.below(10) {
        0 => key,
        1 => format!("{key}="),
        _ => format!("{key}={}", rng.pick(VALUES)),
    }
}

fn query_string(rng: &mut Rng) -> String {
    let n = 1 + rng.below(6);
    let parts: Vec<String> = (0..n).map(|_| part(rng)).collect();
    let sep = if rng.below(8) == 0 { "&&" } else { "&" };
    let mut q = parts.join(sep);
    if rng.below(10) == 0 {
        q.push('&');
    }
    q
}

/// The query strings: random ones, then the limits.
fn query_cases(rng: &mut Rng) -> Vec<String> {
    let mut cases: Vec<String> = (0..400).map(|_| query_string(rng)).collect();
    let deep = |n: usize| format!("a{}=1", "[x]".repeat(n));
    cases.extend([
        deep(5),
        deep(6),
        deep(9),
        "a[b][c][d][e][f][g][h]=i&a[b][c]=j".into(),
    ]);
    cases.push(
        (0..1005)
            .map(|i| format!("p{i}=v"))
            .collect::<Vec<_>>()
            .join("&"),
    );
    cases.push(vec!["a[]=x"; 1002].join("&"));
    cases.push(vec!["a=x"; 1001].join("&"));
    cases.push("a[999]=x&a[1000]=y&a[]=z&a=w".into());
    cases.push("a=1&a[b]=2&a=3&a[c]=4".into());
    cases.push("a[b]=1&a=2&a=3".into());
    cases.push("a[1001]=x&a[]=y&a=z".into());
    cases.push("x=1&a[0]=b&a[1]=c&a[0][d]=e".into());
    cases
}

/// A body as a client sends it.
struct BodyCase {
    content_type: String,
    body: Vec<u8>,
}

const JSON_TYPES: &[&str] = &[
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON; charset=\"UTF-8\"",
    "application/json;charset=utf-8",
];

const JSON_TEXTS: &[&str] = &[
    r#"{"a":1,"b":[1,2,{"c":null}],"d":"x"}"#,
    r#"{"b":1,"2":2,"a":3,"1":4,"b":5}"#,
    r#"{"__proto__":{"x":1},"hasOwnProperty":2}"#,
    r#"[1.0,-0,1e400,-1e400,1e21,1e-7,0.1,123456789012345678901234567890,9007199254740993]"#,
    r#"{"s":"\u00e9\ud83d\ude00\n\t\"\\\/","e":""}"#,
    "  \r\n\t{\"a\" : [ ] , \"b\" : { } }  ",
    "\u{feff}{\"bom\":true}",
    "[]",
    "{}",
    r#"{"4294967294":1,"4294967295":2,"01":3,"-1":4,"1":5}"#,
];

const JSON_BROKEN: &[&str] = &[
    "\"str\"",
    "1",
    "true",
    "null",
    " \"x\"",
    "x",
    "{",
    "[",
    "{\"a\":1,}",
    "[1,]",
    "{a:1}",
    "{\"a\" 1}",
    "[1 2]",
    "{\"a\":1 \"b\":2}",
    "[1]x",
    "[tru]",
    "[01]",
    "[-]",
    "[1.]",
    "[1e]",
    "[1e+]",
    "[\"a\nb\"]",
    "[\"\\x\"]",
    "[\"\\u12g4\"]",
    "[\"abc",
    "[\"\\",
    "[object Object]",
    "{\"a\":\n\n  x}",
    "{\"a\":1}}",
    "[,]",
    "{,}",
    "[\"a\",]",
    "[1,2,3,4,5,6,7,8,9,10,11,12,x,13,14,15,16,17,18,19,20]",
    "\t\n  $&x",
    "'a'",
    "{\"é\":\"ü\" x}",
    "[\"😀\", x]",
    "\u{a0}[]",
];

/// Mutations of valid JSON: cut short, or a character replaced.
fn json_mutation(rng: &mut Rng) -> String {
    let text = rng.pick(JSON_TEXTS);
    let chars: Vec<char> = text.chars().collect();
    let at = rng.below(chars.len().max(1));
    match rng.below(3) {
        0 => chars[..at].iter().collect(),
        1 => {
            let junk = rng.pick(&["x", ",", "]", "}", "\"", ":", "-", "0", " ", "$'"]);
            let mut s: String = chars[..at].iter().collect();
            s.push_str(junk);
            s.extend(&chars[(at + 1).min(chars.len())..]);
            s
        }
        _ => text.to_owned(),
    }
}

/// The bodies: JSON (valid, broken, mutated, typed in different ways), urlencoded
/// (the query generator's strings, then the limits), other types, sizes at the limits.
fn body_cases(rng: &mut Rng) -> Vec<BodyCase> {
    let case = |content_type: &str, body: &str| BodyCase {
        content_type: content_type.to_owned(),
        body: body.as_bytes().to_vec(),
    };
    let mut cases = Vec::new();
    for text in JSON_TEXTS.iter().chain(JSON_BROKEN) {
        cases.push(case(rng.pick(JSON_TYPES), text));
    }
    for _ in 0..140 {
        let text = json_mutation(rng);
        cases.push(case(rng.pick(JSON_TYPES), &text));
    }
    for _ in 0..150 {
        let text = query_string(rng);
        cases.push(case("application/x-www-form-urlencoded", &text));
    }
    let form = "application/x-www-form-urlencoded";
    let deep = |n: usize| format!("a{}=1", "[x]".repeat(n));
    cases.extend([
        case(form, &deep(32)),
        case(form, &deep(33)),
        case(form, &deep(40)),
    ]);
    cases.push(case(form, &vec!["a=1"; 1000].join("&")));
    cases.push(case(form, &vec!["a=1"; 1001].join("&")));
    cases.push(case(form, &(vec!["a[]=1"; 150].join("&") + "&a[120]=x")));
    cases.push(case(form, "a[150]=x&a[99]=y&b[100]=z&b[]=w"));
    cases.push(case(form, ""));
    cases.push(case(
        "application/x-www-form-urlencoded; charset=latin1",
        "a=1",
    ));
    cases.push(case("application/json; charset=latin1", "{}"));
    cases.push(case("application/json; charset", "{\"a\":1}"));
    cases.push(case("text/plain", "{\"a\":1}"));
    cases.push(case("application/vnd.api+json", "{\"a\":1}"));
    cases.push(case("", "{\"a\":1}"));
    cases.push(case("application/json", ""));
    // Sizes either side of the limits: urlencoded 100 KiB, JSON 10 MiB.
    let form_of = |len: usize| format!("a={}", "x".repeat(len - 2));
    cases.push(case(form, &form_of(100 * 1024)));
    cases.push(case(form, &form_of(100 * 1024 + 1)));
    let json_of = |len: usize| format!("{{\"s\":\"{}\"}}", "x".repeat(len - 8));
    cases.push(case("application/json", &json_of(300 * 1024)));
    cases.push(case("application/json", &json_of(10 * 1024 * 1024 + 1)));
    cases
}

/// Runs the oracle over `cases` (JSON lines), one result per case.
fn oracle(node: &str, modules: &str, cases: &[Value]) -> Vec<Value> {
    let script = repo_root().join("tests/node/express-oracle.cjs");
    let mut child = Command::new("timeout")
        .args(["300", node])
        .arg(script)
        .arg(modules)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run the oracle");
    let mut stdin = child.stdin.take().expect("oracle stdin");
    let input: String = cases.iter().map(|c| format!("{c}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let stdout = child.stdout.take().expect("oracle stdout");
    let results: Vec<Value> = BufReader::new(stdout)
        .lines()
        .map(|l| serde_json::from_str(&l.expect("oracle output")).expect("oracle JSON"))
        .collect();
    writer.join().expect("writer").expect("write cases");
    assert!(
        child.wait().expect("oracle exit").success(),
        "the oracle failed"
    );
    assert_eq!(
        results.len(),
        cases.len(),
        "the oracle answered fewer cases"
    );
    results
}

/// JSON text with every number as a double (how a JS or Rust reader takes it), key
/// order kept.
fn normalised(text: &str) -> String {
    fn walk(v: Value) -> Value {
        match v {
            Value::Number(n) => n
                .as_f64()
                .and_then(Number::from_f64)
                .map_or(Value::Null, Value::Number),
            Value::Array(a) => Value::Array(a.into_iter().map(walk).collect()),
            Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, walk(v))).collect()),
            other => other,
        }
    }
    serde_json::from_str::<Value>(text).map_or_else(
        |e| format!("<not JSON: {e}> {text}"),
        |v| walk(v).to_string(),
    )
}

/// The oracle's result in the form the comparison uses.
fn expected(result: &Value) -> Value {
    match result.get("value") {
        Some(Value::String(text)) => json!({ "value": normalised(text) }),
        _ => {
            let e = &result["error"];
            let props: Map<String, Value> = e["props"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| (p[0].as_str().unwrap_or_default().to_owned(), p[1].clone()))
                .collect();
            json!({ "status": e["status"], "head": e["head"], "message": e["message"], "props": normalised(&Value::Object(props).to_string()) })
        }
    }
}

/// What the mock host's plugin received (`member` of the echo), or the error page.
fn actual(host: &mut MockHost, request: HttpRequest, member: &str) -> Value {
    let response = match host.http(request.header("accept", "application/json")) {
        Ok(r) => r,
        Err(e) => return json!({ "mock host error": e.to_string() }),
    };
    let Ok(body) = response.body_json() else {
        return json!({ "status": response.status, "text": response.text() });
    };
    if response.status == 200 {
        return json!({ "value": normalised(&body[member].to_string()) });
    }
    let mut error = body["error"].as_object().cloned().unwrap_or_default();
    let message = error.shift_remove("message").unwrap_or(Value::Null);
    let head = error.shift_remove("stack").unwrap_or(Value::Null);
    json!({ "status": response.status, "head": head, "message": message, "props": normalised(&Value::Object(error).to_string()) })
}

fn preview(text: &str) -> String {
    let cut: String = text.chars().take(160).collect();
    if cut.len() < text.len() {
        format!("{cut}… ({} bytes)", text.len())
    } else {
        cut
    }
}

#[test]
fn query_strings_and_bodies_parse_as_the_real_libraries_do() {
    let Some(node) = realhost(&["node"]) else {
        return;
    };
    let node = String::from_utf8_lossy(&node.stdout).trim().to_owned();
    let Some(cache) = realhost(&["install"]) else {
        return;
    };
    let cache = String::from_utf8_lossy(&cache.stdout).trim().to_owned();
    let modules = format!("{cache}/server-2.32.0/node_modules");

    let mut rng = Rng(0x5eed_0009_e4a7_5e55);
    let queries = query_cases(&mut rng);
    let bodies = body_cases(&mut rng);
    let mut input: Vec<Value> = queries.iter().map(|q| json!({ "query": q })).collect();
    input.extend(
        bodies
            .iter()
            .map(|b| json!({ "contentType": b.content_type, "body": base64(&b.body) })),
    );
    let results = oracle(&node, &modules, &input);

    let mut host = probe(json!({"tag": "express-port"}), |o| o);
    let mut different = Vec::new();
    for (q, result) in queries.iter().zip(&results) {
        let mine = actual(
            &mut host,
            HttpRequest::get(&format!("/api/echo?{q}")),
            "query",
        );
        if mine != expected(result) {
            different.push(format!(
                "query {:?}\n  real: {}\n  mock: {}",
                preview(q),
                expected(result),
                mine
            ));
        }
    }
    for (b, result) in bodies.iter().zip(&results[queries.len()..]) {
        let request = HttpRequest::post("/api/echo").body_raw(&b.content_type, b.body.clone());
        let mine = actual(&mut host, request, "body");
        if mine != expected(result) {
            different.push(format!(
                "body {:?} {:?}\n  real: {}\n  mock: {}",
                b.content_type,
                preview(&String::from_utf8_lossy(&b.body)),
                preview(&expected(result).to_string()),
                preview(&mine.to_string())
            ));
        }
    }
    let total = queries.len() + bodies.len();
    println!(
        "express_port: {total} cases ({} query strings, {} bodies), {} different",
        queries.len(),
        bodies.len(),
        different.len()
    );
    assert!(different.is_empty(), "{}", different.join("\n"));
}

/// Standard base64, for the oracle's input.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
