use signalk_plugin::{NoConfig, Plugin, PluginResult, plugin};

#[derive(Default)]
struct P;

#[plugin(id = "x", name = "X")]
impl Plugin for P {
    type Config = NoConfig;

    fn start(&mut self, _config: NoConfig) -> PluginResult {
        Ok(())
    }

    #[put("a.b_c")]
    fn one(&mut self, _value: f64) {}

    #[put("a_b.c")]
    fn two(&mut self, _value: f64) {}
}

fn main() {}
