use serde::ser::SerializeMap;

use super::RawJson;

/// The members of a JSON object that its Rust type has no field for, kept as JSON text
/// in the order they came.
///
/// Received deltas keep everything the SDK's types do not model (a newer server's
/// additions, a device's own source members such as `canName`), so nothing is lost and
/// a delta passed on is passed on whole. When serializing, the members are written after
/// the typed fields; a member named like one of the type's fields is left out.
///
/// ```
/// use signalk_plugin::Delta;
/// let json = br#"{"context":"vessels.urn:mrn:imo:mmsi:230099999","updates":[],"hint":{"n":1}}"#;
/// let (delta, skipped) = Delta::decode_lenient(json).unwrap();
/// assert!(skipped.is_empty());
/// assert_eq!(delta.extra.get("hint").unwrap().as_str(), r#"{"n":1}"#);
/// assert_eq!(
///     signalk_plugin::serde_json::to_string(&delta).unwrap(),
///     std::str::from_utf8(json).unwrap()
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
// Boxed: one word in every decoded object, and still no allocation while empty.
#[allow(clippy::box_collection)]
pub struct Members(Option<Box<Vec<(String, RawJson)>>>);

// One word, no allocation while empty: every received object has a `Members`.
const _: () = assert!(std::mem::size_of::<Members>() == std::mem::size_of::<usize>());

impl Members {
    /// No members.
    #[must_use]
    pub const fn new() -> Self {
        Self(None)
    }

    fn list(&self) -> &[(String, RawJson)] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    /// The member called `name`.
    ///
    /// ```
    /// let mut m = signalk_plugin::Members::new();
    /// m.insert("canName", "c0a8");
    /// assert_eq!(m.get("canName").unwrap(), "c0a8");
    /// assert!(m.get("other").is_none());
    /// ```
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&RawJson> {
        self.list().iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Sets the member `name`, returning the value it replaces.
    ///
    /// ```
    /// let mut m = signalk_plugin::Members::new();
    /// assert!(m.insert("a", 1).is_none());
    /// assert_eq!(m.insert("a", 2).unwrap(), 1);
    /// assert_eq!(m.len(), 1);
    /// ```
    pub fn insert(
        &mut self,
        name: impl Into<String>,
        value: impl Into<RawJson>,
    ) -> Option<RawJson> {
        let name = name.into();
        let value = value.into();
        let list = self.0.get_or_insert_default();
        match list.iter_mut().find(|(n, _)| *n == name) {
            Some((_, old)) => Some(std::mem::replace(old, value)),
            None => {
                list.push((name, value));
                None
            }
        }
    }

    /// The members, in order.
    ///
    /// ```
    /// let mut m = signalk_plugin::Members::new();
    /// m.insert("b", 1);
    /// m.insert("a", 2);
    /// assert_eq!(m.iter().map(|(n, _)| n).collect::<Vec<_>>(), ["b", "a"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &RawJson)> {
        self.list().iter().map(|(n, v)| (n.as_str(), v))
    }

    /// How many members there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.list().len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.list().is_empty()
    }

    /// Writes the members into a map being serialized, leaving out the `typed` names.
    pub(crate) fn write<M: SerializeMap>(
        &self,
        map: &mut M,
        typed: &[&str],
    ) -> Result<(), M::Error> {
        for (name, value) in self.list() {
            if !typed.contains(&name.as_str()) {
                map.serialize_entry(name, value)?;
            }
        }
        Ok(())
    }
}
