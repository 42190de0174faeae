//! Panics recover: the SDK supervises the plugin (see the "Errors and panics" section
//! of its `Plugin` docs). A panic traps the instance; the next call restarts a fresh
//! state with the last configuration and reports both, at most 3 times in 60 s; past
//! that, or if the restart fails, the plugin refuses calls with a reply naming the
//! panic until the host starts it again. Driven with the `sdk-probe` fixture in the
//! mock host, then in signalk-server 2.32.0 next to it.

use serde_json::{Value, json};
use signalk_plugin_host_mock::{HttpRequest, MockHost, PluginState};

use crate::own_vessel::{probe, probe_dir, state};
use cross_crate_tests::{Diffs, RealServer, package};

fn post(host: &mut MockHost, path: &str, body: Value) -> (u16, String) {
    let response = host.http(HttpRequest::post(path).json(body)).unwrap();
    (response.status, response.body)
}

fn get(host: &mut MockHost, path: &str) -> (u16, String) {
    let response = host.http(HttpRequest::get(path)).unwrap();
    (response.status, response.body)
}

fn last_error(host: &MockHost) -> String {
    host.recorded().errors().last().cloned().unwrap_or_default()
}

/// Panics in an HTTP handler: the host answers 500 (the trap), as the real server does.
fn panic_over_http(host: &mut MockHost) {
    let (status, body) = post(host, "/api/panic", json!({}));
    assert_eq!(status, 500, "{body}");
}

#[test]
fn a_panic_restarts_a_fresh_state_with_the_last_configuration_and_says_so() {
    let mut host = probe(json!({"tag": "one"}), |o| o);
    host.save_configuration(json!({"tag": "two"})).unwrap();
    host.tick_poll().unwrap();
    host.tick_poll().unwrap();
    assert_eq!(state(&mut host)["polls"], 2);

    panic_over_http(&mut host);
    // The panic hook reported it before the trap.
    assert!(
        last_error(&host).contains("HTTP asked to panic (tag two)"),
        "{}",
        last_error(&host)
    );
    // The next call finds the state gone: restarted with the last configuration.
    let after = state(&mut host);
    assert_eq!(after["tag"], "two", "{after}");
    assert_eq!(after["polls"], 0, "fresh state: {after}");
    assert_eq!(after["starts"], 3, "one, two, and the restart: {after}");
    let report = last_error(&host);
    assert!(
        report.starts_with("an HTTP handler: panicked at"),
        "{report}"
    );
    assert!(report.contains("HTTP asked to panic (tag two)"), "{report}");
    assert!(
        report.ends_with("restarted with the last configuration (restart 1 of 3 within 60 s)"),
        "{report}"
    );
    // And it carries on: polls, deltas, PUTs.
    assert_eq!(host.tick_poll().unwrap(), Some(0));
    host.deliver_delta(&crate::own_vessel::delta(None, "probe.after"))
        .unwrap();
    assert_eq!(state(&mut host)["seen"], json!(["probe.after"]));
    let reply = host.put("vessels.self", "probe.panic", &false).unwrap();
    assert_eq!(reply.status_code(), Some(200), "{reply:?}");
}

/// Makes the plugin panic in one export.
type Trigger = fn(&mut MockHost);

