//! The benchmark plugin written by hand, the best way: raw FFI, typed and borrowed serde
//! structs (`Cow<str>`, `&RawValue`), nothing parsed that the plugin does not read and
//! nothing copied that need not be. Same behaviour and exports as `../sdk` (see there).

use std::alloc::{Layout, alloc, dealloc};
use std::borrow::Cow;
use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn sk_handle_message(ptr: *const u8, len: usize, version: i32);
    fn sk_get_self_path(
        path_ptr: *const u8,
        path_len: usize,
        buf_ptr: *mut u8,
        buf_max: usize,
    ) -> i32;
}

const ID: &str = "guest-bench";
const NAME: &str = "Guest benchmark (raw)";
const SCHEMA: &str = r#"{"type":"object","properties":{}}"#;
const ROUTES: &str = r#"[{"method":"GET","path":"/api/status","handler":"http_status"}]"#;

/// The paths `bench_emit` sends, in order (as in the SDK twin).
const EMIT_PATHS: [&str; 10] = [
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

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize)]
struct Position {
    latitude: f64,
    longitude: f64,
}

#[derive(Default)]
struct Tracker {
    own_context: Option<String>,
    own: Position,
    target: Position,
    sum: f64,
    numbers: u32,
    targets: u32,
    moving: u32,
    anchor: Option<Position>,
}

thread_local! {
    static STATE: RefCell<Tracker> = RefCell::new(Tracker::default());
}

// ---- the host's buffers ---------------------------------------------------------------

#[unsafe(no_mangle)]
pub extern "C" fn allocate(size: i32) -> i32 {
    match usize::try_from(size) {
        Ok(0) => 1,
        Ok(size) => match Layout::from_size_align(size, 1) {
            // SAFETY: non-zero size.
            Ok(layout) => unsafe { alloc(layout) as usize as i32 },
            Err(_) => 0,
        },
        Err(_) => 0,
    }
}

/// # Safety
/// `ptr` must come from `allocate(size)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn deallocate(ptr: i32, size: i32) {
    let Ok(size) = usize::try_from(size) else {
        return;
    };
    if ptr == 0 || size == 0 {
        return;
    }
    if let Ok(layout) = Layout::from_size_align(size, 1) {
        // SAFETY: guaranteed by the caller.
        unsafe { dealloc(ptr as usize as *mut u8, layout) }
    }
}

/// # Safety
/// The range must be the host's input buffer.
unsafe fn input<'a>(ptr: i32, len: i32) -> &'a [u8] {
    match usize::try_from(len) {
        // SAFETY: guaranteed by the caller.
        Ok(len) if ptr != 0 => unsafe {
            std::slice::from_raw_parts(ptr as usize as *const u8, len)
        },
        _ => &[],
    }
}

/// # Safety
/// The range must be the host's output buffer.
unsafe fn output(out_ptr: i32, out_max: i32, bytes: &[u8]) -> i32 {
    if out_ptr == 0 || usize::try_from(out_max).map_or(true, |max| bytes.len() > max) {
        return 0;
    }
    // SAFETY: guaranteed by the caller; length checked.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), out_ptr as usize as *mut u8, bytes.len())
    };
    bytes.len() as i32
}

// ---- metadata and lifecycle -----------------------------------------------------------

/// # Safety
/// The range must be the host's output buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn plugin_id(out_ptr: i32, out_max: i32) -> i32 {
    // SAFETY: the host's output buffer.
    unsafe { output(out_ptr, out_max, ID.as_bytes()) }
}

/// # Safety
/// The range must be the host's output buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn plugin_name(out_ptr: i32, out_max: i32) -> i32 {
    // SAFETY: the host's output buffer.
    unsafe { output(out_ptr, out_max, NAME.as_bytes()) }
}

/// # Safety
/// The range must be the host's output buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn plugin_schema(out_ptr: i32, out_max: i32) -> i32 {
    // SAFETY: the host's output buffer.
    unsafe { output(out_ptr, out_max, SCHEMA.as_bytes()) }
}

/// # Safety
/// The range must be the host's output buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn http_endpoints(out_ptr: i32, out_max: i32) -> i32 {
    // SAFETY: the host's output buffer.
    unsafe { output(out_ptr, out_max, ROUTES.as_bytes()) }
}

