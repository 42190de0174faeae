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
/// # Errors
/// [`Error::InvalidDelta`] for a delta the server would drop without a word (an update
/// with neither values nor meta, an empty path); [`Error::Json`] if it cannot be
/// serialized. The host itself reports nothing back.
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
    }
    Ok(())
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
        .map_err(abi::rejected("sk_publish_notification"))
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

    #[test]
    fn notification_rejected_by_host_is_an_error() {
        testing::reset();
        notify("notifications.x", &Notification::new(AlarmState::Warn, "w")).unwrap();
        assert!(notify("", &Notification::new(AlarmState::Warn, "w")).is_err());
        assert_eq!(testing::take_calls().len(), 1);
    }
}
