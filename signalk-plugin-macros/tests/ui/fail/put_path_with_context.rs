use signalk_plugin::{NoConfig, Plugin, PluginResult, plugin};

#[derive(Default)]
struct P;

#[plugin(id = "x", name = "X")]
impl Plugin for P {
    type Config = NoConfig;

    fn start(&mut self, _config: NoConfig) -> PluginResult {
        Ok(())
    }

    // Would register `vessels.self` + `vessels.self.environment…`, which no request matches.
    #[put("vessels.self.environment.wind.smoothing")]
    fn set_smoothing(&mut self, _seconds: f64) {}

    #[put("vessels.urn:mrn:imo:mmsi:230000000.steering.rudderAngle")]
    fn set_rudder(&mut self, _angle: f64) {}
}

fn main() {}
