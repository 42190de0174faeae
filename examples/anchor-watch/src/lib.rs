//! Anchor watch, written with `signalk-plugin`: the same behaviour as signalk-server's
//! hand-written Rust example (configuration, PUT handlers for the anchor position, max
//! radius and state, HTTP endpoints `status`, `position` and `drop`), plus the drag
//! alarm: the own vessel's positions, received through `delta_handler`, are checked
//! against the anchor, and a notification is raised when the boat drifts beyond the
//! radius. Which deltas are the own vessel's is the SDK's business
//! (`Deltas::OwnVessel`): AIS targets never reach `on_delta`.
//!
//! No `unsafe`, no buffers, no JSON by hand: everything below is plain Rust and is
//! unit-tested natively at the bottom of this file.

use serde::{Deserialize, Serialize};
use signalk_plugin::http::{HttpError, HttpRequest, Json};
use signalk_plugin::put::{PutError, PutReply};
use signalk_plugin::{
    AlarmState, ConfigSchema, Delta, Deltas, Notification, Plugin, PluginResult, RawJson, Update,
    emit, log, notify, plugin,
};

/// Where the drag alarm is published.
pub const ALARM_PATH: &str = "notifications.navigation.anchor";

/// The configuration. Its JSON Schema is derived from this type (`ConfigSchema`): the
/// doc comments are the form's titles and descriptions, `#[schema]` states defaults and
/// ranges. A start with members the schema does not know, or with values outside its
/// ranges (the rules the PUT handlers apply too), fails before [`AnchorWatch::start`]
/// is called. An anchor at 0, 0 means "not set".
#[derive(Debug, Clone, PartialEq, Deserialize, ConfigSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(title = "Anchor Watch Configuration")]
pub struct Config {
    /// Anchor latitude
    ///
    /// Latitude where the anchor was dropped (degrees)
    #[serde(default)]
    #[schema(minimum = -90, maximum = 90)]
    pub anchor_lat: f64,
    /// Anchor longitude
    ///
    /// Longitude where the anchor was dropped (degrees)
    #[serde(default)]
    #[schema(minimum = -180, maximum = 180)]
    pub anchor_lon: f64,
    /// Maximum radius (meters)
    ///
    /// Raise the alarm when the boat is farther than this from the anchor
    #[serde(default = "default_max_radius")]
    #[schema(default = 50, minimum = 10, maximum = 1000)]
    pub max_radius: f64,
    /// Check interval (seconds)
    ///
    /// Reported in the status endpoint
    #[serde(default = "default_interval")]
    #[schema(default = 10, minimum = 1, maximum = 300)]
    pub check_interval: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            anchor_lat: 0.0,
            anchor_lon: 0.0,
            max_radius: default_max_radius(),
            check_interval: default_interval(),
        }
    }
}

fn default_max_radius() -> f64 {
    50.0
}

/// The alarm radius rule of the PUT handler and `POST /api/drop`: the range the
/// schema states for `maxRadius` (a unit test holds the two together).
///
/// # Errors
/// Outside 10..=1000 metres (NaN included).
pub fn check_radius(radius: f64) -> Result<f64, &'static str> {
    if (10.0..=1000.0).contains(&radius) {
        Ok(radius)
    } else {
        Err("Radius must be between 10 and 1000 meters")
    }
}

fn default_interval() -> u32 {
    10
}

/// A position in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Latitude, -90..=90.
    pub latitude: f64,
    /// Longitude, -180..=180.
    pub longitude: f64,
}

impl Position {
    fn check(self) -> Result<Self, &'static str> {
        if !(-90.0..=90.0).contains(&self.latitude) {
            return Err("Invalid latitude. Must be between -90 and 90.");
        }
        if !(-180.0..=180.0).contains(&self.longitude) {
            return Err("Invalid longitude. Must be between -180 and 180.");
        }
        Ok(self)
    }
}

/// `GET /api/status`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    running: bool,
    alarm_active: bool,
    position: Option<Position>,
    max_radius: f64,
    check_interval: u32,
    distance: Option<f64>,
}

/// `GET /api/position`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AnchorPosition {
    latitude: f64,
    longitude: f64,
    max_radius: f64,
}

