//! What a plugin did, as the host recorded it: every `env` call, the deltas the server
//! pipeline accepted, binary stream frames, and what the server itself would have
//! logged. One view, [`MockHost::recorded`](crate::MockHost::recorded), for every
//! assertion a test makes about the plugin's effects. Bounded: see [`Recorded`].

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;
use signalk_plugin::Delta;
use signalk_plugin_abi::HostCall;

/// Entries kept per list of a [`Recorded`] unless [`Recorded::set_limit`] says otherwise.
pub const RECORD_LIMIT: usize = 10_000;

/// The record of one plugin instance.
///
/// It is bounded, so a long soak does not grow without limit: each of its lists (calls,
/// accepted deltas, host log lines, stream frames, handler faults) keeps at most
/// [`RECORD_LIMIT`] entries (see [`set_limit`](Self::set_limit)). When a list is full,
/// its oldest quarter is dropped; [`dropped`](Self::dropped) counts what each list lost,
/// so a test can tell "never happened" from "no longer kept". Accessors answer what is
/// kept, oldest first.
///
/// ```no_run
/// # let host: signalk_plugin_host_mock::MockHost = unimplemented!();
/// let recorded = host.recorded();
/// assert_eq!(recorded.statuses(), ["Running"]);
/// assert!(recorded.errors().is_empty());
/// assert_eq!(recorded.deltas().len(), 1);
/// assert_eq!(recorded.dropped().calls, 0);
/// ```
#[derive(Debug)]
pub struct Recorded {
    /// Which record this is (a [`DeltaSlot`] belongs to one record).
    id: u64,
    /// The package name: the plugin's own deltas carry it as `$source`.
    pub(crate) package: String,
    /// Most entries kept per list.
    limit: usize,
    /// Every `env` call the guest made, in order.
    calls: Vec<HostCall>,
    /// Deltas the server pipeline accepted (normalised), from the plugin and from tests.
    deltas: Vec<Value>,
    /// Lines the host itself would write to its debug log.
    host_log: Vec<String>,
    /// Binary stream frames the host accepted.
    streams: Vec<(String, Vec<u8>)>,
    /// Failures the server would only debug-log (delta_handler traps, recursion stops).
    handler_faults: Vec<String>,
    dropped: Dropped,
    /// Host calls ever recorded.
    calls_seen: u64,
}

/// Where an accepted delta goes in the record before the pipeline is done with it
/// ([`Recorded::reserve_delta`]): deltas a plugin emits while handling it come after it.
#[derive(Debug)]
pub(crate) struct DeltaSlot {
    record: u64,
    /// The slot's number among all deltas this record ever kept.
    number: u64,
}

/// Gives each record its own id.
static NEXT_RECORD: AtomicU64 = AtomicU64::new(0);

/// How many entries each list of a [`Recorded`] dropped to stay within its limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dropped {
    /// Host calls ([`Recorded::calls`]; also what `statuses`, `errors` and `logs` see).
    pub calls: u64,
    /// Accepted deltas ([`Recorded::delta_values`], [`Recorded::deltas`]).
    pub deltas: u64,
    /// Host log lines ([`Recorded::host_log`]).
    pub host_log: u64,
    /// Stream frames ([`Recorded::streams`]).
    pub streams: u64,
    /// Handler faults ([`Recorded::handler_faults`]).
    pub handler_faults: u64,
}

impl Dropped {
    /// All dropped entries together.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.calls + self.deltas + self.host_log + self.streams + self.handler_faults
    }
}

/// Appends `item`; a full list first loses its oldest quarter (amortised O(1) per push).
fn push_bounded<T>(list: &mut Vec<T>, item: T, limit: usize, dropped: &mut u64) {
    if list.len() >= limit {
        let n = (list.len() - limit + limit / 4).clamp(1, list.len());
        list.drain(..n);
        *dropped += n as u64;
    }
    list.push(item);
}

