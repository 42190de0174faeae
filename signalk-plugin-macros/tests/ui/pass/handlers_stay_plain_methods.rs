// `#[put]` and `#[http]` methods become ordinary inherent methods a native test can call;
// `poll` and `on_delta` stay trait methods; other attributes on handlers are kept.
use serde::Deserialize;
use signalk_plugin::http::{HttpError, HttpRequest, Json};
use signalk_plugin::put::PutError;
use signalk_plugin::{Delta, Plugin, PluginResult, plugin};

#[derive(Deserialize)]
struct Config {
    limit: f64,
}

#[derive(Default)]
struct Anchor {
    radius: f64,
    limit: f64,
    deltas: usize,
}

#[plugin(id = "anchor", name = "Anchor")]
impl Plugin for Anchor {
    type Config = Config;

    fn start(&mut self, config: Config) -> PluginResult {
        self.limit = config.limit;
        Ok(())
    }

    fn poll(&mut self) -> PluginResult {
        Ok(())
    }

    fn on_delta(&mut self, _delta: &Delta) -> PluginResult {
        self.deltas += 1;
        Ok(())
    }

    /// Sets the alarm radius.
    #[put("navigation.anchor.maxRadius")]
    #[inline]
    fn set_radius(&mut self, radius: f64) -> Result<(), PutError> {
        if radius > self.limit {
            return Err(PutError::new(400, "too large"));
        }
        self.radius = radius;
        Ok(())
    }

    #[put("environment.depth.alarm", context = "vessels.urn:mrn:imo:mmsi:230000000")]
    fn set_depth_alarm(&mut self, on: bool) {
        self.limit = if on { 1.0 } else { 0.0 };
    }

    #[http(GET, "/radius")]
    fn radius(&mut self, _req: HttpRequest) -> Result<Json<f64>, HttpError> {
        Ok(Json(self.radius))
    }

    #[http(delete, "/radius/:id")]
    fn clear(&mut self, req: HttpRequest) -> Result<String, HttpError> {
        Ok(format!("cleared {}", req.param("id")?))
    }
}

fn main() {
    let mut anchor = Anchor::default();
    anchor.start(Config { limit: 100.0 }).unwrap();
    anchor.set_radius(50.0).unwrap();
    assert!(anchor.set_radius(150.0).is_err());
    assert_eq!(anchor.radius, 50.0);
    anchor.on_delta(&Delta::new()).unwrap();
    assert_eq!(anchor.deltas, 1);
    anchor.set_depth_alarm(false);
    assert_eq!(anchor.limit, 0.0);
    let req = HttpRequest::new("DELETE", "/radius/7").with_params(signalk_plugin::json!({"id": "7"}));
    assert_eq!(anchor.clear(req).unwrap(), "cleared 7");
}
