//! Replay of a Signal K delta log ([`MockHost::replay`]): recorded boat data fed to a
//! plugin with a virtual clock, so an hour of sailing replays in seconds.
//!
//! The log has one delta (a JSON object) per line; blank lines are skipped. Each delta
//! goes through the server pipeline like [`MockHost::deliver_delta`]. The clock is the
//! data's own: the latest update `timestamp` seen so far. The server calls `poll` every
//! second while the plugin runs (§4.7), so the replay calls
//! [`tick_poll`](MockHost::tick_poll) once for every whole second the clock has moved
//! past the log's first timestamp, before the delta that moved it. Updates without a
//! timestamp are stamped with the clock, as the server stamps them with the time they
//! arrive.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::{Error, MockHost, PluginState};

/// Longest line the replay reads: a longer one is an error naming it, never cut.
///
/// ```
/// assert_eq!(signalk_plugin_host_mock::replay::MAX_LINE, 16 * 1024 * 1024);
/// ```
pub const MAX_LINE: usize = 16 << 20;

/// How a [`MockHost::replay`] runs.
///
/// ```
/// use std::time::Duration;
/// use signalk_plugin_host_mock::replay::ReplayOptions;
///
/// // Ten times real time, refusing gaps in the data longer than ten minutes.
/// let options = ReplayOptions::new().speed(10.0).max_gap(Duration::from_secs(600));
/// assert_eq!(options.speed_factor(), Some(10.0));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayOptions {
    speed: Option<f64>,
    max_gap: Duration,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl ReplayOptions {
    /// As fast as possible, with gaps of up to a day in the data.
    #[must_use]
    pub fn new() -> Self {
        ReplayOptions {
            speed: None,
            max_gap: Duration::from_secs(24 * 3600),
        }
    }

    /// Replays at `factor` times real time, sleeping between deliveries (1.0: as the
    /// data was recorded). [`MockHost::replay`] refuses a factor that is not a finite
    /// number above 0.
    #[must_use]
    pub fn speed(mut self, factor: f64) -> Self {
        self.speed = Some(factor);
        self
    }

    /// The speed factor, `None` for as fast as possible.
    #[must_use]
    pub fn speed_factor(&self) -> Option<f64> {
        self.speed
    }

    /// The longest step forward the clock may take between two deltas. Each second of
    /// a gap is a `poll` call, so a timestamp decades off (a receiver without a fix)
    /// would mean billions of them: such a step is an error naming the line.
    #[must_use]
    pub fn max_gap(mut self, gap: Duration) -> Self {
        self.max_gap = gap;
        self
    }
}

/// What a [`MockHost::replay`] did.
///
/// ```no_run
/// # let mut host: signalk_plugin_host_mock::MockHost = unimplemented!();
/// use signalk_plugin_host_mock::replay::ReplayOptions;
///
/// let summary = host.replay("boat.deltas", &ReplayOptions::new())?;
/// assert_eq!(summary.handled, summary.deltas);
/// assert_eq!(summary.handler_faults, 0);
/// println!("{} deltas, {} polls over {:?}", summary.deltas, summary.polls, summary.data_time);
/// # Ok::<(), signalk_plugin_host_mock::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ReplaySummary {
    /// Lines read, blank ones included.
    pub lines: u64,
    /// Deltas delivered through the server pipeline (one per non-blank line).
    pub deltas: u64,
    /// Of those, the ones the plugin's `delta_handler` was called for: delivered while
    /// the plugin was running and exports one (the pipeline calls it for every delta
    /// then, §4.8).
    pub handled: u64,
    /// Updates that had no timestamp and got the clock's.
    pub stamped: u64,
    /// Deltas older than the clock (delivered at once; the clock never goes back).
    pub out_of_order: u64,
    /// `poll` ticks run (each called `poll` if the plugin was running and has it).
    pub polls: u64,
    /// Ticks whose `poll` call failed (the server only logs these and keeps polling).
    pub poll_errors: u64,
    /// The first of those failures.
    pub first_poll_error: Option<String>,
    /// Faults the pipeline swallowed during the replay (`delta_handler` traps,
    /// recursion stops): see [`Recorded::handler_faults`](crate::Recorded::handler_faults).
    pub handler_faults: u64,
    /// The first timestamp in the log: where the clock started.
    pub first_timestamp: Option<SystemTime>,
    /// Where the clock ended: the latest timestamp in the log.
    pub last_timestamp: Option<SystemTime>,
    /// How far the clock moved: `last_timestamp - first_timestamp`.
    pub data_time: Duration,
}

