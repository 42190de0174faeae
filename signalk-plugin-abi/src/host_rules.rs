//! Rules the real host applies to import arguments, written once so that the SDK's
//! native recorder and the mock host answer the same way.

/// The notification states `sk_publish_notification` accepts (§3.3).
pub const NOTIFICATION_STATES: [&str; 5] = ["normal", "alert", "warn", "alarm", "emergency"];

/// Whether `sk_publish_notification` accepts this value JSON: it must parse and
/// have a `state` that is one of [`NOTIFICATION_STATES`]. Nothing else is checked.
///
/// ```
/// use signalk_plugin_abi::host_rules::accepts_notification;
/// assert!(accepts_notification(r#"{"state":"alarm"}"#));
/// assert!(!accepts_notification(r#"{"state":"bogus","message":"x"}"#));
/// assert!(!accepts_notification("not json"));
/// ```
#[must_use]
pub fn accepts_notification(value_json: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(value_json)
        .ok()
        .and_then(|v| v.get("state").and_then(|s| s.as_str().map(str::to_owned)))
        .is_some_and(|state| NOTIFICATION_STATES.contains(&state.as_str()))
}

/// What `sk_has_capability(name)` answers: only `network` and `rawSockets` are ever
/// reported, every other name is 0 even when granted (§3.5).
///
/// ```
/// use signalk_plugin_abi::host_rules::capability_answer;
/// assert!(capability_answer("rawSockets", |_| true));
/// assert!(!capability_answer("putHandlers", |_| true));
/// ```
#[must_use]
pub fn capability_answer(name: &str, granted: impl Fn(&str) -> bool) -> bool {
    matches!(
        name.parse(),
        Ok(crate::Capability::Network | crate::Capability::RawSockets)
    ) && granted(name)
}