#[test]
fn panics_in_poll_deltas_puts_and_providers_are_recovered_the_same_way() {
    let mut host = probe(json!({"tag": "t"}), |o| o);
    // Each panic, then the call that recovers from it.
    let cases: [(&str, Trigger); 4] = [
        ("poll", |h| {
            post(h, "/api/arm", json!({"at": "poll"}));
            assert!(h.tick_poll().is_err(), "the poll traps");
        }),
        ("delta_handler", |h| {
            post(h, "/api/arm", json!({"at": "delta"}));
            h.deliver_delta(&crate::own_vessel::delta(None, "probe.x"))
                .unwrap();
            assert!(!h.recorded().handler_faults().is_empty(), "the delta traps");
        }),
        ("a PUT handler", |h| {
            let reply = h.put("vessels.self", "probe.panic", &true).unwrap();
            assert_eq!(reply.status_code(), Some(500), "{reply:?}");
        }),
        ("resources_list_resources", |h| {
            post(h, "/api/arm", json!({"at": "list"}));
            let listed = h.providers().list_resources("probes", json!({})).unwrap();
            assert_eq!(listed, json!({}), "a trap is the server's empty answer");
        }),
    ];
    for (export, panic) in cases {
        // A start between cases keeps the restart budget out of the way.
        host.start().unwrap();
        let starts = state(&mut host)["starts"].as_u64().unwrap();
        panic(&mut host);
        assert_eq!(host.tick_poll().unwrap(), Some(0), "{export}: recovered");
        let report = last_error(&host);
        assert!(
            report.starts_with(&format!("{export}: panicked at")),
            "{export}: {report}"
        );
        assert!(
            report.contains("restarted with the last configuration"),
            "{report}"
        );
        assert_eq!(state(&mut host)["starts"], starts + 1, "{export}");
    }
}

#[test]
fn past_three_restarts_in_a_minute_the_plugin_refuses_every_call_until_started_again() {
    let mut host = probe(json!({"tag": "t"}), |o| o);
    for n in 1..=3 {
        panic_over_http(&mut host);
        assert_eq!(get(&mut host, "/api/state").0, 200, "restart {n}");
    }
    panic_over_http(&mut host);
    // The fourth panic: no restart. Every call is refused, naming the panic.
    let (status, body) = get(&mut host, "/api/state");
    assert_eq!(status, 503, "{body}");
    let error: Value = serde_json::from_str(&body).unwrap();
    let error = error["error"].as_str().unwrap();
    assert!(error.contains("HTTP asked to panic"), "{error}");
    assert!(
        error.contains("not restarted: 3 restarts within 60 s"),
        "{error}"
    );
    assert!(
        error.contains("refuses calls until it is started again"),
        "{error}"
    );
    assert_eq!(last_error(&host), error, "reported with sk_set_error too");

    let statuses = host.recorded().statuses().len();
    assert_eq!(host.tick_poll().unwrap(), Some(1), "poll refused");
    assert_eq!(
        host.recorded().statuses().len(),
        statuses,
        "poll not called"
    );
    let reply = host.put("vessels.self", "probe.panic", &false).unwrap();
    assert_eq!(reply.status_code(), Some(503), "{reply:?}");
    assert!(
        reply.message().unwrap().contains("HTTP asked to panic"),
        "{reply:?}"
    );
    let listed = host
        .providers()
        .list_resources("probes", json!({}))
        .unwrap();
    assert_eq!(listed, json!({}), "providers answer empty");
    host.deliver_delta(&crate::own_vessel::delta(None, "probe.refused"))
        .unwrap();

    // Disable and enable: a fresh start, and everything answers again.
    host.stop().unwrap();
    host.start().unwrap();
    let again = state(&mut host);
    assert_eq!(again["tag"], "t");
    assert_eq!(again["seen"], json!([]), "the refused delta never arrived");
    assert_eq!(host.tick_poll().unwrap(), Some(0));
    let listed = host
        .providers()
        .list_resources("probes", json!({}))
        .unwrap();
    assert_eq!(listed, json!({"one": {"tag": "t"}}));
}

#[test]
fn a_restart_whose_start_fails_leaves_the_plugin_failed() {
    // The first start succeeds; every later one fails.
    let mut host = probe(json!({"tag": "t", "failStartsAfter": 1}), |o| o);
    panic_over_http(&mut host);
    let (status, body) = get(&mut host, "/api/state");
    assert_eq!(status, 503, "{body}");
    assert!(
        body.contains("the restart failed: start #2 refused"),
        "{body}"
    );
    assert!(body.contains("HTTP asked to panic"), "{body}");
    assert_eq!(host.tick_poll().unwrap(), Some(1));
}

