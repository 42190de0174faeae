use signalk_plugin::{Plugin, PluginResult, plugin};

struct Config {
    limit: f64,
}

#[derive(Default)]
struct P;

#[plugin(id = "x", name = "X")]
impl Plugin for P {
    type Config = Config;

    fn start(&mut self, config: Config) -> PluginResult {
        let _ = config.limit;
        Ok(())
    }
}

fn main() {}
