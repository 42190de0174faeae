use super::{Meta, PathMeta, RawJson};
use serde::{Deserialize, Serialize};

/// A Signal K delta: a context and a list of updates.
///
/// ```
/// use signalk_plugin::{Delta, Update};
/// let delta = Delta::new()
///     .with_update(Update::new().with_value("navigation.speedOverGround", 3.2));
/// assert_eq!(
///     serde_json::to_string(&delta).unwrap(),
///     r#"{"updates":[{"values":[{"path":"navigation.speedOverGround","value":3.2}]}]}"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    /// `None` means this vessel (`vessels.self`). Deltas the server delivers carry the
    /// resolved context, `vessels.urn:mrn:…`, never `vessels.self`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The updates; may be empty in deltas the server delivers.
    #[serde(default)]
    pub updates: Vec<Update>,
}

impl Delta {
    /// An empty delta about this vessel.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty delta about another context, for example `vessels.urn:mrn:imo:mmsi:230099999`.
    ///
    /// ```
    /// let d = signalk_plugin::Delta::for_context("vessels.urn:mrn:imo:mmsi:230099999");
    /// assert_eq!(d.context.as_deref(), Some("vessels.urn:mrn:imo:mmsi:230099999"));
    /// ```
    #[must_use]
    pub fn for_context(context: impl Into<String>) -> Self {
        Self {
            context: Some(context.into()),
            updates: Vec::new(),
        }
    }

    /// Adds an update.
    #[must_use]
    pub fn with_update(mut self, update: Update) -> Self {
        self.updates.push(update);
        self
    }

    /// Every path/value pair of every update, in order.
    ///
    /// ```
    /// use signalk_plugin::{Delta, Update};
    /// let d = Delta::new().with_update(Update::new().with_value("a", 1).with_value("b", 2));
    /// assert_eq!(d.values().map(|v| v.path.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn values(&self) -> impl Iterator<Item = &PathValue> {
        self.updates.iter().flat_map(|u| u.values.iter())
    }

    /// The value of `path` in this delta, if any update carries it (the last one wins).
    ///
    /// ```
    /// use signalk_plugin::{Delta, Update};
    /// let d = Delta::new().with_update(Update::new().with_value("a", 1));
    /// assert_eq!(d.value_of("a").unwrap(), 1);
    /// assert_eq!(d.value_of("a").unwrap().parse::<u8>().unwrap(), 1);
    /// assert!(d.value_of("b").is_none());
    /// ```
    #[must_use]
    pub fn value_of(&self, path: &str) -> Option<&RawJson> {
        self.values()
            .filter(|v| v.path == path)
            .map(|v| &v.value)
            .last()
    }
}

/// One update of a delta: values and/or metadata from one source at one time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Update {
    /// The source object. Without it the server sets `$source` to the plugin's package name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The source reference (`$source`), set by the server on received deltas.
    #[serde(rename = "$source", default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<String>,
    /// ISO 8601 timestamp. Without it the server uses the time it received the delta.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Path/value pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<PathValue>,
    /// Path/metadata pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meta: Vec<PathMeta>,
    /// Set by the server on notification updates it delivers.
    #[serde(
        rename = "notificationId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub notification_id: Option<String>,
}

impl Update {
    /// An empty update.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a path/value pair. Numbers, strings, booleans, `Option`s and
    /// [`serde_json::Value`]s convert directly; for your own `Serialize` types use
    /// [`RawJson::serialize`].
    #[must_use]
    pub fn with_value(mut self, path: impl Into<String>, value: impl Into<RawJson>) -> Self {
        self.values.push(PathValue::new(path, value));
        self
    }

    /// Adds metadata for a path.
    ///
    /// ```
    /// use signalk_plugin::{Meta, Update};
    /// let u = Update::new().with_meta("a.b", &Meta { units: Some("m".into()), ..Meta::default() });
    /// assert_eq!(u.meta[0].value.parse::<Meta>().unwrap().units.as_deref(), Some("m"));
    /// ```
    #[must_use]
    pub fn with_meta(mut self, path: impl Into<String>, meta: &Meta) -> Self {
        self.meta.push(PathMeta::new(path, meta));
        self
    }

    /// Sets the timestamp (ISO 8601, for example `2026-11-24T10:00:00.000Z`).
    #[must_use]
    pub fn with_timestamp(mut self, timestamp: impl Into<String>) -> Self {
        self.timestamp = Some(timestamp.into());
        self
    }

    /// Sets the source object.
    #[must_use]
    pub fn with_source(mut self, source: Source) -> Self {
        self.source = Some(source);
        self
    }
}

/// A path and its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathValue {
    /// Dotted Signal K path, for example `navigation.position`.
    pub path: String,
    /// The value; any JSON, kept as text until parsed.
    pub value: RawJson,
}

impl PathValue {
    /// A path/value pair.
    ///
    /// ```
    /// let pv = signalk_plugin::PathValue::new("environment.depth.belowKeel", 4.5);
    /// assert_eq!(pv.value, 4.5);
    /// ```
    #[must_use]
    pub fn new(path: impl Into<String>, value: impl Into<RawJson>) -> Self {
        Self {
            path: path.into(),
            value: value.into(),
        }
    }
}

/// The source of an update.
///
/// The server keeps `label` only if it matches `^[A-Za-z0-9-_.]+$`; otherwise it
/// replaces it with the plugin's package name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Label of the source, for example the plugin name.
    pub label: String,
    /// Kind of source, for example `NMEA0183` or `NMEA2000`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Source address (NMEA 2000 device address, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
    /// NMEA 2000 PGN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pgn: Option<u32>,
    /// NMEA 0183 sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentence: Option<String>,
    /// NMEA 0183 talker id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub talker: Option<String>,
}

impl Source {
    /// A source with just a label.
    ///
    /// ```
    /// assert_eq!(signalk_plugin::Source::labelled("anchor").label, "anchor");
    /// ```
    #[must_use]
    pub fn labelled(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            ..Self::default()
        }
    }
}
