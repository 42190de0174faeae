//! Real boat data (issue 14): the recordings signalk-server ships in `samples/`
//! (`plaka.log`, NMEA 0183 from a sailing boat off Finland; `aava-n2k.data`, ten minutes of
//! NMEA 2000) are converted at test time with the server's own converters
//! (`tests/node/samples-to-deltas.cjs`, nothing committed) and replayed into the examples
//! with `MockHost::replay`. Every expected value is computed here from the converted log
//! itself: the delta count, the own vessel's positions and paths, the poll count the
//! data's clock gives, distances by an independent haversine, the last sensor readings.
//!
//! The conversion needs the server's install (npm), like `realhost.rs`; those tests are
//! skipped, with a message, only when npm is unreachable. The synthetic-log tests at the
//! end need nothing. Run alone: `cargo test -p cross-crate-tests --test it replay::`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use cross_crate_tests::{WatPlugin, load_example, realhost, repo_root};
use serde_json::{Value, json};
use signalk_plugin_host_mock::replay::{ReplayOptions, ReplaySummary};
use signalk_plugin_host_mock::{Capability, HostOptions, HttpRequest, MockHost, TEST_SOURCE};

use crate::own_vessel::{probe, state};

/// One of the server's sample recordings.
#[derive(Clone, Copy, Debug)]
enum Sample {
    /// `plaka.log`: NMEA 0183, about four hours.
    Plaka,
    /// `aava-n2k.data`: NMEA 2000 (canboat's text format), ten minutes.
    Aava,
}

impl Sample {
    fn file(self) -> &'static str {
        match self {
            Sample::Plaka => "plaka.log",
            Sample::Aava => "aava-n2k.data",
        }
    }

    fn converter(self) -> &'static str {
        match self {
            Sample::Plaka => "nmea0183",
            Sample::Aava => "n2k",
        }
    }
}

/// A converted recording: the delta log and its lines, parsed.
struct Recording {
    path: PathBuf,
    /// The deltas, one per non-blank line, in order.
    deltas: Vec<Value>,
}

/// The recording converted to a delta log (once per test process); `None` when npm is
/// unreachable.
fn recording(sample: Sample) -> Option<&'static Recording> {
    static PLAKA: OnceLock<Option<Recording>> = OnceLock::new();
    static AAVA: OnceLock<Option<Recording>> = OnceLock::new();
    let cell = match sample {
        Sample::Plaka => &PLAKA,
        Sample::Aava => &AAVA,
    };
    cell.get_or_init(|| convert(sample)).as_ref()
}

fn convert(sample: Sample) -> Option<Recording> {
    let cache = text(&realhost(&["install"])?.stdout);
    let node = text(&realhost(&["node"])?.stdout);
    // Where realhost.sh installs the server: its dependencies are the converters.
    let modules = Path::new(&cache).join("server-2.32.0/node_modules");
    let input = modules.join("signalk-server/samples").join(sample.file());
    let dir = repo_root().join("target/replay-samples");
    std::fs::create_dir_all(&dir).unwrap();
    // Written under a name of this process, then renamed: concurrent test processes
    // never read a half-written log.
    let name = sample.file().replace('.', "-");
    let partial = dir.join(format!("{name}.{}.partial", std::process::id()));
    let path = dir.join(format!("{name}.deltas"));
    let out = Command::new(&node)
        .arg(repo_root().join("tests/node/samples-to-deltas.cjs"))
        .args([
            sample.converter().as_ref(),
            input.as_os_str(),
            partial.as_os_str(),
        ])
        .env("NODE_PATH", &modules)
        .output()
        .unwrap_or_else(|e| panic!("running {node}: {e}"));
    assert!(
        out.status.success(),
        "converting {}: {}",
        sample.file(),
        String::from_utf8_lossy(&out.stderr)
    );
    // The summary is the last line (the n2k mapper prints warnings before it).
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("converter summary: {e}\n{stdout}"));
    assert_eq!(summary["refused"], 0, "{summary}");
    std::fs::rename(&partial, &path).unwrap();
    let deltas: Vec<Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        Some(deltas.len() as u64),
        summary["deltas"].as_u64(),
        "{summary}"
    );
    // The recordings are substantial: a converter that silently gave up would show here.
    assert!(
        deltas.len() > 10_000,
        "{} gave {} deltas",
        sample.file(),
        deltas.len()
    );
    eprintln!("{}: {summary}", sample.file());
    Some(Recording { path, deltas })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_owned()
}

