use serde::Deserialize;
use signalk_plugin::ConfigSchema;

#[derive(Deserialize, ConfigSchema)]
#[serde(rename_all = "camelcase")]
struct Config {
    max_radius: f64,
}

fn main() {}
