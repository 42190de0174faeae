//! Decoding deltas leniently, in one pass: a member that does not fit is skipped and
//! described in a [`Skipped`], and the rest is decoded as usual.
//!
//! serde cannot go on after an error inside a value, so nothing here fails on a type
//! mismatch: every member of a known name is read by a visitor that accepts any JSON
//! kind and answers what it found ([`Got`]); the caller decides what a mismatch costs.
//! The strict `Deserialize` impls run the same visitors and turn the first skip into an
//! error. Values stay JSON text ([`RawJson`]), typed only when the plugin reads them.

use std::cell::RefCell;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};

use super::{Delta, Members, PathMeta, PathValue, RawJson, Source, Update, spares};
use crate::{Error, logging};

/// The typed members of each object, in the order [`Key::typed`] numbers them.
pub(super) const DELTA_KEYS: &[&str] = &["context", "updates"];
pub(super) const UPDATE_KEYS: &[&str] = &[
    "source",
    "$source",
    "timestamp",
    "values",
    "meta",
    "notificationId",
];
pub(super) const SOURCE_KEYS: &[&str] = &[
    "label", "type", "src", "pgn", "instance", "sentence", "talker",
];
const ENTRY_KEYS: &[&str] = &["path", "value"];

/// How many distinct paths the once-per-path report of [`Skipped`] problems remembers;
/// problems at further paths are counted ([`Skipped::count`]), not logged, so a flood of
/// bad data costs neither memory nor log lines without bound.
///
/// ```
/// use signalk_plugin::{testing, PathValue, MAX_REPORTED_PATHS};
/// for i in 0..MAX_REPORTED_PATHS + 5 {
///     let _ = PathValue::new(format!("p{i}"), "text").get::<f64>();
/// }
/// // One line per remembered path, and one saying the rest is only counted.
/// assert_eq!(testing::logs().len(), MAX_REPORTED_PATHS + 1);
/// ```
pub const MAX_REPORTED_PATHS: usize = 256;

/// A member of a received delta that did not fit and was left out, or a value that did
/// not fit the type a plugin read it as (see [`Delta::decode_lenient`], [`Delta::get`]).
///
/// ```
/// let (delta, skipped) = signalk_plugin::Delta::decode_lenient(
///     br#"{"updates":[{"values":[{"path":"a","value":1},{"path":"b"}]}]}"#,
/// ).unwrap();
/// assert_eq!(delta.updates[0].values.len(), 1);
/// assert_eq!(skipped[0].path, "b");
/// assert_eq!(skipped[0].problem, "value 1 of update 0 has no `value` member");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Skipped {
    /// The Signal K path of the skipped value or metadata when it is known; otherwise
    /// the member of the delta that was wrong: `updates`, `updates.values`,
    /// `updates.source.pgn`, … (without indices, so one faulty sender is one path).
    pub path: String,
    /// What was wrong, with the index of the update and entry where it helps. Both
    /// texts are bounded to [`ERROR_TEXT_LIMIT`](crate::ERROR_TEXT_LIMIT) characters.
    pub problem: String,
}

impl Skipped {
    fn new(path: &str, problem: String) -> Self {
        Self {
            path: crate::json::bound(path.to_owned()),
            problem: crate::json::bound(problem),
        }
    }

    /// How many problems the SDK met in received deltas and in [`PathValue::get`] /
    /// [`Delta::get`] on this thread (the plugin's one thread on wasm), logged or not.
    ///
    /// Each one is reported through [`logging`](crate::logging) at WARN the first time
    /// its path has a problem; later problems at the same path are only counted. The
    /// SDK remembers up to 256 paths ([`MAX_REPORTED_PATHS`]); problems at further
    /// paths are only counted, after one WARN line saying so.
    ///
    /// ```
    /// use signalk_plugin::{PathValue, Skipped};
    /// let before = Skipped::count();
    /// let _ = PathValue::new("a", "text").get::<f64>();
    /// let _ = PathValue::new("a", "text").get::<f64>();
    /// assert_eq!(Skipped::count(), before + 2);
    /// assert_eq!(signalk_plugin::testing::logs().len(), 1);
    /// ```
    #[must_use]
    pub fn count() -> u64 {
        SKIP_LOG.with(|log| log.borrow().count)
    }
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.path, self.problem)
    }
}

impl Delta {
    /// Decodes a delta as the server delivers it, leniently: nothing short of text that
    /// is not a JSON object fails the whole delta.
    ///
    /// - Members the SDK's types have no field for are kept in their `extra`.
    /// - [`Source`] text members accept numbers (`"src":115` reads as `"115"`), `pgn` a
    ///   string of digits.
    /// - An update that is not an object, a value or meta entry without a string `path`
    ///   or without a `value`, and a known member of the wrong JSON kind (`"timestamp":5`,
    ///   `"values":{}`) are left out; the rest is delivered. Each is described in the
    ///   returned list. `null` counts as an absent member.
    /// - Values stay JSON text, so a value's type is checked only when the plugin reads
    ///   it ([`PathValue::get`] reports a mismatch).
    ///
    /// The generated `delta_handler` logs each skip at WARN, once per path (see
    /// [`Skipped::count`]), and hands the rest to `on_delta`.
    ///
    /// ```
    /// use signalk_plugin::Delta;
    /// let json = br#"{"context":"vessels.urn:mrn:imo:mmsi:230099999","updates":[
    ///     {"source":{"label":"n2k","type":"NMEA2000","pgn":130306,"src":115},
    ///      "values":[{"path":"environment.wind.speedApparent","value":7.5}]},
    ///     "not an update",
    ///     {"timestamp":42,"values":[{"path":"navigation.headingTrue","value":1.2}]}]}"#;
    /// let (delta, skipped) = Delta::decode_lenient(json).unwrap();
    /// assert_eq!(delta.updates.len(), 2);
    /// assert_eq!(delta.get::<f64>("environment.wind.speedApparent"), Some(7.5));
    /// assert_eq!(delta.get::<f64>("navigation.headingTrue"), Some(1.2));
    /// assert_eq!(skipped.len(), 2);
    /// assert_eq!(skipped[0].problem, "update 1 is a string, not an object");
    /// assert_eq!(skipped[1].path, "updates.timestamp");
    ///
    /// assert!(Delta::decode_lenient(b"[1,2]").is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::Json`] when the text is not one JSON object (not JSON, truncated, another
    /// JSON kind) or its `context` is not a string: such a delta cannot be attributed.
    pub fn decode_lenient(json: &[u8]) -> Result<(Delta, Vec<Skipped>), Error> {
        let text = crate::json::as_text(json)?;
        let mut skipped = Vec::new();
        let mut de = serde_json::Deserializer::from_str(text);
        let delta = DeltaSeed {
            skipped: &mut skipped,
            storage: spares::take(),
        }
        .deserialize(&mut de)?;
        de.end()?;
        Ok((delta, skipped))
    }
}

