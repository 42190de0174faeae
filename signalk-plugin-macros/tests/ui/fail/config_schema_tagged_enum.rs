use serde::Deserialize;
use signalk_plugin::ConfigSchema;

#[derive(Deserialize, ConfigSchema)]
#[serde(tag = "kind")]
enum Source {
    Serial,
    Network,
}

fn main() {}
