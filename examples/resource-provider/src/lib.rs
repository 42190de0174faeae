//! A resource provider for `routes` and `waypoints`.
//!
//! Resources live in memory, seeded from the configuration, and are changed through the
//! Signal K resources API (`PUT`/`DELETE /signalk/v2/api/resources/<type>/<id>`).
//! `GET …/<type>?limit=N` is honoured. Nothing here touches raw memory or JSON text.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use signalk_plugin::provider::{
    DeleteRequest, GetRequest, ListRequest, ResourceProvider, SetRequest,
};
use signalk_plugin::{ConfigSchema, Plugin, PluginResult, RawJson, log, plugin};

/// The resource types this plugin provides.
pub const TYPES: [&str; 2] = ["routes", "waypoints"];

/// Configuration: resources to start with, per type (`id → resource`). Its JSON Schema
/// is derived from this type (`ConfigSchema`). Each resource must be a JSON object, as
/// `setResource` requires ([`check_resource`], applied in `start`).
#[derive(Debug, Default, Deserialize, ConfigSchema)]
#[serde(default, deny_unknown_fields)]
#[schema(title = "Routes and waypoints")]
pub struct Config {
    /// Initial routes (id to GeoJSON route)
    #[schema(default_json = "{}")]
    pub routes: BTreeMap<String, RawJson>,
    /// Initial waypoints (id to waypoint)
    #[schema(default_json = "{}")]
    pub waypoints: BTreeMap<String, RawJson>,
}

/// The rule for a resource, from the configuration or from `setResource`: a JSON object.
///
/// # Errors
/// A message naming the resource.
pub fn check_resource(kind: &str, id: &str, resource: &RawJson) -> Result<(), String> {
    if resource.as_str().trim_start().starts_with('{') {
        Ok(())
    } else {
        Err(format!("{kind} `{id}`: a resource must be a JSON object"))
    }
}

/// Query parameters of a list request that this provider understands.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    /// Return at most this many (as a string: HTTP query values are strings).
    #[serde(default)]
    limit: Option<String>,
}

/// The plugin: one store per resource type.
#[derive(Debug, Default)]
pub struct Resources {
    stores: BTreeMap<String, BTreeMap<String, RawJson>>,
}

#[plugin(
    id = "resource-provider",
    name = "Routes and waypoints (Rust)",
    resources = ["routes", "waypoints"]
)]
impl Plugin for Resources {
    type Config = Config;

    fn start(&mut self, config: Config) -> PluginResult {
        for (kind, store) in [("routes", &config.routes), ("waypoints", &config.waypoints)] {
            for (id, resource) in store {
                check_resource(kind, id, resource)?;
            }
        }
        self.stores.clear();
        self.stores.insert("routes".into(), config.routes);
        self.stores.insert("waypoints".into(), config.waypoints);
        let count: usize = self.stores.values().map(BTreeMap::len).sum();
        signalk_plugin::set_status(&format!("Serving {count} resources"));
        Ok(())
    }
}

impl Resources {
    fn store(&mut self, kind: &str) -> PluginResult<&mut BTreeMap<String, RawJson>> {
        self.stores
            .get_mut(kind)
            .ok_or_else(|| format!("unknown resource type `{kind}`").into())
    }
}

/// Resources listed in the reply: the whole store, or the first `limit` of it.
#[derive(Serialize)]
#[serde(transparent)]
struct Listing<'a>(BTreeMap<&'a str, &'a RawJson>);

impl ResourceProvider for Resources {
    fn list_resources(
        &mut self,
        request: ListRequest,
        query: RawJson,
    ) -> PluginResult<impl Serialize> {
        let limit = query
            .parse::<ListQuery>()?
            .limit
            .map(|l| l.parse::<usize>())
            .transpose()
            .map_err(|e| format!("invalid limit: {e}"))?;
        let store = self.store(&request.resource_type)?;
        let take = limit.unwrap_or(usize::MAX);
        Ok(Listing(
            store
                .iter()
                .take(take)
                .map(|(k, v)| (k.as_str(), v))
                .collect(),
        ))
    }

    fn get_resource(&mut self, request: GetRequest) -> PluginResult<impl Serialize> {
        let store = self.store(&request.resource_type)?;
        let resource = store
            .get(&request.id)
            .ok_or_else(|| format!("no {} with id {}", request.resource_type, request.id))?;
        match request.property {
            None => Ok(resource.clone()),
            Some(property) => {
                let object: BTreeMap<String, RawJson> = resource.parse()?;
                object
                    .get(&property)
                    .cloned()
                    .ok_or_else(|| format!("{} has no property {property}", request.id).into())
            }
        }
    }

    fn set_resource(&mut self, request: SetRequest) -> PluginResult {
        log::debug!("set {} {}", request.resource_type, request.id);
        check_resource(&request.resource_type, &request.id, &request.value)?;
        self.store(&request.resource_type)?
            .insert(request.id, request.value);
        Ok(())
    }

