//! Sending data to the server: deltas (`sk_handle_message`) and notifications
//! (`sk_publish_notification`).
//!
//! Both calls run the server's delta pipeline synchronously, which re-enters this
//! plugin's own `delta_handler` while the call is still on the stack (§1.5). The
//! generated exports handle that: a delta that arrives while the plugin is busy is
//! queued and delivered right after the current call returns.

use crate::{Delta, Error, Notification, RawJson, Result, Update, abi, reentry};

/// The Signal K data-model version a delta is sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeltaVersion {
    /// Updates the full data model (`/signalk/v1/api/…`).
    #[default]
    V1,
    /// Only emitted as an event; not stored in the v1 model.
    V2,
}

impl DeltaVersion {
    fn code(self) -> i32 {
        match self {
            DeltaVersion::V1 => 1,
            DeltaVersion::V2 => 2,
        }
    }
}

/// Sends a delta to the server as Signal K v1.
///
/// ```
/// use signalk_plugin::{emit, Delta, Update};
/// emit(&Delta::new().with_update(Update::new().with_value("environment.depth.belowKeel", 4.2)))?;
/// # Ok::<(), signalk_plugin::Error>(())
/// ```
///
/// A NaN or infinity is refused, never sent as `null` (which would clear the value on
/// the server):
///
/// ```
/// use signalk_plugin::{emit, Delta, Error, Update};
/// let speed = (-1.0_f64).sqrt(); // a calculation gone wrong
/// let delta = Delta::new().with_update(
///     Update::new()
///         .with_value("environment.depth.belowKeel", 4.2)
///         .with_value("navigation.speedThroughWater", speed),
/// );
/// let err = emit(&delta).unwrap_err();
/// assert!(matches!(&err, Error::NonFinite { path, .. } if path == "navigation.speedThroughWater"));
/// assert!(signalk_plugin::testing::take_deltas().is_empty(), "nothing of the delta was sent");
/// ```
///
/// # Errors
/// [`Error::InvalidDelta`] for a delta the server would drop without a word (an update
/// with neither values nor meta, an empty path); [`Error::NonFinite`] naming the path of
/// a value or metadata holding a NaN or infinity; [`Error::Json`] if it cannot be
/// serialized. Nothing of a refused delta is sent. The host itself reports nothing back.
pub fn emit(delta: &Delta) -> Result<()> {
    emit_as(delta, DeltaVersion::V1)
}

/// Sends a delta to the server as Signal K v2 (an event only).
///
/// ```
/// use signalk_plugin::{emit_v2, Delta, Update};
/// emit_v2(&Delta::new().with_update(Update::new().with_value("a.b", true)))?;
/// # Ok::<(), signalk_plugin::Error>(())
/// ```
///
/// # Errors
/// As [`emit`].
pub fn emit_v2(delta: &Delta) -> Result<()> {
    emit_as(delta, DeltaVersion::V2)
}

/// Sends one value of this vessel as a v1 delta.
///
/// ```
/// signalk_plugin::emit_value("navigation.anchor.maxRadius", 50)?;
/// # Ok::<(), signalk_plugin::Error>(())
/// ```
///
/// # Errors
/// As [`emit`].
pub fn emit_value(path: &str, value: impl Into<RawJson>) -> Result<()> {
    emit(&Delta::new().with_update(Update::new().with_value(path, value)))
}

/// Sends path/value pairs of this vessel as one v1 delta, without building a [`Delta`]:
/// the pairs are serialized straight into the message, borrowed, so the paths and
/// values are never copied. The delta sent is the one [`emit`] sends for
/// `Delta::new().with_update(Update::new().with_value(path, value)…)`, with the same
/// checks: at least one pair, no empty path, no NaN or infinity.
///
/// ```
/// use signalk_plugin::{emit_values, testing};
/// emit_values(&[("navigation.speedOverGround", 3.5), ("navigation.headingTrue", 1.2)])?;
/// assert_eq!(
///     testing::take_deltas()[0].get::<f64>("navigation.headingTrue"),
///     Some(1.2)
/// );
/// assert!(emit_values(&[("environment.depth.belowKeel", f64::NAN)]).is_err());
/// # Ok::<(), signalk_plugin::Error>(())
/// ```
///
/// # Errors
/// As [`emit`]: [`Error::InvalidDelta`] for no pairs or an empty path,
/// [`Error::NonFinite`] naming the path of a NaN or infinity, [`Error::Json`] for a
/// value that cannot be serialized. Nothing is sent then.
pub fn emit_values<V: serde::Serialize>(values: &[(&str, V)]) -> Result<()> {
    if values.is_empty() {
        return Err(Error::InvalidDelta("an update has neither values nor meta"));
    }
    for (path, value) in values {
        if path.is_empty() {
            return Err(Error::InvalidDelta("a path is empty"));
        }
        if let Some((value, member)) = RawJson::non_finite_in(value) {
            return Err(Error::NonFinite {
                what: "value",
                path: (*path).to_owned(),
                member,
                value,
            });
        }
    }
    let json = values::to_json(values)?;
    reentry::host_call(|| abi::handle_message(&json, DeltaVersion::V1.code()));
    Ok(())
}

