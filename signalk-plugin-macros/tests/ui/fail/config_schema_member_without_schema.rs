use serde::Deserialize;
use signalk_plugin::ConfigSchema;

#[derive(Deserialize)]
struct Zone {
    upper: f64,
}

#[derive(Deserialize, ConfigSchema)]
struct Config {
    zones: Vec<Zone>,
}

fn main() {}
