//! The server model (`docs/mock-host/server.md`) against signalk-server 2.32.0 itself:
//!
//! - the embedded schema and unit-preference tables against the real modules
//!   (`@signalk/path-metadata`, `signalk-server/dist/unitpreferences`), run with the
//!   server's own Node;
//! - the data model, notifications, config routes and PUT over REST and WebSocket,
//!   the same requests sent to a running server and to the mock host.
//!
//! Both are skipped, with a message, when the server cannot be installed.

use std::path::Path;
use std::process::Command;

use cross_crate_tests::{Diffs, RealServer, realhost, repo_root, ws_put};
use serde_json::{Value, json};
use signalk_plugin_host_mock::{Capabilities, HostOptions, HttpRequest, MockHost, server};

use crate::own_vessel::probe_dir;

/// Every path whose schema metadata the mock host embeds, and two the schema has none
/// for (absent on both sides). Paths outside the embedded list get no schema meta in
/// the mock host (`docs/mock-host/server.md`).
const PATHS: &[&str] = &[
    "navigation.position",
    "navigation.anchor.position",
    "navigation.anchor.maxRadius",
    "navigation.anchor.currentRadius",
    "navigation.speedThroughWater",
    "navigation.speedOverGround",
    "navigation.courseOverGroundTrue",
    "navigation.headingTrue",
    "navigation.rateOfTurn",
    "navigation.log",
    "environment.outside.temperature",
    "environment.outside.pressure",
    "environment.outside.relativeHumidity",
    "environment.water.temperature",
    "environment.depth.belowTransducer",
    "environment.wind.speedTrue",
    "environment.wind.angleApparent",
    "environment.wind.directionTrue",
    "design.length",
    "design.beam",
    "design.draft",
    "name",
    "navigation.courseOverGroundMagnetic",
    "navigation.headingMagnetic",
    "navigation.magneticVariation",
    "navigation.trip.log",
    "navigation.datetime",
    "navigation.state",
    "environment.outside.humidity",
    "environment.inside.temperature",
    "environment.depth.belowKeel",
    "environment.depth.belowSurface",
    "environment.wind.speedApparent",
    "environment.wind.speedOverGround",
    "environment.wind.directionMagnetic",
    "environment.wind.angleTrueWater",
    "navigation.anchor.state",
    "notifications.navigation.anchor",
];

/// Asks the real modules, under the server's Node, for: each path's schema meta with
/// the REST API's `displayUnits` (`meta`), every default-category path's resolved
/// `displayUnits` (`defaults`), and each SI unit's (`units`).
const REFERENCE_JS: &str = r"
const [S, pathsJson] = process.argv.slice(-2);
const paths = JSON.parse(pathsJson);
const pm = require(S + '/@signalk/path-metadata');
const up = require(S + '/signalk-server/dist/unitpreferences');
const fs = require('fs');
const dir = fs.mkdtempSync(require('os').tmpdir() + '/skp-units-');
up.setApplicationDataPath(dir);
up.loadAll();
function enhance(meta, path) {
  let stored = meta.displayUnits;
  if (!(stored && stored.category) && path) {
    const c = up.getDefaultCategory(path, meta.units);
    if (c) stored = { category: c };
  }
  if (stored && stored.category) {
    const r = up.resolveDisplayUnits(stored, meta.units);
    if (r) meta.displayUnits = r;
  }
  return meta;
}
const out = { meta: {}, defaults: {}, units: {} };
for (const p of paths) {
  const m = pm.metadataRegistry.getMetadata('vessels.self.' + p);
  out.meta[p] = m ? JSON.parse(JSON.stringify(enhance(structuredClone(m), p))) : null;
}
const dc = JSON.parse(fs.readFileSync(S + '/signalk-server/unitpreferences/default-categories.json'));
for (const def of Object.values(dc.categories)) for (const p of def.paths || []) {
  const concrete = p.replace(/\*/g, 'x1');
  out.defaults[concrete] = JSON.parse(JSON.stringify(enhance({}, concrete).displayUnits || null));
}
for (const u of Object.values(up.getCategories().categoryToBaseUnit)) {
  out.units[u] = JSON.parse(JSON.stringify(enhance({ units: u }, 'no.such.path').displayUnits || null));
}
fs.rmSync(dir, { recursive: true });
process.stdout.write(JSON.stringify(out), () => process.exit(0));
";

