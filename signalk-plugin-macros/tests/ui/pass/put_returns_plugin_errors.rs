// A `#[put]` handler may return `PluginResult` or `Result<_, signalk_plugin::Error>`, so
// `emit(..)?` works in it; a `PutError` inside a `PluginResult` keeps its status code.
use signalk_plugin::put::{IntoPutReply, PutError};
use signalk_plugin::{NoConfig, Plugin, PluginResult, emit_value, plugin};

#[derive(Default)]
struct Anchor {
    radius: f64,
}

#[plugin(id = "anchor", name = "Anchor")]
impl Plugin for Anchor {
    type Config = NoConfig;

    fn start(&mut self, _config: NoConfig) -> PluginResult {
        Ok(())
    }

    #[put("navigation.anchor.maxRadius")]
    fn set_radius(&mut self, radius: f64) -> PluginResult {
        if radius < 10.0 {
            return Err(PutError::bad_request("radius must be at least 10 m").into());
        }
        self.radius = radius;
        emit_value("navigation.anchor.maxRadius", radius)?;
        Ok(())
    }

    #[put("navigation.anchor.currentRadius")]
    fn set_current(&mut self, radius: f64) -> Result<(), signalk_plugin::Error> {
        emit_value("navigation.anchor.currentRadius", radius)
    }

    #[put("navigation.anchor.rodeLength")]
    fn set_rode(&mut self, length: f64) -> Result<(), PutError> {
        emit_value("navigation.anchor.rodeLength", length)?;
        Ok(())
    }
}

fn main() {
    let mut anchor = Anchor::default();
    assert_eq!(anchor.set_radius(50.0).into_put_reply().status_code, 200);
    assert_eq!(anchor.radius, 50.0);
    assert_eq!(anchor.set_radius(5.0).into_put_reply().status_code, 400);
    // A NaN cannot be emitted: the `?` turns the SDK's error into a 500.
    assert_eq!(anchor.set_radius(f64::NAN).into_put_reply().status_code, 500);
    assert_eq!(anchor.set_current(f64::NAN).into_put_reply().status_code, 500);
    assert_eq!(anchor.set_current(12.0).into_put_reply().status_code, 200);
    assert_eq!(anchor.set_rode(f64::INFINITY).into_put_reply().status_code, 500);
    assert_eq!(signalk_plugin::testing::take_deltas().len(), 2);
}
