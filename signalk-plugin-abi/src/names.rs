//! Names of the exports the host calls and of the module the imports come from (§2, §4).

/// The module every host import lives in.
pub const IMPORT_MODULE: &str = "env";

/// Allocates guest memory for the host: `(size) -> ptr` (§4.2).
pub const ALLOCATE: &str = "allocate";
/// Frees what [`ALLOCATE`] gave: `(ptr, size)` (§4.2).
pub const DEALLOCATE: &str = "deallocate";
/// The plugin id, written into a [`crate::buffers::METADATA`] buffer (§4.3).
pub const PLUGIN_ID: &str = "plugin_id";
/// The display name (§4.4).
pub const PLUGIN_NAME: &str = "plugin_name";
/// The configuration JSON schema (§4.4).
pub const PLUGIN_SCHEMA: &str = "plugin_schema";
/// Starts the plugin with its configuration: `(ptr, len) -> status` (§4.5).
pub const PLUGIN_START: &str = "plugin_start";
/// Stops the plugin: `() -> status` (§4.6).
pub const PLUGIN_STOP: &str = "plugin_stop";
/// Called once a second while running: `() -> status` (§4.7).
pub const POLL: &str = "poll";
/// Receives every delta the server handles: `(ptr, len)` (§4.8).
pub const DELTA_HANDLER: &str = "delta_handler";
/// The HTTP route list, written into a [`crate::buffers::METADATA`] buffer (§8.1).
pub const HTTP_ENDPOINTS: &str = "http_endpoints";

/// The exports by which the server recognises a raw (Rust library) plugin: both must
/// be present, or the module is taken for AssemblyScript or refused (§2.2).
pub const RAW_PLUGIN_MARKERS: [&str; 2] = [PLUGIN_ID, ALLOCATE];

/// The export a radar provider answers `getRadars` with: `(out ptr, out max) -> written`,
/// no request (§10.3). The others are in [`crate::radar::RadarMethod`].
pub const RADAR_GET_RADARS: &str = "radar_get_radars";

/// Resource provider exports: `(request ptr, request len, out ptr, out max) -> written` (§10.1).
pub mod resources {
    /// Lists resources of the registered type.
    pub const LIST: &str = "resources_list_resources";
    /// Reads one resource.
    pub const GET: &str = "resources_get_resource";
    /// Creates or replaces one resource.
    pub const SET: &str = "resources_set_resource";
    /// Deletes one resource.
    pub const DELETE: &str = "resources_delete_resource";
}

/// Weather provider exports, same shape as the resource exports (§10.2).
pub mod weather {
    /// Observations at a position.
    pub const OBSERVATIONS: &str = "weather_get_observations";
    /// Forecasts at a position.
    pub const FORECASTS: &str = "weather_get_forecasts";
    /// Warnings at a position.
    pub const WARNINGS: &str = "weather_get_warnings";
}
