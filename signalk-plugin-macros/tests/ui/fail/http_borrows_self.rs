use signalk_plugin::http::HttpRequest;
use signalk_plugin::{NoConfig, Plugin, PluginResult, plugin};

#[derive(Default)]
struct P {
    name: String,
}

#[plugin(id = "x", name = "X")]
impl Plugin for P {
    type Config = NoConfig;

    fn start(&mut self, _config: NoConfig) -> PluginResult {
        Ok(())
    }

    #[http(GET, "/name")]
    fn name(&mut self, _req: HttpRequest) -> &str {
        &self.name
    }
}

fn main() {}
