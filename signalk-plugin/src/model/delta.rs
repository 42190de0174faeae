use serde::de::DeserializeOwned;
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::{Members, Meta, PathMeta, RawJson};

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
///
/// Received deltas are decoded leniently (see [`Delta::decode_lenient`]): one member
/// that does not fit never costs the rest of the delta.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Delta {
    /// `None` means this vessel (`vessels.self`). Deltas the server delivers carry the
    /// resolved context, `vessels.urn:mrn:…`, never `vessels.self`.
    pub context: Option<String>,
    /// The updates; may be empty in deltas the server delivers.
    pub updates: Vec<Update>,
    /// Members this type has no field for, as received.
    pub extra: Members,
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
            ..Self::default()
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

    /// The value of `path` as `T` (the last update carrying it wins); `None` when no
    /// update carries it, when it is `null` ("no value" in Signal K), or when it does
    /// not fit `T`. A value that does not fit is reported, once per path, as a WARN log
    /// line naming the path and the mismatch, so it is never dropped without a trace.
    ///
    /// ```
    /// use signalk_plugin::{Delta, Update};
    /// let d = Delta::new().with_update(Update::new().with_value("a", 1.5).with_value("b", "fast"));
    /// assert_eq!(d.get::<f64>("a"), Some(1.5));
    /// assert_eq!(d.get::<f64>("b"), None);
    /// assert!(signalk_plugin::testing::logs()[0].starts_with("[WARN] "));
    /// ```
    #[must_use]
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Option<T> {
        self.values().filter(|v| v.path == path).last()?.get()
    }
}

impl Serialize for Delta {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(context) = &self.context {
            map.serialize_entry("context", context)?;
        }
        map.serialize_entry("updates", &self.updates)?;
        self.extra.write(&mut map, super::decode::DELTA_KEYS)?;
        map.end()
    }
}

/// One update of a delta: values and/or metadata from one source at one time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    /// The source object. Without it the server sets `$source` to the plugin's package name.
    pub source: Option<Source>,
    /// The source reference (`$source`), set by the server on received deltas.
    pub source_ref: Option<String>,
    /// ISO 8601 timestamp. Without it the server uses the time it received the delta.
    pub timestamp: Option<String>,
    /// Path/value pairs.
    pub values: Vec<PathValue>,
    /// Path/metadata pairs.
    pub meta: Vec<PathMeta>,
    /// Set by the server on notification updates it delivers.
    pub notification_id: Option<String>,
    /// Members this type has no field for, as received.
    pub extra: Members,
}

impl Serialize for Update {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(source) = &self.source {
            map.serialize_entry("source", source)?;
        }
        if let Some(source_ref) = &self.source_ref {
            map.serialize_entry("$source", source_ref)?;
        }
        if let Some(timestamp) = &self.timestamp {
            map.serialize_entry("timestamp", timestamp)?;
        }
        if !self.values.is_empty() {
            map.serialize_entry("values", &self.values)?;
        }
        if !self.meta.is_empty() {
            map.serialize_entry("meta", &self.meta)?;
        }
        if let Some(id) = &self.notification_id {
            map.serialize_entry("notificationId", id)?;
        }
        self.extra.write(&mut map, super::decode::UPDATE_KEYS)?;
        map.end()
    }
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
#[derive(Debug, Clone, PartialEq)]
pub struct PathValue {
    /// Dotted Signal K path, for example `navigation.position`.
    pub path: String,
    /// The value; any JSON, kept as text until parsed.
    pub value: RawJson,
    /// Members this type has no field for, as received.
    pub extra: Members,
}

impl Serialize for PathValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        super::decode::serialize_entry(serializer, &self.path, &self.value, &self.extra)
    }
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
            extra: Members::new(),
        }
    }

    /// The value as `T`; `None` when it is `null` ("no value" in Signal K) or does not
    /// fit `T`. A value that does not fit is reported, once per path, as a WARN log line
    /// naming the path and the mismatch.
    ///
    /// ```
    /// let pv = signalk_plugin::PathValue::new("environment.depth.belowKeel", "deep");
    /// assert_eq!(pv.get::<f64>(), None);
    /// assert_eq!(pv.get::<String>().as_deref(), Some("deep"));
    /// ```
    #[must_use]
    pub fn get<T: DeserializeOwned>(&self) -> Option<T> {
        match crate::objects::from_str(self.value.as_str()) {
            Ok(value) => Some(value),
            Err(_) if self.value.is_null() => None,
            Err(err) => {
                super::decode::report_mismatch(&self.path, &err);
                None
            }
        }
    }
}

/// The source of an update.
///
/// The server keeps `label` only if it matches `^[A-Za-z0-9-_.]+$`; otherwise it
/// replaces it with the plugin's package name.
///
/// Received text members accept JSON numbers as well as strings, kept as the number's
/// text: the server stores an NMEA 2000 source as
/// `{"label":"n2k","type":"NMEA2000","pgn":130306,"src":115}`. `pgn` accepts a number
/// or a string of digits.
///
/// ```
/// use signalk_plugin::Delta;
/// let (d, _) = Delta::decode_lenient(br#"{"updates":[{"source":{"label":"n2k","type":"NMEA2000","pgn":130306,"src":115,"canName":"c0"},"values":[]}]}"#).unwrap();
/// let source = d.updates[0].source.as_ref().unwrap();
/// assert_eq!(source.src.as_deref(), Some("115"));
/// assert_eq!(source.pgn, Some(130306));
/// assert_eq!(source.extra.get("canName").unwrap(), "c0");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Source {
    /// Label of the source, for example the plugin name.
    pub label: String,
    /// Kind of source, for example `NMEA0183` or `NMEA2000` (the JSON member `type`).
    pub kind: Option<String>,
    /// Source address (NMEA 2000 device address, …).
    pub src: Option<String>,
    /// NMEA 2000 PGN.
    pub pgn: Option<u32>,
    /// NMEA 2000 device instance.
    pub instance: Option<String>,
    /// NMEA 0183 sentence.
    pub sentence: Option<String>,
    /// NMEA 0183 talker id.
    pub talker: Option<String>,
    /// Members this type has no field for, as received.
    pub extra: Members,
}

impl Serialize for Source {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("label", &self.label)?;
        let optional = |map: &mut S::SerializeMap, name, text: &Option<String>| match text {
            Some(text) => map.serialize_entry(name, text),
            None => Ok(()),
        };
        optional(&mut map, "type", &self.kind)?;
        optional(&mut map, "src", &self.src)?;
        if let Some(pgn) = self.pgn {
            map.serialize_entry("pgn", &pgn)?;
        }
        optional(&mut map, "instance", &self.instance)?;
        optional(&mut map, "sentence", &self.sentence)?;
        optional(&mut map, "talker", &self.talker)?;
        self.extra.write(&mut map, super::decode::SOURCE_KEYS)?;
        map.end()
    }
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
