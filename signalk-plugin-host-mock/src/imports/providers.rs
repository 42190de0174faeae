//! §3.7 — resource, weather and radar provider registration.

use wasmtime::Caller;

use super::{Args, Binding, Reply};
use crate::memory;
use crate::state::{HostState, ProviderRecord};
use signalk_plugin_abi::Capability;
use signalk_plugin_abi::HostCall;

pub(crate) const BINDINGS: &[Binding] = &[
    Binding {
        name: "sk_register_resource_provider",
        call: register_resource,
        failure: Reply::I32(0),
    },
    Binding {
        name: "sk_register_weather_provider",
        call: register_weather,
        failure: Reply::I32(0),
    },
    Binding {
        name: "sk_register_radar_provider",
        call: register_radar,
        failure: Reply::I32(0),
    },
];

fn text(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Option<String> {
    memory::read_text(caller, args.i32(0), args.i32(1))
}

/// The host record starts without an instance pointer; only the end of a successful
/// `plugin_start` fills it in (see `MockHost::start`).
fn record(state: &HostState) -> ProviderRecord {
    ProviderRecord {
        ready: state.provider_ready_now(),
    }
}

/// Keyed `<packageName>:<type>`: one plugin may provide several types. An empty type
/// makes the server's register throw, so the import returns 0.
fn register_resource(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let Some(kind) = text(caller, args) else {
        return Reply::I32(0);
    };
    let state = caller.data_mut();
    state.record(HostCall::RegisterResourceProvider(kind.clone()));
    if !state
        .options
        .capabilities
        .granted(Capability::ResourceProvider)
        || kind.is_empty()
    {
        return Reply::I32(0);
    }
    let rec = record(state);
    state.resource_providers.insert(kind, rec);
    Reply::I32(1)
}

fn register_weather(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let Some(name) = text(caller, args) else {
        return Reply::I32(0);
    };
    let state = caller.data_mut();
    state.record(HostCall::RegisterWeatherProvider(name));
    if !state
        .options
        .capabilities
        .granted(Capability::WeatherProvider)
    {
        return Reply::I32(0);
    }
    state.weather_provider = Some(record(state));
    Reply::I32(1)
}

fn register_radar(caller: &mut Caller<'_, HostState>, args: &Args<'_>) -> Reply {
    let Some(name) = text(caller, args) else {
        return Reply::I32(0);
    };
    let state = caller.data_mut();
    state.record(HostCall::RegisterRadarProvider(name));
    if !state
        .options
        .capabilities
        .granted(Capability::RadarProvider)
    {
        return Reply::I32(0);
    }
    state.radar_provider = Some(record(state));
    Reply::I32(1)
}
