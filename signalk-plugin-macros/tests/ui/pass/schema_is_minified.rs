// An inline schema is validated and minified at compile time; key order is kept.
use signalk_plugin::{NoConfig, Plugin, PluginMetadata, PluginResult, plugin};

#[derive(Default)]
struct Schema;

#[plugin(
    id = "schema",
    name = "Schema",
    schema = r#"{
        "type": "object",
        "properties": { "z": { "type": "number" }, "a": { "type": "string" } }
    }"#
)]
impl Plugin for Schema {
    type Config = NoConfig;

    fn start(&mut self, _config: NoConfig) -> PluginResult {
        Ok(())
    }
}

fn main() {
    assert_eq!(
        Schema::SCHEMA,
        r#"{"type":"object","properties":{"z":{"type":"number"},"a":{"type":"string"}}}"#
    );
}
