//! The benchmark plugin, written with the SDK the way its documentation shows. Its twin,
//! `../raw`, does the same thing by hand; the runner
//! (`signalk-plugin-host-mock/benches/guest.rs`) calls both with the same inputs.
//!
//! Behaviour (identical in the twin):
//! - `on_delta`: for every value, `navigation.position` is read as a [`Position`],
//!   `navigation.state` as text, identity entries (empty path) are skipped and every
//!   other value is read as a number and summed; the own vessel's and other vessels'
//!   values are told apart.
//! - `bench_emit(n)`: emits one delta of `n` (1..=10) numeric values of this vessel
//!   (`bench_emit_builder`: the same with the `Delta` builder).
//! - `GET /api/status`: a small JSON reply built from the plugin's state.
//! - PUT `navigation.anchor.position`: a [`Position`] value, checked and stored.

use serde::{Deserialize, Serialize};
use signalk_plugin::http::{HttpRequest, Json};
use signalk_plugin::put::PutError;
use signalk_plugin::{Delta, NoConfig, Plugin, PluginResult, Update, emit, emit_values, plugin};

/// A position, as Signal K writes it.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize)]
pub struct Position {
    latitude: f64,
    longitude: f64,
}

/// The paths `bench_emit` sends, in order.
pub const EMIT_PATHS: [&str; 10] = [
    "navigation.speedOverGround",
    "navigation.courseOverGroundTrue",
    "navigation.headingTrue",
    "navigation.rateOfTurn",
    "environment.depth.belowKeel",
    "environment.wind.speedApparent",
    "environment.wind.angleApparent",
    "environment.water.temperature",
    "electrical.batteries.house.voltage",
    "propulsion.main.revolutions",
];

/// What the plugin has seen.
#[derive(Debug, Default)]
pub struct Tracker {
    own: Position,
    target: Position,
    sum: f64,
    numbers: u32,
    targets: u32,
    moving: u32,
    anchor: Option<Position>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    numbers: u32,
    sum: f64,
    targets: u32,
    position: Position,
    anchor: Option<Position>,
}

#[plugin(id = "guest-bench", name = "Guest benchmark (SDK)")]
impl Plugin for Tracker {
    type Config = NoConfig;

    fn start(&mut self, _: NoConfig) -> PluginResult {
        Ok(())
    }

    fn on_delta(&mut self, delta: &Delta) -> PluginResult {
        let own = delta.is_self();
        if !own {
            self.targets += 1;
        }
        for value in delta.values() {
            match value.path.as_str() {
                "navigation.position" => {
                    let position: Position = value.value.parse()?;
                    if own {
                        self.own = position;
                    } else {
                        self.target = position;
                    }
                }
                "navigation.state" => {
                    if value.value.parse::<&str>()? != "moored" {
                        self.moving += 1;
                    }
                }
                "" => {}
                _ => {
                    self.sum += value.value.parse::<f64>()?;
                    self.numbers += 1;
                }
            }
        }
        Ok(())
    }

    #[http(GET, "/api/status")]
    fn status(&mut self, _req: HttpRequest) -> Json<Status> {
        Json(Status {
            numbers: self.numbers,
            sum: self.sum,
            targets: self.targets,
            position: self.own,
            anchor: self.anchor,
        })
    }

    #[put("navigation.anchor.position")]
    fn put_anchor(&mut self, position: Position) -> Result<(), PutError> {
        if !(-90.0..=90.0).contains(&position.latitude)
            || !(-180.0..=180.0).contains(&position.longitude)
        {
            return Err(PutError::bad_request("the position is out of range"));
        }
        self.anchor = Some(position);
        Ok(())
    }
}

/// The count of values to emit, given as decimal text in the input buffer (the host's
/// buffer protocol, so the mock host can call these exports too).
///
/// # Safety
/// `in_ptr..in_ptr+in_len` must be the input buffer the host allocated for this call.
unsafe fn count(in_ptr: i32, in_len: i32) -> usize {
    usize::try_from(in_len)
        .ok()
        .filter(|_| in_ptr != 0)
        // SAFETY: guaranteed by the caller.
        .map(|len| unsafe { std::slice::from_raw_parts(in_ptr as usize as *const u8, len) })
        .and_then(|text| std::str::from_utf8(text).ok()?.parse::<usize>().ok())
        .unwrap_or(0)
        .min(EMIT_PATHS.len())
}

/// Emits one delta of `count` numeric values (1..=10) with [`signalk_plugin::emit_values`];
/// returns 0 when sent, 1 on an error. Writes nothing to the output buffer.
///
/// # Safety
/// As [`count`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bench_emit(in_ptr: i32, in_len: i32, _out_ptr: i32, _out_max: i32) -> i32 {
    // SAFETY: guaranteed by the caller.
    let count = unsafe { count(in_ptr, in_len) };
    let mut values = [("", 0.0); 10];
    for (i, (slot, path)) in values.iter_mut().zip(EMIT_PATHS).enumerate() {
        *slot = (path, 1.25 + i as f64);
    }
    match emit_values(&values[..count]) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// As [`bench_emit`], with the [`Delta`] builder and [`emit`].
///
/// # Safety
/// As [`count`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bench_emit_builder(
    in_ptr: i32,
    in_len: i32,
    _out_ptr: i32,
    _out_max: i32,
) -> i32 {
    // SAFETY: guaranteed by the caller.
    let count = unsafe { count(in_ptr, in_len) };
    let mut update = Update::new();
    for (i, path) in EMIT_PATHS.iter().take(count).enumerate() {
        update = update.with_value(*path, 1.25 + i as f64);
    }
    match emit(&Delta::new().with_update(update)) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
