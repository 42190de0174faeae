//! Track history: records our own positions from `delta_handler` and serves them over
//! HTTP. A long passage makes a track of many megabytes — far beyond the host's
//! 64 KiB response buffer. The SDK sends such replies through the chunked channel
//! when the host speaks it, and as a clear 500 when it does not (signalk-server
//! 2.32.0); the handlers below are the same either way.
//!
//! Endpoints:
//! - `GET /api/track` — every recorded position, as a JSON array;
//! - `GET /api/track.csv` — the same as CSV, written with `std::io::Write`;
//! - `GET /api/sample?bytes=N` — N bytes of deterministic text, to test transfers.

use std::io::Write;

use serde::{Deserialize, Serialize};
use signalk_plugin::http::{BodyWriter, HttpError, HttpRequest, HttpResponse, IntoResponse, Json};
use signalk_plugin::{ConfigSchema, Delta, Deltas, Plugin, PluginResult, plugin};

/// The configuration. Its JSON Schema is derived from this type (`ConfigSchema`); a
/// start with an unknown member or `maxPoints` below the schema's minimum of 1 fails
/// before [`TrackHistory::start`] is called.
#[derive(Debug, Deserialize, ConfigSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(title = "Track history")]
pub struct Config {
    /// Positions kept
    ///
    /// The oldest are dropped past it.
    #[serde(default = "default_max_points")]
    #[schema(default = 1_000_000, minimum = 1)]
    pub max_points: usize,
}

fn default_max_points() -> usize {
    1_000_000
}

/// One recorded position.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Degrees north.
    pub latitude: f64,
    /// Degrees east.
    pub longitude: f64,
}

/// The plugin state.
#[derive(Debug, Default)]
pub struct TrackHistory {
    max_points: usize,
    track: Vec<Point>,
}

/// Largest `/api/sample` the plugin agrees to build (guest memory is below 2 GiB).
pub const MAX_SAMPLE: usize = 256 << 20;