/// [`Delta::decode_lenient`], with every skip reported once per path: what the
/// generated `delta_handler` calls.
pub(crate) fn decode_reporting(json: &[u8]) -> Result<Delta, Error> {
    let (delta, skipped) = Delta::decode_lenient(json)?;
    for skip in &skipped {
        report(skip);
    }
    Ok(delta)
}

/// Reports a value that does not fit the type it was read as.
pub(super) fn report_mismatch(path: &str, err: &serde_json::Error) {
    report(&Skipped::new(
        path,
        format!("the value does not fit the type the plugin reads: {err}"),
    ));
}

struct SkipLog {
    reported: Vec<String>,
    count: u64,
    full: bool,
}

thread_local! {
    static SKIP_LOG: RefCell<SkipLog> = const {
        RefCell::new(SkipLog { reported: Vec::new(), count: 0, full: false })
    };
}

/// Counts a skip, and logs it at WARN if its path had none before.
fn report(skip: &Skipped) {
    let line = SKIP_LOG.with(|log| {
        let mut log = log.borrow_mut();
        log.count += 1;
        if log.reported.contains(&skip.path) {
            None
        } else if log.reported.len() < MAX_REPORTED_PATHS {
            log.reported.push(skip.path.clone());
            Some(crate::json::bound(format!(
                "ignored {skip} (reported once per path)"
            )))
        } else if !std::mem::replace(&mut log.full, true) {
            Some(format!(
                "problems in received data at more than {MAX_REPORTED_PATHS} paths: further ones are counted, not logged"
            ))
        } else {
            None
        }
    });
    if let Some(line) = line {
        logging::write(log::Level::Warn, &line);
    }
}

/// Forgets which paths were reported, and the count (for `testing::reset`).
pub(crate) fn reset_reports() {
    SKIP_LOG.with(|log| {
        *log.borrow_mut() = SkipLog {
            reported: Vec::new(),
            count: 0,
            full: false,
        };
    });
}

fn skip(skipped: &mut Vec<Skipped>, path: &str, problem: String) {
    skipped.push(Skipped::new(path, problem));
}

/// A `{path, value}` entry (of `values` or `meta`), written with its extra members.
pub(super) fn serialize_entry<S: Serializer>(
    serializer: S,
    path: &str,
    value: &RawJson,
    extra: &Members,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    map.serialize_entry("path", path)?;
    map.serialize_entry("value", value)?;
    extra.write(&mut map, ENTRY_KEYS)?;
    map.end()
}

// ---- what a member held -------------------------------------------------------------

/// What a leniently read member held.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Got {
    /// The expected kind, decoded into the [`Want`]'s slot.
    Value,
    /// `null`: treated as an absent member.
    Null,
    /// Another kind: "a number", "an object", …
    Wrong(&'static str),
}

impl Got {
    fn found(self) -> &'static str {
        match self {
            Got::Value => "as expected",
            Got::Null => "null",
            Got::Wrong(found) => found,
        }
    }

    /// The kind found when it is not the expected one (`null` counts as absent).
    fn wrong(self) -> Option<&'static str> {
        match self {
            Got::Wrong(found) => Some(found),
            Got::Value | Got::Null => None,
        }
    }
}

