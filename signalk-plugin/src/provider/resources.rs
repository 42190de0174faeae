use serde::{Deserialize, Serialize};

use crate::{PluginResult, RawJson};

/// `listResources`: the HTTP query of `GET /signalk/v2/api/resources/<type>`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ListRequest {
    /// The resource type, for example `routes`.
    #[serde(rename = "resourceType")]
    pub resource_type: String,
}

/// `getResource`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GetRequest {
    /// The resource type.
    #[serde(rename = "resourceType")]
    pub resource_type: String,
    /// The resource id.
    pub id: String,
    /// A property of the resource, when one was asked for.
    #[serde(default)]
    pub property: Option<String>,
}

/// `setResource`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SetRequest {
    /// The resource type.
    #[serde(rename = "resourceType")]
    pub resource_type: String,
    /// The resource id.
    pub id: String,
    /// The new value.
    pub value: RawJson,
}

/// `deleteResource`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DeleteRequest {
    /// The resource type.
    #[serde(rename = "resourceType")]
    pub resource_type: String,
    /// The resource id.
    pub id: String,
}

/// A resource provider: routes, waypoints, notes, regions, charts or custom types.
///
/// ```
/// use std::collections::BTreeMap;
/// use signalk_plugin::provider::*;
/// use signalk_plugin::{plugin, NoConfig, Plugin, PluginResult, RawJson};
///
/// #[derive(Default)]
/// struct Notes { notes: BTreeMap<String, RawJson> }
///
/// #[plugin(id = "notes", name = "Notes", resources = ["notes"])]
/// impl Plugin for Notes {
///     type Config = NoConfig;
///     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
/// }
///
/// impl ResourceProvider for Notes {
///     fn list_resources(&mut self, _: ListRequest, _query: RawJson) -> PluginResult<impl serde::Serialize> {
///         Ok(&self.notes)
///     }
///     fn get_resource(&mut self, req: GetRequest) -> PluginResult<impl serde::Serialize> {
///         self.notes.get(&req.id).ok_or_else(|| format!("no note {}", req.id).into())
///     }
///     fn set_resource(&mut self, req: SetRequest) -> PluginResult {
///         self.notes.insert(req.id, req.value);
///         Ok(())
///     }
///     fn delete_resource(&mut self, req: DeleteRequest) -> PluginResult {
///         self.notes.remove(&req.id);
///         Ok(())
///     }
/// }
/// ```
///
/// The 2.32.0 server ignores the results of set and delete: an `Err` there is only
/// reported with `sk_set_error`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has `resources = [...]` in #[plugin] but does not implement `ResourceProvider`",
    label = "these resource types need `impl ResourceProvider for {Self}`"
)]
pub trait ResourceProvider {
    /// All resources of a type, as an object `id → resource`. `query` is the whole
    /// request (the HTTP query parameters plus `resourceType`).
    fn list_resources(
        &mut self,
        request: ListRequest,
        query: RawJson,
    ) -> PluginResult<impl Serialize>;
    /// One resource (or one property of it).
    fn get_resource(&mut self, request: GetRequest) -> PluginResult<impl Serialize>;
    /// Creates or replaces a resource.
    fn set_resource(&mut self, request: SetRequest) -> PluginResult;
    /// Deletes a resource.
    fn delete_resource(&mut self, request: DeleteRequest) -> PluginResult;
}
