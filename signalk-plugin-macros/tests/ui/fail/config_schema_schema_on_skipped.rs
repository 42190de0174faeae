use serde::Deserialize;
use signalk_plugin::ConfigSchema;

#[derive(Deserialize, ConfigSchema)]
struct Config {
    #[serde(skip)]
    #[schema(minimum = 1)]
    cache: u32,
}

fn main() {}
