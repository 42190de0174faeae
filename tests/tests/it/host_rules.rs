//! The server's rules the mock host reproduces, checked with small WAT guests:
//! provider readiness, capability answers, config files, streams and sockets.

use std::time::Duration;

use cross_crate_tests::{Export, WatPlugin};
use serde_json::json;
use signalk_plugin::Capability;
use signalk_plugin_host_mock::{Capabilities, HostCall, HostOptions, MockHost, Quirks};

/// A raw plugin ([`WatPlugin`]: 16 pages, heap at 8192, `poll` but no `plugin_name` or
/// `plugin_schema`); `fields` adds imports, data and exports before the memory; `start`
/// and `poll` are function bodies returning i32.
fn plugin(fields: &str, start: &str, poll: &str) -> Vec<u8> {
    WatPlugin::new()
        .heap_start(8192)
        .without(Export::PluginName)
        .without(Export::PluginSchema)
        .head(fields)
        .start(start)
        .poll(poll)
        .build()
}

fn options(package: &str) -> HostOptions {
    HostOptions::new(package).call_timeout(Duration::from_secs(2))
}

/// A resource provider for type "notes" whose list answers `{"n":1}`.
fn provider_plugin(register_in_start: bool) -> Vec<u8> {
    let fields = r#"
      (import "env" "sk_register_resource_provider" (func $reg (param i32 i32) (result i32)))
      (data (i32.const 16) "notes")
      (data (i32.const 32) "{\"n\":1}")
      (func (export "resources_list_resources") (param i32 i32 i32 i32) (result i32)
        (memory.copy (local.get 2) (i32.const 32) (i32.const 7))
        (i32.const 7))"#;
    let reg = "(drop (call $reg (i32.const 16) (i32.const 5)))";
    let (start, poll) = if register_in_start {
        (format!("{reg} (i32.const 0)"), "(i32.const 0)".to_owned())
    } else {
        ("(i32.const 0)".to_owned(), format!("{reg} (i32.const 0)"))
    };
    plugin(fields, &start, &poll)
}

#[test]
fn providers_registered_outside_plugin_start_never_answer_on_2_32_0() {
    let caps = Capabilities::default().with(Capability::ResourceProvider);
    let mut host = MockHost::from_bytes(
        &provider_plugin(false),
        options("p").capabilities(caps.clone()),
    )
    .unwrap();
    host.start().unwrap();
    host.tick_poll().unwrap();
    assert_eq!(
        host.providers().list_resources("notes", json!({})).unwrap(),
        json!({}),
        "2.32.0: not ready"
    );

    let fixed = options("p")
        .capabilities(caps.clone())
        .quirks(Quirks::fixed());
    let mut host = MockHost::from_bytes(&provider_plugin(false), fixed).unwrap();
    host.start().unwrap();
    host.tick_poll().unwrap();
    assert_eq!(
        host.providers().list_resources("notes", json!({})).unwrap(),
        json!({"n": 1})
    );

    let mut host =
        MockHost::from_bytes(&provider_plugin(true), options("p").capabilities(caps)).unwrap();
    host.start().unwrap();
    assert_eq!(
        host.providers().list_resources("notes", json!({})).unwrap(),
        json!({"n": 1})
    );
}

#[test]
fn has_capability_answers_only_network_and_raw_sockets() {
    let fields = r#"
      (import "env" "sk_has_capability" (func $has (param i32 i32) (result i32)))
      (data (i32.const 16) "rawSockets")
      (data (i32.const 32) "putHandlers")"#;
    // start returns has("rawSockets") * 10 + has("putHandlers"): 0 means neither.
    let start = "(i32.add (i32.mul (call $has (i32.const 16) (i32.const 10)) (i32.const 10))
                          (call $has (i32.const 32) (i32.const 11)))";
    let wasm = plugin(fields, start, "(i32.const 0)");
    let both = Capabilities::default()
        .with(Capability::RawSockets)
        .with(Capability::PutHandlers);
    let mut host = MockHost::from_bytes(&wasm, options("p").capabilities(both)).unwrap();
    let err = host.start().unwrap_err();
    assert!(
        matches!(
            err,
            signalk_plugin_host_mock::Error::StartFailed { code: Some(10) }
        ),
        "{err}"
    );
    let mut host = MockHost::from_bytes(&wasm, options("p")).unwrap();
    host.start().unwrap();
    assert!(
        host.recorded()
            .calls()
            .iter()
            .all(|c| matches!(c, HostCall::HasCapability(_)))
    );
}