/// Answer of `POST /api/drop`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Dropped {
    success: bool,
    message: &'static str,
    position: Position,
    max_radius: f64,
}

/// Body of `POST /api/drop`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Drop {
    latitude: f64,
    longitude: f64,
    #[serde(default = "default_max_radius")]
    max_radius: f64,
}

/// The plugin state.
#[derive(Debug, Default)]
pub struct AnchorWatch {
    config: Config,
    running: bool,
    alarm_active: bool,
    last_distance: Option<f64>,
}

#[plugin(id = "anchor-watch", name = "Anchor Watch (Rust)")]
impl Plugin for AnchorWatch {
    type Config = Config;
    /// Only the own vessel's position matters.
    const DELTAS: Deltas = Deltas::OwnVessel;

    fn start(&mut self, config: Config) -> PluginResult {
        log::debug!(
            "starting: anchor=({}, {}), radius={}m",
            config.anchor_lat,
            config.anchor_lon,
            config.max_radius
        );
        self.config = config;
        self.running = true;
        self.alarm_active = false;
        self.last_distance = None;
        signalk_plugin::set_status("Anchor watch active");
        self.emit_state()?;
        Ok(())
    }

    fn stop(&mut self) -> PluginResult {
        self.running = false;
        self.emit_state()?;
        signalk_plugin::set_status("Stopped");
        Ok(())
    }

    fn on_delta(&mut self, delta: &Delta) -> PluginResult {
        if let Some(position) = delta.value_of("navigation.position") {
            self.check_position(position.parse()?)?;
        }
        Ok(())
    }

    #[put("navigation.anchor.position")]
    fn put_position(&mut self, position: Position) -> Result<(), PutError> {
        let position = position.check().map_err(PutError::bad_request)?;
        self.config.anchor_lat = position.latitude;
        self.config.anchor_lon = position.longitude;
        self.emit_state()
            .map_err(|e| PutError::new(500, e.to_string()))?;
        signalk_plugin::set_status(&format!(
            "Anchor position set: ({:.6}, {:.6})",
            position.latitude, position.longitude
        ));
        Ok(())
    }

    #[put("navigation.anchor.maxRadius")]
    fn put_max_radius(&mut self, radius: f64) -> Result<(), PutError> {
        let radius = check_radius(radius).map_err(|e| {
            signalk_plugin::set_error(e);
            PutError::bad_request(e)
        })?;
        self.config.max_radius = radius;
        self.emit_state()
            .map_err(|e| PutError::new(500, e.to_string()))?;
        signalk_plugin::set_status(&format!("Max radius set: {radius}m"));
        Ok(())
    }

    #[put("navigation.anchor.state")]
    fn put_state(&mut self, _state: RawJson) -> PutReply {
        PutReply::with_status(
            200,
            "Anchor watch state is controlled by enabling/disabling the plugin",
        )
    }

    #[http(GET, "/api/status")]
    fn status(&mut self, _req: HttpRequest) -> Json<Status> {
        Json(Status {
            running: self.running,
            alarm_active: self.alarm_active,
            position: self.anchor(),
            max_radius: self.config.max_radius,
            check_interval: self.config.check_interval,
            distance: self.last_distance,
        })
    }

    #[http(GET, "/api/position")]
    fn position(&mut self, _req: HttpRequest) -> Json<AnchorPosition> {
        Json(AnchorPosition {
            latitude: self.config.anchor_lat,
            longitude: self.config.anchor_lon,
            max_radius: self.config.max_radius,
        })
    }

    #[http(POST, "/api/drop")]
    fn drop_anchor(&mut self, req: HttpRequest) -> Result<Json<Dropped>, HttpError> {
        let drop: Drop = req.json()?;
        let position = Position {
            latitude: drop.latitude,
            longitude: drop.longitude,
        }
        .check()
        .map_err(HttpError::bad_request)?;
        let max_radius = check_radius(drop.max_radius).map_err(HttpError::bad_request)?;
        self.config.anchor_lat = position.latitude;
        self.config.anchor_lon = position.longitude;
        self.config.max_radius = max_radius;
        self.alarm_active = false;
        self.running = true;
        self.emit_state()?;
        signalk_plugin::set_status(&format!(
            "Anchor dropped at ({:.6}, {:.6})",
            position.latitude, position.longitude
        ));
        Ok(Json(Dropped {
            success: true,
            message: "Anchor dropped",
            position,
            max_radius,
        }))
    }
}

