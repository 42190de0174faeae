//! The hello example compiled to wasm32-wasip1, run under the mock host.

use cross_crate_tests::{example_wasm, load_example};
use serde_json::json;
use signalk_plugin_host_mock::{HostCall, HostOptions, MockHost, PluginState, env_imports};

const REQUIRED_EXPORTS: [&str; 7] = [
    "plugin_id",
    "plugin_name",
    "plugin_schema",
    "plugin_start",
    "plugin_stop",
    "allocate",
    "deallocate",
];

fn hello(options: HostOptions) -> MockHost {
    load_example("hello", options)
}

#[test]
fn imports_only_what_the_real_host_provides_and_exports_the_seven() {
    let host = hello(HostOptions::new("hello"));
    let provided: Vec<_> = env_imports().collect();
    for (module, name) in host.import_names() {
        match module.as_str() {
            "env" => assert!(
                provided.contains(&name.as_str()),
                "env.{name} is not provided by the host"
            ),
            "wasi_snapshot_preview1" => {}
            other => panic!("unexpected import module {other}"),
        }
    }
    let exports = host.export_names();
    for required in REQUIRED_EXPORTS {
        assert!(
            exports.iter().any(|e| e == required),
            "missing export {required}: {exports:?}"
        );
    }
    // Exports that would change how the server treats the module must be absent.
    assert!(
        !exports.iter().any(|e| e == "_start" || e == "_initialize"),
        "{exports:?}"
    );
    // Optional exports appear only when the plugin uses them.
    assert!(
        !exports
            .iter()
            .any(|e| e == "poll" || e == "delta_handler" || e == "http_endpoints")
    );
}

