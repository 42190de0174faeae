//! A weather provider fed by the boat's own sensors.
//!
//! It listens to deltas for outside temperature, pressure and true wind, and answers
//! the Signal K weather API: observations are the latest readings; a falling barometer
//! (more than `pressureDropWarning` Pa over the last three hours) is a warning. It
//! makes no forecasts.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use signalk_plugin::provider::{ForecastRequest, WeatherProvider, WeatherRequest};
use signalk_plugin::{ConfigSchema, Delta, Deltas, Plugin, PluginResult, plugin};

/// Configuration. Its JSON Schema is derived from this type (`ConfigSchema`); a start
/// with an unknown member or a threshold the schema forbids (not above 0) fails before
/// [`Station::start`] is called.
#[derive(Debug, Deserialize, ConfigSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(title = "Own-sensor weather")]
pub struct Config {
    /// Warn on a pressure drop over 3 h larger than (Pa)
    #[serde(default = "default_drop")]
    #[schema(default = 400, exclusive_minimum = 0)]
    pub pressure_drop_warning: f64,
}

/// The paths the station reads.
const SENSOR_PATHS: [&str; 4] = [
    "environment.outside.temperature",
    "environment.outside.pressure",
    "environment.wind.speedTrue",
    "environment.wind.directionTrue",
];

fn default_drop() -> f64 {
    400.0
}

/// A timestamped reading.
#[derive(Debug, Clone, PartialEq)]
struct Reading {
    timestamp: String,
    value: f64,
}

/// The plugin.
#[derive(Debug, Default)]
pub struct Station {
    drop_warning: f64,
    temperature: Option<Reading>,
    pressure: Option<Reading>,
    wind_speed: Option<Reading>,
    wind_direction: Option<Reading>,
    /// Pressure history, oldest first, for the trend (at most one per 10 minutes).
    pressures: VecDeque<(i64, f64)>,
}

#[plugin(
    id = "weather-provider",
    name = "Own-sensor weather (Rust)",
    weather = "Own sensors"
)]
impl Plugin for Station {
    type Config = Config;
    /// Own sensors only: the same paths from other vessels or stations are ignored.
    const DELTAS: Deltas = Deltas::OwnVessel;

    fn start(&mut self, config: Config) -> PluginResult {
        *self = Station {
            drop_warning: config.pressure_drop_warning,
            ..Station::default()
        };
        signalk_plugin::set_status("Waiting for sensor data");
        Ok(())
    }

