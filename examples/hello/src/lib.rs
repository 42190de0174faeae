//! Hello: the smallest useful Signal K plugin.
//!
//! On start it reads its configuration (with defaults), emits one delta, and sets its
//! status; on stop it says goodbye. Build it with
//! `cargo build -p hello --target wasm32-wasip1 --release`, or run it under the mock host
//! with `cargo run -p signalk-plugin-host-mock -- run examples/hello`.

use serde::Deserialize;
use signalk_plugin::{ConfigSchema, Delta, Plugin, PluginResult, Update, emit, log, plugin};

/// The configuration the Admin UI edits. Its JSON Schema is derived from this type
/// (`ConfigSchema`): the doc comments are the form's titles, `#[schema]` states the
/// defaults and the range, and a configuration outside the range fails the start
/// before [`Hello::start`] is called.
///
/// `schema.json` beside `Cargo.toml` is a copy of the derived schema, kept for the
/// hand-written baseline plugin in `bench/raw-hello` and the cross-crate tests; a unit
/// test keeps it equal to [`Config::SCHEMA`].
#[derive(Debug, Deserialize, PartialEq, ConfigSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(title = "Hello")]
pub struct Config {
    /// Greeting published at hello.greeting
    #[serde(default = "default_greeting")]
    #[schema(default = "Hello, sailor")]
    pub greeting: String,
    /// Speed through water to report (m/s)
    #[serde(default = "default_speed")]
    #[schema(default = 2.5, minimum = 0)]
    pub speed: f64,
}

fn default_greeting() -> String {
    "Hello, sailor".to_owned()
}

fn default_speed() -> f64 {
    2.5
}

/// The plugin. The server keeps one instance and may start it many times.
#[derive(Debug, Default)]
pub struct Hello {
    starts: u32,
}

#[plugin(id = "hello", name = "Hello (Rust)")]
impl Plugin for Hello {
    type Config = Config;

    fn start(&mut self, config: Config) -> PluginResult {
        self.starts += 1;
        emit(
            &Delta::new().with_update(
                Update::new()
                    .with_value("hello.greeting", config.greeting.as_str())
                    .with_value("navigation.speedThroughWater", config.speed),
            ),
        )?;
        log::info!("started ({} time(s))", self.starts);
        signalk_plugin::set_status(&format!("Greeting: {}", config.greeting));
        Ok(())
    }

    fn stop(&mut self) -> PluginResult {
        signalk_plugin::set_status("Stopped");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signalk_plugin::{PluginMetadata, testing};

    #[test]
    fn start_emits_greeting_and_speed() {
        testing::reset();
        let mut hello = Hello::default();
        hello
            .start(Config {
                greeting: "Ahoy \"mate\"".into(),
                speed: 1.5,
            })
            .unwrap();
        assert_eq!(testing::statuses(), ["Greeting: Ahoy \"mate\""]);
        let deltas = testing::take_deltas();
        assert_eq!(deltas.len(), 1);
        assert_eq!(
            deltas[0].value_of("hello.greeting").unwrap(),
            "Ahoy \"mate\""
        );
        assert_eq!(
            deltas[0].value_of("navigation.speedThroughWater").unwrap(),
            1.5
        );
    }

    #[test]
    fn defaults_fill_an_empty_config() {
        let parsed = signalk_plugin::config::parse::<Config>(br#"{"enableDebug":false}"#).unwrap();
        assert_eq!(
            parsed.config,
            Config {
                greeting: default_greeting(),
                speed: 2.5
            }
        );
    }

    #[test]
    fn a_negative_speed_breaks_the_schema_range() {
        let err = Config {
            greeting: "x".into(),
            speed: -1.0,
        }
        .check_schema()
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid configuration at `speed`: must be at least 0, got -1"
        );
        assert!(
            Config {
                greeting: String::new(),
                speed: 0.0
            }
            .check_schema()
            .is_ok()
        );
    }

    #[test]
    fn malformed_configs_are_refused() {
        let parse = |text: &str| signalk_plugin::config::parse::<Config>(text.as_bytes());
        for (text, problem) in [
            (r#"["Ahoy", 1.5]"#, "expected struct Config"),
            (r#"{"greting":"Ahoy"}"#, "unknown field `greting`"),
            (r#"{"speed":"fast"}"#, "invalid type: string"),
            (r#"{"greeting":{"text":"Ahoy"}}"#, "invalid type: map"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.to_string().contains(problem), "{text}: {err}");
        }
        for speed in ["-1", "-0.5", "-1e-300"] {
            let parsed = parse(&format!(r#"{{"speed":{speed}}}"#)).unwrap();
            let err = parsed.config.check_schema().unwrap_err();
            assert_eq!(err.path(), "speed", "{speed}");
        }
        // Out of f64's range: serde_json refuses it before the check.
        assert!(parse(r#"{"speed":1e400}"#).is_err());
    }

    /// The plugin serves the derived schema, and `schema.json` (read by the raw-FFI
    /// baseline and the cross-crate tests) is that schema. Compared with the file as it
    /// was written by hand before the derive, the one difference is deliberate:
    /// `additionalProperties: false`, because the config type denies unknown fields.
    #[test]
    fn the_served_schema_is_the_derived_one_and_schema_json_is_a_copy() {
        assert_eq!(Hello::SCHEMA, Config::SCHEMA);
        let derived = json(Config::SCHEMA);
        let on_disk = json(include_str!("../schema.json"));
        assert_eq!(derived, on_disk, "update schema.json to the derived schema");
        assert_eq!(derived["additionalProperties"], false);
        assert_eq!(derived["properties"]["speed"]["minimum"], 0);
        assert_eq!(
            derived["properties"]["greeting"]["default"],
            "Hello, sailor"
        );
        assert!(
            derived.get("required").is_none(),
            "every member has a default"
        );
    }

    fn json(text: &str) -> signalk_plugin::Value {
        signalk_plugin::serde_json::from_str(text).unwrap()
    }
}
