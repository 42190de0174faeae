//! Hello: the smallest useful Signal K plugin.
//!
//! On start it reads its configuration (with defaults), emits one delta, and sets its
//! status; on stop it says goodbye. Build it with
//! `cargo build -p hello --target wasm32-wasip1 --release`, or run it under the mock host
//! with `cargo run -p signalk-plugin-host-mock -- run examples/hello`.

use serde::Deserialize;
use signalk_plugin::{Delta, Plugin, PluginResult, Update, emit, log, plugin};

/// The configuration the Admin UI edits (see `schema.json`).
#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    /// Text published at `hello.greeting`.
    #[serde(default = "default_greeting")]
    pub greeting: String,
    /// Speed through water to publish, in m/s.
    #[serde(default = "default_speed")]
    pub speed: f64,
}

fn default_greeting() -> String {
    "Hello, sailor".to_owned()
}

fn default_speed() -> f64 {
    2.5
}

impl Config {
    /// What the schema allows beyond the types: a finite speed, at least 0.
    ///
    /// # Errors
    /// What is wrong, naming the member.
    pub fn check(self) -> Result<Self, String> {
        if !(self.speed.is_finite() && self.speed >= 0.0) {
            return Err(format!(
                "speed must be a finite number >= 0, got {}",
                self.speed
            ));
        }
        Ok(self)
    }
}

/// The plugin. The server keeps one instance and may start it many times.
#[derive(Debug, Default)]
pub struct Hello {
    starts: u32,
}

#[plugin(id = "hello", name = "Hello (Rust)", schema_file = "schema.json")]
impl Plugin for Hello {
    type Config = Config;

    fn start(&mut self, config: Config) -> PluginResult {
        let config = config.check()?;
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
    fn negative_speed_is_refused() {
        testing::reset();
        let err = Hello::default()
            .start(Config {
                greeting: "x".into(),
                speed: -1.0,
            })
            .unwrap_err();
        assert!(err.to_string().contains("speed must be"), "{err}");
        assert!(testing::take_deltas().is_empty());
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
        for speed in ["-1", "-0.5"] {
            let parsed = parse(&format!(r#"{{"speed":{speed}}}"#)).unwrap();
            assert!(parsed.config.check().is_err(), "{speed}");
        }
        // Out of f64's range: serde_json refuses it before the check.
        assert!(parse(r#"{"speed":1e400}"#).is_err());
    }

    #[test]
    fn schema_is_valid_and_lists_the_config_members() {
        let schema: signalk_plugin::Value = serde_json_from(Hello::SCHEMA);
        let props = schema["properties"].as_object().unwrap();
        assert!(props.contains_key("greeting") && props.contains_key("speed"));
    }

    fn serde_json_from(text: &str) -> signalk_plugin::Value {
        signalk_plugin::serde_json::from_str(text).unwrap()
    }
}