#[test]
fn a_panic_while_stopped_is_reported_and_the_next_start_begins_afresh() {
    let mut host = probe(json!({"tag": "t"}), |o| o);
    // A PUT panic while stopped: nothing to restart, the next start is fresh.
    host.stop().unwrap();
    let reply = host.put("vessels.self", "probe.panic", &true).unwrap();
    assert_eq!(reply.status_code(), Some(500));
    host.start().unwrap();
    let report = last_error(&host);
    assert!(report.starts_with("a PUT handler: panicked at"), "{report}");
    assert!(
        report.ends_with("the plugin's state was lost, it starts afresh"),
        "{report}"
    );
    assert_eq!(state(&mut host)["starts"], 2, "no automatic restart");
}

/// A trap leaves the shadow stack where it was (a few hundred bytes each): past half
/// of it the plugin fails for good with a clear message, instead of trapping on every
/// call once it is gone. Memory does not grow with the traps either.
#[test]
fn after_a_thousand_panics_the_plugin_fails_for_good_instead_of_trapping_forever() {
    let mut host = probe(json!({"tag": "t"}), |o| o);
    let pages = host.memory_size();
    let mut rounds = 0;
    let refusal = loop {
        assert!(rounds < 10_000, "the stack budget never ran out");
        if rounds % 3 == 0 {
            // Keeps the restart budget out of the way.
            host.start().unwrap();
        }
        post(&mut host, "/api/arm", json!({"at": "poll"}));
        assert!(host.tick_poll().is_err(), "round {rounds}: the poll traps");
        match host.tick_poll().unwrap() {
            Some(0) => rounds += 1,
            Some(1) => break last_error(&host),
            other => panic!("round {rounds}: {other:?}"),
        }
    };
    // About 1 MiB / 2 of stack at a few hundred bytes a trap.
    assert!(rounds > 500, "failed too early, after {rounds}: {refusal}");
    assert!(
        refusal.contains("cannot recover in place: restart signalk-server"),
        "{refusal}"
    );
    assert!(
        refusal.ends_with("refuses calls until signalk-server restarts"),
        "{refusal}"
    );
    // Not even a start helps now: the host shows the error; calls are refused, not
    // trapped.
    assert!(host.start().is_err());
    assert!(
        matches!(host.state(), PluginState::Error(_)),
        "{:?}",
        host.state()
    );
    assert_eq!(get(&mut host, "/api/state").0, 503);
    let reply = host.put("vessels.self", "probe.panic", &false).unwrap();
    assert_eq!(reply.status_code(), Some(503), "{reply:?}");
    let grown = host.memory_size() - pages;
    assert!(
        grown <= 4 << 16,
        "{rounds} traps grew memory by {grown} bytes"
    );
}