/// One delivered delta, as a [`MockHost::replay_with`] observer sees it.
///
/// ```no_run
/// # let mut host: signalk_plugin_host_mock::MockHost = unimplemented!();
/// use signalk_plugin_host_mock::replay::ReplayOptions;
///
/// // Which lines of the log carried a position, and how many polls had run by then.
/// let mut fixes = Vec::new();
/// host.replay_with("boat.deltas", &ReplayOptions::new(), |_, step| {
///     let values = step.delta["updates"][0]["values"].as_array();
///     if values.into_iter().flatten().any(|v| v["path"] == "navigation.position") {
///         fixes.push((step.line, step.polls));
///     }
/// })?;
/// # Ok::<(), signalk_plugin_host_mock::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct ReplayStep<'a> {
    /// Its line in the log, from 1.
    pub line: u64,
    /// The delta as delivered (untimed updates stamped), before the pipeline's changes.
    pub delta: &'a Value,
    /// The clock after it.
    pub clock: Option<SystemTime>,
    /// `poll` ticks run so far.
    pub polls: u64,
}

impl MockHost {
    /// Replays a delta log (see the [module](self) docs) into the plugin, which should
    /// have been [started](Self::start): every delta is delivered and `poll` ticks follow
    /// the data's timestamps.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the log cannot be read; [`Error::Input`] naming the line for a
    /// line that is not a JSON object, longer than [`MAX_LINE`], with a timestamp that is
    /// not RFC 3339 or one more than [`ReplayOptions::max_gap`] past the clock, and for
    /// a speed factor that is not a finite number above 0; [`Error::TooDeep`] as
    /// [`deliver_delta`](Self::deliver_delta). The replay stops at the first error;
    /// what was delivered before stays delivered.
    pub fn replay(
        &mut self,
        log: impl AsRef<Path>,
        options: &ReplayOptions,
    ) -> Result<ReplaySummary, Error> {
        self.replay_with(log, options, |_, _| {})
    }

