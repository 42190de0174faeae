use serde::Deserialize;
use signalk_plugin::ConfigSchema;

#[derive(Deserialize, ConfigSchema)]
struct Config {
    #[schema(minimun = 1)]
    count: u32,
}

fn main() {}
