use serde::{Deserialize, Deserializer};
use signalk_plugin::ConfigSchema;

fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    f64::deserialize(d)
}

#[derive(Deserialize, ConfigSchema)]
struct Config {
    #[serde(deserialize_with = "lenient")]
    speed: f64,
}

fn main() {}