#[test]
fn metadata_comes_from_the_attribute_and_schema_file() {
    let host = hello(HostOptions::new("hello"));
    assert_eq!(host.name(), "Hello (Rust)");
    let on_disk: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(cross_crate_tests::repo_root().join("examples/hello/schema.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(host.schema(), &on_disk);
}

#[test]
fn start_with_defaults_emits_a_delta_and_sets_status() {
    let mut host = hello(HostOptions::new("hello"));
    host.start().unwrap();
    assert_eq!(host.state(), &PluginState::Running);
    assert_eq!(host.status().as_deref(), Some("Greeting: Hello, sailor"));
    let deltas = host.recorded().deltas();
    assert_eq!(deltas.len(), 1);
    let d = &deltas[0];
    // The server resolved the context and stamped the package as source.
    assert_eq!(
        d.context.as_deref(),
        Some(host.options().self_context().as_str())
    );
    assert_eq!(d.updates[0].source_ref.as_deref(), Some("hello"));
    assert_eq!(d.value_of("hello.greeting").unwrap(), "Hello, sailor");
    assert_eq!(d.value_of("navigation.speedThroughWater").unwrap(), 2.5);
    // And the v1 model holds the values, as /signalk/v1/api/vessels/self would.
    assert_eq!(
        *host.self_value("navigation.speedThroughWater").unwrap(),
        json!(2.5)
    );
    host.stop().unwrap();
    assert_eq!(host.state(), &PluginState::Stopped);
    assert_eq!(host.status().as_deref(), Some("Stopped"));
    assert!(host.ledger().live.is_empty(), "{:?}", host.ledger());
    assert!(host.ledger().issues.is_empty(), "{:?}", host.ledger());
}

#[test]
fn configuration_reaches_the_plugin_with_enable_debug_injected() {
    let options = HostOptions::new("hello")
        .configuration(json!({"greeting": "Ahoy \"mate\"", "speed": 1.25}))
        .enable_debug(true);
    let mut host = hello(options);
    assert_eq!(host.start_config()["enableDebug"], json!(true));
    host.start().unwrap();
    assert_eq!(host.status().as_deref(), Some("Greeting: Ahoy \"mate\""));
    let d = &host.recorded().deltas()[0];
    assert_eq!(d.value_of("hello.greeting").unwrap(), "Ahoy \"mate\"");
    assert_eq!(d.value_of("navigation.speedThroughWater").unwrap(), 1.25);
}

#[test]
fn malformed_config_fails_start_with_the_field_path_not_a_trap() {
    let options =
        HostOptions::new("hello").configuration(json!({"greeting": "hi", "speed": "fast"}));
    let mut host = hello(options);
    let err = host.start().unwrap_err();
    assert!(
        matches!(err, signalk_plugin_host_mock::Error::StartFailed { code: Some(c) } if c != 0),
        "{err}"
    );
    let errors = host.recorded().errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("speed"), "{}", errors[0]);
    assert!(matches!(host.state(), PluginState::Error(m) if m.contains("returned error code")));
    assert!(host.recorded().deltas().is_empty());
    // Not JSON at all: still a clean non-zero return.
    let mut host = hello(HostOptions::new("hello"));
    assert!(host.start_raw("{not json").is_err());
    assert_eq!(host.recorded().errors().len(), 1);
    assert!(host.ledger().live.is_empty());
}

#[test]
fn invalid_values_are_refused_by_the_plugin_itself() {
    let mut host = hello(HostOptions::new("hello").configuration(json!({"speed": -1.0})));
    assert!(host.start().is_err());
    assert!(
        host.recorded().errors()[0].contains("`speed`: must be at least 0"),
        "{:?}",
        host.recorded().errors()
    );
}

#[test]
fn the_same_instance_survives_stop_start_cycles() {
    let mut host = hello(HostOptions::new("hello"));
    for round in 1..=3 {
        host.start().unwrap();
        host.stop().unwrap();
        // Guest state persists: the plugin counts its starts.
        let wanted = format!("started ({round} time(s))");
        assert!(
            host.recorded().logs().iter().any(|l| l.contains(&wanted)),
            "{:?}",
            host.recorded().logs()
        );
    }
    assert_eq!(host.recorded().deltas().len(), 3);
    // Saving a configuration while running restarts on the same instance.
    host.start().unwrap();
    host.save_configuration(json!({"greeting": "Moin"}))
        .unwrap();
    assert_eq!(host.state(), &PluginState::Running);
    assert_eq!(host.status().as_deref(), Some("Greeting: Moin"));
    assert!(
        host.recorded()
            .logs()
            .iter()
            .any(|l| l.contains("started (5 time(s))")),
        "{:?}",
        host.recorded().logs()
    );
}

#[test]
fn every_host_call_is_recorded_in_order() {
    let mut host = hello(HostOptions::new("hello"));
    host.start().unwrap();
    let calls = host.recorded_mut().take_calls();
    assert!(
        matches!(
            calls.first(),
            Some(HostCall::HandleMessage { version: 1, .. })
        ),
        "{calls:?}"
    );
    assert!(
        matches!(calls.last(), Some(HostCall::SetStatus(m)) if m.starts_with("Greeting")),
        "{calls:?}"
    );
    assert!(host.recorded().calls().is_empty());
}

#[test]
fn strict_mode_fails_on_an_unexpected_host_call() {
    let options = HostOptions::new("hello").allow_only(["sk_set_status"]);
    let mut host = hello(options);
    let err = host.start().unwrap_err();
    assert!(
        err.to_string()
            .contains("unexpected host call env.sk_handle_message"),
        "{err}"
    );
}

#[test]
fn modules_are_compiled_once_and_instances_are_isolated() {
    let wasm = example_wasm("hello");
    let mut a = MockHost::load(&wasm, HostOptions::new("a")).unwrap();
    let b = MockHost::load(&wasm, HostOptions::new("b")).unwrap();
    a.start().unwrap();
    assert_eq!(a.recorded().deltas().len(), 1);
    assert!(b.recorded().calls().is_empty());
    assert_eq!(b.state(), &PluginState::Stopped);
}
