//! Conformance: the example plugins run inside the real signalk-server 2.32.0 and under
//! the mock host, with the same scenario; every place they differ is reported.
//!
//! Needs npm (the server and Node 22 are installed into a cache on first use by
//! `conformance/realhost.sh`). Skipped, with a message, only when npm is unreachable.
//! Run alone: `cargo test -p cross-crate-tests realhost::examples -- --nocapture`.

use std::path::{Path, PathBuf};

use cross_crate_tests::{Diffs, RealServer, repo_root};
use serde_json::{Value, json};
use signalk_plugin_host_mock::{Capabilities, HostOptions, HttpRequest, MockHost, PluginState};

fn package(name: &str, dir: &Path) -> PathBuf {
    cross_crate_tests::package(&repo_root().join("examples").join(name), dir, name)
}

fn mock(
    dir: &Path,
    package: &str,
    config: &Value,
    options: impl FnOnce(HostOptions) -> HostOptions,
) -> MockHost {
    let caps = Capabilities::from_package_json(dir.join("package.json")).unwrap();
    let opts = options(
        HostOptions::new(package)
            .capabilities(caps)
            .configuration(config.clone()),
    );
    let mut host = MockHost::load(dir.join("plugin.wasm"), opts).unwrap();
    host.start().unwrap();
    host
}

/// `value` and `$source` of a data-model entry (timestamps differ by nature).
fn entry(v: Option<&Value>) -> Value {
    v.map_or(
        Value::Null,
        |v| json!({"value": v["value"], "$source": v["$source"]}),
    )
}

