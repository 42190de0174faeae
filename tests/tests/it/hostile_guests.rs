//! Hostile and broken guests, written in WAT: the mock host answers each with a clear
//! error and keeps working — no hang, no host panic, no silent truncation.

use std::time::Duration;

use cross_crate_tests::WatPlugin;
use serde_json::json;
use signalk_plugin::Capability;
use signalk_plugin_host_mock::{
    Error, HostCall, HostOptions, HttpRequest, LedgerIssue, MockHost, PluginState,
};

/// A minimal raw plugin ([`WatPlugin`]: a bump allocator over 16 pages from 4096, the
/// seven required exports), `start_body` as `plugin_start`'s body (locals: none; params
/// 0 = ptr, 1 = len), `imports` before the memory and `extra` after the exports.
fn module(imports: &str, start_body: &str, extra: &str) -> Vec<u8> {
    WatPlugin::new()
        .head(imports)
        .start(start_body)
        .tail(extra)
        .build()
}

fn load(bytes: &[u8], options: HostOptions) -> MockHost {
    MockHost::from_bytes(bytes, options).unwrap_or_else(|e| panic!("load: {e}"))
}

fn fast() -> HostOptions {
    HostOptions::new("hostile").call_timeout(Duration::from_millis(200))
}

#[test]
fn an_endless_loop_times_out_and_the_host_stays_usable() {
    let wasm = module("", "(loop $l (br $l)) (i32.const 0)", "");
    let mut host = load(&wasm, fast());
    let err = host.start().unwrap_err();
    assert!(
        matches!(err, Error::Timeout { ref export, .. } if export == "plugin_start"),
        "{err}"
    );
    assert!(matches!(host.state(), PluginState::Error(m) if m.contains("did not return")));
    // The instance is still there: stop runs normally.
    host.stop().unwrap();
    assert_eq!(host.state(), &PluginState::Stopped);
}

#[test]
fn memory_growth_past_the_cap_fails_inside_the_guest() {
    // Grow 64 KiB at a time until memory.grow reports -1, then trap on purpose.
    let body = "(block $done (loop $l
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $l)))
      (unreachable)";
    let wasm = module("", body, "");
    let mut host = load(&wasm, fast().memory_limit(4 << 20));
    let err = host.start().unwrap_err();
    assert!(
        matches!(err, Error::Trap { ref message, .. } if message.contains("unreachable")),
        "{err}"
    );
    assert!(host.memory_size() <= 4 << 20);
}