/// The text `/api/sample?bytes=n` answers: printable, easy to check, no escaping.
#[must_use]
pub fn sample(n: usize) -> String {
    (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect()
}

#[plugin(id = "track-history", name = "Track history (Rust)")]
impl Plugin for TrackHistory {
    type Config = Config;
    /// The own vessel's track: AIS targets' positions are not recorded.
    const DELTAS: Deltas = Deltas::OwnVessel;

    fn start(&mut self, config: Config) -> PluginResult {
        self.max_points = config.max_points;
        signalk_plugin::set_status(&format!("Recording up to {} positions", self.max_points));
        Ok(())
    }

    fn on_delta(&mut self, delta: &Delta) -> PluginResult {
        for point in delta
            .updates
            .iter()
            .flat_map(|u| &u.values)
            .filter(|v| v.path == "navigation.position")
            // A position that is not one is reported (once per path) and skipped.
            .filter_map(|v| v.get::<Point>())
        {
            if self.track.len() >= self.max_points.max(1) {
                self.track.remove(0);
            }
            self.track.push(point);
        }
        Ok(())
    }

    #[http(GET, "/api/track")]
    fn track(&mut self, _req: HttpRequest) -> HttpResponse {
        // Serialised here, while the track is borrowed: no copy of the points.
        Json(&self.track).into_response()
    }

    #[http(GET, "/api/track.csv")]
    fn track_csv(&mut self, _req: HttpRequest) -> Result<HttpResponse, HttpError> {
        let mut body = BodyWriter::new();
        writeln!(body, "latitude,longitude").map_err(|e| HttpError::internal(e.to_string()))?;
        for p in &self.track {
            writeln!(body, "{},{}", p.latitude, p.longitude)
                .map_err(|e| HttpError::internal(e.to_string()))?;
        }
        Ok(body.into_text("text/csv"))
    }

    #[http(GET, "/api/sample")]
    fn sample(&mut self, req: HttpRequest) -> Result<HttpResponse, HttpError> {
        let bytes = req
            .query_param("bytes")
            .ok_or_else(|| HttpError::bad_request("missing ?bytes=N"))?
            .parse::<usize>()
            .map_err(|e| HttpError::bad_request(format!("bytes: {e}")))?;
        if bytes > MAX_SAMPLE {
            return Err(HttpError::bad_request(format!(
                "bytes: at most {MAX_SAMPLE}"
            )));
        }
        Ok(HttpResponse::text(200, sample(bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signalk_plugin::{Update, json};

    fn at(lat: f64) -> Delta {
        Delta::new().with_update(Update::new().with_value(
            "navigation.position",
            json!({"latitude": lat, "longitude": 1.0}),
        ))
    }

    #[test]
    fn keeps_at_most_max_points() {
        let mut t = TrackHistory::default();
        t.start(Config { max_points: 2 }).unwrap();
        for lat in [1.0, 2.0, 3.0] {
            t.on_delta(&at(lat)).unwrap();
        }
        let lats: Vec<f64> = t.track.iter().map(|p| p.latitude).collect();
        assert_eq!(lats, [2.0, 3.0]);
    }

    #[test]
    fn sample_is_the_alphabet_repeated() {
        assert_eq!(sample(28), "abcdefghijklmnopqrstuvwxyzab");
        assert_eq!(sample(0), "");
    }

    #[test]
    fn bad_sample_sizes_are_400() {
        let mut t = TrackHistory::default();
        let req = HttpRequest::new("GET", "/api/sample").with_query(json!({"bytes": "x"}));
        assert_eq!(t.sample(req).unwrap_err().status_code, 400);
    }

    #[test]
    fn malformed_configs_are_refused() {
        let parse = |text: &str| signalk_plugin::config::parse::<Config>(text.as_bytes());
        let config = parse(r#"{"maxPoints":0}"#).unwrap().config;
        let err = config.check_schema().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid configuration at `maxPoints`: must be at least 1, got 0"
        );
        assert!(parse("{}").unwrap().config.check_schema().is_ok());
        for (text, problem) in [
            (r#"{"maxPoints":-1}"#, "invalid value: integer `-1`"),
            (r#"{"maxPoints":2.5}"#, "invalid type: floating point"),
            (r#"{"max_points":5}"#, "unknown field `max_points`"),
            ("[5]", "expected struct Config"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.to_string().contains(problem), "{text}: {err}");
        }
    }

    /// The derived schema against the one written by hand before the derive: the
    /// same but for deliberate differences, applied to the hand-written one here.
    #[test]
    fn the_derived_schema_is_the_hand_written_one_with_deliberate_fixes() {
        use signalk_plugin::PluginMetadata;
        let mut expected = json!({"type":"object","properties":{"maxPoints":{"type":"integer","title":"Positions kept","default":1000000,"minimum":1}}});
        // The config type denies unknown members.
        expected["additionalProperties"] = json!(false);
        // A form heading, as hello's and anchor-watch's schemas have (the doc comment
        // stays Rust documentation).
        expected["title"] = json!("Track history");
        // The doc comment's second paragraph.
        expected["properties"]["maxPoints"]["description"] =
            json!("The oldest are dropped past it.");
        let derived: signalk_plugin::Value =
            signalk_plugin::serde_json::from_str(Config::SCHEMA).unwrap();
        assert_eq!(derived, expected);
        assert_eq!(TrackHistory::SCHEMA, Config::SCHEMA);
    }

    #[test]
    fn a_position_that_is_not_one_is_reported_not_recorded() {
        signalk_plugin::testing::reset();
        let mut t = TrackHistory::default();
        t.start(Config { max_points: 10 }).unwrap();
        let bad = Delta::new().with_update(
            Update::new()
                .with_value("navigation.position", "52N 4E")
                .with_value(
                    "navigation.position",
                    json!({"latitude": 7.0, "longitude": 1.0}),
                ),
        );
        t.on_delta(&bad).unwrap();
        assert_eq!(
            t.track,
            [Point {
                latitude: 7.0,
                longitude: 1.0
            }]
        );
        let logs = signalk_plugin::testing::logs();
        assert!(
            logs.iter()
                .any(|l| l.starts_with("[WARN]") && l.contains("navigation.position")),
            "{logs:?}"
        );
    }
}
