//! The anchor-watch example under the mock host: PUT handlers, HTTP endpoints and the
//! drag alarm fed by `delta_handler`, through the real ABI.

use cross_crate_tests::load_example;
use serde_json::{Value, json};
use signalk_plugin::Capability;
use signalk_plugin_host_mock::{HostOptions, HttpRequest, MockHost, PluginState, Quirks};

const ALARM: &str = "notifications.navigation.anchor";

fn options() -> HostOptions {
    HostOptions::new("anchor-watch")
        .capability(Capability::PutHandlers)
        .configuration(json!({"anchorLat": 52.0, "anchorLon": 4.0, "maxRadius": 50}))
}

fn started(options: HostOptions) -> MockHost {
    let mut host = load_example("anchor-watch", options);
    host.start().unwrap();
    // Which context is "self" is the SDK's business: it learns it at the first delta.
    host
}

fn boat_at(host: &mut MockHost, lat: f64, lon: f64) {
    host.deliver_delta(&json!({
        "context": "vessels.self",
        "updates": [{"values": [{"path": "navigation.position", "value": {"latitude": lat, "longitude": lon}}]}]
    }))
    .unwrap();
}

fn alarm_state(host: &MockHost) -> Option<Value> {
    host.self_value(ALARM).map(|v| v["state"].clone())
}

#[test]
fn start_registers_put_handlers_and_publishes_the_anchor() {
    let host = started(options());
    assert_eq!(host.state(), &PluginState::Running);
    let handlers = host.put_handlers();
    for path in [
        "navigation.anchor.position",
        "navigation.anchor.maxRadius",
        "navigation.anchor.state",
    ] {
        assert!(
            handlers.contains(&("vessels.self".into(), path.into())),
            "{handlers:?}"
        );
        // The registration's meta delta marks the path as PUT-able.
        assert_eq!(
            host.self_entry(path).unwrap()["meta"]["supportsPut"],
            json!(true),
            "{path}"
        );
    }
    assert_eq!(*host.self_value("navigation.anchor.state").unwrap(), "on");
    assert_eq!(
        *host.self_value("navigation.anchor.maxRadius").unwrap(),
        json!(50)
    );
    assert_eq!(host.status().as_deref(), Some("Anchor watch active"));
    assert!(
        host.recorded().handler_faults().is_empty(),
        "{:?}",
        host.recorded().handler_faults()
    );
}

#[test]
fn without_put_capability_start_fails_cleanly() {
    let mut host = load_example(
        "anchor-watch",
        HostOptions::new("anchor-watch")
            .configuration(json!({"anchorLat": 52.0, "anchorLon": 4.0})),
    );
    assert!(host.start().is_err());
    assert!(
        host.recorded()
            .errors()
            .iter()
            .any(|e| e.contains("putHandlers")),
        "{:?}",
        host.recorded().errors()
    );
}

#[test]
fn drifting_raises_the_alarm_and_returning_clears_it() {
    let mut host = started(options());
    // Learn "self" from our own echo, then a position 111 m north.
    boat_at(&mut host, 52.001, 4.0);
    assert_eq!(
        alarm_state(&host),
        Some(json!("alarm")),
        "{:?}",
        host.recorded().delta_values()
    );
    let alarm = host.self_value(ALARM).unwrap();
    assert!(
        alarm["message"].as_str().unwrap().contains("111 m"),
        "{alarm}"
    );
    // The server adds id and status to notifications.
    assert!(
        alarm["id"].is_string() && alarm["status"].is_object(),
        "{alarm}"
    );
    boat_at(&mut host, 52.0001, 4.0);
    assert_eq!(alarm_state(&host), Some(json!("normal")));
    let radius = host
        .self_value("navigation.anchor.currentRadius")
        .unwrap()
        .as_f64()
        .unwrap();
    assert!((radius - 11.1).abs() < 0.5, "{radius}");
}

#[test]
fn other_vessels_never_trigger_the_alarm() {
    let mut host = started(options());
    host.deliver_delta(&json!({
        "context": "vessels.urn:mrn:imo:mmsi:230099999",
        "updates": [{"values": [{"path": "navigation.position", "value": {"latitude": 53.0, "longitude": 4.0}}]}]
    }))
    .unwrap();
    assert!(alarm_state(&host).is_none());
    // The SDK learnt the own vessel meanwhile: our own drift still raises the alarm.
    boat_at(&mut host, 52.001, 4.0);
    assert_eq!(alarm_state(&host), Some(json!("alarm")));
}

