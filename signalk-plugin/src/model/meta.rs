use serde::{Deserialize, Serialize, Serializer};

use super::{AlarmState, Members, RawJson};

/// Metadata for one path, as carried in an update's `meta` list. The metadata is kept
/// as JSON text, whole (members [`Meta`] does not model included); [`RawJson::parse`] it
/// into a [`Meta`].
#[derive(Debug, Clone, PartialEq)]
pub struct PathMeta {
    /// The path the metadata describes.
    pub path: String,
    /// The metadata.
    pub value: RawJson,
    /// Members this type has no field for, as received.
    pub extra: Members,
}

impl Serialize for PathMeta {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        super::decode::serialize_entry(serializer, &self.path, &self.value, &self.extra)
    }
}

impl PathMeta {
    /// Metadata for `path`.
    ///
    /// A NaN or infinite `timeout` or zone bound is kept as `null`, and
    /// [`emit`](crate::emit) refuses the delta with [`Error::NonFinite`](crate::Error::NonFinite).
    #[must_use]
    pub fn new(path: impl Into<String>, meta: &Meta) -> Self {
        Self {
            path: path.into(),
            // Meta has string keys only, so it always serializes.
            value: RawJson::serialize(meta).unwrap_or_default(),
            extra: Members::new(),
        }
    }
}

/// Signal K metadata of a path: units, description, zones, …
///
/// ```
/// use signalk_plugin::Meta;
/// let meta = Meta { units: Some("m".into()), ..Meta::default() };
/// assert_eq!(serde_json::to_string(&meta).unwrap(), r#"{"units":"m"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// SI unit, for example `m/s`, `rad`, `K`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
    /// Human description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Name for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Short name for small displays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    /// Long name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_name: Option<String>,
    /// Seconds after which the value is stale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<f64>,
    /// Whether the path accepts PUT requests (set by the server for registered handlers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_put: Option<bool>,
    /// Alarm zones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<Zone>,
}

/// A value range with an alarm state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    /// Lower bound, inclusive; `None` means unbounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower: Option<f64>,
    /// Upper bound, inclusive; `None` means unbounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
    /// State while the value is in the zone.
    pub state: AlarmState,
    /// Message while the value is in the zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