    fn on_delta(&mut self, delta: &Delta) -> PluginResult {
        for update in &delta.updates {
            let timestamp = update.timestamp.clone().unwrap_or_default();
            for value in &update.values {
                if !SENSOR_PATHS.contains(&value.path.as_str()) {
                    continue;
                }
                // A reading that is not a number is reported (once per path) and skipped.
                let Some(number) = value.get::<f64>() else {
                    continue;
                };
                let reading = Some(Reading {
                    timestamp: timestamp.clone(),
                    value: number,
                });
                match value.path.as_str() {
                    "environment.outside.temperature" => self.temperature = reading,
                    "environment.outside.pressure" => {
                        self.record_pressure(&timestamp, number);
                        self.pressure = reading;
                    }
                    "environment.wind.speedTrue" => self.wind_speed = reading,
                    "environment.wind.directionTrue" => self.wind_direction = reading,
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

/// One Signal K weather observation.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    date: String,
    #[serde(rename = "type")]
    kind: &'static str,
    description: &'static str,
    outside: Outside,
    wind: Wind,
}

#[derive(Debug, Serialize)]
struct Outside {
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pressure: Option<f64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Wind {
    #[serde(skip_serializing_if = "Option::is_none")]
    speed_true: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    direction_true: Option<f64>,
}

/// One Signal K weather warning.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    start_time: String,
    #[serde(rename = "type")]
    kind: &'static str,
    details: String,
}

impl Station {
    fn latest_timestamp(&self) -> String {
        [
            &self.temperature,
            &self.pressure,
            &self.wind_speed,
            &self.wind_direction,
        ]
        .into_iter()
        .flatten()
        .map(|r| r.timestamp.clone())
        .max()
        .unwrap_or_default()
    }

    fn record_pressure(&mut self, timestamp: &str, pascal: f64) {
        let Some(t) = minutes_since_epoch(timestamp) else {
            return;
        };
        if self
            .pressures
            .back()
            .is_some_and(|&(last, _)| t - last < 10)
        {
            return;
        }
        self.pressures.push_back((t, pascal));
        while self
            .pressures
            .front()
            .is_some_and(|&(first, _)| t - first > 180)
        {
            self.pressures.pop_front();
        }
    }

    /// Pressure change over the kept window (Pa), newest minus oldest.
    fn pressure_trend(&self) -> Option<f64> {
        let (first, last) = (self.pressures.front()?, self.pressures.back()?);
        (last.0 > first.0).then_some(last.1 - first.1)
    }
}

/// Minutes since 1970 of an ISO 8601 UTC timestamp (`2026-11-24T10:00:00.000Z`).
fn minutes_since_epoch(ts: &str) -> Option<i64> {
    let field = |range: std::ops::Range<usize>| ts.get(range)?.parse::<i64>().ok();
    let (y, m, d) = (field(0..4)?, field(5..7)?, field(8..10)?);
    let (hh, mm) = (field(11..13)?, field(14..16)?);
    // Days from civil date (proleptic Gregorian), after Howard Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 1440 + hh * 60 + mm)
}

impl WeatherProvider for Station {
    fn observations(&mut self, _request: WeatherRequest) -> PluginResult<impl Serialize> {
        if self.temperature.is_none() && self.pressure.is_none() && self.wind_speed.is_none() {
            return Ok(Vec::new());
        }
        Ok(vec![Observation {
            date: self.latest_timestamp(),
            kind: "observation",
            description: "Own sensors",
            outside: Outside {
                temperature: self.temperature.as_ref().map(|r| r.value),
                pressure: self.pressure.as_ref().map(|r| r.value),
            },
            wind: Wind {
                speed_true: self.wind_speed.as_ref().map(|r| r.value),
                direction_true: self.wind_direction.as_ref().map(|r| r.value),
            },
        }])
    }

    fn forecasts(&mut self, _request: ForecastRequest) -> PluginResult<impl Serialize> {
        Ok(Vec::<Observation>::new())
    }

    fn warnings(&mut self, _request: WeatherRequest) -> PluginResult<impl Serialize> {
        let mut warnings = Vec::new();
        if let Some(trend) = self.pressure_trend()
            && -trend > self.drop_warning
        {
            warnings.push(Warning {
                start_time: self.latest_timestamp(),
                kind: "warning",
                details: format!("Pressure fell {:.0} Pa within 3 hours", -trend),
            });
        }
        Ok(warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signalk_plugin::provider::Position;
    use signalk_plugin::{Update, serde_json};

    fn reading(path: &str, value: f64, ts: &str) -> Delta {
        Delta::new().with_update(Update::new().with_value(path, value).with_timestamp(ts))
    }

    fn here() -> WeatherRequest {
        serde_json::from_str(r#"{"position":{"latitude":60,"longitude":25}}"#).unwrap()
    }

    #[test]
    fn observation_reflects_latest_readings() {
        let mut s = Station::default();
        s.start(Config {
            pressure_drop_warning: 400.0,
        })
        .unwrap();
        assert_eq!(
            serde_json::to_string(&s.observations(here()).unwrap()).unwrap(),
            "[]"
        );
        s.on_delta(&reading(
            "environment.outside.temperature",
            288.15,
            "2026-11-24T10:00:00.000Z",
        ))
        .unwrap();
        s.on_delta(&reading(
            "environment.wind.speedTrue",
            7.5,
            "2026-11-24T10:01:00.000Z",
        ))
        .unwrap();
        let json = serde_json::to_value(s.observations(here()).unwrap()).unwrap();
        assert_eq!(json[0]["outside"]["temperature"], 288.15);
        assert_eq!(json[0]["wind"]["speedTrue"], 7.5);
        assert_eq!(json[0]["date"], "2026-11-24T10:01:00.000Z");
        let _ = Position {
            latitude: 0.0,
            longitude: 0.0,
        };
    }

    #[test]
    fn falling_barometer_is_a_warning() {
        let mut s = Station::default();
        s.start(Config {
            pressure_drop_warning: 400.0,
        })
        .unwrap();
        for (i, p) in [101_300.0, 101_150.0, 100_950.0, 100_800.0]
            .iter()
            .enumerate()
        {
            let ts = format!("2026-11-24T{:02}:00:00.000Z", 10 + i);
            s.on_delta(&reading("environment.outside.pressure", *p, &ts))
                .unwrap();
        }
        let json = serde_json::to_value(s.warnings(here()).unwrap()).unwrap();
        assert_eq!(json.as_array().unwrap().len(), 1, "{json}");
        assert!(json[0]["details"].as_str().unwrap().contains("500 Pa"));
    }

    #[test]
    fn timestamps_to_minutes() {
        assert_eq!(minutes_since_epoch("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            minutes_since_epoch("2000-03-01T00:01:00Z"),
            Some(11_017 * 1440 + 1)
        );
        assert_eq!(minutes_since_epoch("garbage"), None);
    }

    #[test]
    fn malformed_configs_are_refused() {
        let parse = |text: &str| signalk_plugin::config::parse::<Config>(text.as_bytes());
        for text in [
            r#"{"pressureDropWarning":0}"#,
            r#"{"pressureDropWarning":-400}"#,
        ] {
            let config = parse(text).unwrap().config;
            let err = config.check_schema().unwrap_err();
            assert_eq!(err.path(), "pressureDropWarning", "{err}");
            assert!(err.message().starts_with("must be greater than 0"), "{err}");
        }
        for (text, problem) in [
            (r#"{"pressureDropWarnings":400}"#, "unknown field"),
            ("[400]", "expected struct Config"),
            (r#"{"pressureDropWarning":"400"}"#, "invalid type: string"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.to_string().contains(problem), "{text}: {err}");
        }
        let config = parse(r#"{"enableDebug":true}"#).unwrap().config;
        assert!(config.check_schema().is_ok());
        assert!(Station::default().start(config).is_ok());
    }

    /// The derived schema against the one written by hand before the derive: the
    /// same but for deliberate differences, applied to the hand-written one here.
    #[test]
    fn the_derived_schema_is_the_hand_written_one_with_deliberate_fixes() {
        use signalk_plugin::{PluginMetadata, json};
        let mut expected = json!({"type":"object","properties":{"pressureDropWarning":{"type":"number","title":"Warn on a pressure drop over 3 h larger than (Pa)","default":400}}});
        // The config type denies unknown members.
        expected["additionalProperties"] = json!(false);
        // A form heading, as hello's and anchor-watch's schemas have (the doc comment
        // stays Rust documentation).
        expected["title"] = json!("Own-sensor weather");
        // The start always refused a threshold of 0 or less; now the form says so.
        expected["properties"]["pressureDropWarning"]["exclusiveMinimum"] = json!(0);
        let derived: signalk_plugin::Value = serde_json::from_str(Config::SCHEMA).unwrap();
        assert_eq!(derived, expected);
        assert_eq!(Station::SCHEMA, Config::SCHEMA);
    }

    #[test]
    fn a_reading_that_is_not_a_number_is_reported_other_paths_are_not() {
        signalk_plugin::testing::reset();
        let mut s = Station::default();
        s.start(Config {
            pressure_drop_warning: 400.0,
        })
        .unwrap();
        let delta = Delta::new().with_update(
            Update::new()
                .with_value("environment.outside.temperature", "warm")
                .with_value(
                    "navigation.position",
                    signalk_plugin::json!({"latitude": 1, "longitude": 2}),
                )
                .with_value("environment.wind.speedTrue", 4.5),
        );
        s.on_delta(&delta).unwrap();
        assert_eq!(s.temperature, None);
        assert_eq!(s.wind_speed.as_ref().map(|r| r.value), Some(4.5));
        let logs = signalk_plugin::testing::logs();
        assert_eq!(logs.len(), 1, "{logs:?}");
        assert!(
            logs[0].starts_with("[WARN]") && logs[0].contains("environment.outside.temperature"),
            "{logs:?}"
        );
    }
}
