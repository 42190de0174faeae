// The smallest plugin: no config, no schema, default `stop`.
use signalk_plugin::{NoConfig, Plugin, PluginMetadata, PluginResult, plugin};

#[derive(Default)]
struct Minimal;

#[plugin(id = "minimal", name = "Minimal")]
impl Plugin for Minimal {
    type Config = NoConfig;

    fn start(&mut self, _config: NoConfig) -> PluginResult {
        Ok(())
    }
}

fn main() {
    assert_eq!(Minimal::ID, "minimal");
    assert_eq!(Minimal::NAME, "Minimal");
    assert_eq!(Minimal::SCHEMA, r#"{"type":"object","properties":{}}"#);
    Minimal.start(NoConfig {}).unwrap();
    Minimal.stop().unwrap();
}