#[test]
fn examples_behave_the_same_in_signalk_server_2_32_0_and_the_mock_host() {
    let work = std::env::temp_dir().join(format!("skp-conformance-{}", std::process::id()));
    let hello_cfg = json!({"greeting": "Ahoy", "speed": 3.25});
    let anchor_cfg = json!({"anchorLat": 52.1, "anchorLon": 4.5, "maxRadius": 75});
    let track_cfg = json!({"maxPoints": 1000});
    let hello_dir = package("hello", &work);
    let anchor_dir = package("anchor-watch", &work);
    let track_dir = package("track-history", &work);
    let Some(real) = RealServer::start(&[
        (&hello_dir, hello_cfg.clone()),
        (&anchor_dir, anchor_cfg.clone()),
        (&track_dir, track_cfg.clone()),
    ]) else {
        return;
    };
    let mut d = Diffs::default();

    // --- hello: listed, running, deltas in the data model.
    let mut hello = mock(&hello_dir, "hello", &hello_cfg, |o| o);
    let listed = real.plugin("hello");
    d.same(
        "hello state",
        listed["state"].as_str(),
        Some(if *hello.state() == PluginState::Running {
            "running"
        } else {
            "other"
        }),
    );
    d.same("hello name", listed["name"].as_str(), Some(hello.name()));
    d.same("hello schema", &listed["schema"], hello.schema());
    d.same(
        "hello statusMessage (2.32.0 never shows it)",
        listed["statusMessage"].as_str(),
        Some(""),
    );
    for path in ["hello.greeting", "navigation.speedThroughWater"] {
        d.same(
            path,
            entry(Some(&real.self_entry(path))),
            entry(hello.self_entry(path)),
        );
    }
    let info: Value = serde_json::from_str(&real.get("/plugins/hello").1).unwrap();
    let mock_info = hello
        .http(HttpRequest::get("/"))
        .unwrap()
        .body_json()
        .unwrap();
    d.same("GET /plugins/hello", info, mock_info);
    hello.stop().unwrap();

    // --- anchor-watch: HTTP endpoints, PUT, disable/enable.
    let mut anchor = mock(&anchor_dir, "anchor-watch", &anchor_cfg, |o| o);
    d.same(
        "anchor state",
        real.plugin("anchor-watch")["state"].as_str(),
        Some("running"),
    );
    for path in ["/api/status", "/api/position"] {
        let (status, body) = real.get(&format!("/plugins/anchor-watch{path}"));
        let m = anchor.http(HttpRequest::get(path)).unwrap();
        d.same(&format!("GET {path} status"), status, m.status);
        d.same(
            &format!("GET {path} body"),
            serde_json::from_str::<Value>(&body).ok(),
            m.body_json().ok(),
        );
    }
    let bad = json!({"latitude": 120, "longitude": 0});
    let (status, body) = real.post("/plugins/anchor-watch/api/drop", &bad);
    let m = anchor
        .http(HttpRequest::post("/api/drop").json(bad))
        .unwrap();
    d.same("POST /api/drop (bad) status", status, m.status);
    d.same(
        "POST /api/drop (bad) body",
        serde_json::from_str::<Value>(&body).ok(),
        m.body_json().ok(),
    );

    let (status, _) = real.put(
        "/signalk/v1/api/vessels/self/navigation/anchor/maxRadius",
        &json!({"value": 80}),
    );
    let m = anchor
        .put("vessels.self", "navigation.anchor.maxRadius", &json!(80))
        .unwrap();
    d.same("PUT maxRadius HTTP status", status, m.http_status);
    d.same(
        "maxRadius after PUT",
        entry(Some(&real.self_entry("navigation.anchor.maxRadius"))),
        entry(anchor.self_entry("navigation.anchor.maxRadius")),
    );
    d.same(
        "meta.supportsPut",
        &real.self_entry("navigation.anchor.maxRadius")["meta"]["supportsPut"],
        &anchor.self_entry("navigation.anchor.maxRadius").unwrap()["meta"]["supportsPut"],
    );
    let (status, _) = real.put(
        "/signalk/v1/api/vessels/self/navigation/anchor/nothing",
        &json!({"value": 1}),
    );
    let m = anchor
        .put("vessels.self", "navigation.anchor.nothing", &json!(1))
        .unwrap();
    d.same("PUT to an unregistered path", status, m.http_status);

    let saved = json!({"enabled": false, "configuration": anchor_cfg});
    let (status, _) = real.post("/skServer/plugins/anchor-watch/config", &saved);
    anchor.disable().unwrap();
    d.same("disable answer", status, 200);
    d.same(
        "state after disable",
        real.plugin("anchor-watch")["state"].as_str(),
        Some("stopped"),
    );
    d.same(
        "anchor.state after disable",
        entry(Some(&real.self_entry("navigation.anchor.state"))),
        entry(anchor.self_entry("navigation.anchor.state")),
    );
    let (status, _) = real.post(
        "/skServer/plugins/anchor-watch/config",
        &json!({"enabled": true, "configuration": anchor_cfg}),
    );
    anchor.start().unwrap();
    d.same("enable answer", status, 200);
    d.same(
        "state after enable",
        real.plugin("anchor-watch")["state"].as_str(),
        Some("running"),
    );
    d.same(
        "anchor.state after enable",
        entry(Some(&real.self_entry("navigation.anchor.state"))),
        entry(anchor.self_entry("navigation.anchor.state")),
    );

    // --- track-history: an oversize reply is a clear 500 on 2.32.0 (no chunked channel).
    let mut track = mock(&track_dir, "track-history", &track_cfg, |o| {
        o.chunked_channel(false)
    });
    let (status, body) = real.get("/plugins/track-history/api/sample?bytes=100000");
    let m = track
        .http(HttpRequest::get("/api/sample?bytes=100000"))
        .unwrap();
    d.same("oversize reply status", status, m.status);
    d.same(
        "oversize reply body",
        serde_json::from_str::<Value>(&body).ok(),
        m.body_json().ok(),
    );
    let (status, body) = real.get("/plugins/track-history/api/sample?bytes=1000");
    let m = track
        .http(HttpRequest::get("/api/sample?bytes=1000"))
        .unwrap();
    d.same("small reply", (status, body), (m.status, m.body));

    drop(real);
    let _ = std::fs::remove_dir_all(&work);
    assert!(
        d.0.is_empty(),
        "the mock host differs from signalk-server 2.32.0:\n  {}",
        d.0.join("\n  ")
    );
}
