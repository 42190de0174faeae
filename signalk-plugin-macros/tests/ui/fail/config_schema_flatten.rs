use serde::Deserialize;
use signalk_plugin::ConfigSchema;

#[derive(Deserialize, ConfigSchema)]
struct Inner {
    a: f64,
}

#[derive(Deserialize, ConfigSchema)]
struct Config {
    #[serde(flatten)]
    inner: Inner,
}

fn main() {}
