use serde::Deserialize;
use signalk_plugin::ConfigSchema;

#[derive(Deserialize, ConfigSchema)]
struct Config(f64, f64);

fn main() {}