#[test]
fn imports_the_server_lacks_are_link_errors_naming_them() {
    let wasm = module(
        r#"(import "env" "sk_get_path" (func (param i32 i32 i32 i32) (result i32)))"#,
        "(i32.const 0)",
        "",
    );
    let err = MockHost::from_bytes(&wasm, fast()).unwrap_err();
    assert!(
        matches!(&err, Error::Link(m) if m.contains("env.sk_get_path")),
        "{err}"
    );

    let wasm = module(r#"(import "env" "memory" (memory 1))"#, "(i32.const 0)", "");
    assert!(matches!(
        MockHost::from_bytes(&wasm, fast()),
        Err(Error::Link(_))
    ));

    let wasm = module(
        r#"(import "as-fetch" "_fetchGETSync" (func (param i32 i32 i32) (result i32)))"#,
        "(i32.const 0)",
        "",
    );
    let err = MockHost::from_bytes(&wasm, fast()).unwrap_err();
    assert!(err.to_string().contains("network capability"), "{err}");
}

#[test]
fn modules_the_server_would_not_treat_as_raw_plugins_are_refused() {
    let no_allocate = wat::parse_str(
        r#"(module (memory (export "memory") 1)
             (func (export "plugin_id") (param i32 i32) (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    let err = MockHost::from_bytes(&no_allocate, fast()).unwrap_err();
    assert!(err.to_string().contains("allocate"), "{err}");

    let mut component = module("", "(i32.const 0)", "");
    component[4] = 0x0d;
    let err = MockHost::from_bytes(&component, fast()).unwrap_err();
    assert!(err.to_string().contains("WASI P1"), "{err}");

    assert!(matches!(
        MockHost::from_bytes(b"\0asm", fast()),
        Err(Error::Compile(_))
    ));
}

#[test]
fn bad_pointers_in_imports_are_ignored_like_the_server_does() {
    let imports = r#"(import "env" "sk_set_status" (func $status (param i32 i32)))"#;
    let body = "(call $status (i32.const -5) (i32.const 10))
                (call $status (i32.const 1048570) (i32.const 100))
                (i32.const 0)";
    let mut host = load(&module(imports, body, ""), fast());
    host.start().unwrap();
    assert!(
        host.recorded().calls().is_empty(),
        "{:?}",
        host.recorded().calls()
    );
}

#[test]
fn the_guest_declares_the_import_signature() {
    // Three parameters with version 2 → a v2 delta (not applied to the v1 model);
    // sk_debug declared with a result receives 0; an i64 argument gets the failure value.
    let imports = r#"
      (import "env" "sk_handle_message" (func $msg (param i32 i32 i32)))
      (import "env" "sk_debug" (func $debug (param i32 i32) (result i32)))
      (import "env" "sk_publish_notification" (func $notify (param i64 i32 i32 i32) (result i32)))
      (import "env" "sk_set_status" (func $status (param i32 i32)))
      (data (i32.const 16) "{\"updates\":[{\"values\":[{\"path\":\"a.b\",\"value\":1}]}]}")
      (data (i32.const 128) "hi")"#;
    let body = "(call $msg (i32.const 16) (i32.const 51) (i32.const 2))
                (if (i32.ne (call $debug (i32.const 128) (i32.const 2)) (i32.const 0)) (then unreachable))
                (if (i32.ne (call $notify (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0)) (i32.const -1)) (then unreachable))
                (i32.const 0)";
    let mut host = load(&module(imports, body, ""), fast());
    host.start().unwrap();
    assert!(
        matches!(
            &host.recorded().calls()[0],
            HostCall::HandleMessage { version: 2, .. }
        ),
        "{:?}",
        host.recorded().calls()
    );
    assert_eq!(host.recorded().delta_values().len(), 1);
    assert!(
        host.self_value("a.b").is_none(),
        "v2 deltas do not update the v1 model"
    );
    assert_eq!(host.recorded().logs(), ["hi"]);
}

#[test]
fn proc_exit_is_an_error_and_the_instance_stays_usable() {
    let imports = r#"(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))"#;
    let mut host = load(
        &module(imports, "(call $exit (i32.const 3)) (i32.const 0)", ""),
        fast(),
    );
    let err = host.start().unwrap_err();
    assert!(matches!(err, Error::Exit { code: 3, .. }), "{err}");
    host.stop().unwrap();
}

/// A plugin with one HTTP route whose handler returns `written` as given.
fn http_plugin(written: &str) -> Vec<u8> {
    let routes = r#"[{"method":"get","path":"/x","handler":"h"},{"method":"PATCH","path":"/y","handler":"h"}]"#;
    let extra = format!(
        r#"(data (i32.const 16) "{}")
        (func (export "http_endpoints") (param $out i32) (param i32) (result i32)
          (memory.copy (local.get $out) (i32.const 16) (i32.const {len}))
          (i32.const {len}))
        (func (export "h") (param i32 i32 i32 i32) (result i32) {written})"#,
        routes.replace('"', "\\\""),
        len = routes.len()
    );
    module("", "(i32.const 0)", &extra)
}

#[test]
fn http_outputs_longer_than_the_buffer_or_negative_are_500_not_garbage() {
    let mut host = load(&http_plugin("(i32.const 70000)"), fast());
    assert_eq!(
        host.routes().len(),
        1,
        "PATCH is skipped, lowercase get accepted"
    );
    let r = host.http(HttpRequest::get("/x")).unwrap();
    assert_eq!(r.status, 500);
    assert!(r.body.contains("65536-byte buffer"), "{}", r.body);

    let mut host = load(&http_plugin("(i32.const -1)"), fast());
    let r = host.http(HttpRequest::get("/x")).unwrap();
    assert_eq!(r.status, 500);
    assert!(r.body.contains("Invalid typed array length"), "{}", r.body);

    // Empty output is a JSON parse error → 500, as on the server.
    let mut host = load(&http_plugin("(i32.const 0)"), fast());
    assert_eq!(host.http(HttpRequest::get("/x")).unwrap().status, 500);
    assert_eq!(host.http(HttpRequest::get("/nope")).unwrap().status, 404);
}

#[test]
fn a_trapping_handler_leaks_its_buffers_like_the_server_and_the_ledger_says_so() {
    let mut host = load(&http_plugin("(unreachable)"), fast());
    let r = host.http(HttpRequest::get("/x")).unwrap();
    assert_eq!(r.status, 500);
    assert!(r.body.contains("unreachable"), "{}", r.body);
    let leaks: Vec<_> = host
        .ledger()
        .issues
        .iter()
        .filter(|i| matches!(i, LedgerIssue::LeakedOnTrap { .. }))
        .collect();
    assert_eq!(
        leaks.len(),
        2,
        "request and response buffers: {:?}",
        host.ledger()
    );
}

#[test]
fn an_allocator_returning_null_is_refused() {
    let text = r#"(module
      (memory (export "memory") 1)
      (func (export "allocate") (param i32) (result i32) (i32.const 0))
      (func (export "plugin_id") (param i32 i32) (result i32) (i32.const 0))
      (func (export "plugin_name") (param i32 i32) (result i32) (i32.const 0)))"#;
    let err = MockHost::from_bytes(&wat::parse_str(text).unwrap(), fast()).unwrap_err();
    assert!(
        err.to_string().contains("allocate(8192) returned 0"),
        "{err}"
    );
}

#[test]
fn self_triggered_delta_recursion_is_cut_off() {
    // delta_handler emits a delta, which the server hands straight back to it.
    let imports = r#"
      (import "env" "sk_handle_message" (func $msg (param i32 i32)))
      (data (i32.const 16) "{\"updates\":[{\"values\":[{\"path\":\"a\",\"value\":1}]}]}")"#;
    let extra = r#"(func (export "delta_handler") (param i32 i32)
        (call $msg (i32.const 16) (i32.const 49)))"#;
    let mut host = load(
        &module(imports, "(i32.const 0)", extra),
        fast().max_delta_depth(8),
    );
    host.start().unwrap();
    host.deliver_delta(&json!({"updates": [{"values": [{"path": "b", "value": 2}]}]}))
        .unwrap();
    assert!(
        host.recorded()
            .handler_faults()
            .iter()
            .any(|f| f.contains("8 levels deep")),
        "{:?}",
        host.recorded().handler_faults()
    );
    assert_eq!(
        host.recorded().delta_values().len(),
        9,
        "the test's delta plus 8 echoes"
    );
}

#[test]
fn oversize_and_trapping_put_replies_become_500_replies() {
    let imports = r#"
      (import "env" "sk_register_put_handler" (func $reg (param i32 i32 i32 i32) (result i32)))
      (data (i32.const 16) "vessels.self")
      (data (i32.const 32) "a.b")"#;
    let body = "(drop (call $reg (i32.const 16) (i32.const 12) (i32.const 32) (i32.const 3))) (i32.const 0)";
    let extra = r#"(func (export "handle_put_vessels_self_a_b") (param i32 i32 i32 i32) (result i32) (i32.const 9000))"#;
    let mut host = load(
        &module(imports, body, extra),
        fast().capability(Capability::PutHandlers),
    );
    host.start().unwrap();
    assert_eq!(
        host.put_handlers(),
        [("vessels.self".to_owned(), "a.b".to_owned())]
    );
    let r = host.put("vessels.self", "a.b", &json!(1)).unwrap();
    assert_eq!(r.status_code(), Some(500));
    assert!(r.message().unwrap().contains("8192-byte buffer"), "{r:?}");
    assert_eq!(r.http_status, 500);
    // Unregistered path → 405; registered without an export → 501.
    assert_eq!(
        host.put("vessels.self", "c.d", &json!(1))
            .unwrap()
            .status_code(),
        Some(405)
    );
}

#[test]
fn without_the_capability_registration_fails() {
    let imports = r#"
      (import "env" "sk_register_put_handler" (func $reg (param i32 i32 i32 i32) (result i32)))
      (data (i32.const 16) "vessels.self")
      (data (i32.const 32) "a.b")"#;
    let body = "(call $reg (i32.const 16) (i32.const 12) (i32.const 32) (i32.const 3))";
    let mut host = load(&module(imports, body, ""), fast());
    // The import returned 0 — which plugin_start returns, so start "succeeds".
    host.start().unwrap();
    assert!(host.put_handlers().is_empty());
}
