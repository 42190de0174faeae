//! The reliability suite (issue 10, "nothing lost silently"): the five examples under
//! the mock host, fed malformed input of every kind a client or the server can send,
//! stopped and started 100 times each, and driven through 10,000 mixed calls; plus the
//! mock host's own Rust API fed JSON nested 10,000 levels deep.
//!
//! `cargo test -p cross-crate-tests reliability -- --nocapture` prints the table.
//!
//! Every malformed input (a *case*) is followed by a valid input of the same kind that
//! must visibly take effect, and each case is scored:
//!
//! - **clear error**: the input was refused with something a user can read: a start
//!   refused with an `sk_set_error` text of at most `ERROR_TEXT_LIMIT + 1` characters;
//!   a PUT reply or HTTP response with a 4xx status and a short message; a provider call
//!   answered empty with an error reported; a delta whose bad part was reported in the
//!   plugin's log at WARN or ERROR (reports are once per path, so a case also counts when
//!   an earlier line reported the same path); the host's own `Error::TooDeep`.
//! - **trap**: the guest trapped or panicked during the case (an `Error::Trap`, a
//!   swallowed `delta_handler` fault, or a panic message on its stderr).
//! - **host panic**: a mock-host call panicked (every call runs under `catch_unwind`).
//! - **hang**: a call ran past the host's call timeout (`Error::Timeout`).
//! - **data lost**: the valid input after the case did not take effect: the config was
//!   not applied, the delta's value did not reach the plugin (as seen through its HTTP
//!   API, provider answers or emitted deltas), the PUT value was not applied, the HTTP
//!   request was not answered or applied. For a delta that mixes malformed members with
//!   valid values, the valid values must arrive too.
//!
//! The stop/start cycles and the mixed calls are scored the same way, except that their
//! "clear error" column counts calls with the expected outcome (a stop that leaves the
//! plugin stopped; a mixed call that answers as it must, refusals included), and a
//! mixed run checks every 200 calls that the plugin holds what the valid calls gave it
//! (a disagreement counts as data lost).
//!
//! Each malformed input is sent twice: the second round shows that whatever memory the
//! first needed (a 10 MB input makes the guest grow) is reused, not leaked. Memory:
//! linear-memory pages and the alloc/dealloc ledger are read at load, after the first
//! stop/start cycle, after 100 cycles, after each round of the malformed inputs and at
//! the end. Pages must not grow after the first cycle, nor in the second round, nor in
//! the mixed calls; the ledger must balance at every reading. The host's record is cut
//! to 1,000 entries per list, so the soak also shows it stays bounded.
//!
//! Every score must be 0 in the trap, host panic, hang and data lost columns, and every
//! case must have a clear error.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use cross_crate_tests::load_example;
use serde_json::{Value, json};
use signalk_plugin::{Capability, ERROR_TEXT_LIMIT};
use signalk_plugin_host_mock::{
    Error, HostCall, HostOptions, HttpRequest, HttpResponse, MAX_JSON_DEPTH, MockHost, PluginState,
    drop_deep,
};

/// A generous budget for one call: a hang shows up as `Error::Timeout` well before the
/// suite's own time limit.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

const MB: usize = 1 << 20;

/// Entries the host's record keeps per list during the suite (far below the default, so
/// the bound is exercised).
const RECORD_LIMIT: usize = 1_000;

/// The input categories, in table order.
const CONFIG: &str = "config";
const DELTA: &str = "delta";
const DELTA_MIXED: &str = "delta with valid values";
const HTTP_BODY: &str = "HTTP body";
const HTTP_QUERY: &str = "HTTP query";
const PUT_VALUE: &str = "PUT value";
const PROVIDER: &str = "provider request";
const HOST_API: &str = "host API, 10,000 levels";
const CYCLES: &str = "stop/start cycle";
const MIXED: &str = "mixed call";
const ROWS: [&str; 10] = [
    CONFIG,
    DELTA,
    DELTA_MIXED,
    HTTP_BODY,
    HTTP_QUERY,
    PUT_VALUE,
    PROVIDER,
    HOST_API,
    CYCLES,
    MIXED,
];

// ---- scoring ------------------------------------------------------------------------

/// One row of the table.
#[derive(Debug, Default, Clone, Copy)]
struct Row {
    cases: u32,
    clear: u32,
    trap: u32,
    host_panic: u32,
    hang: u32,
    lost: u32,
}

impl Row {
    fn add(&mut self, other: Row) {
        self.cases += other.cases;
        self.clear += other.clear;
        self.trap += other.trap;
        self.host_panic += other.host_panic;
        self.hang += other.hang;
        self.lost += other.lost;
    }
}

/// What a malformed input came to, as the case's own code judged it.
enum Verdict {
    /// Refused (or its bad part reported) with a clear error.
    Clear,
    /// Accepted silently, or refused without a usable message.
    Unclear(String),
}

/// Marks in the host's record that show a trap, taken before and after a case.
#[derive(PartialEq, Eq, Clone, Copy)]
struct TrapMarks {
    faults: u64,
    panics: usize,
}

/// Linear memory and ledger at one moment.
#[derive(Debug, Clone, Copy)]
struct Memory {
    pages: usize,
    allocations: u64,
    deallocations: u64,
    live: usize,
    issues: usize,
}

impl Memory {
    fn of(host: &MockHost) -> Self {
        let ledger = host.ledger();
        Memory {
            pages: host.memory_size() / 65_536,
            allocations: ledger.allocations,
            deallocations: ledger.deallocations,
            live: ledger.live.len(),
            issues: ledger.issues.len(),
        }
    }

    fn balanced(&self) -> bool {
        self.allocations == self.deallocations && self.live == 0 && self.issues == 0
    }
}

/// One example under test, with its score.
struct Harness {
    name: &'static str,
    host: MockHost,
    rows: BTreeMap<&'static str, Row>,
    /// Why cases were not clear or lost data, for the failure message.
    notes: Vec<String>,
    /// A counter that makes every probe value distinct.
    serial: u32,
    /// Every WARN and ERROR line the plugin logged (the host's record is bounded).
    loud: Vec<String>,
    memory: Vec<(&'static str, Memory)>,
}

/// A host call that returned, failed, or panicked in the host.
enum Call<T> {
    Done(T),
    Failed(Error),
    HostPanic(String),
}

impl<T> Call<T> {
    fn ok(self) -> Option<T> {
        match self {
            Call::Done(v) => Some(v),
            _ => None,
        }
    }
}

impl Harness {
    fn new(name: &'static str, options: HostOptions) -> Self {
        let mut host = load_example(name, options.call_timeout(CALL_TIMEOUT));
        // A soak-sized record: the suite reads it through `calls_since`, which must keep
        // working while the oldest entries are dropped.
        host.recorded_mut().set_limit(RECORD_LIMIT);
        let mut h = Harness {
            name,
            host,
            rows: BTreeMap::new(),
            notes: Vec::new(),
            serial: 0,
            loud: Vec::new(),
            memory: Vec::new(),
        };
        h.remember("loaded");
        h
    }

    fn next(&mut self) -> u32 {
        self.serial += 1;
        self.serial
    }

    fn remember(&mut self, when: &'static str) {
        self.memory.push((when, Memory::of(&self.host)));
    }

    fn memory_at(&self, when: &str) -> Memory {
        self.memory
            .iter()
            .find(|(w, _)| *w == when)
            .map(|(_, m)| *m)
            .unwrap_or_else(|| panic!("{}: no memory reading `{when}`", self.name))
    }

    fn marks(&self) -> TrapMarks {
        let recorded = self.host.recorded();
        TrapMarks {
            faults: recorded.dropped().handler_faults + recorded.handler_faults().len() as u64,
            panics: self.host.stderr().matches("panicked at").count(),
        }
    }

    /// Runs one host call under `catch_unwind`.
    fn call<T>(&mut self, f: impl FnOnce(&mut MockHost) -> Result<T, Error>) -> Call<T> {
        let host = &mut self.host;
        match catch_unwind(AssertUnwindSafe(|| f(host))) {
            Ok(Ok(v)) => Call::Done(v),
            Ok(Err(e)) => Call::Failed(e),
            Err(payload) => Call::HostPanic(
                payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_default(),
            ),
        }
    }