    /// [`replay`](Self::replay), calling `observer` after each delivered delta: to check
    /// the plugin's state as the data goes by.
    ///
    /// ```no_run
    /// # let mut host: signalk_plugin_host_mock::MockHost = unimplemented!();
    /// use signalk_plugin_host_mock::replay::ReplayOptions;
    ///
    /// let mut radii = Vec::new();
    /// host.replay_with("boat.deltas", &ReplayOptions::new(), |host, _step| {
    ///     if let Some(v) = host.self_value("navigation.anchor.currentRadius") {
    ///         radii.push(v.as_f64());
    ///     }
    /// })?;
    /// # Ok::<(), signalk_plugin_host_mock::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`replay`](Self::replay).
    pub fn replay_with(
        &mut self,
        log: impl AsRef<Path>,
        options: &ReplayOptions,
        mut observer: impl FnMut(&mut MockHost, &ReplayStep<'_>),
    ) -> Result<ReplaySummary, Error> {
        let path = log.as_ref();
        if let Some(speed) = options.speed
            && !(speed.is_finite() && speed > 0.0)
        {
            return Err(Error::Input(format!(
                "replay speed must be a finite number above 0, got {speed}"
            )));
        }
        // The clock starts at the first timestamp, which may come after untimed deltas
        // (an NMEA 0183 log's first position fix): find it first.
        let first = first_timestamp(path)?;
        let mut clock = Clock::new(first, options.max_gap);
        let mut summary = ReplaySummary {
            first_timestamp: first,
            ..ReplaySummary::default()
        };
        let faults_before = self.handler_fault_count();
        let has_handler = self
            .export_names()
            .iter()
            .any(|n| n == signalk_plugin_abi::names::DELTA_HANDLER);
        let wall_start = Instant::now();
        let mut lines = LogLines::open(path)?;
        while let Some((number, line)) = lines.next_line()? {
            summary.lines = number;
            if line.trim().is_empty() {
                continue;
            }
            let at =
                |message: String| Error::Input(format!("{}:{number}: {message}", path.display()));
            let mut delta: Value =
                serde_json::from_str(&line).map_err(|e| at(format!("not JSON: {e}")))?;
            if !delta.is_object() {
                return Err(at("not a delta: a JSON object is expected".into()));
            }
            let time = delta_time(&delta).map_err(at)?;
            let due = match time {
                Some(t) => {
                    let step = clock.advance(t).map_err(at)?;
                    if step == Step::Late {
                        summary.out_of_order += 1;
                    }
                    clock.polls_due()
                }
                None => summary.polls,
            };
            while summary.polls < due {
                summary.polls += 1;
                if let Err(err) = self.tick_poll() {
                    summary.poll_errors += 1;
                    summary
                        .first_poll_error
                        .get_or_insert_with(|| err.to_string());
                }
            }
            if let Some(now) = clock.now() {
                summary.stamped += stamp(&mut delta, now);
            }
            if let (Some(speed), Some(elapsed)) = (options.speed, clock.elapsed()) {
                let target = elapsed.div_f64(speed);
                if let Some(wait) = target.checked_sub(wall_start.elapsed()) {
                    std::thread::sleep(wait);
                }
            }
            if has_handler && *self.state() == PluginState::Running {
                summary.handled += 1;
            }
            self.deliver_delta(&delta)?;
            summary.deltas += 1;
            let step = ReplayStep {
                line: number,
                delta: &delta,
                clock: clock.now(),
                polls: summary.polls,
            };
            observer(self, &step);
        }
        summary.last_timestamp = clock.now();
        summary.data_time = clock.elapsed().unwrap_or_default();
        summary.handler_faults = self.handler_fault_count() - faults_before;
        Ok(summary)
    }

    /// Handler faults ever recorded, dropped ones included.
    fn handler_fault_count(&self) -> u64 {
        let recorded = self.recorded();
        recorded.handler_faults().len() as u64 + recorded.dropped().handler_faults
    }
}

/// The log's lines, each read whole (up to [`MAX_LINE`]) and numbered from 1.
struct LogLines {
    reader: BufReader<File>,
    path: String,
    number: u64,
}

impl LogLines {
    fn open(path: &Path) -> Result<Self, Error> {
        let file = File::open(path)
            .map_err(|e| Error::io(format!("opening the delta log {}", path.display()), e))?;
        Ok(LogLines {
            reader: BufReader::new(file),
            path: path.display().to_string(),
            number: 0,
        })
    }

    fn next_line(&mut self) -> Result<Option<(u64, String)>, Error> {
        let mut bytes = Vec::new();
        let limit = MAX_LINE as u64 + 1;
        let read = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut bytes)
            .map_err(|e| Error::io(format!("reading the delta log {}", self.path), e))?;
        if read == 0 {
            return Ok(None);
        }
        self.number += 1;
        let at = |m: &str| Error::Input(format!("{}:{}: {m}", self.path, self.number));
        if bytes.len() > MAX_LINE {
            return Err(at(&format!("line longer than {MAX_LINE} bytes")));
        }
        let text = String::from_utf8(bytes).map_err(|_| at("not UTF-8"))?;
        Ok(Some((self.number, text)))
    }
}