#[test]
fn capabilities_are_read_like_the_server_reads_package_json() {
    let dir = tempfile_dir();
    let path = dir.join("package.json");
    std::fs::write(&path, r#"{"name":"x","wasmCapabilities":{"putHandlers":1,"rawSockets":"","dataWrite":false,"bogus":true}}"#).unwrap();
    let caps = Capabilities::from_package_json(&path).unwrap();
    assert!(caps.granted(Capability::PutHandlers));
    assert!(!caps.granted(Capability::RawSockets));
    assert!(!caps.granted(Capability::DataWrite));
    assert!(caps.granted(Capability::DataRead));
    std::fs::write(&path, "{").unwrap();
    assert!(Capabilities::from_package_json(&path).is_err());
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "skpm-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// start: read the config into 0x1000 (max `max`), save it back, return the length.
fn config_plugin(max: i32) -> Vec<u8> {
    let fields = r#"
      (import "env" "sk_read_config" (func $read (param i32 i32) (result i32)))
      (import "env" "sk_save_config" (func $save (param i32 i32) (result i32)))
      (global $n (mut i32) (i32.const 0))
      (func (export "save") (result i32) (call $save (i32.const 4096) (global.get $n)))"#;
    let start = format!(
        "(global.set $n (call $read (i32.const 4096) (i32.const {max})))
         (if (i32.ne (call $save (i32.const 4096) (global.get $n)) (i32.const 0)) (then (return (i32.const 99))))
         (i32.const 0)"
    );
    plugin(fields, &start, "(i32.const 0)")
}

#[test]
fn config_files_follow_the_scoped_name_quirk() {
    let config = json!({"a": 1});
    let mut host = MockHost::from_bytes(
        &config_plugin(4096),
        options("plain").configuration(config.clone()),
    )
    .unwrap();
    host.start().unwrap();
    assert_eq!(host.saved_config(), Some(&config));

    // Scoped: read gives {} and save fails (-1), so this plugin returns 99.
    let mut host = MockHost::from_bytes(
        &config_plugin(4096),
        options("@acme/x").configuration(config.clone()),
    )
    .unwrap();
    assert!(host.start().is_err());
    assert!(
        host.recorded()
            .calls()
            .contains(&HostCall::SaveConfig("{}".into())),
        "{:?}",
        host.recorded().calls()
    );

    // Too small a buffer: nothing written, 0 returned; saving "" is invalid JSON → 99.
    let mut host =
        MockHost::from_bytes(&config_plugin(3), options("plain").configuration(config)).unwrap();
    assert!(host.start().is_err());
}

#[test]
fn binary_streams_accept_only_radar_ids_and_the_plugins_own_prefix() {
    let fields = r#"
      (import "env" "sk_emit_binary_stream" (func $emit (param i32 i32 i32 i32) (result i32)))
      (data (i32.const 16) "radars/r_1")
      (data (i32.const 32) "plugins/p/x")
      (data (i32.const 48) "plugins/q/x")
      (data (i32.const 64) "radars/a.b")"#;
    // Sum of results: expect 1 + 1 + 0 + 0 = 2 (returned, so start "fails" with 2).
    let start = "(i32.add (i32.add (call $emit (i32.const 16) (i32.const 10) (i32.const 0) (i32.const 4))
                                   (call $emit (i32.const 32) (i32.const 11) (i32.const 0) (i32.const 4)))
                          (i32.add (call $emit (i32.const 48) (i32.const 11) (i32.const 0) (i32.const 4))
                                   (call $emit (i32.const 64) (i32.const 10) (i32.const 0) (i32.const 4))))";
    let mut host =
        MockHost::from_bytes(&plugin(fields, start, "(i32.const 0)"), options("p")).unwrap();
    let err = host.start().unwrap_err();
    assert!(
        matches!(
            err,
            signalk_plugin_host_mock::Error::StartFailed { code: Some(2) }
        ),
        "{err}"
    );
    let ids: Vec<_> = host
        .recorded()
        .streams()
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(ids, ["radars/r_1", "plugins/p/x"]);
}

/// poll: receive one datagram into 0x1000 (max 4), write addr at 0x2000, port at 0x2100;
/// return the byte count.
fn udp_plugin() -> Vec<u8> {
    let fields = r#"
      (import "env" "sk_udp_create" (func $create (param i32) (result i32)))
      (import "env" "sk_udp_bind" (func $bind (param i32 i32) (result i32)))
      (import "env" "sk_udp_recv" (func $recv (param i32 i32 i32 i32 i32) (result i32)))
      (global $id (mut i32) (i32.const 0))"#;
    let start = "(global.set $id (call $create (i32.const 0)))
                 (if (i32.lt_s (global.get $id) (i32.const 1)) (then (return (i32.const 7))))
                 (call $bind (global.get $id) (i32.const 10110))";
    let poll = "(call $recv (global.get $id) (i32.const 4096) (i32.const 4) (i32.const 8192) (i32.const 8448))";
    plugin(fields, start, poll)
}

#[test]
fn udp_needs_raw_sockets_and_truncates_like_the_host() {
    let mut host = MockHost::from_bytes(&udp_plugin(), options("p")).unwrap();
    assert!(matches!(
        host.start(),
        Err(signalk_plugin_host_mock::Error::StartFailed { code: Some(7) })
    ));

    let mut host = MockHost::from_bytes(
        &udp_plugin(),
        options("p").capability(Capability::RawSockets),
    )
    .unwrap();
    host.start().unwrap();
    assert_eq!(host.sockets().udp_sockets(), [(1, Some(10110))]);
    assert!(host.sockets().udp_receive(1, b"$GPRMC,1", "10.0.0.2", 2000));
    assert!(
        !host.sockets().udp_receive(2, b"x", "10.0.0.2", 2000),
        "no such socket"
    );
    // The host copies only buf_max (4) bytes and drops the rest of the datagram.
    assert_eq!(host.tick_poll().unwrap(), Some(4));
    assert_eq!(host.tick_poll().unwrap(), Some(0));
    // Unscoped packages get their UDP sockets closed on stop...
    host.stop().unwrap();
    assert!(host.sockets().udp_sockets().is_empty());
    // ...scoped ones keep them on 2.32.0.
    let mut host = MockHost::from_bytes(
        &udp_plugin(),
        options("@a/p").capability(Capability::RawSockets),
    )
    .unwrap();
    host.start().unwrap();
    host.stop().unwrap();
    assert_eq!(host.sockets().udp_sockets().len(), 1);
}