    /// Scores one case: `malformed` sends the bad input and judges its refusal,
    /// `valid` sends a valid input of the same kind and says whether it took effect.
    fn case(
        &mut self,
        row: &'static str,
        label: &str,
        malformed: impl FnOnce(&mut MockHost) -> Result<Verdict, Error>,
        valid: impl FnOnce(&mut MockHost, u32) -> Result<bool, Error>,
    ) {
        let before = self.marks();
        let log_mark = mark(&self.host);
        let mut score = Row {
            cases: 1,
            ..Row::default()
        };
        let mut trapped = false;
        match self.call(malformed) {
            Call::Done(Verdict::Clear) => score.clear = 1,
            Call::Done(Verdict::Unclear(why)) => {
                self.notes
                    .push(format!("{} / {row} / {label}: not clear: {why}", self.name));
            }
            Call::Failed(Error::TooDeep { .. }) if row == HOST_API => score.clear = 1,
            Call::Failed(Error::Timeout { .. }) => score.hang = 1,
            Call::Failed(e @ (Error::Trap { .. } | Error::Exit { .. })) => {
                trapped = true;
                self.notes
                    .push(format!("{} / {row} / {label}: {e}", self.name));
            }
            Call::Failed(e) => {
                self.notes
                    .push(format!("{} / {row} / {label}: failed: {e}", self.name));
            }
            Call::HostPanic(p) => {
                score.host_panic = 1;
                self.notes
                    .push(format!("{} / {row} / {label}: host panic: {p}", self.name));
            }
        }
        let n = self.next();
        match self.call(|host| valid(host, n)) {
            Call::Done(true) => {}
            Call::Done(false) => {
                score.lost = 1;
                self.notes.push(format!(
                    "{} / {row} / {label}: the valid input after it was lost",
                    self.name
                ));
            }
            Call::Failed(Error::Timeout { .. }) => {
                score.hang = 1;
                score.lost = 1;
            }
            Call::Failed(e) => {
                trapped |= matches!(e, Error::Trap { .. } | Error::Exit { .. });
                score.lost = 1;
                self.notes.push(format!(
                    "{} / {row} / {label}: the valid input after it failed: {e}",
                    self.name
                ));
            }
            Call::HostPanic(p) => {
                score.host_panic = 1;
                score.lost = 1;
                self.notes.push(format!(
                    "{} / {row} / {label}: host panic on the valid input: {p}",
                    self.name
                ));
            }
        }
        let loud = loud_logs_since(&self.host, log_mark);
        self.loud.extend(loud);
        if trapped || self.marks() != before {
            score.trap = 1;
            self.notes.push(format!(
                "{} / {row} / {label}: the guest trapped; stderr: {}",
                self.name,
                tail(&self.host.stderr())
            ));
        }
        self.rows.entry(row).or_default().add(score);
    }