/// The server's `node_modules`, if installed.
fn server_modules() -> Option<std::path::PathBuf> {
    realhost(&["install"])?;
    let home = std::env::var_os("SK_REALHOST_CACHE")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/signalk-plugin-realhost"))
        })?;
    let modules = home.join("server-2.32.0/node_modules");
    modules.is_dir().then_some(modules)
}

#[test]
fn embedded_schema_and_unit_tables_match_the_real_modules() {
    let Some(modules) = server_modules() else {
        eprintln!("skipped: signalk-server 2.32.0 is not installed (no npm)");
        return;
    };
    let node = realhost(&["node"]).expect("realhost.sh node");
    let node = String::from_utf8_lossy(&node.stdout).trim().to_owned();
    let out = Command::new(&node)
        .arg("-e")
        .arg(REFERENCE_JS)
        .arg(&modules)
        .arg(json!(PATHS).to_string())
        .output()
        .expect("running node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let real: Value = serde_json::from_slice(&out.stdout).expect("node's JSON");
    let mut diffs = Diffs::default();
    for path in PATHS {
        diffs.same(
            &format!("meta of {path}"),
            real["meta"][path].clone(),
            server::rest_meta(path).unwrap_or(Value::Null),
        );
    }
    let defaults = real["defaults"].as_object().expect("defaults");
    assert!(
        defaults.len() > 100,
        "only {} default-category paths",
        defaults.len()
    );
    for (path, expected) in defaults {
        diffs.same(
            &format!("displayUnits of {path}"),
            expected.clone(),
            server::display_units(path, &json!({})).unwrap_or(Value::Null),
        );
    }
    for (unit, expected) in real["units"].as_object().expect("units") {
        diffs.same(
            &format!("displayUnits of a path in {unit}"),
            expected.clone(),
            server::display_units("no.such.path", &json!({ "units": unit })).unwrap_or(Value::Null),
        );
    }
    diffs.assert_none();
}

/// Replaces what differs by nature (times, generated ids) with placeholders.
fn masked(mut value: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    match k.as_str() {
                        "timestamp" | "acknowledgedAt" => *child = json!("<time>"),
                        "requestId" | "notificationId" | "id" if child.is_string() => {
                            *child = json!("<id>");
                        }
                        "href" => *child = json!("<href>"),
                        _ => walk(child),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value
}

fn load(dir: &Path, package: &str, config: &Value) -> MockHost {
    let caps = Capabilities::from_package_json(dir.join("package.json")).unwrap();
    let options = HostOptions::new(package)
        .capabilities(caps)
        .configuration(config.clone());
    let mut host = MockHost::load(dir.join("plugin.wasm"), options).unwrap();
    host.start().unwrap();
    host
}

/// One request to both: `(status, content type, body)` of each.
fn both(real: &RealServer, mock: &mut MockHost, request: HttpRequest) -> (Value, Value) {
    let sent = real
        .send(
            request.method(),
            request.target(),
            &request.wire_headers(),
            request.body_bytes(),
        )
        .unwrap_or_else(|e| panic!("{} {}: {e}", request.method(), request.target()));
    let body = |bytes: &[u8]| {
        serde_json::from_slice::<Value>(bytes)
            .map(masked)
            .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(bytes).into_owned()))
    };
    let real_side = json!([sent.status, sent.header("content-type"), body(&sent.body)]);
    let label = format!("{} {}", request.method(), request.target());
    let m = mock
        .serve(request)
        .unwrap_or_else(|e| panic!("mock {label}: {e}"));
    let mock_side = json!([m.status, m.header("content-type"), body(m.body_bytes())]);
    (real_side, mock_side)
}

