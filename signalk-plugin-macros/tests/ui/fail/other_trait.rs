use signalk_plugin::plugin;

#[derive(Default)]
struct P;

#[plugin(id = "x", name = "X")]
impl Clone for P {
    fn clone(&self) -> Self {
        P
    }
}

fn main() {}
