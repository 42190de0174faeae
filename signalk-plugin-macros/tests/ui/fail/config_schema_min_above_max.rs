use serde::Deserialize;
use signalk_plugin::ConfigSchema;

#[derive(Deserialize, ConfigSchema)]
struct Config {
    #[schema(minimum = 10, maximum = 1)]
    radius: f64,
    #[schema(min_items = -1)]
    zones: Vec<f64>,
}

fn main() {}
