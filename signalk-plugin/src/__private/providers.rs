//! What the provider exports do: decode the host's request, call the trait method,
//! encode the reply for the host's 64 KiB buffer. Errors and oversize replies are
//! reported with `sk_set_error` and answered empty, which the server turns into its
//! default (`{}`, `[]`, `null`, `false`). A plugin failed after a panic is not called:
//! the answer is empty and an error log says why.

use std::thread::LocalKey;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::cell::{CallGuard, PluginCell, with_plugin};
use super::park;
use super::report::{error_chain, report};
use super::supervisor;
use crate::provider::{
    DeleteRequest, ForecastRequest, GetRequest, ListRequest, RadarProvider, RadarRequest,
    ResourceProvider, SetRequest, WeatherProvider, WeatherRequest,
};
use crate::{Plugin, PluginResult, RawJson, logging};

/// Encodes a reply, or reports why there is none.
fn encode<R: Serialize>(what: &str, max: usize, result: Option<PluginResult<R>>) -> Vec<u8> {
    let value = match result {
        Some(Ok(value)) => value,
        Some(Err(err)) => {
            report(what, &error_chain(&*err));
            return Vec::new();
        }
        None => {
            report(what, "the plugin is busy");
            return Vec::new();
        }
    };
    match serde_json::to_vec(&value) {
        // Oversize: parked for the chunked channel, or reported and answered empty.
        Ok(bytes) => park::fit(bytes, max, |len| {
            report(
                what,
                &format!("the reply is {len} bytes; the host's buffer holds {max}"),
            );
            Vec::new()
        }),
        Err(err) => {
            report(what, &err.to_string());
            Vec::new()
        }
    }
}

/// Enters a provider export; `None` (answer empty) if the plugin is failed.
fn enter<P: Plugin, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    what: &'static str,
) -> Option<CallGuard> {
    let guard = supervisor::enter(cell, what);
    match supervisor::refusal(cell) {
        None => Some(guard),
        Some(reason) => {
            logging::write(log::Level::Error, &format!("{what}: refused: {reason}"));
            None
        }
    }
}

fn decode<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Option<T> {
    crate::json::from_bytes(bytes)
        .map_err(|err| {
            report(
                what,
                &crate::json::bound(format!("malformed request from the host: {err}")),
            )
        })
        .ok()
}

/// Decodes the request and runs `f`, which calls the provider and encodes its reply
/// while the plugin is still borrowed (replies may borrow from the plugin).
fn call<P: Plugin, const D: bool, Req: DeserializeOwned>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    what: &'static str,
    bytes: &[u8],
    f: impl FnOnce(&mut P, Req) -> Vec<u8>,
) -> Vec<u8> {
    let Some(_guard) = enter(cell, what) else {
        return Vec::new();
    };
    let Some(request) = decode::<Req>(what, bytes) else {
        return Vec::new();
    };
    with_plugin(cell, |plugin| f(plugin, request)).unwrap_or_else(|| {
        report(what, "the plugin is busy");
        Vec::new()
    })
}

/// `resources_list_resources`.
pub fn resources_list<P: Plugin + ResourceProvider, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    bytes: &[u8],
    max: usize,
) -> Vec<u8> {
    let what = "resources_list_resources";
    let Some(query) = crate::json::as_text(bytes)
        .ok()
        .and_then(|t| RawJson::from_text(t.to_owned()).ok())
    else {
        report(what, "malformed request from the host");
        return Vec::new();
    };
    call(cell, what, bytes, |p, req: ListRequest| {
        encode(what, max, Some(p.list_resources(req, query)))
    })
}

/// `resources_get_resource`.
pub fn resources_get<P: Plugin + ResourceProvider, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    bytes: &[u8],
    max: usize,
) -> Vec<u8> {
    call(
        cell,
        "resources_get_resource",
        bytes,
        |p, req: GetRequest| encode("resources_get_resource", max, Some(p.get_resource(req))),
    )
}

/// `resources_set_resource` (the host ignores the reply).
pub fn resources_set<P: Plugin + ResourceProvider, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    bytes: &[u8],
    max: usize,
) -> Vec<u8> {
    call(
        cell,
        "resources_set_resource",
        bytes,
        |p, req: SetRequest| {
            encode(
                "resources_set_resource",
                max,
                Some(p.set_resource(req).map(|()| true)),
            )
        },
    )
}