/// Learns the own vessel's context from the host (`"mmsi"`), as the SDK does first.
fn own_context() -> Option<String> {
    let mut buf = [0u8; 256];
    let path = "mmsi";
    // SAFETY: both ranges are valid for the call.
    let n = unsafe { sk_get_self_path(path.as_ptr(), path.len(), buf.as_mut_ptr(), buf.len()) };
    let text = buf.get(..usize::try_from(n).ok()?)?;
    let id: &str = serde_json::from_slice(text).ok()?;
    Some(format!("vessels.urn:mrn:imo:mmsi:{id}"))
}

#[unsafe(no_mangle)]
pub extern "C" fn plugin_start(_ptr: i32, _len: i32) -> i32 {
    STATE.with(|s| {
        *s.borrow_mut() = Tracker {
            own_context: own_context(),
            ..Tracker::default()
        };
    });
    0
}

#[unsafe(no_mangle)]
pub extern "C" fn plugin_stop() -> i32 {
    0
}

// ---- deltas in ------------------------------------------------------------------------

// Without a feature this is the twin: it decodes only what `on_delta` reads and skips
// the rest. The features build the floor references the runner prints under the table:
// the same plugin decoding everything the SDK delivers, typed and borrowed (`keep`), and
// the same with the source left as raw text until read (`keep-lazy-source`). They tell
// what the SDK's deliveries cost at best, apart from how the SDK decodes them.

#[derive(Deserialize)]
struct DeltaIn<'a> {
    #[serde(borrow)]
    context: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    updates: Vec<UpdateIn<'a>>,
}

#[cfg(not(feature = "keep"))]
#[derive(Deserialize)]
struct UpdateIn<'a> {
    #[serde(borrow, default)]
    values: Vec<ValueIn<'a>>,
}

/// Kept as the SDK keeps them; the benchmark plugin never reads them.
#[cfg(feature = "keep")]
#[allow(dead_code)]
#[derive(Deserialize)]
struct UpdateIn<'a> {
    #[cfg(not(feature = "keep-lazy-source"))]
    #[serde(borrow)]
    source: Option<SourceIn<'a>>,
    #[cfg(feature = "keep-lazy-source")]
    #[serde(borrow)]
    source: Option<&'a RawValue>,
    #[serde(borrow, rename = "$source")]
    source_ref: Option<Cow<'a, str>>,
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    values: Vec<ValueIn<'a>>,
    #[serde(borrow, default)]
    meta: Vec<ValueIn<'a>>,
    #[serde(borrow, rename = "notificationId")]
    notification_id: Option<Cow<'a, str>>,
}

/// The source's members the SDK's `Source` has fields for.
#[cfg(all(feature = "keep", not(feature = "keep-lazy-source")))]
#[allow(dead_code)]
#[derive(Deserialize)]
struct SourceIn<'a> {
    #[serde(borrow)]
    label: Cow<'a, str>,
    #[serde(borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    src: Option<Cow<'a, str>>,
    pgn: Option<u32>,
    #[serde(borrow)]
    instance: Option<Cow<'a, str>>,
    #[serde(borrow)]
    sentence: Option<Cow<'a, str>>,
    #[serde(borrow)]
    talker: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct ValueIn<'a> {
    #[serde(borrow)]
    path: Cow<'a, str>,
    #[serde(borrow)]
    value: &'a RawValue,
}

fn on_delta(state: &mut Tracker, delta: &DeltaIn<'_>) -> Result<(), serde_json::Error> {
    let own = match (&delta.context, &state.own_context) {
        (None, _) => true,
        (Some(c), Some(own)) => c == own,
        (Some(_), None) => false,
    };
    if !own {
        state.targets += 1;
    }
    for value in delta.updates.iter().flat_map(|u| &u.values) {
        match &*value.path {
            "navigation.position" => {
                let position: Position = serde_json::from_str(value.value.get())?;
                if own {
                    state.own = position;
                } else {
                    state.target = position;
                }
            }
            "navigation.state" => {
                let text: Cow<'_, str> = match serde_json::from_str::<&str>(value.value.get()) {
                    Ok(text) => Cow::Borrowed(text),
                    Err(_) => Cow::Owned(serde_json::from_str::<String>(value.value.get())?),
                };
                if text != "moored" {
                    state.moving += 1;
                }
            }
            "" => {}
            _ => {
                state.sum += serde_json::from_str::<f64>(value.value.get())?;
                state.numbers += 1;
            }
        }
    }
    Ok(())
}

