use serde::Deserialize;
use signalk_plugin::ConfigSchema;

#[derive(Deserialize, ConfigSchema)]
struct Config {
    #[schema(pattern = "^[a-z]+$")]
    name: String,
}

fn main() {}