/// Cuts `list` to its newest `limit` entries.
fn trim<T>(list: &mut Vec<T>, limit: usize, dropped: &mut u64) {
    if list.len() > limit {
        let n = list.len() - limit;
        list.drain(..n);
        *dropped += n as u64;
    }
}

impl Recorded {
    pub(crate) fn new(package: &str) -> Self {
        Recorded {
            id: NEXT_RECORD.fetch_add(1, Ordering::Relaxed),
            package: package.to_owned(),
            limit: RECORD_LIMIT,
            calls: Vec::new(),
            deltas: Vec::new(),
            host_log: Vec::new(),
            streams: Vec::new(),
            handler_faults: Vec::new(),
            dropped: Dropped::default(),
            calls_seen: 0,
        }
    }

    pub(crate) fn push_call(&mut self, call: HostCall) {
        self.calls_seen += 1;
        push_bounded(&mut self.calls, call, self.limit, &mut self.dropped.calls);
    }

    pub(crate) fn push_delta(&mut self, delta: Value) {
        push_bounded(
            &mut self.deltas,
            delta,
            self.limit,
            &mut self.dropped.deltas,
        );
    }

    /// Takes the next place in the list of accepted deltas for a delta the pipeline is
    /// still using; [`fill_delta`](Self::fill_delta) puts it there. The pipeline records
    /// a delta before its `delta_handler` call (which may record more) and needs it
    /// until the data model has it: this way it is moved in, never copied.
    pub(crate) fn reserve_delta(&mut self) -> DeltaSlot {
        self.push_delta(Value::Null);
        DeltaSlot {
            record: self.id,
            number: self.dropped.deltas + self.deltas.len() as u64 - 1,
        }
    }

    /// Puts `delta` in its reserved place. If that place was dropped meanwhile (the list
    /// reached its limit) or the record was replaced, the delta goes with it, as it
    /// would have had it been recorded whole at reservation.
    pub(crate) fn fill_delta(&mut self, slot: DeltaSlot, delta: Value) {
        if slot.record != self.id {
            return;
        }
        // Entries leave only from the front, and `dropped` counts them.
        let Some(index) = slot.number.checked_sub(self.dropped.deltas) else {
            return;
        };
        if let Some(place) = usize::try_from(index)
            .ok()
            .and_then(|i| self.deltas.get_mut(i))
        {
            *place = delta;
        }
    }

    pub(crate) fn push_host_log(&mut self, line: String) {
        push_bounded(
            &mut self.host_log,
            line,
            self.limit,
            &mut self.dropped.host_log,
        );
    }

    pub(crate) fn push_stream(&mut self, id: String, data: Vec<u8>) {
        push_bounded(
            &mut self.streams,
            (id, data),
            self.limit,
            &mut self.dropped.streams,
        );
    }

    pub(crate) fn push_handler_fault(&mut self, fault: String) {
        push_bounded(
            &mut self.handler_faults,
            fault,
            self.limit,
            &mut self.dropped.handler_faults,
        );
    }

    /// Most entries each list keeps ([`RECORD_LIMIT`] unless changed).
    #[must_use]
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Keeps at most `limit` entries per list from now on (at least 1); lists already
    /// longer lose their oldest entries now, counted in [`dropped`](Self::dropped).
    pub fn set_limit(&mut self, limit: usize) {
        let limit = limit.max(1);
        self.limit = limit;
        let d = &mut self.dropped;
        trim(&mut self.calls, limit, &mut d.calls);
        trim(&mut self.deltas, limit, &mut d.deltas);
        trim(&mut self.host_log, limit, &mut d.host_log);
        trim(&mut self.streams, limit, &mut d.streams);
        trim(&mut self.handler_faults, limit, &mut d.handler_faults);
    }

    /// How many entries each list dropped to stay within [`limit`](Self::limit).
    #[must_use]
    pub fn dropped(&self) -> Dropped {
        self.dropped
    }

