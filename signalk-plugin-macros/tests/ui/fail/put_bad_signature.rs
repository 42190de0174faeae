use signalk_plugin::{NoConfig, Plugin, PluginResult, plugin};

#[derive(Default)]
struct P;

#[plugin(id = "x", name = "X")]
impl Plugin for P {
    type Config = NoConfig;

    fn start(&mut self, _config: NoConfig) -> PluginResult {
        Ok(())
    }

    #[put("navigation.anchor.maxRadius")]
    fn set_radius(&self, radius: f64, unit: String) {
        let _ = (radius, unit);
    }
}

fn main() {}