/// # Safety
/// The range must be the host's input buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn delta_handler(ptr: i32, len: i32) {
    // SAFETY: guaranteed by the caller.
    let json = unsafe { input(ptr, len) };
    // The floors read the text as the SDK does: one UTF-8 check of the whole input,
    // then no check per string.
    #[cfg(feature = "keep")]
    let Some(delta) = std::str::from_utf8(json)
        .ok()
        .and_then(|text| serde_json::from_str::<DeltaIn<'_>>(text).ok())
    else {
        return;
    };
    #[cfg(not(feature = "keep"))]
    let Ok(delta) = serde_json::from_slice::<DeltaIn<'_>>(json) else {
        return;
    };
    STATE.with(|s| {
        let _ = on_delta(&mut s.borrow_mut(), &delta);
    });
}

// ---- emit -----------------------------------------------------------------------------

#[derive(Serialize)]
struct DeltaOut<'a> {
    updates: [UpdateOut<'a>; 1],
}

#[derive(Serialize)]
struct UpdateOut<'a> {
    values: &'a [ValueOut],
}

#[derive(Serialize)]
struct ValueOut {
    path: &'static str,
    value: f64,
}

/// # Safety
/// The input range must be the host's input buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bench_emit(in_ptr: i32, in_len: i32, _out_ptr: i32, _out_max: i32) -> i32 {
    // SAFETY: guaranteed by the caller.
    let text = unsafe { input(in_ptr, in_len) };
    let count = std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(0)
        .min(EMIT_PATHS.len());
    let mut values = [const {
        ValueOut {
            path: "",
            value: 0.0,
        }
    }; 10];
    for (i, (slot, path)) in values.iter_mut().zip(EMIT_PATHS).take(count).enumerate() {
        *slot = ValueOut {
            path,
            value: 1.25 + i as f64,
        };
    }
    let values = &values[..count];
    if values.is_empty() || values.iter().any(|v| !v.value.is_finite()) {
        return 1;
    }
    let Ok(json) = serde_json::to_vec(&DeltaOut {
        updates: [UpdateOut { values }],
    }) else {
        return 1;
    };
    // SAFETY: the slice is valid for the call.
    unsafe { sk_handle_message(json.as_ptr(), json.len(), 1) };
    0
}

// ---- HTTP -----------------------------------------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    numbers: u32,
    sum: f64,
    targets: u32,
    position: Position,
    anchor: Option<Position>,
}

#[derive(Serialize)]
struct Envelope<'a, B> {
    #[serde(rename = "statusCode")]
    status_code: u16,
    headers: Headers,
    body: &'a B,
}

#[derive(Serialize)]
struct Headers {
    #[serde(rename = "Content-Type")]
    content_type: &'static str,
}

/// # Safety
/// The ranges must be the host's input and output buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn http_status(
    _in_ptr: i32,
    _in_len: i32,
    out_ptr: i32,
    out_max: i32,
) -> i32 {
    // The route reads nothing of the request: a hand-writer does not parse it.
    let status = STATE.with(|s| {
        let s = s.borrow();
        Status {
            numbers: s.numbers,
            sum: s.sum,
            targets: s.targets,
            position: s.own,
            anchor: s.anchor,
        }
    });
    let envelope = Envelope {
        status_code: 200,
        headers: Headers {
            content_type: "application/json",
        },
        body: &status,
    };
    let json = serde_json::to_vec(&envelope).unwrap_or_default();
    // SAFETY: guaranteed by the caller.
    unsafe { output(out_ptr, out_max, &json) }
}

// ---- PUT ------------------------------------------------------------------------------

#[derive(Serialize)]
struct PutReply<'a> {
    state: &'static str,
    #[serde(rename = "statusCode")]
    status_code: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

/// # Safety
/// The ranges must be the host's input and output buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn handle_put_vessels_self_navigation_anchor_position(
    in_ptr: i32,
    in_len: i32,
    out_ptr: i32,
    out_max: i32,
) -> i32 {
    // SAFETY: guaranteed by the caller.
    let value = unsafe { input(in_ptr, in_len) };
    let reply = match serde_json::from_slice::<Position>(value) {
        Ok(p)
            if (-90.0..=90.0).contains(&p.latitude) && (-180.0..=180.0).contains(&p.longitude) =>
        {
            STATE.with(|s| s.borrow_mut().anchor = Some(p));
            PutReply {
                state: "COMPLETED",
                status_code: 200,
                message: None,
            }
        }
        Ok(_) => PutReply {
            state: "COMPLETED",
            status_code: 400,
            message: Some("the position is out of range"),
        },
        Err(_) => PutReply {
            state: "COMPLETED",
            status_code: 400,
            message: Some("invalid value"),
        },
    };
    let json = serde_json::to_vec(&reply).unwrap_or_default();
    // SAFETY: guaranteed by the caller.
    unsafe { output(out_ptr, out_max, &json) }
}