impl AnchorWatch {
    fn anchor(&self) -> Option<Position> {
        let set = self.config.anchor_lat != 0.0 || self.config.anchor_lon != 0.0;
        set.then_some(Position {
            latitude: self.config.anchor_lat,
            longitude: self.config.anchor_lon,
        })
    }

    fn emit_state(&self) -> signalk_plugin::Result<()> {
        let state = if self.running { "on" } else { "off" };
        let mut update = Update::new();
        if let (true, Some(anchor)) = (self.running, self.anchor()) {
            update = update
                .with_value("navigation.anchor.position", RawJson::serialize(&anchor)?)
                .with_value("navigation.anchor.maxRadius", self.config.max_radius);
        }
        emit(&Delta::new().with_update(update.with_value("navigation.anchor.state", state)))
    }

    /// Compares a position of our own vessel with the anchor; raises or clears the alarm.
    fn check_position(&mut self, boat: Position) -> signalk_plugin::Result<()> {
        let Some(anchor) = self.anchor().filter(|_| self.running) else {
            return Ok(());
        };
        let distance = haversine_m(anchor, boat);
        self.last_distance = Some(distance);
        let dragging = distance > self.config.max_radius;
        if dragging && !self.alarm_active {
            self.alarm_active = true;
            let message = format!(
                "Anchor dragging: {distance:.0} m from the anchor (max {} m)",
                self.config.max_radius
            );
            notify(ALARM_PATH, &Notification::new(AlarmState::Alarm, message))?;
        } else if !dragging && self.alarm_active {
            self.alarm_active = false;
            notify(
                ALARM_PATH,
                &Notification::new(AlarmState::Normal, "Anchor holding"),
            )?;
        }
        emit(
            &Delta::new()
                .with_update(Update::new().with_value("navigation.anchor.currentRadius", distance)),
        )
    }
}