    /// How many host calls were ever recorded, dropped and taken ones included:
    /// `calls_seen() - calls().len()` is the number the first kept call had.
    #[must_use]
    pub fn calls_seen(&self) -> u64 {
        self.calls_seen
    }

    /// Every `env` call the plugin made, in order (the newest ones, see [`Recorded`]).
    #[must_use]
    pub fn calls(&self) -> &[HostCall] {
        &self.calls
    }

    /// Returns the recorded calls and clears that part of the record (what was taken
    /// does not count as dropped).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_keeps_at_most_the_limit_and_counts_what_it_dropped() {
        let mut r = Recorded::new("p");
        for i in 0..25_000 {
            r.push_call(HostCall::Debug(i.to_string()));
            r.push_delta(Value::from(i));
            r.push_host_log(i.to_string());
            r.push_stream(i.to_string(), vec![0; 8]);
            r.push_handler_fault(i.to_string());
        }
        let kept = r.calls().len();
        assert!(
            (RECORD_LIMIT * 3 / 4..=RECORD_LIMIT).contains(&kept),
            "{kept}"
        );
        assert_eq!(r.calls().last(), Some(&HostCall::Debug("24999".into())));
        // What is kept is the newest, in order, with nothing missing in between.
        let first: u64 = r.logs()[0].parse().unwrap();
        assert_eq!(first, r.dropped().calls);
        assert_eq!(r.dropped().calls + kept as u64, 25_000);
        assert_eq!(r.calls_seen(), 25_000);
        for (len, dropped) in [
            (r.delta_values().len(), r.dropped().deltas),
            (r.host_log().len(), r.dropped().host_log),
            (r.streams().len(), r.dropped().streams),
            (r.handler_faults().len(), r.dropped().handler_faults),
        ] {
            assert!(len <= RECORD_LIMIT);
            assert_eq!(dropped + len as u64, 25_000);
        }
        assert_eq!(r.dropped().total(), 5 * 25_000 - 5 * kept as u64);
    }

    #[test]
    fn a_reserved_delta_keeps_its_place_or_goes_with_it() {
        let mut r = Recorded::new("p");
        r.set_limit(4);
        let first = r.reserve_delta();
        r.push_delta(Value::from(2));
        r.fill_delta(first, Value::from(1));
        assert_eq!(r.delta_values(), [Value::from(1), Value::from(2)]);
        // Dropped while reserved: nothing is filled in elsewhere.
        let gone = r.reserve_delta();
        for i in 4..8 {
            r.push_delta(Value::from(i));
        }
        assert_eq!(r.dropped().deltas, 3);
        r.fill_delta(gone, Value::from(3));
        assert_eq!(
            r.delta_values(),
            [4, 5, 6, 7].map(Value::from),
            "{:?}",
            r.delta_values()
        );
        // A slot of another record is not this record's.
        let other = Recorded::new("p").reserve_delta();
        r.fill_delta(other, Value::from(99));
        assert!(!r.delta_values().contains(&Value::from(99)));
    }

    #[test]
    fn a_lower_limit_trims_now_and_later() {
        let mut r = Recorded::new("p");
        for i in 0..10 {
            r.push_call(HostCall::SetStatus(i.to_string()));
        }
        r.set_limit(4);
        assert_eq!(r.statuses(), ["6", "7", "8", "9"]);
        assert_eq!(r.dropped().calls, 6);
        r.push_call(HostCall::SetStatus("10".into()));
        assert!(r.calls().len() <= 4);
        assert_eq!(r.statuses().last().map(String::as_str), Some("10"));
        assert_eq!(r.dropped().calls + r.calls().len() as u64, 11);
        // Taken calls are neither kept nor dropped, but still seen.
        let taken = r.take_calls().len() as u64;
        assert_eq!(r.dropped().calls + taken, 11);
        assert_eq!(r.calls_seen(), 11);
        r.set_limit(0);
        assert_eq!(r.limit(), 1);
    }
}
