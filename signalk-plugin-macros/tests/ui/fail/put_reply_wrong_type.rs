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
    fn set_radius(&mut self, _radius: f64) -> u32 {
        200
    }
}

fn main() {}