/// The first timestamp of the log, or `None` if no update has one.
fn first_timestamp(path: &Path) -> Result<Option<SystemTime>, Error> {
    let mut lines = LogLines::open(path)?;
    while let Some((number, line)) = lines.next_line()? {
        if line.trim().is_empty() {
            continue;
        }
        // Malformed lines are reported by the replay itself, in order.
        let Ok(delta) = serde_json::from_str::<Value>(&line) else {
            return Ok(None);
        };
        if let Some(t) = delta_time(&delta)
            .map_err(|m| Error::Input(format!("{}:{number}: {m}", path.display())))?
        {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

/// The latest update timestamp of a delta; an error for one that is not RFC 3339.
fn delta_time(delta: &Value) -> Result<Option<SystemTime>, String> {
    let mut latest = None;
    for update in delta["updates"].as_array().into_iter().flatten() {
        let Some(stamp) = update.get("timestamp") else {
            continue;
        };
        let text = stamp
            .as_str()
            .ok_or_else(|| format!("timestamp {stamp} is not a string"))?;
        let t = parse_timestamp(text)?;
        latest = latest.max(Some(t));
    }
    Ok(latest)
}

/// An RFC 3339 time: `Z` or a numeric offset, any number of fraction digits.
fn parse_timestamp(text: &str) -> Result<SystemTime, String> {
    let bad = |why: &str| format!("timestamp {text:?} is not an RFC 3339 time ({why})");
    if let Some(utc) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
        return humantime::parse_rfc3339_weak(utc).map_err(|e| bad(&e.to_string()));
    }
    // `+hh:mm` or `-hh:mm`: the local time minus the offset is UTC.
    let split = text
        .len()
        .checked_sub(6)
        .filter(|&i| text.is_char_boundary(i));
    let (local, offset) = split
        .map(|i| text.split_at(i))
        .ok_or_else(|| bad("no zone"))?;
    let sign = match offset.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return Err(bad("no zone")),
    };
    let hours: u64 = offset[1..3].parse().map_err(|_| bad("bad offset"))?;
    let minutes: u64 = offset[4..6].parse().map_err(|_| bad("bad offset"))?;
    if &offset[3..4] != ":" || hours > 23 || minutes > 59 {
        return Err(bad("bad offset"));
    }
    let local = humantime::parse_rfc3339_weak(local).map_err(|e| bad(&e.to_string()))?;
    let shift = Duration::from_secs(hours * 3600 + minutes * 60);
    let utc = if sign > 0 {
        local.checked_sub(shift)
    } else {
        local.checked_add(shift)
    };
    utc.ok_or_else(|| bad("out of range"))
}

/// Gives every update without a timestamp the clock's time; returns how many it stamped.
fn stamp(delta: &mut Value, now: SystemTime) -> u64 {
    let mut stamped = 0;
    let text = humantime::format_rfc3339_millis(now).to_string();
    for update in delta
        .get_mut("updates")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(update) = update.as_object_mut()
            && !update.contains_key("timestamp")
        {
            update.insert("timestamp".into(), Value::from(text.as_str()));
            stamped += 1;
        }
    }
    stamped
}

/// How a timestamp moved the [`Clock`].
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// Forward, or the same time.
    On,
    /// Older than the clock: the clock stays.
    Late,
}

/// The virtual clock: the latest data time seen, never going back.
#[derive(Debug)]
struct Clock {
    start: Option<SystemTime>,
    now: Option<SystemTime>,
    max_gap: Duration,
}

impl Clock {
    fn new(start: Option<SystemTime>, max_gap: Duration) -> Self {
        Clock {
            start,
            now: start,
            max_gap,
        }
    }

    fn now(&self) -> Option<SystemTime> {
        self.now
    }

    fn advance(&mut self, t: SystemTime) -> Result<Step, String> {
        let Some(now) = self.now else {
            // The first pass found the first timestamp, so this is it.
            self.start = Some(t);
            self.now = Some(t);
            return Ok(Step::On);
        };
        match t.duration_since(now) {
            Ok(gap) if gap > self.max_gap => Err(format!(
                "the data's time jumps {} forward (at most {} allowed: ReplayOptions::max_gap)",
                humantime::format_duration(gap),
                humantime::format_duration(self.max_gap)
            )),
            Ok(_) => {
                self.now = Some(t);
                Ok(Step::On)
            }
            Err(_) => Ok(Step::Late),
        }
    }

    /// Time since the start.
    fn elapsed(&self) -> Option<Duration> {
        self.now?.duration_since(self.start?).ok()
    }