#[test]
fn the_server_model_matches_signalk_server_2_32_0() {
    let work = std::env::temp_dir().join(format!("skp-server-model-{}", std::process::id()));
    let anchor_cfg = json!({"anchorLat": 52.1, "anchorLon": 4.5, "maxRadius": 75});
    let anchor_dir = cross_crate_tests::package(
        &repo_root().join("examples/anchor-watch"),
        &work,
        "anchor-watch",
    );
    let probe_cfg = json!({});
    let probe_dir = cross_crate_tests::package(&probe_dir(), &work, "sdk-probe");
    let Some(real) = RealServer::start(&[
        (&anchor_dir, anchor_cfg.clone()),
        (&probe_dir, probe_cfg.clone()),
    ]) else {
        eprintln!("skipped: signalk-server 2.32.0 is not installed (no npm)");
        return;
    };
    let mut anchor = load(&anchor_dir, "anchor-watch", &anchor_cfg);
    let mut probe = load(&probe_dir, "sdk-probe", &probe_cfg);
    let mut diffs = Diffs::default();
    let check = |diffs: &mut Diffs, host: &mut MockHost, request: HttpRequest| {
        let what = format!("{} {}", request.method(), request.target());
        let (r, m) = both(&real, host, request);
        diffs.same(&what, r, m);
    };

    // Meta from the schema, `description: ""` beside supportsPut, displayUnits.
    check(
        &mut diffs,
        &mut anchor,
        HttpRequest::get("/signalk/v1/api/vessels/self/navigation/anchor"),
    );
    check(
        &mut diffs,
        &mut anchor,
        HttpRequest::get("/signalk/v1/api/vessels/self/navigation/anchor/maxRadius/meta"),
    );
    check(
        &mut diffs,
        &mut anchor,
        HttpRequest::get("/signalk/v1/api/vessels/self/navigation/anchor/nothing"),
    );
    // REST PUT: the handler runs, the answer is the server's 500.
    let put = |path: &str, body: Value| {
        HttpRequest::put(&format!("/signalk/v1/api/vessels/self/{path}")).json(body)
    };
    check(
        &mut diffs,
        &mut anchor,
        put("navigation/anchor/maxRadius", json!({"value": 60})),
    );
    check(
        &mut diffs,
        &mut anchor,
        put("navigation/anchor/maxRadius", json!({"valu": 60})),
    );
    check(
        &mut diffs,
        &mut anchor,
        put("navigation/anchor/nothing", json!({"value": 1})),
    );
    check(
        &mut diffs,
        &mut anchor,
        HttpRequest::get("/signalk/v1/api/vessels/self/navigation/anchor/maxRadius"),
    );
    // WebSocket PUT: the plugin's reply, then the 500 with the same requestId.
    for (path, value, id) in [
        ("navigation.anchor.maxRadius", "80", "r1"),
        ("navigation.anchor.maxRadius", "5", "r2"),
        ("navigation.anchor.nothing", "1", "r3"),
    ] {
        let r = ws_put::ws_put(real.addr(), "vessels.self", path, value, id)
            .unwrap_or_else(|e| panic!("ws put {path}: {e}"));
        let m = anchor.ws_put("vessels.self", path, value, id).unwrap();
        diffs.same(&format!("ws put {path} = {value}"), json!(r), json!(m));
    }
    // Config routes: the plugin entry, enableDebug from the body, a JSON string.
    check(
        &mut diffs,
        &mut anchor,
        HttpRequest::get("/plugins/anchor-watch"),
    );
    check(
        &mut diffs,
        &mut probe,
        HttpRequest::post("/plugins/sdk-probe/config")
            .json(json!({"configuration": {"tag": "x"}, "enableDebug": true})),
    );
    check(
        &mut diffs,
        &mut probe,
        HttpRequest::get("/plugins/sdk-probe/config"),
    );
    // Deltas from the probe: a labelled source, a notification, another vessel.
    let emit = |delta: Value| HttpRequest::post("/plugins/sdk-probe/api/emit").json(delta);
    check(
        &mut diffs,
        &mut probe,
        emit(json!({"updates": [{"source": {"label": "mylabel"},
        "values": [{"path": "navigation.speedThroughWater", "value": 3.2}]}]})),
    );
    check(
        &mut diffs,
        &mut probe,
        emit(
            json!({"updates": [{"values": [{"path": "notifications.probe.alarm",
        "value": {"state": "alarm", "method": ["visual", "sound"], "message": "hi", "acknowledgeStatus": "Yes"}}]}]}),
        ),
    );
    check(
        &mut diffs,
        &mut probe,
        emit(
            json!({"context": "vessels.urn:mrn:imo:mmsi:230000001", "updates": [{"values": [
        {"path": "navigation.speedOverGround", "value": 1.5},
        {"path": "environment.wind.angleApparent", "value": 0.5}]}]}),
        ),
    );
    for path in [
        "vessels/self/navigation/speedThroughWater",
        "vessels/self/notifications/probe",
        "vessels/urn:mrn:imo:mmsi:230000001",
        "vessels/self/notifications/probe/alarm/value/status",
    ] {
        check(
            &mut diffs,
            &mut probe,
            HttpRequest::get(&format!("/signalk/v1/api/{path}")),
        );
    }
    diffs.assert_none();
    drop(real);
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn deltas_emitted_while_stopping_do_not_come_back() {
    // anchor-watch emits `navigation.anchor.state = "off"` in `plugin_stop`. Every
    // delivery to `delta_handler` allocates its input buffer, so the ledger counts
    // deliveries.
    let dir = std::env::temp_dir().join(format!("skp-server-model-stop-{}", std::process::id()));
    let anchor_dir = cross_crate_tests::package(
        &repo_root().join("examples/anchor-watch"),
        &dir,
        "anchor-watch",
    );
    let mut host = load(
        &anchor_dir,
        "anchor-watch",
        &json!({"anchorLat": 52.1, "anchorLon": 4.5, "maxRadius": 75}),
    );
    // While running, the plugin's own deltas come back to it.
    let before = host.ledger().allocations;
    host.ws_put("vessels.self", "navigation.anchor.maxRadius", "90", "r")
        .unwrap();
    assert!(
        host.ledger().allocations > before + 2,
        "the PUT's delta was not delivered"
    );
    let before = host.ledger().allocations;
    host.stop().unwrap();
    assert_eq!(*host.self_value("navigation.anchor.state").unwrap(), "off");
    assert_eq!(
        host.ledger().allocations,
        before,
        "a delta reached the stopping plugin"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn with_the_put_bug_fixed_the_plugins_reply_is_the_answer() {
    let dir = std::env::temp_dir().join(format!("skp-server-model-fixed-{}", std::process::id()));
    let anchor_dir = cross_crate_tests::package(
        &repo_root().join("examples/anchor-watch"),
        &dir,
        "anchor-watch",
    );
    let caps = Capabilities::from_package_json(anchor_dir.join("package.json")).unwrap();
    let config = json!({"anchorLat": 52.1, "anchorLon": 4.5, "maxRadius": 75});
    let options = |quirks| {
        HostOptions::new("anchor-watch")
            .capabilities(caps.clone())
            .configuration(config.clone())
            .quirks(quirks)
    };
    let put = || {
        HttpRequest::put("/signalk/v1/api/vessels/self/navigation/anchor/maxRadius")
            .json(json!({"value": 5}))
    };
    for (quirks, status, replies) in [
        (signalk_plugin_host_mock::Quirks::signalk_2_32_0(), 500, 2),
        (signalk_plugin_host_mock::Quirks::fixed(), 400, 1),
    ] {
        let mut host = MockHost::load(anchor_dir.join("plugin.wasm"), options(quirks)).unwrap();
        host.start().unwrap();
        // A radius of 5 m is refused by the plugin with 400.
        let r = host.serve(put()).unwrap();
        assert_eq!(r.status, status, "{}", r.text());
        let messages = host
            .ws_put("vessels.self", "navigation.anchor.maxRadius", "5", "r")
            .unwrap();
        assert_eq!(messages.len(), replies, "{messages:?}");
        assert_eq!(messages[0]["statusCode"], 400);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn post_config_applies_enabled_and_enable_debug() {
    let dir = std::env::temp_dir().join(format!("skp-server-model-config-{}", std::process::id()));
    let anchor_dir = cross_crate_tests::package(
        &repo_root().join("examples/anchor-watch"),
        &dir,
        "anchor-watch",
    );
    let config = json!({"anchorLat": 52.1, "anchorLon": 4.5, "maxRadius": 75});
    let mut host = load(&anchor_dir, "anchor-watch", &config);
    let r = host
        .serve(
            HttpRequest::post("/plugins/anchor-watch/config").json(json!({
                "enabled": false, "enableDebug": true, "configuration": config,
            })),
        )
        .unwrap();
    assert_eq!(
        r.body_json().unwrap(),
        json!("Saved configuration for plugin anchor-watch")
    );
    assert_eq!(
        *host.state(),
        signalk_plugin_host_mock::PluginState::Stopped
    );
    let r = host
        .serve(HttpRequest::get("/plugins/anchor-watch/config"))
        .unwrap();
    assert_eq!(
        r.body_json().unwrap(),
        json!({"enabled": false, "enableDebug": true, "configuration": config})
    );
    let r = host
        .serve(HttpRequest::get("/plugins/anchor-watch"))
        .unwrap();
    assert_eq!(r.body_json().unwrap()["enabled"], false);
    // Enabling again starts it, with enableDebug in its start config.
    host.serve(
        HttpRequest::post("/plugins/anchor-watch/config")
            .json(json!({"enabled": true, "configuration": config})),
    )
    .unwrap();
    assert_eq!(
        *host.state(),
        signalk_plugin_host_mock::PluginState::Running
    );
    assert_eq!(host.start_config()["enableDebug"], true);
    let _ = std::fs::remove_dir_all(&dir);
}
