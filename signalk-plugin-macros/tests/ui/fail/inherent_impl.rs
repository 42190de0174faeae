use signalk_plugin::plugin;

#[derive(Default)]
struct P;

#[plugin(id = "x", name = "X")]
impl P {
    fn start(&mut self) {}
}

fn main() {}
