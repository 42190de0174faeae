//! The server around the plugin, as a client or a plugin sees it: the full data model
//! with its metadata and display units, the notifications API's handling of
//! notification deltas, PUT requests over REST and WebSocket, and the routes a client
//! calls ([`MockHost::serve`](crate::MockHost::serve),
//! [`MockHost::ws_put`](crate::MockHost::ws_put)). Each file ports one piece of
//! signalk-server 2.32.0 (or of the `@signalk/*` package it uses) and names it; the
//! repository's `docs/mock-host/server.md` lists the rules.

mod assign;
pub(crate) mod members;
pub(crate) mod metadata;
pub(crate) mod model;
pub(crate) mod notifications;
mod reference;
pub(crate) mod requests;
mod routes;
mod units;

pub(crate) use assign::spread;
pub use metadata::schema_meta;
pub(crate) use routes::js_message;

/// The metadata the REST API shows for a path (any context) that got its first value
/// with no metadata from plugins: the schema's entry plus the resolved
/// `displayUnits`. For the reference tests, which compare it with the real modules.
///
/// ```
/// let meta = signalk_plugin_host_mock::server::rest_meta("navigation.speedThroughWater").unwrap();
/// assert_eq!(meta["units"], "m/s");
/// assert_eq!(meta["displayUnits"]["targetUnit"], "kn");
/// ```
#[doc(hidden)]
#[must_use]
pub fn rest_meta(path: &str) -> Option<serde_json::Value> {
    let serde_json::Value::Object(mut meta) = schema_meta(path)? else {
        return None;
    };
    units::enhance(&mut meta, path);
    Some(serde_json::Value::Object(meta))
}

/// The `displayUnits` the REST API shows in metadata `meta` of `path`: resolved from
/// the stored ones, the path's default category or its units (`None`: none).
///
/// ```
/// use serde_json::json;
/// let du = signalk_plugin_host_mock::server::display_units("my.depth", &json!({"units": "K"})).unwrap();
/// assert_eq!(du["category"], "temperature");
/// ```
#[doc(hidden)]
#[must_use]
pub fn display_units(path: &str, meta: &serde_json::Value) -> Option<serde_json::Value> {
    let mut meta = assign::spread(meta);
    units::enhance(&mut meta, path);
    meta.get("displayUnits").cloned()
}