    /// 100 stop/start cycles; each start must take effect (`started`).
    fn cycles(&mut self, started: fn(&mut MockHost, u32) -> Result<bool, Error>) {
        for i in 0..100 {
            self.case(
                CYCLES,
                "cycle",
                |host| {
                    host.stop()?;
                    Ok(if *host.state() == PluginState::Stopped {
                        Verdict::Clear
                    } else {
                        Verdict::Unclear(format!("state after stop: {:?}", host.state()))
                    })
                },
                |host, n| {
                    host.start()?;
                    started(host, n)
                },
            );
            if i == 0 {
                self.remember("after the first cycle");
            }
        }
        self.remember("after 100 cycles");
    }
}

/// The calls recorded since `mark` (a [`Recorded::calls_seen`] reading): the record is
/// bounded, so counts of the whole list can shrink; the new calls are always kept.
///
/// [`Recorded::calls_seen`]: signalk_plugin_host_mock::Recorded::calls_seen
fn calls_since(host: &MockHost, mark: u64) -> &[HostCall] {
    let calls = host.recorded().calls();
    let new = usize::try_from(host.recorded().calls_seen() - mark).unwrap_or(usize::MAX);
    &calls[calls.len().saturating_sub(new)..]
}

fn mark(host: &MockHost) -> u64 {
    host.recorded().calls_seen()
}

fn errors_since(host: &MockHost, mark: u64) -> Vec<String> {
    calls_since(host, mark)
        .iter()
        .filter_map(HostCall::error)
        .map(str::to_owned)
        .collect()
}

/// WARN and ERROR lines the plugin logged since `mark`.
fn loud_logs_since(host: &MockHost, mark: u64) -> Vec<String> {
    calls_since(host, mark)
        .iter()
        .filter_map(HostCall::log)
        .filter(|l| l.starts_with("[WARN]") || l.starts_with("[ERROR]"))
        .map(str::to_owned)
        .collect()
}

fn emitted_since(host: &MockHost, mark: u64, needle: &str) -> usize {
    calls_since(host, mark)
        .iter()
        .filter(|c| matches!(c, HostCall::HandleMessage { json, .. } if json.contains(needle)))
        .count()
}

fn tail(text: &str) -> String {
    let start = text.len().saturating_sub(300);
    let start = (start..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    text[start..].to_owned()
}

fn bounded(text: &str) -> bool {
    let n = text.chars().count();
    (1..=ERROR_TEXT_LIMIT + 1).contains(&n)
}

// ---- the verdicts ---------------------------------------------------------------------

/// A start that must be refused: `plugin_start` fails and the plugin says why, briefly.
fn refused_start(host: &mut MockHost, config: &str) -> Result<Verdict, Error> {
    let before = mark(host);
    match host.start_raw(config) {
        Err(Error::StartFailed { .. }) => {}
        Ok(()) => return Ok(Verdict::Unclear("the start succeeded".into())),
        Err(e) => return Err(e),
    }
    Ok(match errors_since(host, before).last() {
        Some(e) if bounded(e) => Verdict::Clear,
        Some(e) => Verdict::Unclear(format!("error text of {} chars", e.chars().count())),
        None => Verdict::Unclear("no sk_set_error".into()),
    })
}

/// A PUT that must be refused with a 4xx and a short message.
fn refused_put(host: &mut MockHost, path: &str, value: &str) -> Result<Verdict, Error> {
    let reply = host.put_raw("vessels.self", path, value)?;
    let status = reply.status_code().unwrap_or(0);
    let message = reply.message().unwrap_or_default();
    Ok(if (400..500).contains(&status) && bounded(message) {
        Verdict::Clear
    } else {
        Verdict::Unclear(format!("{status}: {} chars", message.chars().count()))
    })
}

/// An HTTP request that must be answered 4xx with a short message.
fn refused_http(response: &HttpResponse) -> Verdict {
    let message = response
        .body_json()
        .ok()
        .and_then(|b| {
            // A plugin's `{"error": text}`, or errorhandler's `{"error": {"message"}}` for
            // a body the server's body-parser refuses (asked for with `accept`).
            let error = b.get("error")?;
            error
                .as_str()
                .or_else(|| error.get("message").and_then(Value::as_str))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| response.body.clone());
    if (400..500).contains(&response.status) && bounded(&message) {
        Verdict::Clear
    } else {
        Verdict::Unclear(format!(
            "{}: {} chars",
            response.status,
            message.chars().count()
        ))
    }
}

/// A delta whose problem must show in the plugin's log: a new WARN/ERROR line, or an
/// earlier one (in `history`) naming `key`: problems are reported once per path, and
/// `on_delta` errors at the 1st, 2nd, 4th, 8th, … occurrence.
fn reported_delta(
    host: &mut MockHost,
    key: &str,
    history: &[String],
    send: impl FnOnce(&mut MockHost) -> Result<(), Error>,
) -> Result<Verdict, Error> {
    let before = mark(host);
    send(host)?;
    let new = loud_logs_since(host, before);
    Ok(if !new.is_empty() {
        if new.iter().all(|l| l.chars().count() <= 600) {
            Verdict::Clear
        } else {
            Verdict::Unclear("a log line longer than 600 characters".into())
        }
    } else if history.iter().any(|l| l.contains(key)) {
        Verdict::Clear
    } else {
        Verdict::Unclear(format!("nothing logged about `{key}`"))
    })
}

/// A provider call that must be answered empty with the error reported.
fn reported_provider(
    host: &mut MockHost,
    call: impl FnOnce(&mut MockHost) -> Result<Option<String>, Error>,
) -> Result<Verdict, Error> {
    let before = mark(host);
    let answer = call(host)?;
    Ok(match (answer, errors_since(host, before).last()) {
        (None, Some(e)) if e.chars().count() <= 600 => Verdict::Clear,
        (answer, e) => Verdict::Unclear(format!("answer {answer:?}, error {e:?}")),
    })
}

// ---- malformed JSON ---------------------------------------------------------------------

fn nested_text(levels: usize) -> String {
    format!("{}1{}", "[".repeat(levels), "]".repeat(levels))
}

/// JSON texts no object-typed input accepts: not JSON, other JSON kinds, arrays where
/// the schema says object, raw control characters, deep nesting, 1-10 MB sizes. With
/// `big`, the 1-10 MB ones too.
fn junk(big: bool) -> Vec<(String, String)> {
    let mut cases: Vec<(String, String)> = [
        ("", "empty"),
        ("{", "truncated object"),
        (r#"{"a":"#, "truncated member"),
        ("nul", "truncated literal"),
        ("{a:1}", "unquoted key"),
        ("{'a':1}", "single quotes"),
        ("[1,2", "truncated array"),
        (r#"{"a":1,}"#, "trailing comma"),
        ("{} x", "trailing garbage"),
        ("{}{}", "two documents"),
        ("NaN", "NaN"),
        ("-Infinity", "-Infinity"),
        ("0x10", "hex number"),
        ("1e400", "number out of range"),
        ("\"a\u{1}b\"", "raw control character"),
        ("{\"k\":\"a\u{0}b\"}", "raw NUL in a string"),
        ("\u{feff}{}", "byte order mark"),
        ("[]", "empty array"),
        ("[52,4]", "array for an object"),
        ("[52,4,50,10]", "long array for an object"),
        ("5", "number"),
        ("true", "boolean"),
        ("null", "null"),
        ("\"text\"", "string"),
        (r#"{"zzUnknown":1}"#, "unknown member"),
    ]
    .into_iter()
    .map(|(t, l)| (t.to_owned(), l.to_owned()))
    .collect();
    cases.push((nested_text(200), "200 levels".into()));
    cases.push((nested_text(10_000), "10,000 levels".into()));
    cases.push((
        format!(r#"{{"zz":{}}}"#, nested_text(127)),
        "128 levels under an unknown member".into(),
    ));
    if big {
        cases.push((
            format!("\"{}\"", "x".repeat(10 * MB)),
            "10 MB string".into(),
        ));
        cases.push((
            format!(r#"{{"zzUnknown":"{}"}}"#, "y".repeat(MB)),
            "1 MB unknown member".into(),
        ));
        cases.push((
            format!("{}{{", " ".repeat(5 * MB)),
            "5 MB then truncated".into(),
        ));
        cases.push((
            format!("[{}1]", "1,".repeat(MB / 2)),
            "1 MB array for an object".into(),
        ));
    }
    cases
}

/// An object of `members`, built by moving them (`json!` would clone each value
/// recursively, which a 10,000-level value does not survive).
fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
    Value::Object(
        members
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// `value` nested `levels` deep, built without recursion.
fn deep_value(levels: usize) -> Value {
    let mut v = json!(1);
    for _ in 0..levels {
        v = Value::Array(vec![v]);
    }
    v
}

// ---- the examples ------------------------------------------------------------------------

fn self_context(host: &MockHost) -> String {
    host.options().self_context()
}

/// Sends `{"context": self, "updates": <updates>}` as raw text.
fn raw_delta(host: &mut MockHost, updates: &str) -> Result<(), Error> {
    let text = format!(
        r#"{{"context":"{}","updates":{updates}}}"#,
        self_context(host)
    );
    host.deliver_raw_delta(&text)
}

/// Malformed deltas about the own vessel (so an own-vessel plugin decodes them), with
/// the key a report about each would name. `value` is a wrong-typed value for `path`.
fn malformed_deltas(self_ctx: &str, path: &str, big: bool) -> Vec<(String, String, String)> {
    let full = |updates: &str| format!(r#"{{"context":"{self_ctx}","updates":{updates}}}"#);
    let mut cases = vec![
        (self_ctx.to_owned(), "not JSON", "does not parse"),
        (
            format!(r#"{{"context":"{self_ctx}""#),
            "truncated",
            "does not parse",
        ),
        (
            format!(r#"{{"context":"{self_ctx}","updates":[]}} x"#),
            "trailing garbage",
            "does not parse",
        ),
        (
            format!(r#"[{{"context":"{self_ctx}"}}]"#),
            "an array",
            "does not parse",
        ),
        (
            format!(r#"{{"context":5,"note":"{self_ctx}"}}"#),
            "context not a string",
            "does not parse",
        ),
        (
            format!(
                "{{\"context\":\"{self_ctx}\",\"updates\":[{{\"values\":[{{\"path\":\"a\u{1}\",\"value\":1}}]}}]}}"
            ),
            "raw control character",
            "does not parse",
        ),
        (
            full(&nested_text(10_000)),
            "10,000 levels",
            "does not parse",
        ),
        (full("5"), "updates a number", "updates"),
        (full("{}"), "updates an object", "updates"),
        (full(r#"["x", 5]"#), "updates not objects", "updates"),
        (full(r#"[{"values":5}]"#), "values a number", "values"),
        (
            full(r#"[{"values":[{"path":5,"value":1}]}]"#),
            "path a number",
            "values",
        ),
        (
            format!(r#"{{"context":"{self_ctx}","updates":[{{"values":[{{"path":"{path}"}}]}}]}}"#),
            "value missing",
            path,
        ),
        (
            format!(
                r#"{{"context":"{self_ctx}","updates":[{{"values":[{{"path":"{path}","value":"garbage"}}]}}]}}"#
            ),
            "value of the wrong type",
            path,
        ),
        (
            format!(
                r#"{{"context":"{self_ctx}","updates":[{{"values":[{{"path":"{path}","value":{}}}]}}]}}"#,
                nested_text(100)
            ),
            "value nested 100 levels",
            path,
        ),
    ];
    if big {
        cases.push((
            format!(
                r#"{{"context":"{self_ctx}","updates":[{{"values":[{{"path":"{path}","value":"{}"}}]}}]}}"#,
                "z".repeat(10 * MB)
            ),
            "10 MB value of the wrong type",
            path,
        ));
        cases.push((
            format!(
                r#"{{"context":"{self_ctx}","pad":"{}","updates":5}}"#,
                "p".repeat(MB)
            ),
            "1 MB member, updates a number",
            "updates",
        ));
    }
    cases
        .into_iter()
        .map(|(t, l, k)| (t, l.to_owned(), k.to_owned()))
        .collect()
}

/// Updates that put one malformed member next to `valid` (a JSON value entry
/// `{"path":…,"value":…}`): the valid entry must still arrive.
fn mixed_updates(valid: &str) -> Vec<(String, &'static str, &'static str)> {
    vec![
        (
            format!(r#"["not an update",{{"values":[{valid}]}}]"#),
            "an update that is a string",
            "updates",
        ),
        (
            format!(r#"[{{"values":5}},{{"values":[{valid}]}}]"#),
            "values a number in another update",
            "values",
        ),
        (
            format!(r#"[{{"values":[{{"path":5,"value":1}},{valid}]}}]"#),
            "a bad entry before it",
            "values",
        ),
        (
            format!(r#"[{{"values":[{{"value":1}},{valid},{{"path":"x"}}]}}]"#),
            "entries without path or value around it",
            "values",
        ),
        (
            format!(r#"[{{"timestamp":42,"values":[{valid}]}}]"#),
            "timestamp a number",
            "timestamp",
        ),
        (
            format!(r#"[{{"$source":5,"values":[{valid}]}}]"#),
            "$source a number",
            "$source",
        ),
        (
            format!(
                r#"[{{"source":{{"label":"n2k","type":"NMEA2000","pgn":130306,"src":115}},"timestamp":[1],"values":[{valid}]}}]"#
            ),
            "NMEA 2000 source with numbers, timestamp an array",
            "timestamp",
        ),
        (
            format!(r#"[{{"meta":5,"values":[{valid}]}}]"#),
            "meta a number",
            "meta",
        ),
        (
            format!(r#"[{{"source":"n2k","values":[{valid}]}}]"#),
            "source a string",
            "source",
        ),
    ]
}

fn status_json(host: &mut MockHost, path: &str) -> Result<Value, Error> {
    let response = host.http(HttpRequest::get(path))?;
    Ok(response.body_json().unwrap_or(Value::Null))
}

// -- hello

fn hello(h: &mut Harness, big: bool) {
    for (text, label) in junk(big) {
        h.case(
            CONFIG,
            &label,
            |host| refused_start(host, &text),
            hello_started,
        );
    }
    for (text, label) in [
        (r#"{"speed":-1}"#, "negative speed"),
        (r#"{"speed":"fast"}"#, "speed a string"),
        (r#"{"greeting":["a"]}"#, "greeting an array"),
        (r#"{"greting":"x"}"#, "misspelt member"),
        (r#"{"greeting":"a","greeting":"b"}"#, "duplicate member"),
    ] {
        h.case(
            CONFIG,
            label,
            |host| refused_start(host, text),
            hello_started,
        );
    }
}

/// Starts hello with a greeting unique to `n`; it must be published.
fn hello_started(host: &mut MockHost, n: u32) -> Result<bool, Error> {
    let greeting = format!("probe {n}");
    host.start_raw(&json!({"greeting": greeting, "speed": 1.5}).to_string())?;
    Ok(host
        .self_value("hello.greeting")
        .is_some_and(|v| v == greeting.as_str()))
}

/// After a stop ("Stopped"), the start with the options' configuration greets again.
fn hello_cycle(host: &mut MockHost, _n: u32) -> Result<bool, Error> {
    Ok(*host.state() == PluginState::Running
        && host.status().as_deref() == Some("Greeting: Hello, sailor"))
}

// -- anchor-watch

fn anchor_started(host: &mut MockHost, n: u32) -> Result<bool, Error> {
    let radius = 10 + n % 900;
    host.start_raw(&format!(
        r#"{{"anchorLat":52,"anchorLon":4,"maxRadius":{radius},"enableDebug":false}}"#
    ))?;
    let status = status_json(host, "/api/status")?;
    Ok(status["running"] == true && status["maxRadius"].as_f64() == Some(f64::from(radius)))
}

/// After a stop ("Stopped"), the start says so again and runs.
fn anchor_cycle(host: &mut MockHost, _n: u32) -> Result<bool, Error> {
    let status = status_json(host, "/api/status")?;
    Ok(*host.state() == PluginState::Running
        && status["running"] == true
        && host.status().as_deref() == Some("Anchor watch active"))
}

/// A valid own position; it must produce a new `currentRadius` delta.
fn anchor_delta_arrives(host: &mut MockHost, n: u32) -> Result<bool, Error> {
    let before = mark(host);
    let lat = 52.0 + f64::from(n % 100) * 1e-5;
    raw_delta(
        host,
        &format!(
            r#"[{{"values":[{{"path":"navigation.position","value":{{"latitude":{lat},"longitude":4}}}}]}}]"#
        ),
    )?;
    Ok(emitted_since(host, before, "navigation.anchor.currentRadius") == 1)
}

fn anchor_put_applies(host: &mut MockHost, n: u32) -> Result<bool, Error> {
    let radius = 10 + n % 900;
    let reply = host.put_raw(
        "vessels.self",
        "navigation.anchor.maxRadius",
        &radius.to_string(),
    )?;
    let status = status_json(host, "/api/status")?;
    Ok(reply.status_code() == Some(200) && status["maxRadius"].as_f64() == Some(f64::from(radius)))
}

fn anchor_drop_applies(host: &mut MockHost, n: u32) -> Result<bool, Error> {
    let lat = f64::from(n % 80);
    let response = host.http(
        HttpRequest::post("/api/drop")
            .json(json!({"latitude": lat, "longitude": 4, "maxRadius": 60})),
    )?;
    let position = status_json(host, "/api/position")?;
    Ok(response.status == 200 && position["latitude"].as_f64() == Some(lat))
}

fn anchor_watch(h: &mut Harness, big: bool) {
    for (text, label) in junk(big) {
        h.case(
            CONFIG,
            &label,
            |host| refused_start(host, &text),
            anchor_started,
        );
    }
    for (text, label) in [
        (r#"{"maxRadius":-5}"#, "maxRadius -5"),
        (r#"{"maxRadius":1e308}"#, "maxRadius 1e308"),
        (r#"{"anchorLat":1000}"#, "anchorLat 1000"),
        (r#"{"anchorLon":-181}"#, "anchorLon -181"),
        (r#"{"checkInterval":0}"#, "checkInterval 0"),
        (r#"{"checkInterval":-1}"#, "checkInterval -1"),
        (r#"{"maxRadius":"50"}"#, "maxRadius a string"),
        (r#"{"maxRadius":50,"maxRaduis":60}"#, "misspelt member"),
    ] {
        h.case(
            CONFIG,
            label,
            |host| refused_start(host, text),
            anchor_started,
        );
    }
    // The anchor of the last config probe is at (52, 4).
    let self_ctx = self_context(&h.host);
    for (text, label, key) in malformed_deltas(&self_ctx, "navigation.position", big) {
        // anchor-watch reads the position with `?`: a wrong one is an `on_delta` error.
        let key = if key == "navigation.position" {
            "on_delta failed".to_owned()
        } else {
            key
        };
        let history = h.loud.clone();
        h.case(
            DELTA,
            &label,
            |host| reported_delta(host, &key, &history, |host| host.deliver_raw_delta(&text)),
            anchor_delta_arrives,
        );
    }
    for (updates, label, key) in mixed_updates(
        r#"{"path":"navigation.position","value":{"latitude":52.0003,"longitude":4}}"#,
    ) {
        let history = h.loud.clone();
        h.case(
            DELTA_MIXED,
            label,
            |host| {
                let before = mark(host);
                let verdict =
                    reported_delta(host, key, &history, |host| raw_delta(host, &updates))?;
                // The valid position in it must have been checked against the anchor.
                if emitted_since(host, before, "navigation.anchor.currentRadius") != 1 {
                    return Ok(Verdict::Unclear(
                        "LOST: the valid value did not arrive".into(),
                    ));
                }
                Ok(verdict)
            },
            anchor_delta_arrives,
        );
    }

    for (path, valid) in [
        ("navigation.anchor.maxRadius", "radius"),
        ("navigation.anchor.position", "position"),
    ] {
        let mut values = junk(big);
        if valid == "radius" {
            for (v, l) in [
                ("-5", "-5"),
                ("1e308", "1e308"),
                ("5", "5"),
                ("\"60\"", "a string"),
                ("[60]", "an array"),
            ] {
                values.push((v.to_owned(), l.to_owned()));
            }
        } else {
            for (v, l) in [
                (r#"{"latitude":1000,"longitude":0}"#, "latitude 1000"),
                (r#"{"latitude":52}"#, "longitude missing"),
                (r#"{"latitude":"52N","longitude":4}"#, "latitude a string"),
                (r#"[52,4]"#, "[52,4]"),
                (r#"{"latitude":52,"longitude":[4]}"#, "longitude an array"),
            ] {
                values.push((v.to_owned(), l.to_owned()));
            }
        }
        for (value, label) in values {
            h.case(
                PUT_VALUE,
                &format!("{valid}: {label}"),
                |host| refused_put(host, path, &value),
                anchor_put_applies,
            );
        }
    }
    for (value, label) in [
        ("", "empty"),
        ("{", "truncated"),
        ("nul", "truncated literal"),
    ] {
        h.case(
            PUT_VALUE,
            &format!("state: {label}"),
            |host| refused_put(host, "navigation.anchor.state", value),
            anchor_put_applies,
        );
    }

    let mut bodies: Vec<(Value, String)> = vec![
        (
            json!({"latitude": 1, "longitude": 2, "maxRadius": 1e308}),
            "maxRadius 1e308".into(),
        ),
        (
            json!({"latitude": 1, "longitude": 2, "maxRadius": -5}),
            "maxRadius -5".into(),
        ),
        (
            json!({"latitude": 1000, "longitude": 2}),
            "latitude 1000".into(),
        ),
        (
            json!({"latitude": "52N", "longitude": 2}),
            "latitude a string".into(),
        ),
        (json!({"latitude": 1}), "longitude missing".into()),
        (
            json!({"latitude": 1, "longitude": 2, "radius": 60}),
            "unknown member".into(),
        ),
        (json!([52, 4, 60]), "array for an object".into()),
        (json!("text"), "a string".into()),
        (json!(null), "null".into()),
        (json!(42), "a number".into()),
        (
            json!({"latitude": "\u{0}\u{1}\u{1b}[2J", "longitude": 2}),
            "control characters".into(),
        ),
        (
            object([
                ("latitude", json!(1)),
                ("longitude", json!(2)),
                ("maxRadius", deep_value(100)),
            ]),
            "100 levels".into(),
        ),
        (
            deep_value(MAX_JSON_DEPTH),
            "128 levels (past the guest's parser)".into(),
        ),
    ];
    if big {
        for size in [MB, 5 * MB, 10 * MB] {
            bodies.push((
                json!({"latitude": "x".repeat(size), "longitude": 2}),
                format!("{} MB string", size / MB),
            ));
        }
    }
    for (body, label) in bodies {
        h.case(
            HTTP_BODY,
            &label,
            |host| {
                Ok(refused_http(
                    &host.http(
                        HttpRequest::post("/api/drop")
                            .json(body)
                            .header("accept", "application/json"),
                    )?,
                ))
            },
            anchor_drop_applies,
        );
    }

    // The mock host's Rust API, with values 10,000 levels deep.
    h.case(
        HOST_API,
        "http body",
        |host| {
            host.http(HttpRequest::post("/api/drop").json(deep_value(10_000)))?;
            Ok(Verdict::Unclear("accepted".into()))
        },
        anchor_drop_applies,
    );
    h.case(
        HOST_API,
        "PUT value",
        |host| {
            let deep = deep_value(10_000);
            let result = host.put("vessels.self", "navigation.anchor.maxRadius", &deep);
            drop_deep(deep);
            result.map(|_| Verdict::Unclear("accepted".into()))
        },
        anchor_put_applies,
    );
    h.case(
        HOST_API,
        "delta",
        |host| {
            let deep =
                json!({"updates": [{"values": [{"path": "navigation.position", "value": 0}]}]});
            let mut deep = deep;
            deep["updates"][0]["values"][0]["value"] = deep_value(10_000);
            let result = host.deliver_delta(&deep);
            drop_deep(deep);
            result.map(|()| Verdict::Unclear("accepted".into()))
        },
        anchor_delta_arrives,
    );
    h.case(
        HOST_API,
        "saved configuration",
        |host| {
            host.save_configuration(object([
                ("maxRadius", json!(60)),
                ("deep", deep_value(10_000)),
            ]))?;
            Ok(Verdict::Unclear("accepted".into()))
        },
        anchor_put_applies,
    );
}

fn anchor_mixed(h: &mut Harness, calls: u32) {
    // The model: what the plugin's radius must be.
    let mut radius: Option<u32> = None;
    let mut rng = Rng(0x5eed_0001);
    for i in 0..calls {
        let n = h.next();
        let op = rng.below(100);
        let label = format!("call {i} (op {op})");
        let running = *h.host.state() == PluginState::Running;
        let outcome = match op {
            0..=24 => h.call(|host| anchor_delta_arrives(host, n).map(|ok| ok || !running)),
            25..=39 => {
                // PUT handlers run whatever the state; the radius is what anchor_put_applies sets.
                radius = Some(10 + n % 900);
                h.call(|host| anchor_put_applies(host, n))
            }
            40..=49 => h.call(|host| {
                host.put_raw("vessels.self", "navigation.anchor.maxRadius", "-5")
                    .map(|r| r.status_code() == Some(400))
            }),
            50..=59 => h.call(|host| {
                host.http(HttpRequest::post("/api/drop").json(json!([1, 2])))
                    .map(|r| r.status == 400)
            }),
            60..=69 => h.call(|host| {
                raw_delta(host, r#"[{"values":5}]"#)?;
                Ok(true)
            }),
            70..=89 => h.call(|host| host.tick_poll().map(|_| true)),
            90..=97 => h.call(|host| status_json(host, "/api/status").map(|s| s.is_object())),
            _ => {
                radius = Some(50);
                h.call(|host| {
                    host.stop()?;
                    host.start()?;
                    anchor_cycle(host, n)
                })
            }
        };
        h.mixed_outcome(&label, outcome);
        if i % 200 == 199 {
            let expected = radius.unwrap_or(50);
            let got = h.call(|host| status_json(host, "/api/status")).ok();
            let ok = got
                .as_ref()
                .is_some_and(|s| s["maxRadius"].as_f64() == Some(f64::from(expected)));
            h.mixed_check(&format!("radius after call {i}"), ok);
        }
    }
}

// -- resource-provider

fn resource_started(host: &mut MockHost, n: u32) -> Result<bool, Error> {
    let name = format!("probe {n}");
    host.start_raw(&json!({"waypoints": {"probe": {"name": name}}}).to_string())?;
    let listed = host.providers().list_resources("waypoints", json!({}))?;
    Ok(listed["probe"]["name"] == name.as_str())
}

fn resource_cycle(host: &mut MockHost, _n: u32) -> Result<bool, Error> {
    Ok(*host.state() == PluginState::Running
        && host.status().is_some_and(|s| s.starts_with("Serving")))
}

fn resource_set_applies(host: &mut MockHost, n: u32) -> Result<bool, Error> {
    let name = format!("route {n}");
    let id = format!("r{}", n % 8);
    host.providers()
        .set_resource("routes", &id, json!({"name": name}))?;
    let got = host.providers().get_resource("routes", &id, None)?;
    Ok(got["name"] == name.as_str())
}

fn resource_provider(h: &mut Harness, big: bool) {
    for (text, label) in junk(big) {
        h.case(
            CONFIG,
            &label,
            |host| refused_start(host, &text),
            resource_started,
        );
    }
    for (text, label) in [
        (r#"{"routes":{"r1":[1,2]}}"#, "a route that is an array"),
        (
            r#"{"waypoints":{"w":"home"}}"#,
            "a waypoint that is a string",
        ),
        (r#"{"routes":[]}"#, "routes an array"),
        (r#"{"route":{}}"#, "misspelt member"),
    ] {
        h.case(
            CONFIG,
            label,
            |host| refused_start(host, text),
            resource_started,
        );
    }
    let mut values: Vec<(Value, String)> = vec![
        (json!([1, 2]), "an array".into()),
        (json!("text"), "a string".into()),
        (json!(5), "a number".into()),
        (json!(null), "null".into()),
        (json!(true), "a boolean".into()),
        (deep_value(100), "100 levels of arrays".into()),
        (json!("\u{0}\u{7}\u{1b}"), "control characters".into()),
    ];
    if big {
        values.push((json!("v".repeat(MB)), "1 MB string".into()));
    }
    for (value, label) in values {
        h.case(
            PROVIDER,
            &format!("setResource: {label}"),
            |host| {
                reported_provider(host, |host| {
                    host.providers().set_resource("routes", "bad", value)
                })
            },
            resource_set_applies,
        );
    }
    for (query, label) in [
        (json!({"limit": "x"}), "limit not a number"),
        (json!({"limit": "-1"}), "limit negative"),
        (json!({"limit": ["1", "2"]}), "limit repeated"),
        (json!({"limit": "9".repeat(40)}), "limit past usize"),
        (json!({"limit": "\u{0}"}), "limit a control character"),
    ] {
        h.case(
            HTTP_QUERY,
            &format!("listResources: {label}"),
            |host| {
                let before = mark(host);
                let listed = host.providers().list_resources("waypoints", query)?;
                let reported = !errors_since(host, before).is_empty();
                Ok(if listed == json!({}) && reported {
                    Verdict::Clear
                } else {
                    Verdict::Unclear(format!("listed {listed}, reported {reported}"))
                })
            },
            resource_set_applies,
        );
    }
    h.case(
        HOST_API,
        "setResource value",
        |host| {
            host.providers()
                .set_resource("routes", "deep", deep_value(10_000))?;
            Ok(Verdict::Unclear("accepted".into()))
        },
        resource_set_applies,
    );
    h.case(
        HOST_API,
        "listResources query",
        |host| {
            host.providers()
                .list_resources("routes", object([("q", deep_value(10_000))]))?;
            Ok(Verdict::Unclear("accepted".into()))
        },
        resource_set_applies,
    );
}

fn resource_mixed(h: &mut Harness, calls: u32) {
    let mut rng = Rng(0x5eed_0002);
    for i in 0..calls {
        let n = h.next();
        let op = rng.below(100);
        let label = format!("call {i} (op {op})");
        let running = *h.host.state() == PluginState::Running;
        let outcome = match op {
            0..=39 => h.call(|host| resource_set_applies(host, n).map(|ok| ok || !running)),
            40..=59 => h.call(|host| {
                host.providers()
                    .set_resource("routes", "bad", json!([n]))
                    .map(|a| a.is_none())
            }),
            60..=79 => h.call(|host| {
                host.providers()
                    .list_resources("routes", json!({"limit": "2"}))
                    .map(|l| !running || l.as_object().is_some_and(|m| m.len() <= 2))
            }),
            80..=97 => h.call(|host| {
                host.providers()
                    .get_resource("routes", "nope", None)
                    .map(|_| true)
            }),
            _ => h.call(|host| {
                host.stop()?;
                host.start()?;
                resource_cycle(host, n)
            }),
        };
        h.mixed_outcome(&label, outcome);
    }
}

// -- weather-provider

fn weather_started(host: &mut MockHost, n: u32) -> Result<bool, Error> {
    let before = mark(host);
    host.start_raw(&json!({"pressureDropWarning": 300 + n}).to_string())?;
    Ok(*host.state() == PluginState::Running
        && host.status().as_deref() == Some("Waiting for sensor data")
        && errors_since(host, before).is_empty())
}

fn weather_cycle(host: &mut MockHost, _n: u32) -> Result<bool, Error> {
    Ok(*host.state() == PluginState::Running
        && host.status().as_deref() == Some("Waiting for sensor data"))
}

fn temperature(n: u32) -> f64 {
    250.0 + f64::from(n % 1000) / 8.0
}

/// A valid own temperature; the next observation must carry it.
fn weather_delta_arrives(host: &mut MockHost, n: u32) -> Result<bool, Error> {
    let t = temperature(n);
    raw_delta(
        host,
        &format!(r#"[{{"values":[{{"path":"environment.outside.temperature","value":{t}}}]}}]"#),
    )?;
    let obs = host
        .providers()
        .weather_observations(json!({"latitude": 60, "longitude": 25}), json!({}))?;
    Ok(obs[0]["outside"]["temperature"].as_f64() == Some(t))
}

fn weather_provider(h: &mut Harness, big: bool) {
    for (text, label) in junk(big) {
        h.case(
            CONFIG,
            &label,
            |host| refused_start(host, &text),
            weather_started,
        );
    }
    for (text, label) in [
        (r#"{"pressureDropWarning":0}"#, "threshold 0"),
        (r#"{"pressureDropWarning":-400}"#, "threshold negative"),
        (r#"{"pressureDropWarning":"400"}"#, "threshold a string"),
        (r#"{"pressureDropWarnings":400}"#, "misspelt member"),
    ] {
        h.case(
            CONFIG,
            label,
            |host| refused_start(host, text),
            weather_started,
        );
    }
    let self_ctx = self_context(&h.host);
    for (text, label, key) in malformed_deltas(&self_ctx, "environment.outside.temperature", big) {
        let history = h.loud.clone();
        h.case(
            DELTA,
            &label,
            |host| reported_delta(host, &key, &history, |host| host.deliver_raw_delta(&text)),
            weather_delta_arrives,
        );
    }
    for (updates, label, key) in
        mixed_updates(r#"{"path":"environment.outside.temperature","value":288.5}"#)
    {
        let history = h.loud.clone();
        h.case(
            DELTA_MIXED,
            label,
            |host| {
                let verdict =
                    reported_delta(host, key, &history, |host| raw_delta(host, &updates))?;
                let obs = host
                    .providers()
                    .weather_observations(json!({"latitude": 60, "longitude": 25}), json!({}))?;
                if obs[0]["outside"]["temperature"].as_f64() != Some(288.5) {
                    return Ok(Verdict::Unclear(format!("LOST: observation {obs}")));
                }
                Ok(verdict)
            },
            weather_delta_arrives,
        );
    }
    for (position, label) in [
        (json!("here"), "position a string"),
        (
            json!({"latitude": "60N", "longitude": 25}),
            "latitude a string",
        ),
        (json!(null), "position null"),
        (json!({"latitude": 60}), "longitude missing"),
    ] {
        h.case(
            PROVIDER,
            &format!("observations: {label}"),
            |host| {
                let before = mark(host);
                let obs = host.providers().weather_observations(position, json!({}))?;
                let reported = !errors_since(host, before).is_empty();
                Ok(if obs == json!([]) && reported {
                    Verdict::Clear
                } else {
                    Verdict::Unclear(format!("answer {obs}, reported {reported}"))
                })
            },
            weather_delta_arrives,
        );
    }
    h.case(
        HOST_API,
        "weather position",
        |host| {
            host.providers()
                .weather_observations(deep_value(10_000), json!({}))?;
            Ok(Verdict::Unclear("accepted".into()))
        },
        weather_delta_arrives,
    );
}

fn weather_mixed(h: &mut Harness, calls: u32) {
    let mut rng = Rng(0x5eed_0003);
    for i in 0..calls {
        let n = h.next();
        let op = rng.below(100);
        let label = format!("call {i} (op {op})");
        let running = *h.host.state() == PluginState::Running;
        let outcome = match op {
            0..=39 => h.call(|host| weather_delta_arrives(host, n).map(|ok| ok || !running)),
            40..=59 => h.call(|host| {
                raw_delta(
                    host,
                    r#"[{"values":[{"path":"environment.outside.temperature","value":"hot"}]}]"#,
                )?;
                Ok(true)
            }),
            60..=79 => h.call(|host| {
                host.providers()
                    .weather_warnings(json!({"latitude": 1, "longitude": 2}))
                    .map(|w| w.is_array())
            }),
            80..=97 => h.call(|host| host.tick_poll().map(|_| true)),
            _ => h.call(|host| {
                host.stop()?;
                host.start()?;
                weather_cycle(host, n)
            }),
        };
        h.mixed_outcome(&label, outcome);
    }
}

// -- track-history

fn track_started(host: &mut MockHost, n: u32) -> Result<bool, Error> {
    let max = 100 + n % 1000;
    host.start_raw(&json!({"maxPoints": max}).to_string())?;
    Ok(host.status() == Some(format!("Recording up to {max} positions")))
}

fn track_cycle(host: &mut MockHost, _n: u32) -> Result<bool, Error> {
    Ok(host.status().as_deref() == Some("Recording up to 100 positions"))
}

fn latitude(n: u32) -> f64 {
    f64::from(n % 1000) / 16.0
}

/// A valid own position; it must be the last point of the track.
fn track_delta_arrives(host: &mut MockHost, n: u32) -> Result<bool, Error> {
    let lat = latitude(n);
    raw_delta(
        host,
        &format!(
            r#"[{{"values":[{{"path":"navigation.position","value":{{"latitude":{lat},"longitude":1}}}}]}}]"#
        ),
    )?;
    let track = status_json(host, "/api/track")?;
    Ok(last_point(&track) == Some((lat, 1.0)))
}

/// The last point of a `/api/track` answer (numbers compared as the doubles they are:
/// the host's JSON round trip prints `2.0` as `2`).
fn last_point(track: &Value) -> Option<(f64, f64)> {
    let p = track.as_array()?.last()?;
    Some((p["latitude"].as_f64()?, p["longitude"].as_f64()?))
}

fn track_sample_answers(host: &mut MockHost, n: u32) -> Result<bool, Error> {
    let bytes = n % 5000;
    let response = host.http(HttpRequest::get(&format!("/api/sample?bytes={bytes}")))?;
    Ok(response.status == 200 && response.body.len() == bytes as usize)
}

fn track_history(h: &mut Harness, big: bool) {
    for (text, label) in junk(big) {
        h.case(
            CONFIG,
            &label,
            |host| refused_start(host, &text),
            track_started,
        );
    }
    for (text, label) in [
        (r#"{"maxPoints":0}"#, "maxPoints 0"),
        (r#"{"maxPoints":-1}"#, "maxPoints negative"),
        (r#"{"maxPoints":2.5}"#, "maxPoints a fraction"),
        (r#"{"maxPoints":1e30}"#, "maxPoints 1e30"),
        (r#"{"max_points":5}"#, "misspelt member"),
    ] {
        h.case(
            CONFIG,
            label,
            |host| refused_start(host, text),
            track_started,
        );
    }
    let self_ctx = self_context(&h.host);
    for (text, label, key) in malformed_deltas(&self_ctx, "navigation.position", big) {
        let history = h.loud.clone();
        h.case(
            DELTA,
            &label,
            |host| reported_delta(host, &key, &history, |host| host.deliver_raw_delta(&text)),
            track_delta_arrives,
        );
    }
    for (updates, label, key) in
        mixed_updates(r#"{"path":"navigation.position","value":{"latitude":-33.5,"longitude":18}}"#)
    {
        let history = h.loud.clone();
        h.case(
            DELTA_MIXED,
            label,
            |host| {
                let verdict =
                    reported_delta(host, key, &history, |host| raw_delta(host, &updates))?;
                let track = status_json(host, "/api/track")?;
                if last_point(&track) != Some((-33.5, 18.0)) {
                    return Ok(Verdict::Unclear(
                        "LOST: the valid position is not in the track".into(),
                    ));
                }
                Ok(verdict)
            },
            track_delta_arrives,
        );
    }
    let mut queries: Vec<(String, String)> = [
        ("/api/sample", "bytes missing"),
        ("/api/sample?bytes=", "bytes empty"),
        ("/api/sample?bytes=x", "bytes not a number"),
        ("/api/sample?bytes=-1", "bytes negative"),
        ("/api/sample?bytes=1e3", "bytes in exponent form"),
        (
            "/api/sample?bytes=99999999999999999999999",
            "bytes past usize",
        ),
        ("/api/sample?bytes=999999999", "bytes past the limit"),
        ("/api/sample?bytes=12abc", "bytes with letters after"),
        ("/api/sample?bytes=%00", "bytes a NUL"),
        (
            "/api/sample?bytes=%E2%80%AE12",
            "bytes with a direction override",
        ),
        ("/api/sample?bytes[a]=1", "bytes as a bracketed key"),
    ]
    .into_iter()
    .map(|(q, l)| (q.to_owned(), l.to_owned()))
    .collect();
    if big {
        queries.push((
            format!("/api/sample?bytes={}", "7".repeat(MB)),
            "1 MB of digits".into(),
        ));
    }
    for (target, label) in queries {
        h.case(
            HTTP_QUERY,
            &label,
            |host| Ok(refused_http(&host.http(HttpRequest::get(&target))?)),
            track_sample_answers,
        );
    }
}

fn track_mixed(h: &mut Harness, calls: u32) {
    let mut rng = Rng(0x5eed_0004);
    // The model: the last position delivered while running.
    let mut last: Option<f64> = None;
    for i in 0..calls {
        let n = h.next();
        let op = rng.below(100);
        let label = format!("call {i} (op {op})");
        let running = *h.host.state() == PluginState::Running;
        let outcome = match op {
            0..=39 => {
                if running {
                    last = Some(latitude(n));
                }
                h.call(|host| track_delta_arrives(host, n).map(|ok| ok || !running))
            }
            40..=54 => h.call(|host| {
                raw_delta(
                    host,
                    r#"[{"values":[{"path":"navigation.position","value":"52N 4E"}]}]"#,
                )?;
                Ok(true)
            }),
            55..=69 => h.call(|host| track_sample_answers(host, n)),
            70..=79 => h.call(|host| {
                host.http(HttpRequest::get("/api/sample?bytes=x"))
                    .map(|r| r.status == 400)
            }),
            80..=97 => h.call(|host| host.tick_poll().map(|_| true)),
            _ => h.call(|host| {
                host.stop()?;
                host.start()?;
                track_cycle(host, n)
            }),
        };
        h.mixed_outcome(&label, outcome);
        if i % 200 == 199 {
            let track = h.call(|host| status_json(host, "/api/track")).ok();
            let got = track.as_ref().and_then(last_point).map(|(lat, _)| lat);
            h.mixed_check(&format!("last position after call {i}"), got == last);
        }
    }
}

// ---- mixed calls ------------------------------------------------------------------------

/// xorshift32: a fixed, dependency-free sequence.
struct Rng(u32);

impl Rng {
    fn below(&mut self, n: u32) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0 % n
    }
}

impl Harness {
    /// Scores one mixed call: `Done(true)` is the expected outcome.
    fn mixed_outcome(&mut self, label: &str, outcome: Call<bool>) {
        let mut score = Row {
            cases: 1,
            ..Row::default()
        };
        match outcome {
            Call::Done(true) => score.clear = 1,
            Call::Done(false) => {
                score.lost = 1;
                self.notes.push(format!(
                    "{} / {MIXED} / {label}: unexpected outcome",
                    self.name
                ));
            }
            Call::Failed(Error::Timeout { .. }) => score.hang = 1,
            Call::Failed(e) => {
                score.trap = u32::from(matches!(e, Error::Trap { .. } | Error::Exit { .. }));
                score.lost = 1;
                self.notes
                    .push(format!("{} / {MIXED} / {label}: {e}", self.name));
            }
            Call::HostPanic(p) => {
                score.host_panic = 1;
                self.notes.push(format!(
                    "{} / {MIXED} / {label}: host panic: {p}",
                    self.name
                ));
            }
        }
        self.rows.entry(MIXED).or_default().add(score);
    }

    /// A check of the model during the mixed calls (not a call of its own).
    fn mixed_check(&mut self, label: &str, ok: bool) {
        if !ok {
            self.rows.entry(MIXED).or_default().lost += 1;
            self.notes.push(format!(
                "{} / {MIXED} / {label}: the model and the plugin disagree",
                self.name
            ));
        }
    }
}

// ---- the suite ----------------------------------------------------------------------------

struct Plan {
    name: &'static str,
    options: fn() -> HostOptions,
    malformed: fn(&mut Harness, bool),
    cycle: fn(&mut MockHost, u32) -> Result<bool, Error>,
    mixed: fn(&mut Harness, u32),
}

fn hello_mixed(h: &mut Harness, calls: u32) {
    for i in 0..calls {
        let n = h.next();
        let label = format!("call {i}");
        let outcome = if i % 2 == 0 {
            h.call(|host| hello_started(host, n))
        } else {
            h.call(|host| refused_start(host, "[1]").map(|v| matches!(v, Verdict::Clear)))
        };
        h.mixed_outcome(&label, outcome);
    }
}

fn plans() -> [Plan; 5] {
    [
        Plan {
            name: "hello",
            options: || HostOptions::new("hello").configuration(json!({})),
            malformed: hello,
            cycle: hello_cycle,
            mixed: hello_mixed,
        },
        Plan {
            name: "anchor-watch",
            options: || {
                HostOptions::new("anchor-watch")
                    .capability(Capability::PutHandlers)
                    .configuration(json!({"anchorLat": 52, "anchorLon": 4, "maxRadius": 50}))
            },
            malformed: anchor_watch,
            cycle: anchor_cycle,
            mixed: anchor_mixed,
        },
        Plan {
            name: "resource-provider",
            options: || {
                HostOptions::new("resource-provider")
                    .capability(Capability::ResourceProvider)
                    .configuration(json!({}))
            },
            malformed: resource_provider,
            cycle: resource_cycle,
            mixed: resource_mixed,
        },
        Plan {
            name: "weather-provider",
            options: || {
                HostOptions::new("weather-provider")
                    .capability(Capability::WeatherProvider)
                    .configuration(json!({}))
            },
            malformed: weather_provider,
            cycle: weather_cycle,
            mixed: weather_mixed,
        },
        Plan {
            name: "track-history",
            options: || HostOptions::new("track-history").configuration(json!({"maxPoints": 100})),
            malformed: track_history,
            cycle: track_cycle,
            mixed: track_mixed,
        },
    ]
}

/// One example through the whole suite.
fn run(plan: &Plan) -> (Harness, Duration) {
    let started = Instant::now();
    let mut h = Harness::new(plan.name, (plan.options)());
    h.call(MockHost::start).ok();
    h.cycles(plan.cycle);
    (plan.malformed)(&mut h, true);
    h.remember("after the malformed inputs");
    // The same inputs again: whatever the first round needed is there now.
    (plan.malformed)(&mut h, true);
    h.remember("after them again");
    (plan.mixed)(&mut h, 2_000);
    h.call(|host| {
        if *host.state() != PluginState::Running {
            host.start()?;
        }
        Ok(())
    })
    .ok();
    h.remember("after 2,000 mixed calls");
    (h, started.elapsed())
}

#[test]
fn reliability_malformed_input_cycles_and_mixed_calls() {
    let started = Instant::now();
    let plans = plans();
    // Two at a time: two cores.
    let mut results = Vec::new();
    for pair in plans.chunks(2) {
        std::thread::scope(|s| {
            let handles: Vec<_> = pair.iter().map(|p| s.spawn(move || run(p))).collect();
            for handle in handles {
                results.push(handle.join().expect("a harness thread panicked"));
            }
        });
    }

    let mut totals: BTreeMap<&str, Row> = BTreeMap::new();
    for (h, _) in &results {
        for (row, score) in &h.rows {
            totals.entry(row).or_default().add(*score);
        }
    }
    let mut table = String::new();
    let _ = writeln!(
        table,
        "\n{:<26} {:>6} {:>12} {:>5} {:>11} {:>5} {:>10}",
        "input", "cases", "clear error", "trap", "host panic", "hang", "data lost"
    );
    let mut all = Row::default();
    for row in ROWS {
        let r = totals.get(row).copied().unwrap_or_default();
        all.add(r);
        let _ = writeln!(
            table,
            "{:<26} {:>6} {:>12} {:>5} {:>11} {:>5} {:>10}",
            row, r.cases, r.clear, r.trap, r.host_panic, r.hang, r.lost
        );
    }
    let _ = writeln!(
        table,
        "{:<26} {:>6} {:>12} {:>5} {:>11} {:>5} {:>10}",
        "all", all.cases, all.clear, all.trap, all.host_panic, all.hang, all.lost
    );
    let _ = writeln!(
        table,
        "\nguest memory pages (64 KiB) at load / after the 1st stop-start cycle / after 100 / after the malformed inputs / after them again / after 2,000 mixed calls;"
    );
    let _ = writeln!(
        table,
        "alloc ledger (host allocate / deallocate calls, buffers still live, issues) at load and at the end; host record entries dropped (bounded)"
    );
    let _ = writeln!(
        table,
        "{:<18} {:>32} {:>18} {:>24} {:>8} {:>6}",
        "example", "pages", "ledger at load", "ledger at the end", "dropped", "time"
    );
    for (h, elapsed) in &results {
        let m = |w| h.memory_at(w);
        let pages = [
            "loaded",
            "after the first cycle",
            "after 100 cycles",
            "after the malformed inputs",
            "after them again",
            "after 2,000 mixed calls",
        ]
        .map(|w| m(w).pages.to_string())
        .join(" / ");
        let ledger = |m: Memory| {
            format!(
                "{}/{} {} {}",
                m.allocations, m.deallocations, m.live, m.issues
            )
        };
        let _ = writeln!(
            table,
            "{:<18} {:>32} {:>18} {:>24} {:>8} {:>5.1}s",
            h.name,
            pages,
            ledger(m("loaded")),
            ledger(m("after 2,000 mixed calls")),
            h.host.recorded().dropped().total(),
            elapsed.as_secs_f64(),
        );
    }
    let _ = writeln!(
        table,
        "each malformed input is sent twice; for cycles and mixed calls \"clear error\" counts the expected outcome\ntotal {:.1}s",
        started.elapsed().as_secs_f64()
    );
    // Straight to stderr, past the test harness's capture: `cargo test --workspace`
    // (and so CI) shows the table without a second run of the suite.
    let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("{table}\n").as_bytes());

    // The verdicts.
    let mut failures = Vec::new();
    for (h, _) in &results {
        failures.extend(h.notes.iter().take(40).cloned());
        let m = |w| h.memory_at(w);
        if m("after 100 cycles").pages != m("after the first cycle").pages {
            failures.push(format!(
                "{}: memory grew over the stop/start cycles",
                h.name
            ));
        }
        if m("after them again").pages != m("after the malformed inputs").pages {
            failures.push(format!(
                "{}: memory grew in the second round of malformed input",
                h.name
            ));
        }
        if m("after 2,000 mixed calls").pages != m("after them again").pages {
            failures.push(format!("{}: memory grew over the mixed calls", h.name));
        }
        for (when, memory) in &h.memory {
            if !memory.balanced() {
                failures.push(format!("{}: ledger unbalanced {when}: {memory:?}", h.name));
            }
        }
        let recorded = h.host.recorded();
        if recorded.calls().len() > RECORD_LIMIT || recorded.delta_values().len() > RECORD_LIMIT {
            failures.push(format!("{}: the record grew past its limit", h.name));
        }
    }
    for row in ROWS {
        let r = totals.get(row).copied().unwrap_or_default();
        if r.trap + r.host_panic + r.hang + r.lost > 0 {
            failures.push(format!("{row}: {r:?}"));
        }
        if r.clear != r.cases {
            failures.push(format!(
                "{row}: {} of {} cases without a clear error",
                r.cases - r.clear,
                r.cases
            ));
        }
    }
    let malformed: u32 = [
        CONFIG,
        DELTA,
        DELTA_MIXED,
        HTTP_BODY,
        HTTP_QUERY,
        PUT_VALUE,
        PROVIDER,
        HOST_API,
    ]
    .iter()
    .map(|r| totals.get(r).map_or(0, |r| r.cases))
    .sum();
    assert!(malformed >= 2 * 150, "only {malformed} malformed cases");
    assert!(totals[CYCLES].cases >= 5 * 100);
    assert!(totals[MIXED].cases >= 10_000);
    let dropped: u64 = results
        .iter()
        .map(|(h, _)| h.host.recorded().dropped().total())
        .sum();
    assert!(dropped > 0, "the soak never reached the record's bound");
    assert!(failures.is_empty(), "{table}\n{}", failures.join("\n"));
}
