use serde::{Deserialize, Serialize};

/// A notification value, as published under `notifications.*`.
///
/// ```
/// use signalk_plugin::{AlarmMethod, AlarmState, Notification};
/// let n = Notification::new(AlarmState::Alarm, "Anchor \"drag\"");
/// assert_eq!(
///     serde_json::to_string(&n).unwrap(),
///     r#"{"state":"alarm","method":["visual","sound"],"message":"Anchor \"drag\""}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Severity.
    pub state: AlarmState,
    /// How to alert the crew.
    #[serde(default)]
    pub method: Vec<AlarmMethod>,
    /// Human-readable message.
    #[serde(default)]
    pub message: String,
    /// Set by the server on notifications it delivers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl Notification {
    /// A notification with both visual and sound methods for states above `normal`,
    /// and no method for `normal`.
    #[must_use]
    pub fn new(state: AlarmState, message: impl Into<String>) -> Self {
        let method = if state == AlarmState::Normal {
            Vec::new()
        } else {
            vec![AlarmMethod::Visual, AlarmMethod::Sound]
        };
        Self {
            state,
            method,
            message: message.into(),
            id: None,
        }
    }

    /// Replaces the alert methods.
    #[must_use]
    pub fn with_method(mut self, method: impl IntoIterator<Item = AlarmMethod>) -> Self {
        self.method = method.into_iter().collect();
        self
    }
}

/// Notification and zone severity. These are exactly the states signalk-server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlarmState {
    /// Nothing to report (clears a notification).
    Normal,
    /// Attention.
    Alert,
    /// Warning.
    Warn,
    /// Alarm.
    Alarm,
    /// Emergency.
    Emergency,
}

/// How a notification should reach the crew.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlarmMethod {
    /// Show it.
    Visual,
    /// Sound it.
    Sound,
}
