//! The resource and weather provider examples under the mock host.

use cross_crate_tests::load_example;
use serde_json::json;
use signalk_plugin::Capability;
use signalk_plugin_host_mock::{Error, HostOptions};

fn resources(options: HostOptions) -> signalk_plugin_host_mock::MockHost {
    load_example("resource-provider", options)
}

fn resource_options() -> HostOptions {
    HostOptions::new("resource-provider")
        .capability(Capability::ResourceProvider)
        .configuration(
            json!({"waypoints": {"a": {"name": "A"}, "b": {"name": "B", "feature": {"x": 1}}}}),
        )
}

#[test]
fn resource_types_are_listed_read_written_and_deleted() {
    let mut host = resources(resource_options());
    host.start().unwrap();
    assert_eq!(host.status().as_deref(), Some("Serving 2 resources"));
    assert_eq!(
        host.providers()
            .list_resources("waypoints", json!({}))
            .unwrap(),
        json!({"a": {"name": "A"}, "b": {"name": "B", "feature": {"x": 1}}})
    );
    assert_eq!(
        host.providers()
            .list_resources("waypoints", json!({"limit": "1"}))
            .unwrap(),
        json!({"a": {"name": "A"}})
    );
    assert_eq!(
        host.providers()
            .get_resource("waypoints", "b", Some("feature"))
            .unwrap(),
        json!({"x": 1})
    );
    host.providers()
        .set_resource("routes", "r1", json!({"name": "Home"}))
        .unwrap();
    assert_eq!(
        host.providers().get_resource("routes", "r1", None).unwrap(),
        json!({"name": "Home"})
    );
    host.providers().delete_resource("waypoints", "a").unwrap();
    assert_eq!(
        host.providers()
            .list_resources("waypoints", json!({}))
            .unwrap()
            .as_object()
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        host.providers().list_resources("tracks", json!({})),
        Err(Error::NoProvider(_))
    ));
    assert!(host.ledger().live.is_empty());
}

#[test]
fn a_failing_request_answers_the_servers_empty_default() {
    let mut host = resources(resource_options());
    host.start().unwrap();
    // A plugin error becomes an empty answer (the host's `{}`), never a trap.
    assert_eq!(
        host.providers()
            .get_resource("waypoints", "nope", None)
            .unwrap(),
        json!({})
    );
    assert_eq!(
        host.providers()
            .list_resources("waypoints", json!({"limit": "x"}))
            .unwrap(),
        json!({})
    );
}

#[test]
fn providers_without_capability_are_not_registered() {
    let mut host = resources(HostOptions::new("resource-provider"));
    assert!(host.start().is_err());
    assert!(
        host.recorded()
            .errors()
            .iter()
            .any(|e| e.contains("resourceProvider")),
        "{:?}",
        host.recorded().errors()
    );
}

fn weather() -> signalk_plugin_host_mock::MockHost {
    let options = HostOptions::new("weather-provider").capability(Capability::WeatherProvider);
    let mut host = load_example("weather-provider", options);
    host.start().unwrap();
    host
}

#[test]
fn weather_observations_come_from_received_deltas() {
    let mut host = weather();
    let here = json!({"latitude": 60.1, "longitude": 24.9});
    assert_eq!(
        host.providers()
            .weather_observations(here.clone(), json!({}))
            .unwrap(),
        json!([])
    );
    host.deliver_delta(
        &json!({"updates": [{"timestamp": "2026-11-24T10:00:00.000Z", "values": [
            {"path": "environment.outside.temperature", "value": 280.15},
            {"path": "environment.outside.pressure", "value": 101_325},
            {"path": "environment.wind.speedTrue", "value": 6.5}
        ]}]}),
    )
    .unwrap();
    let obs = host
        .providers()
        .weather_observations(here.clone(), json!({}))
        .unwrap();
    assert_eq!(obs[0]["outside"]["temperature"], json!(280.15), "{obs}");
    assert_eq!(obs[0]["wind"]["speedTrue"], json!(6.5));
    assert_eq!(obs[0]["date"], "2026-11-24T10:00:00.000Z");
    assert_eq!(
        host.providers()
            .weather_forecasts(here.clone(), "daily", json!({}))
            .unwrap(),
        json!([])
    );
}

#[test]
fn a_falling_barometer_raises_a_warning() {
    let mut host = weather();
    for (ts, pa) in [
        ("2026-11-24T07:00:00.000Z", 101_500),
        ("2026-11-24T10:00:00.000Z", 100_900),
    ] {
        host.deliver_delta(&json!({"updates": [{"timestamp": ts, "values": [{"path": "environment.outside.pressure", "value": pa}]}]}))
            .unwrap();
    }
    let warnings = host
        .providers()
        .weather_warnings(json!({"latitude": 0, "longitude": 0}))
        .unwrap();
    assert_eq!(warnings.as_array().map(Vec::len), Some(1), "{warnings}");
}