// ----- what the log says, computed here -----

/// Whether a delta is about the own vessel (no context, or `vessels.self`).
fn is_own(delta: &Value) -> bool {
    matches!(
        delta.get("context").and_then(Value::as_str),
        None | Some("vessels.self")
    )
}

/// `(path, value)` of every value of a delta, in order.
fn values(delta: &Value) -> impl Iterator<Item = (&str, &Value)> {
    delta["updates"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|u| u["values"].as_array().into_iter().flatten())
        .filter_map(|v| Some((v["path"].as_str()?, &v["value"])))
}

/// A position value as `(latitude, longitude)`.
fn position(value: &Value) -> Option<(f64, f64)> {
    Some((value["latitude"].as_f64()?, value["longitude"].as_f64()?))
}

/// Milliseconds since 1970 of `YYYY-MM-DDTHH:MM:SS[.fff…]Z`.
fn millis(timestamp: &str) -> i64 {
    let field = |r: std::ops::Range<usize>| -> i64 {
        timestamp[r]
            .parse()
            .unwrap_or_else(|_| panic!("{timestamp}"))
    };
    assert!(timestamp.ends_with('Z'), "{timestamp}");
    let (mut y, m, d) = (field(0..4), field(5..7), field(8..10));
    let (hh, mm, ss) = (field(11..13), field(14..16), field(17..19));
    let fraction = timestamp[19..timestamp.len() - 1].trim_start_matches('.');
    let ms: i64 = format!("{fraction:0<3}")[..3].parse().unwrap_or(0);
    // Days since 1970 by counting from March (leap day last), 400-year cycles.
    if m <= 2 {
        y -= 1;
    }
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    ((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000 + ms
}

/// Polls the server would make over the log: one per whole second from its first
/// timestamp to its latest.
fn expected_polls(log: &Recording) -> u64 {
    let stamps: Vec<i64> = log
        .deltas
        .iter()
        .flat_map(|d| d["updates"].as_array().into_iter().flatten())
        .filter_map(|u| u["timestamp"].as_str().map(millis))
        .collect();
    let first = stamps.first().expect("the log has timestamps");
    let latest = stamps.iter().max().unwrap();
    u64::try_from((latest - first) / 1000).unwrap()
}

/// Great-circle distance in metres (mean Earth radius), written here independently of
/// the example's.
fn distance_m((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let a = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * a.sqrt().atan2((1.0 - a).sqrt())
}

// ----- running the examples -----

/// Replays `log` into the started `host` and checks what holds for every plugin: every
/// delta delivered (and handled, if the plugin has a `delta_handler`), polls on the
/// data's clock, no fault, nothing dropped from the record.
fn replay_clean(
    host: &mut MockHost,
    log: &Recording,
    observer: impl FnMut(&mut MockHost, &signalk_plugin_host_mock::replay::ReplayStep<'_>),
) -> ReplaySummary {
    host.recorded_mut().set_limit(1_000_000);
    let started = Instant::now();
    let summary = host
        .replay_with(&log.path, &ReplayOptions::new(), observer)
        .unwrap_or_else(|e| panic!("replaying {}: {e}", log.path.display()));
    eprintln!("replayed in {:?}: {summary:?}", started.elapsed());
    assert_eq!(summary.deltas, log.deltas.len() as u64);
    let has_handler = host.export_names().iter().any(|e| e == "delta_handler");
    let handled = if has_handler { summary.deltas } else { 0 };
    assert_eq!(summary.handled, handled, "{summary:?}");
    assert_eq!(summary.polls, expected_polls(log), "{summary:?}");
    assert_eq!(
        summary.handler_faults,
        0,
        "{:?}",
        host.recorded().handler_faults()
    );
    assert_eq!(summary.poll_errors, 0, "{summary:?}");
    assert_eq!(host.recorded().errors(), Vec::<String>::new());
    assert!(host.error().is_none(), "{:?}", host.error());
    assert_eq!(host.recorded().dropped().total(), 0);
    summary
}

/// Stops the plugin: it stops cleanly and the ledger shows no allocator fault and no
/// buffer the host left behind.
fn stop_clean(host: &mut MockHost) {
    host.stop().unwrap();
    assert!(
        host.ledger().issues.is_empty(),
        "{:?}",
        host.ledger().issues
    );
    assert!(host.ledger().live.is_empty(), "{:?}", host.ledger().live);
}

/// Whether an accepted delta is one the test delivered (not the plugin's own).
fn from_test(delta: &Value) -> bool {
    let update = &delta["updates"][0];
    update["$source"] == TEST_SOURCE || update["source"]["label"] == TEST_SOURCE
}

fn every_delta_reaches_the_plugin_on_the_data_clock(sample: Sample) {
    let Some(log) = recording(sample) else { return };
    let mut host = probe(json!({}), |o| o);
    let summary = replay_clean(&mut host, log, |_, _| {});
    let after = state(&mut host);
    stop_clean(&mut host);
    assert_eq!(after["polls"].as_u64(), Some(summary.polls));
    let own_paths: Vec<&str> = log
        .deltas
        .iter()
        .filter(|d| is_own(d))
        .flat_map(|d| values(d).map(|(p, _)| p))
        .collect();
    let seen: Vec<&str> = after["seen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(seen.len(), own_paths.len());
    assert!(
        seen == own_paths,
        "the probe saw other paths than the log's own ones"
    );
    assert_eq!(after["dropped"], 0, "{}", after["dropped"]);
    assert_eq!(after["notSelf"], 0);
    // Other vessels' deltas were delivered too (the SDK kept them from `on_delta`).
    let others = log.deltas.iter().filter(|d| !is_own(d)).count();
    eprintln!(
        "{sample:?}: {} deltas ({others} about other contexts), {} own values, {} polls",
        summary.deltas,
        own_paths.len(),
        summary.polls
    );
}

#[test]
fn plaka_every_delta_reaches_the_plugin_on_the_data_clock() {
    every_delta_reaches_the_plugin_on_the_data_clock(Sample::Plaka);
}

#[test]
fn aava_every_delta_reaches_the_plugin_on_the_data_clock() {
    every_delta_reaches_the_plugin_on_the_data_clock(Sample::Aava);
}

fn track_history_records_the_log_s_positions(sample: Sample) {
    let Some(log) = recording(sample) else { return };
    let mut host = load_example("track-history", HostOptions::new("track-history"));
    host.start().unwrap();
    replay_clean(&mut host, log, |_, _| {});
    let expected: Vec<(f64, f64)> = log
        .deltas
        .iter()
        .filter(|d| is_own(d))
        .flat_map(values)
        .filter(|(p, _)| *p == "navigation.position")
        .filter_map(|(_, v)| position(v))
        .collect();
    assert!(expected.len() > 500, "{}", expected.len());
    let track = host.http(HttpRequest::get("/api/track")).unwrap();
    stop_clean(&mut host);
    assert_eq!(track.status, 200, "{}", track.body);
    let track: Vec<(f64, f64)> = track
        .body_json()
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| position(p).unwrap())
        .collect();
    assert_eq!(track.len(), expected.len());
    assert!(
        track == expected,
        "the track differs from the log's positions"
    );
}

#[test]
fn plaka_track_history_records_the_log_s_positions() {
    track_history_records_the_log_s_positions(Sample::Plaka);
}

#[test]
fn aava_track_history_records_the_log_s_positions() {
    track_history_records_the_log_s_positions(Sample::Aava);
}

fn anchor_watch_measures_the_log_s_positions(sample: Sample, radius: f64) {
    let Some(log) = recording(sample) else { return };
    // The position each own delta gives (its last one, as `Delta::value_of`), by line.
    let fixes: Vec<Option<(f64, f64)>> = log
        .deltas
        .iter()
        .map(|d| {
            is_own(d)
                .then(|| {
                    values(d)
                        .filter(|(p, _)| *p == "navigation.position")
                        .last()
                        .and_then(|(_, v)| position(v))
                })
                .flatten()
        })
        .collect();
    let anchor = fixes.iter().flatten().next().copied().unwrap();
    let config = json!({"anchorLat": anchor.0, "anchorLon": anchor.1, "maxRadius": radius});
    let options = HostOptions::new("anchor-watch")
        .capability(Capability::PutHandlers)
        .configuration(config);
    let mut host = load_example("anchor-watch", options);
    host.start().unwrap();
    let mut checked = 0;
    let mut expected_alarms = Vec::new();
    let mut alarm = false;
    let mut accepted_before = host.recorded().delta_values().len();
    replay_clean(&mut host, log, |host, step| {
        // What the pipeline accepted during this step: the delivered delta first, then
        // whatever the plugin emitted in response.
        let accepted = &host.recorded().delta_values()[accepted_before..];
        accepted_before += accepted.len();
        assert!(
            from_test(&accepted[0]),
            "line {}: {}",
            step.line,
            accepted[0]
        );
        let radii: Vec<f64> = accepted[1..]
            .iter()
            .flat_map(values)
            .filter(|(p, _)| *p == "navigation.anchor.currentRadius")
            .map(|(_, v)| v.as_f64().unwrap())
            .collect();
        let Some(fix) = fixes[checked_line(step.line)] else {
            assert_eq!(
                radii, [0.0; 0],
                "line {}: no position, no distance",
                step.line
            );
            return;
        };
        let distance = distance_m(anchor, fix);
        assert_eq!(radii.len(), 1, "line {}: {radii:?}", step.line);
        assert!(
            (radii[0] - distance).abs() < 1e-6,
            "line {}: the plugin says {} m, the log {distance} m",
            step.line,
            radii[0]
        );
        if (distance > radius) != alarm {
            alarm = !alarm;
            expected_alarms.push(if alarm { "alarm" } else { "normal" });
        }
        checked += 1;
    });
    stop_clean(&mut host);
    assert_eq!(checked, fixes.iter().flatten().count());
    let alarms: Vec<String> = host
        .recorded()
        .calls()
        .iter()
        .filter_map(|c| match c {
            signalk_plugin_host_mock::HostCall::PublishNotification { value, .. } => {
                let value: Value = serde_json::from_str(value).unwrap();
                value["state"].as_str().map(str::to_owned)
            }
            _ => None,
        })
        .collect();
    assert_eq!(alarms, expected_alarms);
    assert!(
        !expected_alarms.is_empty(),
        "the boat never left the circle"
    );
}

/// Index into the parsed log of a replay step's line (the converted logs have no blank
/// lines, so line n is delta n - 1).
fn checked_line(line: u64) -> usize {
    usize::try_from(line - 1).unwrap()
}

#[test]
fn plaka_anchor_watch_measures_the_log_s_positions() {
    // The boat sails away from where the log starts: one alarm.
    anchor_watch_measures_the_log_s_positions(Sample::Plaka, 200.0);
}

#[test]
fn aava_anchor_watch_measures_the_log_s_positions() {
    anchor_watch_measures_the_log_s_positions(Sample::Aava, 100.0);
}

fn weather_observations_are_the_log_s_last_readings(sample: Sample) {
    let Some(log) = recording(sample) else { return };
    let options = HostOptions::new("weather-provider").capability(Capability::WeatherProvider);
    let mut host = load_example("weather-provider", options);
    host.start().unwrap();
    replay_clean(&mut host, log, |_, _| {});
    let readings = last_readings(log);
    let reading = |path: &str| readings.iter().find(|r| r.0 == path);
    let observations = host
        .providers()
        .weather_observations(json!({"latitude": 60.0, "longitude": 24.0}), json!({}))
        .unwrap();
    stop_clean(&mut host);
    eprintln!("{sample:?}: {observations}");
    let wanted = [
        "environment.outside.temperature",
        "environment.outside.pressure",
    ];
    if !wanted
        .into_iter()
        .chain(["environment.wind.speedTrue"])
        .any(|p| reading(p).is_some())
    {
        // The recording has none of the readings: no observation, none invented.
        assert_eq!(observations, json!([]));
        return;
    }
    let o = &observations[0];
    for (member, path) in [
        (
            &o["outside"]["temperature"],
            "environment.outside.temperature",
        ),
        (&o["outside"]["pressure"], "environment.outside.pressure"),
        (&o["wind"]["speedTrue"], "environment.wind.speedTrue"),
        (
            &o["wind"]["directionTrue"],
            "environment.wind.directionTrue",
        ),
    ] {
        assert_eq!(
            member,
            reading(path).map_or(&Value::Null, |r| &r.1),
            "{path}"
        );
    }
    // The observation is as new as its newest reading, as the data's clock dated it.
    let newest = readings.iter().map(|r| r.2).max().unwrap();
    assert_eq!(millis(o["date"].as_str().unwrap()), newest, "{o}");
}

/// The weather sensor paths: `(path, last numeric own value, its time in ms)` for each
/// the log has. An update without a timestamp gets the data's clock: the latest
/// timestamp so far in the log (its first one before any), as the replay stamps it.
fn last_readings(log: &Recording) -> Vec<(&'static str, Value, i64)> {
    const SENSORS: [&str; 4] = [
        "environment.outside.temperature",
        "environment.outside.pressure",
        "environment.wind.speedTrue",
        "environment.wind.directionTrue",
    ];
    fn updates(delta: &Value) -> impl Iterator<Item = &Value> {
        delta["updates"].as_array().into_iter().flatten()
    }
    let stamp = |u: &Value| u["timestamp"].as_str().map(millis);
    let mut clock = log.deltas.iter().flat_map(updates).find_map(stamp);
    let mut last: Vec<(&'static str, Value, i64)> = Vec::new();
    for delta in &log.deltas {
        clock = updates(delta).filter_map(stamp).chain(clock).max();
        if !is_own(delta) {
            continue;
        }
        for update in updates(delta) {
            let time = stamp(update).or(clock).unwrap();
            for value in update["values"].as_array().into_iter().flatten() {
                let Some(path) = SENSORS.into_iter().find(|p| value["path"] == *p) else {
                    continue;
                };
                if value["value"].is_number() {
                    last.retain(|r| r.0 != path);
                    last.push((path, value["value"].clone(), time));
                }
            }
        }
    }
    last
}

#[test]
fn plaka_weather_observations_are_the_log_s_last_readings() {
    weather_observations_are_the_log_s_last_readings(Sample::Plaka);
}

#[test]
fn aava_weather_observations_are_the_log_s_last_readings() {
    weather_observations_are_the_log_s_last_readings(Sample::Aava);
}

// ----- the replay itself, on logs written here -----

/// A raw plugin that sets its status to `d` in every `delta_handler` call and to `p` in
/// every `poll`: its statuses are the order of both.
fn witness() -> MockHost {
    let plugin = WatPlugin::new()
        .head(
            r#"(import "env" "sk_set_status" (func $status (param i32 i32)))
               (data (i32.const 16) "dp")"#,
        )
        .poll("(call $status (i32.const 17) (i32.const 1)) (i32.const 0)")
        .tail(
            r#"(func (export "delta_handler") (param i32 i32)
                 (call $status (i32.const 16) (i32.const 1)))"#,
        );
    let mut host = MockHost::from_bytes(&plugin.build(), HostOptions::new("witness")).unwrap();
    host.start().unwrap();
    host
}

/// Writes `lines` to a log file in a fresh directory of `target/`.
fn log_file(name: &str, lines: &[String]) -> PathBuf {
    let dir = repo_root().join("target/replay-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.{}.deltas", std::process::id()));
    std::fs::write(&path, lines.join("\n")).unwrap();
    path
}

fn at(time: &str) -> String {
    json!({"updates": [{"timestamp": time, "values": [{"path": "a", "value": 1}]}]}).to_string()
}

fn untimed() -> String {
    json!({"updates": [{"values": [{"path": "a", "value": 1}]}]}).to_string()
}

#[test]
fn polls_follow_the_data_s_timestamps_not_its_lines() {
    let lines = [
        untimed(),                           // before the first timestamp: stamped with it
        at("2014-08-15T19:00:00.500Z"),      // the clock starts
        String::new(),                       // blank: skipped
        at("2014-08-15T19:00:01.400Z"),      // 0.9 s: no poll yet
        at("2014-08-15T19:00:03.600Z"),      // 3.1 s: polls 1, 2 and 3 first
        at("2014-08-15T19:00:02.000Z"),      // older than the clock: at once, no poll
        untimed(),                           // stamped 19:00:03.600
        at("2014-08-15T20:00:03.600+01:00"), // the clock's instant, in another zone
        at("2014-08-15T19:00:05.500Z"),      // 5.0 s: polls 4 and 5 first
    ];
    let path = log_file("clock", &lines);
    let mut host = witness();
    let mut seen = Vec::new();
    let summary = host
        .replay_with(&path, &ReplayOptions::new(), |_, step| {
            seen.push((
                step.line,
                step.polls,
                step.delta["updates"][0]["timestamp"].clone(),
            ));
        })
        .unwrap();
    assert_eq!(
        seen,
        [
            (1, 0, json!("2014-08-15T19:00:00.500Z")),
            (2, 0, json!("2014-08-15T19:00:00.500Z")),
            (4, 0, json!("2014-08-15T19:00:01.400Z")),
            (5, 3, json!("2014-08-15T19:00:03.600Z")),
            (6, 3, json!("2014-08-15T19:00:02.000Z")),
            (7, 3, json!("2014-08-15T19:00:03.600Z")),
            (8, 3, json!("2014-08-15T20:00:03.600+01:00")),
            (9, 5, json!("2014-08-15T19:00:05.500Z")),
        ]
    );
    assert_eq!(host.recorded().statuses().concat(), "dddpppddddppd");
    assert_eq!((summary.lines, summary.deltas, summary.handled), (9, 8, 8));
    assert_eq!(
        (summary.polls, summary.stamped, summary.out_of_order),
        (5, 2, 1)
    );
    assert_eq!(summary.data_time, Duration::from_secs(5));
    // What the plugin got carries the stamps too.
    let delivered = host.recorded().delta_values();
    assert_eq!(
        delivered[0]["updates"][0]["timestamp"],
        "2014-08-15T19:00:00.500Z"
    );
    std::fs::remove_file(path).unwrap();
}

#[test]
fn a_bad_line_stops_the_replay_naming_it() {
    let cases = [
        ("not json", "not JSON"),
        ("[1, 2]", "a JSON object is expected"),
        (
            r#"{"updates":[{"timestamp":"yesterday"}]}"#,
            "\"yesterday\" is not an RFC 3339 time",
        ),
        (
            r#"{"updates":[{"timestamp":"2014-08-17T19:00:00Z"}]}"#,
            "jumps 2days forward",
        ),
    ];
    for (i, (bad, problem)) in cases.into_iter().enumerate() {
        let lines = [
            at("2014-08-15T19:00:00Z"),
            String::new(),
            bad.to_owned(),
            untimed(),
        ];
        let path = log_file(&format!("bad{i}"), &lines);
        let mut host = witness();
        let err = host
            .replay(&path, &ReplayOptions::new())
            .unwrap_err()
            .to_string();
        let place = format!("{}:3: ", path.display());
        assert!(
            err.contains(&place) && err.contains(problem),
            "{bad}: {err}"
        );
        // The line before it was delivered; nothing after it.
        assert_eq!(host.recorded().statuses(), ["d"], "{bad}");
        std::fs::remove_file(path).unwrap();
    }
    let mut host = witness();
    let missing = repo_root().join("target/replay-tests/no such log");
    let err = host.replay(&missing, &ReplayOptions::new()).unwrap_err();
    assert!(err.to_string().contains("no such log"), "{err}");
    for speed in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = host.replay(&missing, &ReplayOptions::new().speed(speed));
        assert!(err.unwrap_err().to_string().contains("speed"), "{speed}");
    }
}

#[test]
fn a_speed_factor_follows_the_data_s_time() {
    // 1.2 s of data at 4x: at least 0.3 s; as fast as possible: far less.
    let lines = [at("2014-08-15T19:00:00Z"), at("2014-08-15T19:00:01.200Z")];
    let path = log_file("speed", &lines);
    let mut host = witness();
    let started = Instant::now();
    let summary = host
        .replay(&path, &ReplayOptions::new().speed(4.0))
        .unwrap();
    let paced = started.elapsed();
    assert!(paced >= Duration::from_millis(300), "{paced:?}");
    assert_eq!(summary.polls, 1);
    let started = Instant::now();
    host.replay(&path, &ReplayOptions::new()).unwrap();
    assert!(
        started.elapsed() < paced,
        "{:?} vs {paced:?}",
        started.elapsed()
    );
    std::fs::remove_file(path).unwrap();
}
