use serde::Deserialize;
use signalk_plugin::ConfigSchema;

#[derive(Deserialize, ConfigSchema)]
struct Config {
    #[schema(default = 5)]
    count: u32,
}

fn main() {}
