use signalk_plugin::{NoConfig, Plugin, PluginResult, plugin};

struct Radius(f64);

#[derive(Default)]
struct P;

#[plugin(id = "x", name = "X")]
impl Plugin for P {
    type Config = NoConfig;

    fn start(&mut self, _config: NoConfig) -> PluginResult {
        Ok(())
    }

    #[put("navigation.anchor.maxRadius")]
    fn set_radius(&mut self, radius: Radius) {
        let _ = radius.0;
    }
}

fn main() {}