#[test]
fn supervision_in_signalk_server_2_32_0_matches_the_mock_host() {
    let work = std::env::temp_dir().join(format!("skp-supervisor-{}", std::process::id()));
    let config = json!({"tag": "real"});
    let dir = package(&probe_dir(), &work, "sdk-probe");
    let Some(real) = RealServer::start(&[(&dir, config.clone())]) else {
        return;
    };
    let mut mock = probe(config.clone(), |o| o);
    let mut d = Diffs::default();
    let state_of = |body: &str| serde_json::from_str::<Value>(body).unwrap_or(Value::Null);
    let reported = |errors: &[String], export: &str, panic: &str, outcome: &str| {
        errors.iter().any(|e| {
            e.starts_with(&format!("{export}: panicked at"))
                && e.contains(panic)
                && e.ends_with(outcome)
        })
    };

    // A panic in poll: the server only logs the trap; the next poll restarts.
    real.post("/plugins/sdk-probe/api/arm", &json!({"at": "poll"}));
    post(&mut mock, "/api/arm", json!({"at": "poll"}));
    assert!(mock.tick_poll().is_err());
    mock.tick_poll().unwrap();
    let first = "restarted with the last configuration (restart 1 of 3 within 60 s)";
    let poll_panic = "armed panic in poll (tag real)";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !reported(&real.errors("sdk-probe"), "poll", poll_panic, first)
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    d.same(
        "poll panic: restart reported",
        reported(&real.errors("sdk-probe"), "poll", poll_panic, first),
        reported(&mock.recorded().errors(), "poll", poll_panic, first),
    );
    d.same(
        "poll panic: reported on the real server",
        reported(&real.errors("sdk-probe"), "poll", poll_panic, first),
        true,
    );

    // A panic in an HTTP handler: the request fails, the next call restarts.
    let (status, _) = real.post("/plugins/sdk-probe/api/panic", &json!({}));
    let (mock_status, _) = post(&mut mock, "/api/panic", json!({}));
    d.same("HTTP panic: status", status, mock_status);
    let (status, body) = real.get("/plugins/sdk-probe/api/state");
    let (mock_status, mock_body) = get(&mut mock, "/api/state");
    d.same("after: HTTP status", status, mock_status);
    let (r, m) = (state_of(&body), state_of(&mock_body));
    d.same("after: tag", &r["tag"], &m["tag"]);
    d.same("after: starts", &r["starts"], &m["starts"]);
    d.same("after: start and two restarts", &r["starts"], &json!(3));
    let second = "restarted with the last configuration (restart 2 of 3 within 60 s)";
    let http_panic = "HTTP asked to panic (tag real)";
    d.same(
        "after: the restart is reported",
        reported(
            &real.errors("sdk-probe"),
            "an HTTP handler",
            http_panic,
            second,
        ),
        reported(
            &mock.recorded().errors(),
            "an HTTP handler",
            http_panic,
            second,
        ),
    );
    d.same(
        "after: reported on the real server",
        reported(
            &real.errors("sdk-probe"),
            "an HTTP handler",
            http_panic,
            second,
        ),
        true,
    );

    // Panics until the minute's budget is spent: failed, every call refused.
    let mut panics = (0, 0);
    while panics.0 < 5 && real.post("/plugins/sdk-probe/api/panic", &json!({})).0 == 500 {
        panics.0 += 1;
    }
    while panics.1 < 5 && post(&mut mock, "/api/panic", json!({})).0 == 500 {
        panics.1 += 1;
    }
    d.same("panics until failed", panics.0, panics.1);
    d.same("panics until failed: two more", panics.0, 2);
    let (status, body) = real.get("/plugins/sdk-probe/api/state");
    let (mock_status, mock_body) = get(&mut mock, "/api/state");
    d.same("failed: HTTP status", status, mock_status);
    d.same("failed: 503", status, 503);
    d.same("failed: HTTP body", state_of(&body), state_of(&mock_body));
    d.same(
        "failed: the body names the panic",
        body.contains(http_panic),
        true,
    );
    let (status, _) = real.put(
        "/signalk/v1/api/vessels/self/probe/panic",
        &json!({"value": false}),
    );
    let mock_put = mock.put("vessels.self", "probe.panic", &false).unwrap();
    // 2.32.0 answers every REST PUT with a 500 of its own (§9), so only the status
    // compares; the mock tests check the plugin's 503 reply.
    d.same("failed: PUT HTTP status", status, mock_put.http_status);
    d.same(
        "failed: PUT reply (mock)",
        &mock_put.reply["statusCode"],
        &json!(503),
    );
    let (status, body) = real.get("/signalk/v2/api/resources/probes");
    let mock_list = mock
        .providers()
        .list_resources("probes", json!({}))
        .unwrap();
    d.same("failed: resources status", status, 200);
    d.same("failed: resources", state_of(&body), mock_list);

    // Disable and enable: started again on the same instance, all answers again.
    for enabled in [false, true] {
        let (status, _) = real.post(
            "/skServer/plugins/sdk-probe/config",
            &json!({"enabled": enabled, "configuration": config}),
        );
        assert_eq!(status, 200);
    }
    mock.stop().unwrap();
    mock.start().unwrap();
    let (status, body) = real.get("/plugins/sdk-probe/api/state");
    let (mock_status, mock_body) = get(&mut mock, "/api/state");
    d.same("enabled again: HTTP status", status, mock_status);
    d.same("enabled again: 200", status, 200);
    d.same(
        "enabled again: tag",
        &state_of(&body)["tag"],
        &state_of(&mock_body)["tag"],
    );

    drop(real);
    let _ = std::fs::remove_dir_all(&work);
    d.assert_none();
}