    /// Poll ticks due by now: one per whole second since the start.
    fn polls_due(&self) -> u64 {
        self.elapsed().map_or(0, |d| d.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(text: &str) -> SystemTime {
        parse_timestamp(text).unwrap()
    }

    #[test]
    fn timestamps_with_zones_and_fractions() {
        let base = t("2014-08-15T19:00:00Z");
        assert_eq!(
            t("2014-08-15T19:00:00.042Z").duration_since(base).unwrap(),
            Duration::from_millis(42)
        );
        assert_eq!(t("2014-08-15T21:00:00+02:00"), base);
        assert_eq!(t("2014-08-15T18:30:00-00:30"), base);
        // n2k-signalk writes five fraction digits.
        assert_eq!(
            t("2014-08-15T18:59:59.46200Z"),
            base - Duration::from_millis(538)
        );
        for bad in [
            "yesterday",
            "2014-08-15T19:00:00",
            "2014-08-15T19:00:00+2:00",
            "é",
        ] {
            let err = parse_timestamp(bad).unwrap_err();
            assert!(err.contains(bad), "{err}");
        }
    }

    #[test]
    fn a_delta_is_as_late_as_its_latest_update() {
        let d = json!({"updates": [
            {"timestamp": "2014-08-15T19:00:01Z", "values": []},
            {"values": []},
            {"timestamp": "2014-08-15T19:00:03Z", "values": []},
        ]});
        assert_eq!(delta_time(&d).unwrap(), Some(t("2014-08-15T19:00:03Z")));
        assert_eq!(delta_time(&json!({"updates": [{}]})).unwrap(), None);
        let err = delta_time(&json!({"updates": [{"timestamp": 5}]})).unwrap_err();
        assert!(err.contains("not a string"), "{err}");
    }

    #[test]
    fn the_clock_polls_once_per_whole_second_and_never_goes_back() {
        let mut clock = Clock::new(Some(t("2014-08-15T19:00:00.500Z")), Duration::from_secs(60));
        assert_eq!(clock.polls_due(), 0);
        assert_eq!(clock.advance(t("2014-08-15T19:00:01.499Z")), Ok(Step::On));
        assert_eq!(clock.polls_due(), 0);
        assert_eq!(clock.advance(t("2014-08-15T19:00:01.500Z")), Ok(Step::On));
        assert_eq!(clock.polls_due(), 1);
        assert_eq!(clock.advance(t("2014-08-15T19:00:00Z")), Ok(Step::Late));
        assert_eq!(clock.now(), Some(t("2014-08-15T19:00:01.500Z")));
        assert_eq!(clock.advance(t("2014-08-15T19:00:31.600Z")), Ok(Step::On));
        assert_eq!(clock.polls_due(), 31);
        let err = clock.advance(t("2014-08-15T19:02:00Z")).unwrap_err();
        assert!(err.contains("1m 28s 400ms forward"), "{err}");
        assert_eq!(
            clock.polls_due(),
            31,
            "a refused step does not move the clock"
        );
    }

    #[test]
    fn only_untimed_updates_are_stamped() {
        let mut d = json!({"updates": [
            {"timestamp": "2014-08-15T19:00:01Z", "values": []},
            {"values": []},
            "not an update",
        ]});
        assert_eq!(stamp(&mut d, t("2014-08-15T19:00:02.250Z")), 1);
        assert_eq!(d["updates"][0]["timestamp"], "2014-08-15T19:00:01Z");
        assert_eq!(d["updates"][1]["timestamp"], "2014-08-15T19:00:02.250Z");
        assert_eq!(d["updates"][2], "not an update");
    }

    #[test]
    fn long_lines_are_refused_by_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let mut text = String::from("{}\n\n");
        text.push_str(&"x".repeat(MAX_LINE + 1));
        std::fs::write(&path, text).unwrap();
        let mut lines = LogLines::open(&path).unwrap();
        assert_eq!(lines.next_line().unwrap(), Some((1, "{}\n".to_owned())));
        assert_eq!(lines.next_line().unwrap(), Some((2, "\n".to_owned())));
        let err = lines.next_line().unwrap_err().to_string();
        assert!(
            err.ends_with(":3: line longer than 16777216 bytes"),
            "{err}"
        );
    }
}
