use signalk_plugin::{NoConfig, Plugin, PluginResult, plugin};

#[derive(Default)]
struct P<T>(T);

#[plugin(id = "x", name = "X")]
impl<T: Default + 'static> Plugin for P<T> {
    type Config = NoConfig;

    fn start(&mut self, _config: NoConfig) -> PluginResult {
        Ok(())
    }
}

fn main() {}
