//! The differential conformance suite: the `sdk-probe` fixture runs in signalk-server
//! 2.32.0 and in the mock host, the same list of scenarios ([`scenarios::all`]) is run
//! against both, and everything a client or the plugin sees is compared after the
//! [`normalise`]r masks what differs by nature (timestamps, UUIDs, ports).
//!
//! It prints `N identical, M different` and each difference with both sides. Any
//! difference fails the test unless its scenario is listed, with a reason, in
//! `tests/differential/known-divergences.json` ([`known`]); a listed scenario that no
//! longer differs fails it too.
//!
//! Needs npm (the server and Node 22 are installed into a cache on first use by
//! `conformance/realhost.sh`); skipped, with a message, only when npm is unreachable.
//! Run alone: `cargo test -p cross-crate-tests --test it differential:: -- --nocapture`;
//! with `SKP_DIFFERENTIAL_DUMP=<file>` every observation of both hosts is written there
//! as JSON, identical scenarios included.

mod hosts;
mod known;
mod normalise;
mod scenarios;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use cross_crate_tests::{RealServer, package, repo_root};
use serde_json::Value;
use signalk_plugin_host_mock::{Capabilities, HostOptions, MockHost};

use hosts::{Host, Mock, Real};
use scenarios::{ID, Scenario};

/// Where the known divergences are listed.
const KNOWN_FILE: &str = "tests/differential/known-divergences.json";

/// Set to a file path to have every observation written there.
const DUMP_VAR: &str = "SKP_DIFFERENTIAL_DUMP";

/// Longest string shown in a report (the comparison always uses the whole value).
const SHOWN_CHARS: usize = 1500;

#[test]
fn the_list_has_at_least_60_scenarios_with_unique_ids_in_every_area() {
    let list = scenarios::all();
    assert!(list.len() >= 60, "only {} scenarios", list.len());
    let mut ids = BTreeSet::new();
    for s in &list {
        assert!(ids.insert(s.id.as_str()), "scenario id {} twice", s.id);
        assert!(!s.steps.is_empty(), "scenario {} has no steps", s.id);
    }
    for area in [
        "http.",
        "reply.",
        "server.",
        "delta.",
        "notify.",
        "put.rest.",
        "put.ws.",
        "lifecycle.",
        "trap.",
    ] {
        assert!(
            list.iter().any(|s| s.id.starts_with(area)),
            "no scenario in {area}"
        );
    }
    // Every scenario the known-divergence file names exists.
    let known = known::load(&repo_root().join(KNOWN_FILE));
    for id in known.keys() {
        assert!(
            ids.contains(id.as_str()),
            "{KNOWN_FILE} names no scenario {id}"
        );
    }
}

/// One scenario's outcome on both hosts.
struct Outcome<'a> {
    scenario: &'a Scenario,
    real: Vec<Value>,
    mock: Vec<Value>,
}

#[test]
fn the_mock_host_matches_signalk_server_2_32_0_in_every_scenario() {
    let work = std::env::temp_dir().join(format!("skp-differential-{}", std::process::id()));
    let pkg = package(&crate::own_vessel::probe_dir(), &work, ID);
    let config = scenarios::probe_config();
    let Some(real) = RealServer::start(&[(&pkg, config.clone())]) else {
        return;
    };
    let caps = Capabilities::from_package_json(pkg.join("package.json"))
        .unwrap_or_else(|e| panic!("reading the probe's package.json: {e}"));
    // Stock 2.32.0 has no chunked channel: replies over 64 KiB fail there.
    let options = HostOptions::new(ID)
        .capabilities(caps)
        .configuration(config)
        .chunked_channel(false);
    let mut mock = MockHost::load(pkg.join("plugin.wasm"), options)
        .unwrap_or_else(|e| panic!("loading the probe: {e}"));
    mock.start()
        .unwrap_or_else(|e| panic!("starting the probe: {e}"));

    let list = scenarios::all();
    let mut real_host = Real(&real);
    let mut mock_host = Mock(mock);
    let outcomes: Vec<Outcome<'_>> = list
        .iter()
        .map(|scenario| Outcome {
            scenario,
            real: scenario.steps.iter().map(|s| real_host.run(s)).collect(),
            mock: scenario.steps.iter().map(|s| mock_host.run(s)).collect(),
        })
        .collect();
    drop(real);
    let _ = std::fs::remove_dir_all(&work);

    if let Some(path) = std::env::var_os(DUMP_VAR) {
        dump(&outcomes, std::path::Path::new(&path));
    }
    let known = known::load(&repo_root().join(KNOWN_FILE));
    let report = report(&outcomes, &known);
    // Straight to the process's stderr, past the test harness's capture, so the count
    // shows in every run (`cargo test --workspace` included), passing or not.
    let _ = std::io::Write::write_all(&mut std::io::stderr(), report.text.as_bytes());
    assert!(
        report.failures.is_empty(),
        "the differential suite failed (each difference is shown above, on stderr):\n  {}",
        report.failures.join("\n  ")
    );
}

