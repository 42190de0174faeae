//! The own vessel, built into the SDK: `self_context()`, `Delta::is_self()` and
//! `Deltas::OwnVessel`, with the deltas held while the SDK learns it. In the mock host
//! as signalk-server 2.32.0 (learnt from the echo of one empty v2 announcement) and as
//! a fixed server (`sk_get_self_path` answers, nothing is announced), then in the real
//! server 2.32.0 next to the mock host.
//!
//! The plugin is the `sdk-probe` test fixture (`tests/plugins/probe`), which receives
//! only its own vessel's deltas and shows what it got at `GET /api/state`.

use std::path::PathBuf;

use cross_crate_tests::{Diffs, RealServer, load_example, package, repo_root};
use serde_json::{Value, json};
use signalk_plugin::Capability;
use signalk_plugin_host_mock::{
    HostCall, HostOptions, HttpRequest, MockHost, Quirks, build_plugin,
};

/// Where the probe's crate is.
pub(crate) fn probe_dir() -> PathBuf {
    repo_root().join("tests/plugins/probe")
}

/// The probe under the mock host, started with `config`.
pub(crate) fn probe(config: Value, options: impl FnOnce(HostOptions) -> HostOptions) -> MockHost {
    let wasm = build_plugin(probe_dir()).unwrap_or_else(|e| panic!("building the probe: {e}"));
    let options = options(
        HostOptions::new("sdk-probe")
            .capability(Capability::PutHandlers)
            .capability(Capability::ResourceProvider)
            .configuration(config),
    );
    let mut host = MockHost::load(wasm, options).unwrap_or_else(|e| panic!("loading: {e}"));
    host.start().unwrap();
    host
}

/// `GET /api/state` of the probe.
pub(crate) fn state(host: &mut MockHost) -> Value {
    let response = host.http(HttpRequest::get("/api/state")).unwrap();
    assert_eq!(response.status, 200, "{}", response.body);
    response.body_json().unwrap()
}

/// A delta with one value at `path`, about `context` (`None`: the own vessel).
pub(crate) fn delta(context: Option<&str>, path: &str) -> Value {
    let mut delta = json!({"updates": [{"values": [{"path": path, "value": 1}]}]});
    if let Some(context) = context {
        delta["context"] = context.into();
    }
    delta
}

const AIS: &str = "vessels.urn:mrn:imo:mmsi:230099999";

fn announcements(host: &MockHost) -> Vec<(i32, String)> {
    host.recorded()
        .calls()
        .iter()
        .filter_map(|c| match c {
            HostCall::HandleMessage { version, json } => Some((*version, json.clone())),
            _ => None,
        })
        .collect()
}

