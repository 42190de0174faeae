use serde::Deserialize;
use signalk_plugin::ConfigSchema;

#[derive(Deserialize, ConfigSchema)]
struct Config {
    #[schema(minimum = 1)]
    name: String,
    #[schema(max_length = 3)]
    count: u32,
}

fn main() {}
