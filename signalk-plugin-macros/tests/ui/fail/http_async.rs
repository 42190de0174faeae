use signalk_plugin::{NoConfig, Plugin, PluginResult, plugin};

#[derive(Default)]
struct P;

#[plugin(id = "x", name = "X")]
impl Plugin for P {
    type Config = NoConfig;

    fn start(&mut self, _config: NoConfig) -> PluginResult {
        Ok(())
    }

    #[http(GET, "/a")]
    async fn one(&mut self, _req: signalk_plugin::http::HttpRequest) {}
}

fn main() {}