/// The text of the one-update delta [`emit_values`] sends.
mod values {
    use serde::Serialize;

    /// The framing is fixed text; serde writes only each path (escaped) and each value,
    /// so no serializer state machine runs for the objects and arrays around them. The
    /// text is the same as serde_json's compact output for the same delta.
    pub(super) fn to_json<V: Serialize>(values: &[(&str, V)]) -> serde_json::Result<Vec<u8>> {
        // Room for the paths and typical values: one allocation, no regrowth.
        let estimate = 32
            + values
                .iter()
                .map(|(path, _)| path.len() + 48)
                .sum::<usize>();
        let mut out = Vec::with_capacity(estimate);
        out.extend_from_slice(br#"{"updates":[{"values":["#);
        for (i, (path, value)) in values.iter().enumerate() {
            out.extend_from_slice(if i == 0 {
                br#"{"path":"#
            } else {
                br#",{"path":"#
            });
            serde_json::to_writer(&mut out, path)?;
            out.extend_from_slice(br#","value":"#);
            serde_json::to_writer(&mut out, value)?;
            out.push(b'}');
        }
        out.extend_from_slice(b"]}]}");
        Ok(out)
    }

    #[cfg(test)]
    mod tests {
        use crate::{Delta, RawJson, Update};

        #[test]
        fn the_text_is_what_serde_writes_for_the_same_delta() {
            let text = "a \"quoted\" path\n";
            let nested = RawJson::from(serde_json::json!({"b": [1, "x"], "c": null}));
            let values = [("a.b", nested.clone()), (text, RawJson::from(-1.5e-7))];
            let json = super::to_json(&values).unwrap();
            let delta = Delta::new().with_update(
                Update::new()
                    .with_value("a.b", nested)
                    .with_value(text, -1.5e-7),
            );
            assert_eq!(
                String::from_utf8(json).unwrap(),
                serde_json::to_string(&delta).unwrap()
            );
        }
    }
}

fn emit_as(delta: &Delta, version: DeltaVersion) -> Result<()> {
    validate(delta)?;
    let json = serde_json::to_vec(delta)?;
    reentry::host_call(|| abi::handle_message(&json, version.code()));
    Ok(())
}

fn validate(delta: &Delta) -> Result<()> {
    if delta.updates.is_empty() {
        return Err(Error::InvalidDelta("it has no updates"));
    }
    for update in &delta.updates {
        if update.values.is_empty() && update.meta.is_empty() {
            return Err(Error::InvalidDelta("an update has neither values nor meta"));
        }
        let paths = update.values.iter().map(|v| &v.path);
        if paths
            .chain(update.meta.iter().map(|m| &m.path))
            .any(String::is_empty)
        {
            return Err(Error::InvalidDelta("a path is empty"));
        }
        finite(update)?;
    }
    finite_members(&delta.extra)
}

/// No NaN or infinity anywhere in `update`: serde_json would write `null`.
fn finite(update: &Update) -> Result<()> {
    for v in &update.values {
        check("value", &v.path, &v.value)?;
        finite_members(&v.extra)?;
    }
    for m in &update.meta {
        check("meta", &m.path, &m.value)?;
        finite_members(&m.extra)?;
    }
    if let Some(source) = &update.source {
        finite_members(&source.extra)?;
    }
    finite_members(&update.extra)
}

fn finite_members(extra: &crate::Members) -> Result<()> {
    extra
        .iter()
        .try_for_each(|(name, value)| check("member", name, value))
}

fn check(what: &'static str, path: &str, value: &RawJson) -> Result<()> {
    match value.non_finite() {
        Some((value, member)) => Err(Error::NonFinite {
            what,
            path: path.to_owned(),
            member,
            value,
        }),
        None => Ok(()),
    }
}

/// Publishes a notification at `path` (for example `notifications.anchor.drag`) with
/// `sk_publish_notification`. The server adds its `id` and `status` members.
///
/// ```
/// use signalk_plugin::{notify, AlarmState, Notification};
/// notify("notifications.anchor", &Notification::new(AlarmState::Alarm, "Anchor dragging"))?;
/// # Ok::<(), signalk_plugin::Error>(())
/// ```
///
/// # Errors
/// [`Error::HostRejected`] when the host answers -1; [`Error::InvalidDelta`] for an empty path.
pub fn notify(path: &str, notification: &Notification) -> Result<()> {
    if path.is_empty() {
        return Err(Error::InvalidDelta("a path is empty"));
    }
    let json = serde_json::to_vec(notification)?;
    reentry::host_call(|| abi::publish_notification(path, &json))
        .map_err(crate::error::rejected("sk_publish_notification"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{self, HostCall};
    use crate::{AlarmState, Meta};

    #[test]
    fn emits_escaped_json_with_version() {
        testing::reset();
        let delta =
            Delta::new().with_update(Update::new().with_value("a.b", "quote \" and \\ and \n"));
        emit_v2(&delta).unwrap();
        let calls = testing::take_calls();
        let HostCall::HandleMessage { version, json } = &calls[0] else {
            panic!("{calls:?}")
        };
        assert_eq!(*version, 2);
        let back: Delta = serde_json::from_str(json).unwrap();
        assert_eq!(back, delta);
    }

    #[test]
    fn emit_values_sends_what_emit_sends_for_the_same_pairs() {
        let pairs = [
            ("navigation.speedOverGround", serde_json::json!(3.5)),
            (
                "navigation.position",
                serde_json::json!({"latitude": 60.1, "longitude": 24.9}),
            ),
            ("a.b", serde_json::json!("quote \" and \\")),
            ("c", serde_json::json!(null)),
        ];
        testing::reset();
        emit_values(&pairs).unwrap();
        let mut update = Update::new();
        for (path, value) in &pairs {
            update = update.with_value(*path, value);
        }
        emit(&Delta::new().with_update(update)).unwrap();
        let calls = testing::take_calls();
        let [
            HostCall::HandleMessage {
                version: 1,
                json: fast,
            },
            HostCall::HandleMessage {
                version: 1,
                json: reference,
            },
        ] = calls.as_slice()
        else {
            panic!("{calls:?}")
        };
        assert_eq!(fast, reference);
        let one = [("x.y", 1u8)];
        emit_values(&one).unwrap();
        emit_value("x.y", 1).unwrap();
        let calls = testing::take_calls();
        assert_eq!(calls[0], calls[1]);
    }

    #[test]
    fn emit_values_refuses_what_emit_refuses_and_sends_nothing() {
        testing::reset();
        let none: [(&str, f64); 0] = [];
        assert!(matches!(emit_values(&none), Err(Error::InvalidDelta(_))));
        assert!(matches!(
            emit_values(&[("", 1.0)]),
            Err(Error::InvalidDelta(_))
        ));
        let err = emit_values(&[("a", 1.0), ("b", f64::INFINITY)]).unwrap_err();
        assert!(
            matches!(&err, Error::NonFinite { path, what: "value", .. } if path == "b"),
            "{err:?}"
        );
        #[derive(serde::Serialize)]
        struct Position {
            latitude: f64,
        }
        let err = emit_values(&[("p", Position { latitude: f64::NAN })]).unwrap_err();
        assert!(
            matches!(&err, Error::NonFinite { path, member: Some("latitude"), .. } if path == "p"),
            "{err:?}"
        );
        let map: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        assert!(matches!(emit_values(&[("m", map)]), Err(Error::Json(_))));
        assert!(testing::take_calls().is_empty());
    }

    #[test]
    fn refuses_deltas_the_server_would_drop() {
        testing::reset();
        assert!(matches!(emit(&Delta::new()), Err(Error::InvalidDelta(_))));
        assert!(matches!(
            emit(&Delta::new().with_update(Update::new())),
            Err(Error::InvalidDelta(_))
        ));
        assert!(matches!(emit_value("", 1), Err(Error::InvalidDelta(_))));
        let meta_only = Delta::new().with_update(Update::new().with_meta("a", &Meta::default()));
        emit(&meta_only).unwrap();
        assert_eq!(testing::take_calls().len(), 1);
    }

    /// The path and number of an `Error::NonFinite`, or what else came back.
    fn refused(result: Result<()>) -> (String, &'static str, Option<&'static str>, String) {
        match result {
            Err(Error::NonFinite {
                what,
                path,
                member,
                value,
            }) => (path, what, member, value.to_owned()),
            other => panic!("expected NonFinite, got {other:?}"),
        }
    }

    #[test]
    fn nan_and_infinities_are_refused_naming_the_path() {
        testing::reset();
        let path = "navigation.speedThroughWater";
        for (value, text) in [
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            let result = emit_value(path, value);
            assert_eq!(
                refused(result),
                (path.to_owned(), "value", None, text.to_owned())
            );
        }
        let err = emit_value(path, f64::NAN).unwrap_err();
        assert_eq!(
            err.to_string(),
            "value at `navigation.speedThroughWater` is NaN; Signal K has no NaN or infinity \
             (JSON would carry null, which clears the value), so nothing was sent"
        );
        // f32 and Option<f64> too.
        assert_eq!(refused(emit_value("a", f32::NAN)).0, "a");
        assert_eq!(refused(emit_value("b", Some(f64::INFINITY))).0, "b");
        assert!(testing::take_calls().is_empty(), "nothing reached the host");
        // A real null ("no value") is still sent.
        emit_value(path, None::<f64>).unwrap();
        emit_value(path, 0.0).unwrap();
        assert_eq!(testing::take_calls().len(), 2);
    }

    #[test]
    fn one_non_finite_value_stops_the_whole_delta() {
        testing::reset();
        let delta = Delta::new()
            .with_update(Update::new().with_value("environment.depth.belowKeel", 4.2))
            .with_update(
                Update::new()
                    .with_value("navigation.speedOverGround", 3.0)
                    .with_value("navigation.courseOverGroundTrue", (-1.0_f64).sqrt()),
            );
        assert_eq!(refused(emit(&delta)).0, "navigation.courseOverGroundTrue");
        assert_eq!(
            refused(emit_v2(&delta)).0,
            "navigation.courseOverGroundTrue"
        );
        assert!(testing::take_calls().is_empty());
    }

    #[test]
    fn non_finite_numbers_inside_values_are_found() {
        #[derive(serde::Serialize)]
        struct Position {
            latitude: f64,
            longitude: f64,
        }
        testing::reset();
        let position = RawJson::serialize(&Position {
            latitude: 52.0,
            longitude: f64::NAN,
        })
        .unwrap();
        assert!(position.is_null());
        let result = emit_value("navigation.position", position);
        assert_eq!(
            refused(result),
            (
                "navigation.position".into(),
                "value",
                Some("longitude"),
                "NaN".into()
            )
        );
        let err = emit_value(
            "navigation.position",
            RawJson::serialize(&Position {
                latitude: f64::INFINITY,
                longitude: 4.0,
            })
            .unwrap(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("value at `navigation.position` is inf (member `latitude`); "),
            "{err}"
        );
        // In arrays and maps, and in a RawJson nested in another value.
        let list = RawJson::serialize(&vec![1.0, f64::NEG_INFINITY]).unwrap();
        assert_eq!(refused(emit_value("a", list)).3, "-inf");
        let nested = RawJson::serialize(&std::collections::BTreeMap::from([(
            "inner",
            RawJson::from(f64::NAN),
        )]))
        .unwrap();
        assert_eq!(refused(emit_value("b", nested)).3, "NaN");
        assert!(testing::take_calls().is_empty());
    }

    #[test]
    fn non_finite_metadata_and_members_are_refused() {
        testing::reset();
        let meta = Meta {
            zones: vec![crate::Zone {
                lower: Some(f64::NEG_INFINITY),
                upper: Some(2.0),
                state: AlarmState::Alarm,
                message: None,
            }],
            ..Meta::default()
        };
        let delta =
            Delta::new().with_update(Update::new().with_meta("environment.depth.belowKeel", &meta));
        assert_eq!(
            refused(emit(&delta)),
            (
                "environment.depth.belowKeel".into(),
                "meta",
                Some("lower"),
                "-inf".into()
            )
        );
        let timeout = Meta {
            timeout: Some(f64::NAN),
            ..Meta::default()
        };
        let delta = Delta::new().with_update(Update::new().with_meta("a", &timeout));
        assert_eq!(refused(emit(&delta)).2, Some("timeout"));

        let mut update = Update::new().with_value("a", 1);
        update.extra.insert("quality", f64::NAN);
        let delta = Delta::new().with_update(update);
        assert_eq!(
            refused(emit(&delta)),
            ("quality".into(), "member", None, "NaN".into())
        );

        let mut source = crate::Source::labelled("x");
        source.extra.insert("deviation", f64::INFINITY);
        let delta = Delta::new().with_update(Update::new().with_value("a", 1).with_source(source));
        assert_eq!(refused(emit(&delta)).0, "deviation");

        let mut delta = Delta::new().with_update(Update::new().with_value("a", 1));
        delta.updates[0].values[0].extra.insert("q", f64::NAN);
        assert_eq!(refused(emit(&delta)).0, "q");
        delta.updates[0].values[0].extra = crate::Members::new();
        delta.extra.insert("x", f64::NAN);
        assert_eq!(refused(emit(&delta)).0, "x");
        assert!(testing::take_calls().is_empty());
    }

    #[test]
    fn notification_rejected_by_host_is_an_error() {
        testing::reset();
        notify("notifications.x", &Notification::new(AlarmState::Warn, "w")).unwrap();
        assert!(notify("", &Notification::new(AlarmState::Warn, "w")).is_err());
        assert_eq!(testing::take_calls().len(), 1);
    }
}