    fn delete_resource(&mut self, request: DeleteRequest) -> PluginResult {
        self.store(&request.resource_type)?
            .remove(&request.id)
            .map(|_| ())
            .ok_or_else(|| format!("no {} with id {}", request.resource_type, request.id).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signalk_plugin::json;

    fn started() -> Resources {
        let mut r = Resources::default();
        let config = signalk_plugin::config::parse::<Config>(
            br#"{"waypoints":{"a":{"name":"A"},"b":{"name":"B"},"c":{"name":"C"}},"enableDebug":false}"#,
        )
        .unwrap()
        .config;
        r.start(config).unwrap();
        r
    }

    fn list(r: &mut Resources, kind: &str, query: &str) -> PluginResult<String> {
        let request = ListRequest {
            resource_type: kind.into(),
        };
        let listed = r.list_resources(request, RawJson::from_text(query.into()).unwrap())?;
        Ok(signalk_plugin::serde_json::to_string(&listed).unwrap())
    }

    #[test]
    fn list_honours_limit_and_type() {
        let mut r = started();
        assert_eq!(
            list(&mut r, "waypoints", r#"{"resourceType":"waypoints"}"#)
                .unwrap()
                .matches("name")
                .count(),
            3
        );
        let two = list(
            &mut r,
            "waypoints",
            r#"{"limit":"2","resourceType":"waypoints"}"#,
        )
        .unwrap();
        assert_eq!(two, r#"{"a":{"name":"A"},"b":{"name":"B"}}"#);
        assert!(list(&mut r, "waypoints", r#"{"limit":"x"}"#).is_err());
        assert!(list(&mut r, "charts", "{}").is_err());
    }

    #[test]
    fn set_get_property_delete() {
        let mut r = started();
        let value = RawJson::from(json!({"name": "Home", "feature": {"type": "Feature"}}));
        r.set_resource(SetRequest {
            resource_type: "routes".into(),
            id: "r1".into(),
            value,
        })
        .unwrap();
        let name = r
            .get_resource(GetRequest {
                resource_type: "routes".into(),
                id: "r1".into(),
                property: Some("name".into()),
            })
            .map(|v| signalk_plugin::serde_json::to_string(&v).unwrap())
            .unwrap();
        assert_eq!(name, r#""Home""#);
        r.delete_resource(DeleteRequest {
            resource_type: "routes".into(),
            id: "r1".into(),
        })
        .unwrap();
        assert!(
            r.delete_resource(DeleteRequest {
                resource_type: "routes".into(),
                id: "r1".into()
            })
            .is_err()
        );
    }

    #[test]
    fn resources_must_be_objects_from_config_and_from_set() {
        let parse = |text: &str| signalk_plugin::config::parse::<Config>(text.as_bytes());
        let config = parse(r#"{"routes":{"r1":[1,2]}}"#).unwrap().config;
        let err = Resources::default().start(config).unwrap_err();
        assert_eq!(
            err.to_string(),
            "routes `r1`: a resource must be a JSON object"
        );
        let config = parse(r#"{"waypoints":{"w":"home"}}"#).unwrap().config;
        assert!(Resources::default().start(config).is_err());

        let mut r = started();
        for value in [json!([1, 2]), json!("x"), json!(null), json!(5)] {
            let set = SetRequest {
                resource_type: "waypoints".into(),
                id: "bad".into(),
                value: RawJson::from(value.clone()),
            };
            assert!(r.set_resource(set).is_err(), "{value}");
        }
        assert_eq!(
            list(&mut r, "waypoints", "{}")
                .unwrap()
                .matches("name")
                .count(),
            3
        );
        assert!(!list(&mut r, "waypoints", "{}").unwrap().contains("bad"));
    }

    #[test]
    fn the_config_is_an_object_of_known_members() {
        let parse = |text: &str| signalk_plugin::config::parse::<Config>(text.as_bytes());
        assert!(
            parse(r#"{"route":{}}"#)
                .unwrap_err()
                .to_string()
                .contains("unknown field `route`")
        );
        assert!(
            parse(r#"[{}, {}]"#)
                .unwrap_err()
                .to_string()
                .contains("expected struct Config")
        );
        assert!(parse(r#"{"routes":[]}"#).is_err());
        assert!(parse(r#"{"enableDebug":true}"#).is_ok());
    }

    /// The derived schema against the one written by hand before the derive: the
    /// same but for deliberate differences, applied to the hand-written one here.
    #[test]
    fn the_derived_schema_is_the_hand_written_one_with_deliberate_fixes() {
        use signalk_plugin::{PluginMetadata, json};
        let mut expected = json!({"type":"object","properties":{
            "routes":{"type":"object","title":"Initial routes (id to GeoJSON route)","default":{}},
            "waypoints":{"type":"object","title":"Initial waypoints (id to waypoint)","default":{}}}});
        // The config type denies unknown members.
        expected["additionalProperties"] = json!(false);
        // A form heading, as hello's and anchor-watch's schemas have (the doc comment
        // stays Rust documentation).
        expected["title"] = json!("Routes and waypoints");
        // A map's values are any JSON (`RawJson`); `check_resource` asks for objects.
        for member in ["routes", "waypoints"] {
            expected["properties"][member]["additionalProperties"] = json!({});
        }
        let derived: signalk_plugin::Value =
            signalk_plugin::serde_json::from_str(Config::SCHEMA).unwrap();
        assert_eq!(derived, expected);
        assert_eq!(Resources::SCHEMA, Config::SCHEMA);
    }
}