/// What a member is read as, and where it goes. One visitor reads every kind but plain
/// strings ([`Str`]), so the JSON parser's `deserialize_any` (generic over the visitor,
/// and large) is in a plugin twice, not once per kind.
enum Want<'s> {
    /// A source's text member: a string, or a number kept as its text; and a string
    /// whose storage it may reuse.
    SourceText(&'s mut Option<String>, Option<String>),
    /// A delta's `updates`.
    Updates(&'s mut Vec<Skipped>, &'s mut Vec<Update>),
    /// One update, and its index; decoded in place (an `Update` is large to move),
    /// reusing the storage of what the slot held.
    Update(&'s mut Vec<Skipped>, usize, &'s mut Update),
    /// An update's `source`; decoded over the one it holds, reusing its storage.
    Source(&'s mut Vec<Skipped>, &'s mut Option<Source>),
    /// An update's `values` or (`true`) `meta`, and the update's index; decoded in
    /// place, reusing the storage of the entries the vector held.
    Entries(&'s mut Vec<Skipped>, bool, usize, &'s mut Vec<PathValue>),
    /// One `{path, value}` entry, where it is, and a string whose storage the path may
    /// reuse.
    Entry(EntryAt, &'s mut Option<EntryResult>, Option<String>),
    /// A source's `pgn`: a number, or a string of digits.
    Pgn(&'s mut Option<u32>),
}

/// Where a `{path, value}` entry is, for messages.
#[derive(Clone, Copy)]
struct EntryAt {
    /// Whether it is in `meta` (else in `values`).
    meta: bool,
    /// The update's index.
    update: usize,
    /// Its own index.
    index: usize,
}

/// One `{path, value}` entry, or the path (if it has a usable one) and what is wrong.
type EntryResult = Result<PathValue, (Option<String>, String)>;

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

impl Want<'_> {
    /// A string, where one is wanted.
    fn string(self, text: impl Into<String>) -> Got {
        match self {
            Want::SourceText(out, _) => {
                *out = Some(text.into());
                Got::Value
            }
            Want::Pgn(out) => match text.into().parse() {
                Ok(pgn) => {
                    *out = Some(pgn);
                    Got::Value
                }
                Err(_) => Got::Wrong("a string that is not a number"),
            },
            _ => Got::Wrong("a string"),
        }
    }

    /// A number, where one is wanted: its text for a source's text member, the PGN it is
    /// (`not_pgn` says why it is none).
    fn number(self, text: &dyn fmt::Display, pgn: Option<u32>, not_pgn: &'static str) -> Got {
        match self {
            Want::SourceText(out, _) => {
                *out = Some(text.to_string());
                Got::Value
            }
            Want::Pgn(out) => match pgn {
                Some(pgn) => {
                    *out = Some(pgn);
                    Got::Value
                }
                None => Got::Wrong(not_pgn),
            },
            _ => Got::Wrong("a number"),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Want<'_> {
    type Value = Got;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Got, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Want<'_> {
    type Value = Got;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E>(self, v: &str) -> Result<Got, E> {
        Ok(match self {
            // The common case, in the spare string (`string` below takes any text).
            Want::SourceText(out, spare) => {
                *out = Some(spares::reuse(spare, v));
                Got::Value
            }
            other => other.string(v),
        })
    }
    fn visit_string<E>(self, v: String) -> Result<Got, E> {
        Ok(self.string(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Got, E> {
        Ok(self.number(&v, v.try_into().ok(), "a number out of range"))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Got, E> {
        Ok(self.number(&v, v.try_into().ok(), "a negative number"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Got, E> {
        // serde_json's own text for the number (its float formatting is in the plugin
        // anyway; core's is not).
        let whole = (v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v)).then_some(v);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked above
        let pgn = whole.map(|v| v as u32);
        Ok(self.number(
            &RawJson::from(v),
            pgn,
            "a number with a fraction, or out of range",
        ))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Got, E> {
        Ok(Got::Wrong("a boolean"))
    }
    fn visit_unit<E>(self) -> Result<Got, E> {
        Ok(Got::Null)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Got, A::Error> {
        match self {
            Want::Update(skipped, index, out) => update(map, skipped, index, out)?,
            Want::Source(skipped, out) => {
                let storage = out.take().unwrap_or_default();
                source(map, skipped, out.insert(storage))?;
            }
            Want::Entry(at, out, spare) => *out = Some(entry(map, at, spare)?),
            _ => {
                drain_map(map)?;
                return Ok(Got::Wrong("an object"));
            }
        }
        Ok(Got::Value)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Got, A::Error> {
        match self {
            Want::Updates(skipped, out) => updates(seq, skipped, out)?,
            Want::Entries(skipped, meta, update, out) => entries(seq, skipped, meta, update, out)?,
            _ => {
                drain_seq(seq)?;
                return Ok(Got::Wrong("an array"));
            }
        }
        Ok(Got::Value)
    }
}

/// A string member (`context`, `$source`, `timestamp`, a `path`): the most frequent kind,
/// so it has its own visitor (and its own, well-predicted copy of the parser's dispatch).
/// The second field is a string whose storage the text may reuse.
struct Str<'s>(&'s mut Option<String>, Option<String>);

impl<'de> DeserializeSeed<'de> for Str<'_> {
    type Value = Got;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Got, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Str<'_> {
    type Value = Got;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E>(self, v: &str) -> Result<Got, E> {
        *self.0 = Some(spares::reuse(self.1, v));
        Ok(Got::Value)
    }
    fn visit_string<E>(self, v: String) -> Result<Got, E> {
        *self.0 = Some(v);
        Ok(Got::Value)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Got, E> {
        Ok(Got::Wrong("a number"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Got, E> {
        Ok(Got::Wrong("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Got, E> {
        Ok(Got::Wrong("a number"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Got, E> {
        Ok(Got::Wrong("a boolean"))
    }
    fn visit_unit<E>(self) -> Result<Got, E> {
        Ok(Got::Null)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Got, A::Error> {
        drain_map(map)?;
        Ok(Got::Wrong("an object"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Got, A::Error> {
        drain_seq(seq)?;
        Ok(Got::Wrong("an array"))
    }
}

/// A member name: the index of a typed one in its object's `*_KEYS`, or the name of
/// another. A `match` per object, as derived code does: no loop of comparisons.
#[derive(Clone, Copy)]
enum Key {
    Delta,
    Update,
    Source,
    Entry,
}

enum KeyIs {
    Typed(usize),
    Other(String),
}

impl Key {
    fn typed(self, name: &str) -> Option<usize> {
        Some(match (self, name) {
            (Key::Delta, "context") | (Key::Entry, "path") => 0,
            (Key::Delta, "updates") | (Key::Entry, "value") => 1,
            (Key::Update, "source") => 0,
            (Key::Update, "$source") => 1,
            (Key::Update, "timestamp") => 2,
            (Key::Update, "values") => 3,
            (Key::Update, "meta") => 4,
            (Key::Update, "notificationId") => 5,
            (Key::Source, "label") => 0,
            (Key::Source, "type") => 1,
            (Key::Source, "src") => 2,
            (Key::Source, "pgn") => 3,
            (Key::Source, "instance") => 4,
            (Key::Source, "sentence") => 5,
            (Key::Source, "talker") => 6,
            _ => return None,
        })
    }
}

impl<'de> DeserializeSeed<'de> for Key {
    type Value = KeyIs;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<KeyIs, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = KeyIs;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_str<E>(self, v: &str) -> Result<KeyIs, E> {
        Ok(match self.typed(v) {
            Some(i) => KeyIs::Typed(i),
            None => KeyIs::Other(v.to_owned()),
        })
    }
}

// ---- the delta's parts ----------------------------------------------------------------

struct DeltaSeed<'s> {
    skipped: &'s mut Vec<Skipped>,
    /// A delta the plugin is done with, whose strings and lists the decoding reuses
    /// (`spares`); `Delta::default()` for none. Nothing of its content shows through.
    storage: Delta,
}

impl<'de> DeserializeSeed<'de> for DeltaSeed<'_> {
    type Value = Delta;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Delta, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DeltaSeed<'_> {
    type Value = Delta;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Signal K delta (a JSON object)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Delta, A::Error> {
        let skipped = self.skipped;
        let mut delta = self.storage;
        let mut spare_context = delta.context.take();
        delta.extra = Members::new();
        // The updates are decoded over the old ones in place; none if there is no member.
        let mut has_updates = false;
        while let Some(key) = map.next_key_seed(Key::Delta)? {
            match key {
                KeyIs::Typed(0) => {
                    let got = map.next_value_seed(Str(&mut delta.context, spare_context.take()))?;
                    if got != Got::Value {
                        return Err(de::Error::custom(format_args!(
                            "the delta's context is {}, not a string",
                            got.found()
                        )));
                    }
                }
                KeyIs::Typed(_) => {
                    let want = Want::Updates(&mut *skipped, &mut delta.updates);
                    let got = map.next_value_seed(want)?;
                    has_updates |= got == Got::Value;
                    if let Some(found) = got.wrong() {
                        skip(skipped, "updates", format!("is {found}, not an array"));
                    }
                }
                KeyIs::Other(name) => {
                    delta.extra.insert(name, map.next_value::<RawJson>()?);
                }
            }
        }
        if !has_updates {
            delta.updates.clear();
        }
        Ok(delta)
    }
}

/// A delta's updates, decoded in place over the ones `updates` holds (their storage is
/// reused; whatever is left over is dropped at the end).
fn updates<'de, A: SeqAccess<'de>>(
    mut seq: A,
    skipped: &mut Vec<Skipped>,
    updates: &mut Vec<Update>,
) -> Result<(), A::Error> {
    spares::bound(updates);
    let mut decoded = 0;
    let mut index = 0;
    loop {
        // Decoded in place, in the vector: no copy of the update afterwards.
        if decoded == updates.len() {
            updates.push(Update::default());
        }
        let slot = &mut updates[decoded];
        let got = seq.next_element_seed(Want::Update(&mut *skipped, index, slot))?;
        match got {
            Some(Got::Value) => decoded += 1,
            None => break,
            Some(other) => {
                // The slot was not touched: it serves the next update.
                skip(
                    skipped,
                    "updates",
                    format!("update {index} is {}, not an object", other.found()),
                );
            }
        }
        index += 1;
    }
    updates.truncate(decoded);
    Ok(())
}

fn update<'de, A: MapAccess<'de>>(
    mut map: A,
    skipped: &mut Vec<Skipped>,
    index: usize,
    update: &mut Update,
) -> Result<(), A::Error> {
    // What the slot held serves as storage; none of it shows through.
    let mut spare_texts = [
        update.source_ref.take(),
        update.timestamp.take(),
        update.notification_id.take(),
    ];
    update.meta.clear();
    update.extra = Members::new();
    // The source and values are decoded over the old ones in place; none if absent.
    let (mut has_source, mut has_values) = (false, false);
    while let Some(key) = map.next_key_seed(Key::Update)? {
        let typed = match key {
            KeyIs::Typed(i) => i,
            KeyIs::Other(name) => {
                update.extra.insert(name, map.next_value::<RawJson>()?);
                continue;
            }
        };
        let u = &mut *update;
        let mut meta = Vec::new();
        let text = match typed {
            1 => Some((&mut u.source_ref, 0)),
            2 => Some((&mut u.timestamp, 1)),
            5 => Some((&mut u.notification_id, 2)),
            _ => None,
        };
        if let Some((text, spare)) = text {
            let spare = spare_texts[spare].take();
            if let Got::Wrong(found) = map.next_value_seed(Str(text, spare))? {
                let name = UPDATE_KEYS[typed];
                skip(
                    skipped,
                    &format!("updates.{name}"),
                    format!("update {index}: `{name}` is {found}, not a string"),
                );
            }
            continue;
        }
        let (want, kind) = match typed {
            0 => (Want::Source(&mut *skipped, &mut u.source), "an object"),
            3 => (
                Want::Entries(&mut *skipped, false, index, &mut u.values),
                "an array",
            ),
            // Decoded as `PathValue`s (same members), then turned into `PathMeta`s.
            4 => (
                Want::Entries(&mut *skipped, true, index, &mut meta),
                "an array",
            ),
            _ => unreachable!("text members are read above"),
        };
        let got = map.next_value_seed(want)?;
        if typed == 4 {
            update.meta = into_meta(meta);
        }
        match typed {
            0 => has_source |= got == Got::Value,
            3 => has_values |= got == Got::Value,
            _ => {}
        }
        if let Got::Wrong(found) = got {
            let name = UPDATE_KEYS[typed];
            skip(
                skipped,
                &format!("updates.{name}"),
                format!("update {index}: `{name}` is {found}, not {kind}"),
            );
        }
    }
    if !has_source {
        update.source = None;
    }
    if !has_values {
        update.values.clear();
    }
    Ok(())
}

/// An update's `values` or `meta`, decoded as [`PathValue`]s (a [`PathMeta`] has the
/// same members): one copy of the decoding code for both. Decoded in place over the
/// entries `entries` holds, reusing their paths' storage; the rest is dropped at the end.
fn entries<'de, A: SeqAccess<'de>>(
    mut seq: A,
    skipped: &mut Vec<Skipped>,
    meta: bool,
    update: usize,
    entries: &mut Vec<PathValue>,
) -> Result<(), A::Error> {
    let member = if meta {
        "updates.meta"
    } else {
        "updates.values"
    };
    spares::bound(entries);
    let mut decoded = 0;
    let mut index = 0;
    loop {
        let mut entry = None;
        let spare = entries
            .get_mut(decoded)
            .map(|e| std::mem::take(&mut e.path));
        let at = EntryAt {
            meta,
            update,
            index,
        };
        let want = Want::Entry(at, &mut entry, spare);
        let Some(got) = seq.next_element_seed(want)? else {
            break;
        };
        match entry {
            Some(Ok(entry)) => {
                match entries.get_mut(decoded) {
                    Some(slot) => *slot = entry,
                    None => entries.push(entry),
                }
                decoded += 1;
            }
            Some(Err((path, problem))) => {
                skip(skipped, path.as_deref().unwrap_or(member), problem);
            }
            None => skip(
                skipped,
                member,
                format!(
                    "{} {index} of update {update} is {}, not an object",
                    entry_name(meta),
                    got.found()
                ),
            ),
        }
        index += 1;
    }
    entries.truncate(decoded);
    Ok(())
}

/// Metadata entries from the [`PathValue`]s they were decoded as (same layout: the
/// vector is reused in place).
fn into_meta(entries: Vec<PathValue>) -> Vec<PathMeta> {
    entries
        .into_iter()
        .map(|PathValue { path, value, extra }| PathMeta { path, value, extra })
        .collect()
}

/// `value` or `meta entry`, for messages.
fn entry_name(meta: bool) -> &'static str {
    if meta { "meta entry" } else { "value" }
}

fn entry<'de, A: MapAccess<'de>>(
    mut map: A,
    at: EntryAt,
    mut spare: Option<String>,
) -> Result<EntryResult, A::Error> {
    let EntryAt {
        meta,
        update,
        index,
    } = at;
    let mut path = None;
    // What the `path` member held; `None` while there is none.
    let mut path_got = None;
    let mut value = None;
    let mut extra = Members::new();
    while let Some(key) = map.next_key_seed(Key::Entry)? {
        match key {
            KeyIs::Typed(0) => path_got = Some(map.next_value_seed(Str(&mut path, spare.take()))?),
            KeyIs::Typed(_) => value = Some(map.next_value::<RawJson>()?),
            KeyIs::Other(name) => {
                extra.insert(name, map.next_value::<RawJson>()?);
            }
        }
    }
    let what = entry_name(meta);
    Ok(match (path, value) {
        (Some(path), Some(value)) => Ok(PathValue { path, value, extra }),
        (Some(path), None) => Err((
            Some(path),
            format!("{what} {index} of update {update} has no `value` member"),
        )),
        (None, _) => Err((
            None,
            match path_got {
                None => format!("{what} {index} of update {update} has no `path` member"),
                Some(got) => format!(
                    "{what} {index} of update {update} has a path that is {}, not a string",
                    got.found()
                ),
            },
        )),
    })
}

fn source<'de, A: MapAccess<'de>>(
    mut map: A,
    skipped: &mut Vec<Skipped>,
    source: &mut Source,
) -> Result<(), A::Error> {
    // What `source` held serves as storage; none of it shows through.
    let mut spare = std::mem::take(source);
    let mut spare_label = Some(std::mem::take(&mut spare.label));
    while let Some(key) = map.next_key_seed(Key::Source)? {
        let typed = match key {
            KeyIs::Typed(i) => i,
            KeyIs::Other(name) => {
                source.extra.insert(name, map.next_value::<RawJson>()?);
                continue;
            }
        };
        let s = &mut *source;
        let mut label = None;
        let want = match typed {
            0 => Want::SourceText(&mut label, spare_label.take()),
            1 => Want::SourceText(&mut s.kind, spare.kind.take()),
            2 => Want::SourceText(&mut s.src, spare.src.take()),
            3 => Want::Pgn(&mut s.pgn),
            4 => Want::SourceText(&mut s.instance, spare.instance.take()),
            5 => Want::SourceText(&mut s.sentence, spare.sentence.take()),
            _ => Want::SourceText(&mut s.talker, spare.talker.take()),
        };
        let got = map.next_value_seed(want)?;
        if let Some(label) = label {
            source.label = label;
        }
        if let Got::Wrong(found) = got {
            let name = SOURCE_KEYS[typed];
            let problem = if typed == 3 {
                format!("the source's `pgn` is not a PGN number: {found}")
            } else {
                format!("the source's `{name}` is {found}, not a string or a number")
            };
            skip(skipped, &format!("updates.source.{name}"), problem);
        }
    }
    Ok(())
}

// ---- strict Deserialize: the same visitors, the first skip is an error ----------------

fn strict<T, E: de::Error>(
    decoded: Option<T>,
    got: Got,
    skipped: &[Skipped],
    kind: &str,
) -> Result<T, E> {
    if let Some(first) = skipped.first() {
        return Err(E::custom(first));
    }
    decoded.ok_or_else(|| E::custom(format_args!("{}, not {kind}", got.found())))
}

impl<'de> Deserialize<'de> for Delta {
    /// Strict: a member that [`Delta::decode_lenient`] would skip is an error. Unknown
    /// members are kept in `extra`, and source members accept numbers, as there.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut skipped = Vec::new();
        let delta = DeltaSeed {
            skipped: &mut skipped,
            storage: Delta::default(),
        }
        .deserialize(d)?;
        strict(Some(delta), Got::Value, &skipped, "an object")
    }
}

impl<'de> Deserialize<'de> for Update {
    /// Strict, as for [`Delta`].
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (mut skipped, mut update) = (Vec::new(), Update::default());
        let got = Want::Update(&mut skipped, 0, &mut update).deserialize(d)?;
        strict(
            (got == Got::Value).then_some(update),
            got,
            &skipped,
            "an object",
        )
    }
}

impl<'de> Deserialize<'de> for Source {
    /// Strict, as for [`Delta`].
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (mut skipped, mut source) = (Vec::new(), None);
        let got = Want::Source(&mut skipped, &mut source).deserialize(d)?;
        strict(source, got, &skipped, "an object")
    }
}

fn strict_entry<'de, D: Deserializer<'de>>(
    d: D,
    what: &'static str,
) -> Result<PathValue, D::Error> {
    let mut entry = None;
    let at = EntryAt {
        meta: what == "meta entry",
        update: 0,
        index: 0,
    };
    let got = Want::Entry(at, &mut entry, None).deserialize(d)?;
    match entry {
        Some(Ok(entry)) => Ok(entry),
        Some(Err((_, problem))) => Err(de::Error::custom(problem)),
        None => Err(de::Error::custom(format_args!(
            "a {what} is {}, not an object",
            got.found()
        ))),
    }
}

impl<'de> Deserialize<'de> for PathValue {
    /// Strict: `path` must be a string and `value` present.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        strict_entry(d, "value")
    }
}

impl<'de> Deserialize<'de> for PathMeta {
    /// Strict: `path` must be a string and `value` present.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let PathValue { path, value, extra } = strict_entry(d, "meta entry")?;
        Ok(Self { path, value, extra })
    }
}

thread_local! {
    /// Deltas dropped whole because their text is not a JSON object.
    static UNPARSED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The host's JSON text as a [`Delta`]; one that does not parse is dropped, counted and
/// logged for the 1st, 2nd, 4th, 8th, … time with the count, so a host sending garbage
/// cannot flood the log. The one place deltas are decoded (kept out of line: the decoder
/// is large).
#[inline(never)]
pub(crate) fn decode_or_log(json: &[u8]) -> Option<Delta> {
    match decode_reporting(json) {
        Ok(delta) => Some(delta),
        Err(err) => {
            let n = UNPARSED.with(|c| {
                c.set(c.get() + 1);
                c.get()
            });
            if n.is_power_of_two() {
                logging::write(
                    log::Level::Warn,
                    &format!("ignored a delta that does not parse ({n} so far): {err}"),
                );
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_value_read_as_a_struct_must_be_an_object_not_an_array() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Position {
            latitude: f64,
            longitude: f64,
        }
        let delta = Delta::decode_lenient(
            br#"{"updates":[{"values":[{"path":"a","value":[52,4]},{"path":"b","value":{"latitude":52,"longitude":4}}]}]}"#,
        )
        .unwrap()
        .0;
        assert_eq!(delta.get::<Position>("a"), None);
        assert_eq!(
            delta.get::<Position>("b"),
            Some(Position {
                latitude: 52.0,
                longitude: 4.0
            })
        );
        assert_eq!(delta.get::<Vec<f64>>("a"), Some(vec![52.0, 4.0]));
    }

    #[test]
    fn deltas_that_do_not_parse_are_logged_at_powers_of_two() {
        crate::testing::reset();
        let before = UNPARSED.with(std::cell::Cell::get);
        for _ in 0..9 {
            assert!(decode_or_log(b"[not an object]").is_none());
        }
        let logged: Vec<u64> = crate::testing::logs()
            .iter()
            .filter_map(|l| l.split("does not parse (").nth(1))
            .filter_map(|rest| rest.split(' ').next()?.parse().ok())
            .collect();
        let expected: Vec<u64> = (before + 1..=before + 9)
            .filter(|n| n.is_power_of_two())
            .collect();
        assert_eq!(logged, expected);
    }

    use super::*;
    use crate::{ERROR_TEXT_LIMIT, testing};

    fn lenient(json: &str) -> (Delta, Vec<Skipped>) {
        Delta::decode_lenient(json.as_bytes()).unwrap()
    }

    fn problems(skipped: &[Skipped]) -> Vec<(&str, &str)> {
        skipped
            .iter()
            .map(|s| (s.path.as_str(), s.problem.as_str()))
            .collect()
    }

    #[test]
    fn n2k_source_with_numeric_src_and_pgn_is_delivered() {
        let (delta, skipped) = lenient(
            r#"{"context":"vessels.urn:mrn:imo:mmsi:230099999","updates":[{"source":{"label":"n2k","type":"NMEA2000","pgn":130306,"src":115,"instance":0},"$source":"n2k.115","timestamp":"2026-11-24T10:00:00.000Z","values":[{"path":"environment.wind.speedApparent","value":7.5}]}]}"#,
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        let update = &delta.updates[0];
        let source = update.source.as_ref().unwrap();
        assert_eq!(source.label, "n2k");
        assert_eq!(source.kind.as_deref(), Some("NMEA2000"));
        assert_eq!(source.src.as_deref(), Some("115"));
        assert_eq!(source.pgn, Some(130306));
        assert_eq!(source.instance.as_deref(), Some("0"));
        assert_eq!(update.source_ref.as_deref(), Some("n2k.115"));
        assert_eq!(
            delta.get::<f64>("environment.wind.speedApparent"),
            Some(7.5)
        );
    }

    #[test]
    fn member_names_match_the_serialized_ones() {
        for (key, names) in [
            (Key::Delta, DELTA_KEYS),
            (Key::Update, UPDATE_KEYS),
            (Key::Source, SOURCE_KEYS),
            (Key::Entry, ENTRY_KEYS),
        ] {
            for (i, name) in names.iter().enumerate() {
                assert_eq!(key.typed(name), Some(i), "{name}");
            }
            assert_eq!(key.typed("other"), None);
        }
    }

    #[test]
    fn pgns_that_are_not_pgns_are_reported() {
        let (mut delta, skipped) = lenient(
            r#"{"updates":[{"source":{"label":"a","pgn":4294967296}},{"source":{"label":"b","pgn":-1}},{"source":{"label":"c","pgn":1.5}},{"source":{"label":"d","pgn":true}},{"source":{"label":"e","pgn":1.3e5}}]}"#,
        );
        assert_eq!(delta.updates.len(), 5);
        assert_eq!(
            delta.updates.pop().unwrap().source.unwrap().pgn,
            Some(130_000)
        );
        assert!(
            delta
                .updates
                .iter()
                .all(|u| u.source.as_ref().unwrap().pgn.is_none())
        );
        let found: Vec<&str> = skipped
            .iter()
            .map(|s| {
                s.problem
                    .trim_start_matches("the source's `pgn` is not a PGN number: ")
            })
            .collect();
        assert_eq!(
            found,
            [
                "a number out of range",
                "a negative number",
                "a number with a fraction, or out of range",
                "a boolean"
            ]
        );
    }

    #[test]
    fn source_members_accept_strings_and_pgn_a_string_of_digits() {
        let (delta, skipped) = lenient(
            r#"{"updates":[{"source":{"label":"gps","type":"NMEA0183","src":"GP","pgn":"129025","sentence":"RMC","talker":"GP"},"values":[]}]}"#,
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        let source = delta.updates[0].source.as_ref().unwrap();
        assert_eq!(source.pgn, Some(129025));
        assert_eq!(source.src.as_deref(), Some("GP"));
        assert_eq!(source.sentence.as_deref(), Some("RMC"));
        assert_eq!(source.talker.as_deref(), Some("GP"));
    }

    #[test]
    fn unknown_members_are_kept_and_written_back() {
        // Typed members first, then the unknown ones: the order serialization writes.
        let json = r#"{"context":"vessels.urn:mrn:imo:mmsi:1","updates":[{"source":{"label":"n2k","src":"3","canName":"c0a8","deviceInstance":1},"$source":"n2k.3","values":[{"path":"a.b","value":{"x":[1,2]},"quality":"good"}],"meta":[{"path":"a.b","value":{"units":"m"},"note":1}],"sequence":9}],"via":"relay"}"#;
        let (delta, skipped) = lenient(json);
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(delta.extra.get("via").unwrap(), "relay");
        let update = &delta.updates[0];
        assert_eq!(update.extra.get("sequence").unwrap(), 9);
        let source = update.source.as_ref().unwrap();
        assert_eq!(source.extra.get("canName").unwrap(), "c0a8");
        assert_eq!(source.extra.get("deviceInstance").unwrap(), 1);
        assert_eq!(update.values[0].extra.get("quality").unwrap(), "good");
        assert_eq!(update.meta[0].extra.get("note").unwrap(), 1);
        assert_eq!(serde_json::to_string(&delta).unwrap(), json);
    }

    #[test]
    fn a_bad_update_is_skipped_and_the_rest_delivered() {
        let (delta, skipped) = lenient(
            r#"{"updates":[{"values":[{"path":"a","value":1}]},5,"x",[1],true,{"values":[{"path":"b","value":2}]}]}"#,
        );
        assert_eq!(delta.updates.len(), 2);
        assert_eq!(delta.get::<i32>("a"), Some(1));
        assert_eq!(delta.get::<i32>("b"), Some(2));
        assert_eq!(
            problems(&skipped),
            [
                ("updates", "update 1 is a number, not an object"),
                ("updates", "update 2 is a string, not an object"),
                ("updates", "update 3 is an array, not an object"),
                ("updates", "update 4 is a boolean, not an object"),
            ]
        );
    }

    #[test]
    fn a_bad_value_is_skipped_and_the_rest_delivered() {
        let (delta, skipped) = lenient(
            r#"{"updates":[{"values":[
                {"path":"ok.one","value":1},
                7,
                {"value":2},
                {"path":5,"value":3},
                {"path":"navigation.speedOverGround"},
                {"path":"ok.two","value":null}
            ],"meta":[{"path":"m"},{"path":"ok.meta","value":{}}]}]}"#,
        );
        let update = &delta.updates[0];
        let paths: Vec<&str> = update.values.iter().map(|v| v.path.as_str()).collect();
        assert_eq!(paths, ["ok.one", "ok.two"]);
        assert!(
            update.values[1].value.is_null(),
            "null is a value: no value"
        );
        assert_eq!(update.meta.len(), 1);
        assert_eq!(
            problems(&skipped),
            [
                (
                    "updates.values",
                    "value 1 of update 0 is a number, not an object"
                ),
                ("updates.values", "value 2 of update 0 has no `path` member"),
                (
                    "updates.values",
                    "value 3 of update 0 has a path that is a number, not a string"
                ),
                (
                    "navigation.speedOverGround",
                    "value 4 of update 0 has no `value` member"
                ),
                ("m", "meta entry 0 of update 0 has no `value` member"),
            ]
        );
    }

    #[test]
    fn members_of_the_wrong_kind_are_skipped_and_the_rest_delivered() {
        let (delta, skipped) = lenient(
            r#"{"updates":[
                {"timestamp":42,"$source":{"a":1},"notificationId":[1],"source":"n2k","values":[{"path":"a","value":1}]},
                {"values":{"path":"b","value":2},"meta":"none","source":{"label":"x","src":true,"pgn":"12x","type":[1]}}
            ]}"#,
        );
        assert_eq!(delta.updates.len(), 2);
        assert_eq!(delta.get::<i32>("a"), Some(1));
        let first = &delta.updates[0];
        assert_eq!(
            (&first.timestamp, &first.source_ref, &first.source),
            (&None, &None, &None)
        );
        let source = delta.updates[1].source.as_ref().unwrap();
        assert_eq!(source.label, "x");
        assert_eq!(
            (&source.src, source.pgn, &source.kind),
            (&None, None, &None)
        );
        assert_eq!(
            problems(&skipped),
            [
                (
                    "updates.timestamp",
                    "update 0: `timestamp` is a number, not a string"
                ),
                (
                    "updates.$source",
                    "update 0: `$source` is an object, not a string"
                ),
                (
                    "updates.notificationId",
                    "update 0: `notificationId` is an array, not a string"
                ),
                (
                    "updates.source",
                    "update 0: `source` is a string, not an object"
                ),
                (
                    "updates.values",
                    "update 1: `values` is an object, not an array"
                ),
                ("updates.meta", "update 1: `meta` is a string, not an array"),
                (
                    "updates.source.src",
                    "the source's `src` is a boolean, not a string or a number"
                ),
                (
                    "updates.source.pgn",
                    "the source's `pgn` is not a PGN number: a string that is not a number"
                ),
                (
                    "updates.source.type",
                    "the source's `type` is an array, not a string or a number"
                ),
            ]
        );
    }

    #[test]
    fn null_members_count_as_absent() {
        let (delta, skipped) = lenient(
            r#"{"updates":[{"source":null,"timestamp":null,"values":null,"meta":null},{"source":{"label":null,"src":null,"pgn":null}}],"extra":null}"#,
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(delta.updates.len(), 2);
        assert_eq!(delta.updates[1].source, Some(Source::default()));
        let (delta, skipped) = lenient(r#"{"updates":null}"#);
        assert!(skipped.is_empty() && delta.updates.is_empty());
    }

    #[test]
    fn values_with_an_empty_path_are_delivered() {
        // The server sends the vessel's name and MMSI this way.
        let (delta, skipped) =
            lenient(r#"{"updates":[{"values":[{"path":"","value":{"name":"Boaty"}}]}]}"#);
        assert!(skipped.is_empty());
        assert_eq!(delta.value_of("").unwrap().as_str(), r#"{"name":"Boaty"}"#);
    }

    #[test]
    fn updates_of_the_wrong_kind_are_reported() {
        let (delta, skipped) = lenient(r#"{"context":"vessels.x","updates":{"values":[]}}"#);
        assert!(delta.updates.is_empty());
        assert_eq!(delta.context.as_deref(), Some("vessels.x"));
        assert_eq!(
            problems(&skipped),
            [("updates", "is an object, not an array")]
        );
    }

    #[test]
    fn only_text_that_is_not_a_json_object_fails_the_whole_delta() {
        for bad in [
            "",
            "not json",
            "[1,2]",
            r#""text""#,
            "42",
            "null",
            r#"{"updates":["#,
            r#"{"updates":[]} trailing"#,
            r#"{"context":5,"updates":[]}"#,
            r#"{"context":null,"updates":[]}"#,
        ] {
            let err = Delta::decode_lenient(bad.as_bytes()).unwrap_err();
            assert!(matches!(err, Error::Json(_)), "{bad}: {err}");
        }
        assert!(Delta::decode_lenient(&[0xff, 0xfe]).is_err(), "not UTF-8");
        let err = Delta::decode_lenient(br#"{"context":5}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("the delta's context is a number, not a string"),
            "{err}"
        );
        let (delta, skipped) = lenient("{}");
        assert_eq!((delta, skipped), (Delta::default(), Vec::new()));
    }

    #[test]
    fn large_values_stay_text() {
        let big = "x".repeat(1 << 20);
        let json = format!(r#"{{"updates":[{{"values":[{{"path":"a","value":"{big}"}}]}}]}}"#);
        let (delta, skipped) = lenient(&json);
        assert!(skipped.is_empty());
        assert_eq!(delta.value_of("a").unwrap().as_str().len(), big.len() + 2);
    }

    #[test]
    fn strict_deserialize_refuses_what_lenient_decoding_skips() {
        let good = r#"{"updates":[{"source":{"label":"n2k","pgn":130306,"src":115},"values":[{"path":"a","value":1}],"x":1}]}"#;
        let delta: Delta = serde_json::from_str(good).unwrap();
        assert_eq!(
            delta.updates[0].source.as_ref().unwrap().src.as_deref(),
            Some("115")
        );
        assert_eq!(delta.updates[0].extra.get("x").unwrap(), 1);
        let err = serde_json::from_str::<Delta>(r#"{"updates":[{"values":[{"path":"a"}]}]}"#)
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("`a`: value 0 of update 0 has no `value` member"),
            "{err}"
        );
        assert!(serde_json::from_str::<Delta>(r#"{"updates":[1]}"#).is_err());
        assert!(serde_json::from_str::<Update>(r#"{"timestamp":1}"#).is_err());
        assert!(serde_json::from_str::<Update>("[]").is_err());
        assert!(serde_json::from_str::<Source>(r#"{"label":"a","pgn":"x"}"#).is_err());
        assert!(serde_json::from_str::<PathValue>(r#"{"path":"a"}"#).is_err());
        assert!(serde_json::from_str::<PathMeta>(r#"{"value":{}}"#).is_err());
        let pv: PathValue = serde_json::from_str(r#"{"value":2,"path":"a"}"#).unwrap();
        assert_eq!(pv, PathValue::new("a", 2));
    }

    #[test]
    fn skips_are_logged_once_per_path_and_all_counted() {
        testing::reset();
        let json = br#"{"updates":[{"values":[{"path":"a"},{"path":"b"},{"path":"a"}]}]}"#;
        for _ in 0..3 {
            let delta = decode_reporting(json).unwrap();
            assert_eq!(delta.updates.len(), 1);
        }
        assert_eq!(
            testing::logs(),
            [
                "[WARN] ignored `a`: value 0 of update 0 has no `value` member (reported once per path)",
                "[WARN] ignored `b`: value 1 of update 0 has no `value` member (reported once per path)",
            ]
        );
        assert_eq!(Skipped::count(), 9);
    }

    #[test]
    fn at_most_256_paths_are_remembered_then_skips_are_only_counted() {
        testing::reset();
        for i in 0..MAX_REPORTED_PATHS + 10 {
            let json = format!(r#"{{"updates":[{{"values":[{{"path":"p{i}"}}]}}]}}"#);
            decode_reporting(json.as_bytes()).unwrap();
        }
        let logs = testing::logs();
        assert_eq!(logs.len(), MAX_REPORTED_PATHS + 1);
        assert_eq!(
            logs.last().unwrap(),
            "[WARN] problems in received data at more than 256 paths: further ones are counted, not logged"
        );
        // Remembered paths stay quiet, and the memory does not grow.
        decode_reporting(br#"{"updates":[{"values":[{"path":"p0"}]}]}"#).unwrap();
        assert_eq!(testing::logs().len(), MAX_REPORTED_PATHS + 1);
        assert_eq!(Skipped::count(), (MAX_REPORTED_PATHS + 11) as u64);
        SKIP_LOG.with(|log| assert_eq!(log.borrow().reported.len(), MAX_REPORTED_PATHS));
    }

    #[test]
    fn skip_reports_quoting_input_are_bounded() {
        testing::reset();
        // A 100 KB path (quoted as the skip's path) and a 100 KB value read as a number
        // (quoted by serde's message).
        let path = "é".repeat(100_000);
        let value = "9".repeat(100_000);
        let json = format!(
            r#"{{"updates":[{{"values":[{{"path":"{path}"}},{{"path":"depth","value":"{value}"}}]}}]}}"#
        );
        let (delta, skipped) = lenient(&json);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].path.chars().count(), ERROR_TEXT_LIMIT + 1);
        let delta_reported = decode_reporting(json.as_bytes()).unwrap();
        assert_eq!(delta_reported, delta);
        assert_eq!(delta.get::<f64>("depth"), None);
        let logs = testing::logs();
        assert_eq!(logs.len(), 2);
        for line in logs {
            let text = line.strip_prefix("[WARN] ").unwrap();
            assert_eq!(text.chars().count(), ERROR_TEXT_LIMIT + 1, "{text}");
            assert!(text.ends_with("(reported once per path)"), "{text}");
        }
    }

    #[test]
    fn a_value_read_as_the_wrong_type_is_reported_once_per_path() {
        testing::reset();
        let (delta, _) = lenient(
            r#"{"updates":[{"values":[{"path":"navigation.speedOverGround","value":"fast"},{"path":"navigation.log","value":null}]}]}"#,
        );
        assert_eq!(delta.get::<f64>("navigation.speedOverGround"), None);
        assert_eq!(delta.get::<f64>("navigation.speedOverGround"), None);
        assert_eq!(
            delta.get::<f64>("navigation.log"),
            None,
            "null is no value, not a mismatch"
        );
        assert_eq!(delta.get::<f64>("not.there"), None);
        assert_eq!(
            testing::logs(),
            [
                "[WARN] ignored `navigation.speedOverGround`: the value does not fit the type the plugin reads: invalid type: string \"fast\", expected f64 at line 1 column 6 (reported once per path)"
            ]
        );
        assert_eq!(Skipped::count(), 2);
        assert_eq!(
            delta.get::<String>("navigation.speedOverGround").as_deref(),
            Some("fast")
        );
    }
}