fn self_path_reads(host: &MockHost) -> Vec<String> {
    host.recorded()
        .calls()
        .iter()
        .filter_map(|c| match c {
            HostCall::GetSelfPath(path) => Some(path.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn on_2_32_0_the_own_vessel_is_learnt_from_one_announcement_that_stores_nothing() {
    let mut host = probe(json!({}), |o| o);
    let own = host.options().self_context();
    host.deliver_delta(&delta(Some(AIS), "probe.ais")).unwrap();
    host.deliver_delta(&delta(None, "probe.own")).unwrap();
    let state = state(&mut host);
    assert_eq!(state["selfContext"], json!(own));
    assert_eq!(state["seen"], json!(["probe.own"]), "{state}");
    assert_eq!(state["notSelf"], 0, "is_self() agrees: {state}");
    // The host was asked first; it answered nothing, as 2.32.0 does.
    assert_eq!(self_path_reads(&host), ["mmsi", "uuid", "url"]);
    // Then exactly one announcement: an empty v2 delta.
    assert_eq!(
        announcements(&host),
        [(2, r#"{"updates":[{"meta":[]}]}"#.to_owned())]
    );
}

#[test]
fn the_first_poll_learns_the_own_vessel_when_no_delta_comes() {
    let mut host = probe(json!({}), |o| o);
    assert_eq!(state(&mut host)["selfContext"], Value::Null);
    assert_eq!(host.tick_poll().unwrap(), Some(0));
    assert_eq!(
        state(&mut host)["selfContext"],
        json!(host.options().self_context())
    );
    assert_eq!(announcements(&host).len(), 1);
}

#[test]
fn a_host_that_answers_sk_get_self_path_is_believed_and_nothing_is_announced() {
    for self_id in [
        "urn:mrn:signalk:uuid:6b0e776f-811a-4b35-980e-b93405371bc5",
        "urn:mrn:imo:mmsi:230000001",
    ] {
        let mut host = probe(json!({}), |o| o.quirks(Quirks::fixed()).self_id(self_id));
        host.deliver_delta(&delta(Some(AIS), "probe.ais")).unwrap();
        host.deliver_delta(&delta(None, "probe.own")).unwrap();
        let state = state(&mut host);
        assert_eq!(state["selfContext"], json!(format!("vessels.{self_id}")));
        assert_eq!(state["seen"], json!(["probe.own"]), "{state}");
        assert_eq!(state["notSelf"], 0, "is_self() agrees: {state}");
        assert!(
            announcements(&host).is_empty(),
            "{:?}",
            announcements(&host)
        );
    }
}

#[test]
fn deltas_wait_while_the_own_vessel_is_unknown_and_arrive_in_order_once_it_is_known() {
    // Announcements off: on 2.32.0 nothing tells the SDK who "self" is.
    let mut host = probe(json!({"announce": false}), |o| o);
    host.deliver_delta(&delta(None, "probe.a")).unwrap();
    host.deliver_delta(&delta(Some(AIS), "probe.b")).unwrap();
    host.deliver_delta(&delta(None, "probe.c")).unwrap();
    assert_eq!(host.tick_poll().unwrap(), Some(0));
    let waiting = state(&mut host);
    assert_eq!(waiting["seen"], json!([]), "{waiting}");
    assert_eq!(waiting["selfContext"], Value::Null);
    assert!(announcements(&host).is_empty());

    let on = host
        .http(HttpRequest::post("/api/announce").json(json!({"on": true})))
        .unwrap();
    assert_eq!(on.status, 200, "{}", on.body);
    host.deliver_delta(&delta(None, "probe.d")).unwrap();
    let known = state(&mut host);
    assert_eq!(
        known["seen"],
        json!(["probe.a", "probe.c", "probe.d"]),
        "{known}"
    );
    assert_eq!(known["dropped"], 0);
}

#[test]
fn past_the_bound_the_oldest_held_deltas_are_dropped_counted_and_reported_once() {
    let mut host = probe(json!({"announce": false}), |o| o);
    let total = signalk_plugin::vessel::MAX_HELD_DELTAS + 44;
    for i in 0..total {
        host.deliver_delta(&delta(None, &format!("probe.n{i}")))
            .unwrap();
    }
    let drops: Vec<String> = host
        .recorded()
        .errors()
        .into_iter()
        .filter(|e| e.contains("own vessel"))
        .collect();
    assert_eq!(drops.len(), 1, "reported once: {drops:?}");
    assert!(drops[0].contains("the oldest were dropped"), "{drops:?}");
    host.http(HttpRequest::post("/api/announce").json(json!({"on": true})))
        .unwrap();
    host.deliver_delta(&delta(None, "probe.last")).unwrap();
    let state = state(&mut host);
    assert_eq!(state["dropped"], 44);
    let seen = state["seen"].as_array().unwrap();
    assert_eq!(seen.len(), signalk_plugin::vessel::MAX_HELD_DELTAS + 1);
    assert_eq!(seen[0], "probe.n44", "the oldest went");
    assert_eq!(seen[seen.len() - 1], "probe.last");
}

#[test]
fn deltas_still_held_at_a_stop_are_counted_as_dropped() {
    let mut host = probe(json!({"announce": false}), |o| o);
    host.deliver_delta(&delta(None, "probe.a")).unwrap();
    host.deliver_delta(&delta(None, "probe.b")).unwrap();
    host.stop().unwrap();
    assert!(
        host.recorded()
            .errors()
            .iter()
            .any(|e| e.contains("stopped before the own vessel was known")),
        "{:?}",
        host.recorded().errors()
    );
    assert_eq!(state(&mut host)["dropped"], 2);
}

#[test]
fn on_delta_errors_are_logged_with_their_count_and_are_not_fatal() {
    let mut host = probe(json!({}), |o| o);
    for _ in 0..3 {
        host.deliver_delta(&delta(None, "probe.fail")).unwrap();
    }
    host.deliver_delta(&delta(None, "probe.ok")).unwrap();
    let logged: Vec<String> = host
        .recorded()
        .logs()
        .into_iter()
        .filter(|l| l.contains("on_delta failed"))
        .collect();
    assert_eq!(
        logged,
        [
            "[ERROR] on_delta failed (1 so far): probe.fail received",
            "[ERROR] on_delta failed (2 so far): probe.fail received"
        ]
    );
    assert_eq!(state(&mut host)["seen"], json!(["probe.ok"]));
    assert!(host.recorded().handler_faults().is_empty());
}

#[test]
fn own_vessel_in_signalk_server_2_32_0_matches_the_mock_host() {
    let work = std::env::temp_dir().join(format!("skp-own-vessel-{}", std::process::id()));
    let probe_cfg = json!({"tag": "real", "announce": false});
    let anchor_cfg = json!({"anchorLat": 52.0, "anchorLon": 4.0, "maxRadius": 50});
    let probe_pkg = package(&probe_dir(), &work, "sdk-probe");
    let anchor_pkg = package(
        &repo_root().join("examples/anchor-watch"),
        &work,
        "anchor-watch",
    );
    let Some(real) = RealServer::start(&[
        (&probe_pkg, probe_cfg.clone()),
        (&anchor_pkg, anchor_cfg.clone()),
    ]) else {
        return;
    };
    let mut d = Diffs::default();
    let mut mock = probe(probe_cfg, |o| o);
    let real_self: String = serde_json::from_value(real.get_json("/signalk/v1/api/self")).unwrap();
    assert!(real_self.starts_with("vessels.urn:mrn:"), "{real_self}");

    // Announcements off: deltas about self wait, the others never come.
    let emit = |real: &RealServer, mock: &mut MockHost, delta: Value| {
        let (status, body) = real.post("/plugins/sdk-probe/api/emit", &delta);
        assert_eq!(status, 200, "{body}");
        let m = mock
            .http(HttpRequest::post("/api/emit").json(delta))
            .unwrap();
        assert_eq!(m.status, 200, "{}", m.body);
    };
    emit(&real, &mut mock, delta(None, "probe.a"));
    emit(&real, &mut mock, delta(Some(AIS), "probe.b"));
    let r = real.get_json("/plugins/sdk-probe/api/state");
    let m = state(&mut mock);
    d.same("held: seen", &r["seen"], &m["seen"]);
    d.same("held: seen is empty", &r["seen"], &json!([]));
    d.same("held: selfContext", &r["selfContext"], &m["selfContext"]);

    // Announcements on: the next delta teaches the SDK; what waited arrives first.
    for host in [
        real.post("/plugins/sdk-probe/api/announce", &json!({"on": true}))
            .0,
        mock.http(HttpRequest::post("/api/announce").json(json!({"on": true})))
            .unwrap()
            .status,
    ] {
        assert_eq!(host, 200);
    }
    emit(&real, &mut mock, delta(None, "probe.c"));
    let r = real.get_json("/plugins/sdk-probe/api/state");
    let m = state(&mut mock);
    // The real server also dispatches anchor-watch's deltas (if it started after the
    // probe, its start deltas are held and delivered too): compare the probe's own.
    let ours = |state: &Value| -> Vec<String> {
        let seen = state["seen"].as_array().unwrap().iter();
        seen.filter_map(Value::as_str)
            .filter(|p| p.starts_with("probe."))
            .map(str::to_owned)
            .collect()
    };
    d.same("known: seen", ours(&r), ours(&m));
    d.same("known: seen in order", ours(&r), ["probe.a", "probe.c"]);

    d.same(
        "known: selfContext is the server's self",
        &r["selfContext"],
        &json!(real_self),
    );
    d.same(
        "known: selfContext is the mock's self",
        &m["selfContext"],
        &json!(mock.options().self_context()),
    );
    d.same("known: nothing dropped", &r["dropped"], &m["dropped"]);
    d.same("known: is_self() agrees", &r["notSelf"], &m["notSelf"]);
    d.same("known: is_self() is true", &r["notSelf"], &json!(0));

    // anchor-watch learns the own vessel by itself: an AIS target at 100 km does not
    // raise the alarm, our own drift of 111 m does.
    let mut anchor = load_example(
        "anchor-watch",
        HostOptions::new("anchor-watch")
            .capability(Capability::PutHandlers)
            .configuration(anchor_cfg),
    );
    anchor.start().unwrap();
    let position = |context: Option<&str>, lat: f64| {
        let mut delta = json!({"updates": [{"values": [{"path": "navigation.position", "value": {"latitude": lat, "longitude": 4.0}}]}]});
        if let Some(context) = context {
            delta["context"] = context.into();
        }
        delta
    };
    let alarm = "/signalk/v1/api/vessels/self/notifications/navigation/anchor";
    let real_alarm = |real: &RealServer| {
        let (status, body) = real.get(alarm);
        (status == 200)
            .then(|| serde_json::from_str::<Value>(&body).unwrap()["value"]["state"].clone())
    };
    let mock_alarm = |anchor: &MockHost| {
        anchor
            .self_value("notifications.navigation.anchor")
            .map(|v| v["state"].clone())
    };
    real.post("/plugins/sdk-probe/api/emit", &position(Some(AIS), 53.0));
    anchor.deliver_delta(&position(Some(AIS), 53.0)).unwrap();
    d.same(
        "AIS target: no alarm",
        real_alarm(&real),
        mock_alarm(&anchor),
    );
    d.same("AIS target: no alarm at all", real_alarm(&real), None);
    real.post("/plugins/sdk-probe/api/emit", &position(None, 52.001));
    anchor.deliver_delta(&position(None, 52.001)).unwrap();
    d.same("own drift: alarm", real_alarm(&real), mock_alarm(&anchor));
    d.same(
        "own drift: alarm state",
        real_alarm(&real),
        Some(json!("alarm")),
    );

    drop(real);
    let _ = std::fs::remove_dir_all(&work);
    d.assert_none();
}