/// `resources_delete_resource` (the host ignores the reply).
pub fn resources_delete<P: Plugin + ResourceProvider, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    bytes: &[u8],
    max: usize,
) -> Vec<u8> {
    call(
        cell,
        "resources_delete_resource",
        bytes,
        |p, req: DeleteRequest| {
            encode(
                "resources_delete_resource",
                max,
                Some(p.delete_resource(req).map(|()| true)),
            )
        },
    )
}

/// `weather_get_observations`.
pub fn weather_observations<P: Plugin + WeatherProvider, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    bytes: &[u8],
    max: usize,
) -> Vec<u8> {
    call(
        cell,
        "weather_get_observations",
        bytes,
        |p, req: WeatherRequest| encode("weather_get_observations", max, Some(p.observations(req))),
    )
}

/// `weather_get_forecasts`.
pub fn weather_forecasts<P: Plugin + WeatherProvider, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    bytes: &[u8],
    max: usize,
) -> Vec<u8> {
    call(
        cell,
        "weather_get_forecasts",
        bytes,
        |p, req: ForecastRequest| encode("weather_get_forecasts", max, Some(p.forecasts(req))),
    )
}

/// `weather_get_warnings`.
pub fn weather_warnings<P: Plugin + WeatherProvider, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    bytes: &[u8],
    max: usize,
) -> Vec<u8> {
    call(
        cell,
        "weather_get_warnings",
        bytes,
        |p, req: WeatherRequest| encode("weather_get_warnings", max, Some(p.warnings(req))),
    )
}

/// `radar_get_radars` (no input).
pub fn radar_radars<P: Plugin + RadarProvider, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    max: usize,
) -> Vec<u8> {
    let Some(_guard) = enter(cell, "radar_get_radars") else {
        return Vec::new();
    };
    encode("radar_get_radars", max, with_plugin(cell, P::radars))
}

/// The radar methods that take a request; the generated exports name them.
pub use signalk_plugin_abi::radar::RadarMethod;

/// Every `radar_*` export that takes a request.
pub fn radar<P: Plugin + RadarProvider, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    method: RadarMethod,
    bytes: &[u8],
    max: usize,
) -> Vec<u8> {
    let what = "radar";
    let Some(_guard) = enter(cell, what) else {
        return Vec::new();
    };
    let request = match RadarRequest::decode(bytes) {
        Ok(request) => request,
        Err(err) => {
            report(
                what,
                &crate::json::bound(format!("malformed request from the host: {err}")),
            );
            return Vec::new();
        }
    };
    // Setters answer the literal `true`/`false` the host compares with; getters answer
    // the value or `null`.
    with_plugin(cell, |p| {
        use RadarMethod as M;
        let flag = |r: PluginResult<bool>| encode(what, max, Some(r));
        let value = |r: PluginResult<Option<RawJson>>| encode(what, max, Some(r));
        match method {
            M::SetPower => flag(p.set_power(request)),
            M::SetRange => flag(p.set_range(request)),
            M::SetGain => flag(p.set_gain(request)),
            M::SetSea => flag(p.set_sea(request)),
            M::SetRain => flag(p.set_rain(request)),
            M::SetControls => flag(p.set_controls(request)),
            M::CancelTarget => flag(p.cancel_target(request)),
            M::RadarInfo => value(p.radar_info(request)),
            M::Capabilities => value(p.capabilities(request)),
            M::State => value(p.state(request)),
            M::Control => value(p.control(request)),
            M::SetControl => value(p.set_control(request)),
            M::Targets => value(p.targets(request)),
            M::AcquireTarget => value(p.acquire_target(request)),
            M::ArpaSettings => value(p.arpa_settings(request)),
            M::SetArpaSettings => value(p.set_arpa_settings(request)),
            // `RadarMethod` is `#[non_exhaustive]`; the macro exports only the methods
            // above, so this is unreachable. Answer empty, the server's default.
            _ => Vec::new(),
        }
    })
    .unwrap_or_default()
}
