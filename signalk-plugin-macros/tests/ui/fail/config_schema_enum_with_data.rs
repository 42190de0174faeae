use serde::Deserialize;
use signalk_plugin::ConfigSchema;

#[derive(Deserialize, ConfigSchema)]
enum Source {
    Serial,
    Network { host: String },
}

fn main() {}
