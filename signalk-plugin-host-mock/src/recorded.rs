//! What a plugin did, as the host recorded it: every `env` call, the deltas the server
//! pipeline accepted, binary stream frames, and what the server itself would have
//! logged. One view, [`MockHost::recorded`](crate::MockHost::recorded), for every
//! assertion a test makes about the plugin's effects.

use serde_json::Value;
use signalk_plugin::Delta;
use signalk_plugin_abi::HostCall;

/// The record of one plugin instance.
///
/// ```no_run
/// # let host: signalk_plugin_host_mock::MockHost = unimplemented!();
/// let recorded = host.recorded();
/// assert_eq!(recorded.statuses(), ["Running"]);
/// assert!(recorded.errors().is_empty());
/// assert_eq!(recorded.deltas().len(), 1);
/// ```
#[derive(Debug, Default)]
pub struct Recorded {
    /// The package name: the plugin's own deltas carry it as `$source`.
    pub(crate) package: String,
    /// Every `env` call the guest made, in order.
    pub(crate) calls: Vec<HostCall>,
    /// Deltas the server pipeline accepted (normalised), from the plugin and from tests.
    pub(crate) deltas: Vec<Value>,
    /// Lines the host itself would write to its debug log.
    pub(crate) host_log: Vec<String>,
    /// Binary stream frames the host accepted.
    pub(crate) streams: Vec<(String, Vec<u8>)>,
    /// Failures the server would only debug-log (delta_handler traps, recursion stops).
    pub(crate) handler_faults: Vec<String>,
}

impl Recorded {
    pub(crate) fn new(package: &str) -> Self {
        Recorded {
            package: package.to_owned(),
            ..Recorded::default()
        }
    }

    /// Every `env` call the plugin made, in order.
    #[must_use]
    pub fn calls(&self) -> &[HostCall] {
        &self.calls
    }

    /// Returns the recorded calls and clears that part of the record.
    pub fn take_calls(&mut self) -> Vec<HostCall> {
        std::mem::take(&mut self.calls)
    }

    /// Messages set with `sk_set_status`, in order.
    #[must_use]
    pub fn statuses(&self) -> Vec<String> {
        self.texts(HostCall::status)
    }

    /// Messages set with `sk_set_error`, in order.
    #[must_use]
    pub fn errors(&self) -> Vec<String> {
        self.texts(HostCall::error)
    }

    /// Lines written with `sk_debug`, in order.
    #[must_use]
    pub fn logs(&self) -> Vec<String> {
        self.texts(HostCall::log)
    }

    fn texts(&self, pick: impl Fn(&HostCall) -> Option<&str>) -> Vec<String> {
        self.calls
            .iter()
            .filter_map(pick)
            .map(str::to_owned)
            .collect()
    }

    /// Deltas the server pipeline accepted, normalised (resolved context, `$source`,
    /// `timestamp`), in order — the plugin's own and those a test delivered.
    #[must_use]
    pub fn delta_values(&self) -> &[Value] {
        &self.deltas
    }

    /// The plugin's own accepted deltas, parsed into the SDK's data model.
    ///
    /// # Panics
    ///
    /// If a delta the pipeline accepted does not fit the SDK's [`Delta`] model; that is
    /// a bug in the SDK's model and the test should fail loudly.
    #[must_use]
    pub fn deltas(&self) -> Vec<Delta> {
        let package = self.package.as_str();
        self.deltas
            .iter()
            .filter(|d| {
                d["updates"].as_array().is_some_and(|u| {
                    u.iter()
                        .all(|u| u["$source"] == *package || u["source"]["label"] == *package)
                })
            })
            .map(|d| {
                serde_json::from_value(d.clone()).unwrap_or_else(|e| {
                    panic!("delta {d} does not parse into signalk_plugin::Delta: {e}")
                })
            })
            .collect()
    }

    /// Binary stream frames the host accepted, as `(stream id, bytes)`.
    #[must_use]
    pub fn streams(&self) -> &[(String, Vec<u8>)] {
        &self.streams
    }

    /// Lines the server itself would debug-log (dropped deltas, rejected saves, ...).
    #[must_use]
    pub fn host_log(&self) -> &[String] {
        &self.host_log
    }

    /// Failures the server swallows: `delta_handler` traps and recursion stops.
    #[must_use]
    pub fn handler_faults(&self) -> &[String] {
        &self.handler_faults
    }
}