/// Great-circle distance in metres.
#[must_use]
pub fn haversine_m(a: Position, b: Position) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_000.0;
    let (lat1, lat2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let dlat = (b.latitude - a.latitude).to_radians();
    let dlon = (b.longitude - a.longitude).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use signalk_plugin::PluginMetadata;
    use signalk_plugin::http::IntoResponse;
    use signalk_plugin::json;
    use signalk_plugin::put::IntoPutReply;
    use signalk_plugin::testing::{self, HostCall};

    const SELF: &str = "vessels.urn:mrn:signalk:uuid:0000";

    fn started(lat: f64, lon: f64) -> AnchorWatch {
        testing::reset();
        let mut a = AnchorWatch::default();
        a.start(Config {
            anchor_lat: lat,
            anchor_lon: lon,
            ..Config::default()
        })
        .unwrap();
        testing::reset();
        // The SDK learns this from the host; natively the test says it.
        testing::set_self_context(SELF);
        a
    }

    fn position(context: &str, lat: f64, lon: f64) -> Delta {
        Delta::for_context(context).with_update(Update::new().with_value(
            "navigation.position",
            json!({"latitude": lat, "longitude": lon}),
        ))
    }

    fn notifications() -> Vec<Notification> {
        testing::calls()
            .into_iter()
            .filter_map(|c| match c {
                HostCall::PublishNotification { path, value } if path == ALARM_PATH => {
                    Some(serde_json::from_str(&value).unwrap())
                }
                _ => None,
            })
            .collect()
    }

    use signalk_plugin::serde_json;

    #[test]
    fn start_emits_state_and_position() {
        testing::reset();
        let mut a = AnchorWatch::default();
        a.start(Config {
            anchor_lat: 52.1,
            anchor_lon: 4.5,
            ..Config::default()
        })
        .unwrap();
        let d = &testing::take_deltas()[0];
        assert_eq!(d.value_of("navigation.anchor.state").unwrap(), "on");
        assert_eq!(
            d.value_of("navigation.anchor.position")
                .unwrap()
                .parse::<Position>()
                .unwrap()
                .latitude,
            52.1
        );
        assert_eq!(d.value_of("navigation.anchor.maxRadius").unwrap(), 50.0);
    }

    #[test]
    fn drifting_beyond_the_radius_raises_then_clears_the_alarm() {
        let mut a = started(52.0, 4.0);
        // ~111 m north: beyond 50 m.
        testing::deliver(&mut a, &position(SELF, 52.001, 4.0));
        let n = notifications();
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].state, AlarmState::Alarm);
        assert!(n[0].message.contains("111 m"), "{}", n[0].message);
        // Still out: no second alarm.
        testing::deliver(&mut a, &position(SELF, 52.0011, 4.0));
        assert_eq!(notifications().len(), 1);
        // Back in: cleared.
        testing::deliver(&mut a, &position(SELF, 52.0001, 4.0));
        let n = notifications();
        assert_eq!(n.len(), 2);
        assert_eq!(n[1].state, AlarmState::Normal);
    }

    #[test]
    fn other_vessels_do_not_trigger_the_alarm() {
        let mut a = started(52.0, 4.0);
        testing::deliver(
            &mut a,
            &position("vessels.urn:mrn:imo:mmsi:230099999", 53.0, 4.0),
        );
        assert!(notifications().is_empty());
        assert!(!a.alarm_active);
    }

    #[test]
    fn a_malformed_position_is_an_error() {
        let mut a = started(52.0, 4.0);
        let bad = Delta::for_context(SELF)
            .with_update(Update::new().with_value("navigation.position", "52N 4E"));
        assert!(a.on_delta(&bad).is_err());
        assert!(notifications().is_empty());
    }

    #[test]
    fn put_max_radius_validates_range() {
        let mut a = started(52.0, 4.0);
        let reply = a.put_max_radius(5.0).into_put_reply();
        assert_eq!(reply.status_code, 400);
        assert_eq!(
            testing::errors(),
            ["Radius must be between 10 and 1000 meters"]
        );
        assert_eq!(a.put_max_radius(75.0).into_put_reply().status_code, 200);
        assert_eq!(a.config.max_radius, 75.0);
        assert_eq!(
            testing::take_deltas()[0]
                .value_of("navigation.anchor.maxRadius")
                .unwrap(),
            75.0
        );
    }

    #[test]
    fn drop_endpoint_validates_and_updates() {
        let mut a = started(0.0, 0.0);
        let bad = HttpRequest::new("POST", "/api/drop")
            .with_body(json!({"latitude": 120, "longitude": 0}));
        let resp = a.drop_anchor(bad).into_response();
        assert_eq!(resp.status_code, 400);
        let good = HttpRequest::new("POST", "/api/drop")
            .with_body(json!({"latitude": 12.5, "longitude": -3.25, "maxRadius": 60}));
        let resp = a.drop_anchor(good).into_response();
        assert_eq!(resp.status_code, 200);
        let status = a
            .status(HttpRequest::new("GET", "/api/status"))
            .into_response();
        let signalk_plugin::http::Body::Json(body) = status.body else {
            panic!()
        };
        let body: signalk_plugin::Value = body.parse().unwrap();
        assert_eq!(body["position"]["latitude"], 12.5);
        assert_eq!(body["maxRadius"], 60.0);
    }

    #[test]
    fn the_config_is_held_to_the_schema_ranges() {
        let parse = |text: &str| signalk_plugin::config::parse::<Config>(text.as_bytes());
        for (text, problem) in [
            (
                r#"{"maxRadius":-5}"#,
                "`maxRadius`: must be at least 10, got -5",
            ),
            (
                r#"{"maxRadius":1e308}"#,
                "`maxRadius`: must be at most 1000, got 1e308",
            ),
            (
                r#"{"anchorLat":1000}"#,
                "`anchorLat`: must be at most 90, got 1000",
            ),
            (
                r#"{"anchorLon":-181}"#,
                "`anchorLon`: must be at least -180, got -181",
            ),
            (
                r#"{"checkInterval":0}"#,
                "`checkInterval`: must be at least 1, got 0",
            ),
        ] {
            let err = parse(text).unwrap().config.check_schema().unwrap_err();
            assert!(err.to_string().ends_with(problem), "{text}: {err}");
        }
        // What the schema allows passes, bounds included.
        let config = parse(r#"{"anchorLat":-90,"anchorLon":180,"maxRadius":10,"checkInterval":300,"enableDebug":true}"#)
            .unwrap()
            .config;
        assert!(config.check_schema().is_ok());
        assert!(AnchorWatch::default().start(config).is_ok());
    }

    /// The PUT handler's and `POST /api/drop`'s radius rule is the schema's range.
    #[test]
    fn check_radius_applies_the_schema_range() {
        let schema: signalk_plugin::Value = serde_json::from_str(Config::SCHEMA).unwrap();
        let radius = &schema["properties"]["maxRadius"];
        let (min, max) = (
            radius["minimum"].as_f64().unwrap(),
            radius["maximum"].as_f64().unwrap(),
        );
        assert!(check_radius(min).is_ok() && check_radius(max).is_ok());
        assert!(check_radius(min - 1e-9).is_err() && check_radius(max + 1e-9).is_err());
    }

    /// The derived schema against the one written by hand before the derive
    /// (`tests/hand-written-schema.json`): the same but for deliberate differences,
    /// applied to the hand-written one here, each with its reason.
    #[test]
    fn the_derived_schema_is_the_hand_written_one_with_deliberate_fixes() {
        let mut expected: signalk_plugin::Value =
            serde_json::from_str(include_str!("../tests/hand-written-schema.json")).unwrap();
        // serde defaults `maxRadius`: the form must not demand it.
        expected.as_object_mut().unwrap().remove("required");
        // The config type denies unknown members.
        expected["additionalProperties"] = json!(false);
        // The ranges the start (and the PUT handler) always enforced on the anchor.
        for (member, limit) in [("anchorLat", 90), ("anchorLon", 180)] {
            expected["properties"][member]["minimum"] = json!(-limit);
            expected["properties"][member]["maximum"] = json!(limit);
        }
        let derived: signalk_plugin::Value = serde_json::from_str(Config::SCHEMA).unwrap();
        assert_eq!(derived, expected);
        assert_eq!(AnchorWatch::SCHEMA, Config::SCHEMA);
    }

    #[test]
    fn the_config_is_an_object_of_known_members() {
        let parse = |text: &str| signalk_plugin::config::parse::<Config>(text.as_bytes());
        let err = parse(r#"{"maxRadius":50,"maxRaduis":60}"#).unwrap_err();
        assert!(
            err.to_string().contains("unknown field `maxRaduis`"),
            "{err}"
        );
        // serde's derive would read an array member by member.
        let err = parse("[52, 4, 50, 10]").unwrap_err();
        assert!(err.to_string().contains("expected struct Config"), "{err}");
        // The server's own `enableDebug` is not an unknown member.
        assert!(parse(r#"{"enableDebug":false}"#).is_ok());
    }

    #[test]
    fn drop_refuses_what_put_max_radius_refuses() {
        let mut a = started(52.0, 4.0);
        for body in [
            json!({"latitude": 1, "longitude": 2, "maxRadius": 1e308}),
            json!({"latitude": 1, "longitude": 2, "maxRadius": -5}),
            json!({"latitude": 1, "longitude": 2, "radius": 60}),
            json!([1, 2, 60]),
        ] {
            let req = HttpRequest::new("POST", "/api/drop").with_body(body.clone());
            let resp = a.drop_anchor(req).into_response();
            assert_eq!(resp.status_code, 400, "{body}");
        }
        assert_eq!(a.config.max_radius, 50.0);
        assert_eq!(a.config.anchor_lat, 52.0);
        assert!(testing::take_deltas().is_empty());
        assert_eq!(a.put_max_radius(1e308).into_put_reply().status_code, 400);
        assert_eq!(a.config.max_radius, 50.0);
    }

    #[test]
    fn haversine_matches_a_known_distance() {
        // One minute of latitude is one nautical mile, 1852 m (within 0.5 %).
        let d = haversine_m(
            Position {
                latitude: 0.0,
                longitude: 0.0,
            },
            Position {
                latitude: 1.0 / 60.0,
                longitude: 0.0,
            },
        );
        assert!((d - 1852.0).abs() < 10.0, "{d}");
    }
}