#[test]
fn put_max_radius_validates_and_updates() {
    let mut host = started(options());
    let ok = host
        .put("vessels.self", "navigation.anchor.maxRadius", &json!(80))
        .unwrap();
    assert_eq!(ok.status_code(), Some(200), "{ok:?}");
    assert_eq!(ok.reply["state"], "COMPLETED");
    // signalk-server 2.32.0 answers every REST PUT with 500 regardless.
    assert_eq!(ok.http_status, 500);
    assert_eq!(host.status().as_deref(), Some("Max radius set: 80m"));
    assert_eq!(
        *host.self_value("navigation.anchor.maxRadius").unwrap(),
        json!(80)
    );

    let bad = host
        .put("vessels.self", "navigation.anchor.maxRadius", &json!(5))
        .unwrap();
    assert_eq!(bad.status_code(), Some(400));
    assert!(bad.message().unwrap().contains("between 10 and 1000"));
    let wrong_type = host
        .put("vessels.self", "navigation.anchor.maxRadius", &json!("far"))
        .unwrap();
    assert_eq!(wrong_type.status_code(), Some(400), "{wrong_type:?}");
    assert!(
        wrong_type
            .message()
            .unwrap()
            .starts_with("invalid value: invalid type: string"),
        "{wrong_type:?}"
    );
    // A bad member of a structured value is named.
    let bad_member = host
        .put(
            "vessels.self",
            "navigation.anchor.position",
            &json!({"latitude": 10.0, "longitude": "east"}),
        )
        .unwrap();
    assert_eq!(bad_member.status_code(), Some(400), "{bad_member:?}");
    assert!(
        bad_member
            .message()
            .unwrap()
            .starts_with("invalid value at `longitude`: invalid type: string"),
        "{bad_member:?}"
    );
}

#[test]
fn with_fixed_quirks_rest_sees_the_handlers_status() {
    let mut host = started(options().quirks(Quirks::fixed()));
    let r = host
        .put(
            "vessels.self",
            "navigation.anchor.position",
            &json!({"latitude": 10.0, "longitude": 20.0}),
        )
        .unwrap();
    assert_eq!((r.status_code(), r.http_status), (Some(200), 200));
    assert_eq!(
        *host.self_value("navigation.anchor.position").unwrap(),
        json!({"latitude": 10, "longitude": 20})
    );
    let r = host
        .put(
            "vessels.self",
            "navigation.anchor.position",
            &json!({"latitude": 100.0, "longitude": 0.0}),
        )
        .unwrap();
    assert_eq!(r.http_status, 400);
    let r = host
        .put("vessels.self", "navigation.anchor.state", &json!("on"))
        .unwrap();
    assert!(r.message().unwrap().contains("enabling/disabling"));
}

#[test]
fn put_by_urn_context_finds_no_handler() {
    let mut host = started(options());
    let urn = host.options().self_context();
    let r = host
        .put(&urn, "navigation.anchor.maxRadius", &json!(80))
        .unwrap();
    assert_eq!(r.status_code(), Some(405));
    assert!(!r.handler_ran);
}

#[test]
fn http_endpoints_answer_under_the_plugin_prefix() {
    let mut host = started(options());
    let routes: Vec<_> = host
        .routes()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        routes,
        ["GET /api/status", "GET /api/position", "POST /api/drop"]
    );

    let status = host
        .http(HttpRequest::get("/plugins/anchor-watch/api/status"))
        .unwrap();
    assert_eq!(status.status, 200);
    assert!(
        status
            .header("content-type")
            .unwrap()
            .contains("application/json")
    );
    let body = status.body_json().unwrap();
    assert_eq!(body["running"], true);
    // Numbers cross JSON.parse/stringify, as on the server: 50.0 arrives as 50.
    assert_eq!(body["maxRadius"], json!(50));

    let dropped = host
        .http(
            HttpRequest::post("/api/drop")
                .json(json!({"latitude": 51.5, "longitude": -1.25, "maxRadius": 75})),
        )
        .unwrap();
    assert_eq!(dropped.status, 200, "{}", dropped.body);
    assert_eq!(
        dropped.body_json().unwrap()["position"]["latitude"],
        json!(51.5)
    );
    let position = host
        .http(HttpRequest::get("/api/position"))
        .unwrap()
        .body_json()
        .unwrap();
    assert_eq!(
        position,
        json!({"latitude": 51.5, "longitude": -1.25, "maxRadius": 75})
    );

    let bad = host
        .http(HttpRequest::post("/api/drop").json(json!({"latitude": "north"})))
        .unwrap();
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("invalid body"), "{}", bad.body);

    // The server's own routes shadow the plugin's.
    let info = host
        .http(HttpRequest::get("/"))
        .unwrap()
        .body_json()
        .unwrap();
    assert_eq!(info["id"], "anchor-watch");
    assert_eq!(info["name"], "Anchor Watch (Rust)");
}

#[test]
fn stop_turns_the_watch_off_and_handlers_still_answer() {
    let mut host = started(options());
    host.stop().unwrap();
    assert_eq!(*host.self_value("navigation.anchor.state").unwrap(), "off");
    // Handlers are never deregistered: a stopped plugin still answers.
    let status = host
        .http(HttpRequest::get("/api/status"))
        .unwrap()
        .body_json()
        .unwrap();
    assert_eq!(status["running"], false);
    // Deltas are not delivered while stopped.
    boat_at(&mut host, 53.0, 4.0);
    assert!(alarm_state(&host).is_none());
    assert!(host.ledger().live.is_empty(), "{:?}", host.ledger());
}
