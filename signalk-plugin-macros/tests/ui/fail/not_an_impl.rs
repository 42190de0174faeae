use signalk_plugin::plugin;

#[plugin(id = "x", name = "X")]
struct P;

fn main() {}
