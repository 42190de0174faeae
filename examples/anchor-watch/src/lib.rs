//! Anchor watch, written with `signalk-plugin`: the same behaviour as signalk-server's
//! hand-written Rust example (configuration, PUT handlers for the anchor position, max
//! radius and state, HTTP endpoints `status`, `position` and `drop`), plus the drag
//! alarm: positions received through `delta_handler` are checked against the anchor,
//! and a notification is raised when the boat drifts beyond the radius.
//!
//! No `unsafe`, no buffers, no JSON by hand: everything below is plain Rust and is
//! unit-tested natively at the bottom of this file.

use serde::{Deserialize, Serialize};
use signalk_plugin::http::{HttpError, HttpRequest, Json};
use signalk_plugin::put::{PutError, PutReply};
use signalk_plugin::{
    AlarmState, Delta, Notification, Plugin, PluginResult, RawJson, Update, emit, log, notify,
    plugin,
};

/// Where the drag alarm is published.
pub const ALARM_PATH: &str = "notifications.navigation.anchor";

/// The configuration (see `schema.json`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// Anchor latitude in degrees; 0 with 0 means "not set".
    #[serde(default)]
    pub anchor_lat: f64,
    /// Anchor longitude in degrees.
    #[serde(default)]
    pub anchor_lon: f64,
    /// Alarm radius in metres.
    #[serde(default = "default_max_radius")]
    pub max_radius: f64,
    /// Check interval in seconds (reported only).
    #[serde(default = "default_interval")]
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
#[serde(rename_all = "camelCase")]
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
    /// Our own vessel's resolved context (`vessels.urn:…`), learnt from the echo of our
    /// own deltas: the server never delivers `vessels.self`.
    self_context: Option<String>,
    /// Package name the server uses as `$source` for our deltas.
    package: Option<String>,
    last_distance: Option<f64>,
}

#[plugin(
    id = "anchor-watch",
    name = "Anchor Watch (Rust)",
    schema_file = "schema.json"
)]
impl Plugin for AnchorWatch {
    type Config = Config;

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
        self.package = std::env::var("PLUGIN_ID").ok();
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

    fn poll(&mut self) -> PluginResult {
        // Until our own echo has told us which context is "self", re-announce the
        // anchor state; the server delivers the echo right back to `on_delta`.
        if self.running && self.self_context.is_none() {
            self.emit_state()?;
        }
        Ok(())
    }

    fn on_delta(&mut self, delta: &Delta) {
        let Some(context) = delta.context.as_deref() else {
            return;
        };
        for update in &delta.updates {
            let ours = update.source_ref.is_some() && update.source_ref == self.package;
            if ours && self.self_context.is_none() {
                self.self_context = Some(context.to_owned());
            }
        }
        if self.self_context.as_deref() != Some(context) {
            return; // another vessel (AIS) or not known yet
        }
        let position = delta
            .value_of("navigation.position")
            .and_then(|v| v.parse::<Position>().ok());
        if let Some(position) = position
            && let Err(err) = self.check_position(position)
        {
            log::error!("anchor check failed: {err}");
        }
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
        if !(10.0..=1000.0).contains(&radius) {
            signalk_plugin::set_error("Radius must be between 10 and 1000 meters");
            return Err(PutError::bad_request(
                "Radius must be between 10 and 1000 meters",
            ));
        }
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
        self.config.anchor_lat = position.latitude;
        self.config.anchor_lon = position.longitude;
        self.config.max_radius = drop.max_radius;
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
            max_radius: drop.max_radius,
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
        a.package = Some("anchor-watch".into());
        // The server's echo of our own delta tells us who "self" is.
        let mut echo = Delta::for_context(SELF)
            .with_update(Update::new().with_value("navigation.anchor.state", "on"));
        echo.updates[0].source_ref = Some("anchor-watch".into());
        a.on_delta(&echo);
        testing::reset();
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
        a.on_delta(&position(SELF, 52.001, 4.0));
        let n = notifications();
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].state, AlarmState::Alarm);
        assert!(n[0].message.contains("111 m"), "{}", n[0].message);
        // Still out: no second alarm.
        a.on_delta(&position(SELF, 52.0011, 4.0));
        assert_eq!(notifications().len(), 1);
        // Back in: cleared.
        a.on_delta(&position(SELF, 52.0001, 4.0));
        let n = notifications();
        assert_eq!(n.len(), 2);
        assert_eq!(n[1].state, AlarmState::Normal);
    }

    #[test]
    fn other_vessels_do_not_trigger_the_alarm() {
        let mut a = started(52.0, 4.0);
        a.on_delta(&position("vessels.urn:mrn:imo:mmsi:230099999", 53.0, 4.0));
        assert!(notifications().is_empty());
        assert!(!a.alarm_active);
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
