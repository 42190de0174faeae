use signalk_plugin::{NoConfig, Plugin, PluginResult, plugin};

#[derive(Default)]
struct P;

#[plugin(id = "x", name = "X")]
impl Plugin for P {
    fn start(&mut self, _config: NoConfig) -> PluginResult {
        Ok(())
    }
}

fn main() {}