/// Writes every scenario's observations on both hosts, as JSON, to `path` (to read
/// what was compared, identical scenarios included).
fn dump(outcomes: &[Outcome<'_>], path: &std::path::Path) {
    let all: Vec<Value> = outcomes
        .iter()
        .map(|o| {
            serde_json::json!({
                "scenario": o.scenario.id,
                "what": o.scenario.what,
                "identical": o.real == o.mock,
                "real": o.real,
                "mock": o.mock,
            })
        })
        .collect();
    let text = serde_json::to_string_pretty(&all).unwrap_or_else(|e| e.to_string());
    std::fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

struct Report {
    text: String,
    failures: Vec<String>,
}

fn report(outcomes: &[Outcome<'_>], known: &std::collections::BTreeMap<String, String>) -> Report {
    let mut text = String::new();
    let mut failures = Vec::new();
    let different: Vec<&Outcome<'_>> = outcomes.iter().filter(|o| o.real != o.mock).collect();
    let _ = writeln!(
        text,
        "differential suite: {} scenarios against signalk-server 2.32.0 and the mock host",
        outcomes.len()
    );
    for outcome in &different {
        let id = &outcome.scenario.id;
        let verdict = match known.get(id) {
            Some(reason) => format!("KNOWN: {reason}"),
            None => {
                failures.push(format!("{id}: differs and is not a known divergence"));
                "UNEXPLAINED".to_owned()
            }
        };
        let _ = writeln!(text, "\n--- {id} ({}) [{verdict}]", outcome.scenario.what);
        for (i, (r, m)) in outcome.real.iter().zip(&outcome.mock).enumerate() {
            if r == m {
                continue;
            }
            let step = r.get("request").or_else(|| r.get("ws put"));
            let _ = writeln!(
                text,
                "  step {} ({}):",
                i + 1,
                step.and_then(Value::as_str).unwrap_or("?")
            );
            let mut lines = Vec::new();
            differences(r, m, "", &mut lines);
            for (at, real, mock) in lines {
                let _ = writeln!(text, "    at {at}:\n      real: {real}\n      mock: {mock}");
            }
        }
    }
    for (id, reason) in known {
        match outcomes.iter().find(|o| &o.scenario.id == id) {
            None => failures.push(format!("{KNOWN_FILE} lists {id}, which is no scenario")),
            Some(o) if o.real == o.mock => failures.push(format!(
                "{id} is listed in {KNOWN_FILE} ({reason}) but no longer differs: remove it"
            )),
            Some(_) => {}
        }
    }
    let _ = writeln!(
        text,
        "\n{} identical, {} different ({} known divergences listed)",
        outcomes.len() - different.len(),
        different.len(),
        known.len()
    );
    Report { text, failures }
}

/// Where `real` and `mock` differ: `(JSON pointer, real side, mock side)` for each
/// smallest differing part (a member only one side has shows as `(absent)`).
fn differences(real: &Value, mock: &Value, at: &str, out: &mut Vec<(String, String, String)>) {
    match (real, mock) {
        (Value::Object(r), Value::Object(m)) => {
            let keys: BTreeSet<&String> = r.keys().chain(m.keys()).collect();
            for key in keys {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (r.get(key), m.get(key)) {
                    (Some(a), Some(b)) => differences(a, b, &here, out),
                    (a, b) => out.push((here, side(a), side(b))),
                }
            }
        }
        (Value::Array(r), Value::Array(m)) if r.len() == m.len() => {
            for (i, (a, b)) in r.iter().zip(m).enumerate() {
                differences(a, b, &format!("{at}/{i}"), out);
            }
        }
        _ if real != mock => out.push((
            if at.is_empty() {
                "/".to_owned()
            } else {
                at.to_owned()
            },
            shown(real),
            shown(mock),
        )),
        _ => {}
    }
}

fn side(value: Option<&Value>) -> String {
    value.map_or_else(|| "(absent)".to_owned(), shown)
}

/// `value` as compact JSON, long strings shortened with a note saying by how much.
fn shown(value: &Value) -> String {
    fn shorten(value: &Value) -> Value {
        match value {
            Value::String(s) if s.chars().count() > SHOWN_CHARS => {
                let head: String = s.chars().take(SHOWN_CHARS).collect();
                Value::String(format!(
                    "{head}… ({} more chars not shown)",
                    s.chars().count() - SHOWN_CHARS
                ))
            }
            Value::Array(items) => Value::Array(items.iter().map(shorten).collect()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), shorten(v))).collect())
            }
            other => other.clone(),
        }
    }
    serde_json::to_string(&shorten(value)).unwrap_or_else(|e| e.to_string())
}
