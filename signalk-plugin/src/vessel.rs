//! The own vessel: which context is "self", without help from the plugin.
//!
//! Deltas the server delivers always carry a resolved context such as
//! `vessels.urn:mrn:signalk:uuid:…`, never `vessels.self`, so a plugin cannot tell its own
//! vessel from an AIS target by looking at one delta. The SDK finds out once per
//! instance and keeps the answer:
//!
//! 1. **Ask the host.** `sk_get_self_path("mmsi")`, then `"uuid"`, then `"url"` (the
//!    identity members the server fills in from its self id). A host that answers ends
//!    the search here, and nothing is emitted.
//! 2. **Announce, on signalk-server 2.32.0.** There `sk_get_self_path` always answers
//!    nothing (§3.3) and no other import, the configuration, the environment or the
//!    file system carries the self id. What the server *does* do is resolve a delta
//!    without a context to `vessels.<selfId>` (`app.handleMessage`,
//!    `dist/index.js`) and hand it straight back to this plugin's `delta_handler`. So
//!    the SDK sends the smallest delta the server accepts,
//!    `{"updates":[{"meta":[]}]}`, **as Signal K v2**, and reads the context of its
//!    echo (recognised by arriving during that call, having no values and no meta, and
//!    carrying this plugin's package name as `$source`). A v2 delta is not stored in
//!    the data model; an empty `meta` list is not cached and reaches no WebSocket
//!    client: the announcement leaves no trace in the server's data. Other plugins
//!    with a `delta_handler` see one empty delta from this plugin.
//!
//! The announcement is made only by plugins that receive deltas (define
//! [`Plugin::on_delta`](crate::Plugin::on_delta)), only while the context is unknown,
//! at the first `poll` or the first delta after a start, at most
//! [`MAX_ANNOUNCEMENTS`] times per start; once known, the context is kept for the life
//! of the instance (the server sets its self id at boot). Call
//! [`set_announcements(false)`](set_announcements) to never announce: then only a host
//! that answers `sk_get_self_path` tells the SDK.
//!
//! # Holding deltas while learning
//!
//! A plugin that sets [`Plugin::DELTAS`](crate::Plugin::DELTAS) to
//! [`Deltas::OwnVessel`] receives only deltas about its own vessel, and none is lost
//! while the SDK is still learning: deltas that arrive before the context is known are
//! held, in order, and delivered (those about self) as soon as it is known. At most
//! [`MAX_HELD_DELTAS`] deltas and [`MAX_HELD_BYTES`] bytes are held; beyond that the
//! oldest are dropped, counted ([`dropped_while_learning`]) and reported once with
//! `sk_set_error`. Deltas still held when the plugin stops are dropped and counted the
//! same way. On 2.32.0, with announcements on, the context is known before the first
//! delta is delivered, so nothing waits in practice.
//!
//! ```
//! use signalk_plugin::{Delta, Deltas, NoConfig, Plugin, PluginResult, plugin};
//!
//! #[derive(Default)]
//! struct DepthAlarm;
//!
//! #[plugin(id = "depth-alarm", name = "Depth alarm")]
//! impl Plugin for DepthAlarm {
//!     type Config = NoConfig;
//!     // Only deltas about this vessel reach `on_delta`.
//!     const DELTAS: Deltas = Deltas::OwnVessel;
//!
//!     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
//!
//!     fn on_delta(&mut self, delta: &Delta) -> PluginResult {
//!         debug_assert!(delta.is_self());
//!         if let Some(depth) = delta.value_of("environment.depth.belowKeel") {
//!             let depth: f64 = depth.parse()?;
//!             signalk_plugin::log::info!("depth {depth} m");
//!         }
//!         Ok(())
//!     }
//! }
//! ```

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use crate::{Delta, abi, logging, reentry};

/// Which deltas [`Plugin::on_delta`](crate::Plugin::on_delta) receives: the value of
/// [`Plugin::DELTAS`](crate::Plugin::DELTAS).
///
/// ```
/// assert_eq!(signalk_plugin::Deltas::default(), signalk_plugin::Deltas::All);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Deltas {
    /// Every delta the server handles, from every source and about every context,
    /// delivered at once. [`Delta::is_self`] tells the own vessel's apart.
    #[default]
    All,
    /// Only deltas about the own vessel (context equal to [`self_context`]). Deltas that
    /// arrive before the SDK knows the context are held and delivered once it does
    /// (see the [module docs](self)).
    OwnVessel,
}

/// Most deltas held while the own vessel's context is unknown.
pub const MAX_HELD_DELTAS: usize = 256;

/// Most bytes (of the host's JSON text) held while the own vessel's context is unknown.
pub const MAX_HELD_BYTES: usize = 256 * 1024;

/// Most announcements per start; after that the SDK waits for the next start.
pub const MAX_ANNOUNCEMENTS: u32 = 3;

/// The announcement: the smallest delta the server resolves to the own vessel and
/// hands back, sent as v2 so nothing is stored.
const ANNOUNCEMENT: &[u8] = br#"{"updates":[{"meta":[]}]}"#;

/// The identity members the server fills in from its self id, and the id prefix each
/// needs (`fillIdentityField` in `@signalk/server-api`).
const IDENTITY: [(&str, &str); 3] = [("mmsi", "urn:mrn:imo:mmsi:"), ("uuid", ""), ("url", "")];

struct Vessel {
    /// The resolved context, `vessels.<selfId>`, once known.
    known: RefCell<Option<String>>,
    /// Whether `sk_get_self_path` was asked since the last start.
    asked_host: Cell<bool>,
    /// Whether the plugin allows announcements.
    announce: Cell<bool>,
    /// Announcements since the last start.
    announcements: Cell<u32>,
    /// Inside the announcement's host call: the echo is expected now.
    announcing: Cell<bool>,
    /// Deltas waiting for the context, as the host's JSON text.
    held: RefCell<VecDeque<Vec<u8>>>,
    held_bytes: Cell<usize>,
    /// Deltas dropped unseen while the context was unknown.
    dropped: Cell<u64>,
    /// Whether the drop was reported since the last start.
    reported: Cell<bool>,
}

thread_local! {
    static VESSEL: Vessel = const {
        Vessel {
            known: RefCell::new(None),
            asked_host: Cell::new(false),
            announce: Cell::new(true),
            announcements: Cell::new(0),
            announcing: Cell::new(false),
            held: RefCell::new(VecDeque::new()),
            held_bytes: Cell::new(0),
            dropped: Cell::new(0),
            reported: Cell::new(false),
        }
    };
}

/// The own vessel's resolved context, for example `vessels.urn:mrn:signalk:uuid:…`;
/// `None` while the SDK does not know it (see the [module docs](self) for how it finds
/// out).
///
/// ```
/// // Natively, tests say who "self" is.
/// assert_eq!(signalk_plugin::self_context(), None);
/// signalk_plugin::testing::set_self_context("vessels.urn:mrn:imo:mmsi:230000001");
/// assert_eq!(
///     signalk_plugin::self_context().as_deref(),
///     Some("vessels.urn:mrn:imo:mmsi:230000001")
/// );
/// ```
#[must_use]
pub fn self_context() -> Option<String> {
    if let Some(known) = known() {
        return Some(known);
    }
    ask_host();
    known()
}

/// Allows or forbids the announcement (on by default). Call it from
/// [`Plugin::start`](crate::Plugin::start); it holds until changed.
///
/// With announcements off, on a host whose `sk_get_self_path` answers nothing (such as
/// signalk-server 2.32.0) the own vessel stays unknown: [`self_context`] is `None`,
/// [`Delta::is_self`] is `false` for resolved contexts, and a
/// [`Deltas::OwnVessel`] plugin receives nothing (its deltas are held, then dropped
/// and reported).
///
/// ```
/// signalk_plugin::vessel::set_announcements(false);
/// ```
pub fn set_announcements(enabled: bool) {
    VESSEL.with(|v| v.announce.set(enabled));
}

/// How many deltas were dropped, unseen by a [`Deltas::OwnVessel`] plugin, because the
/// own vessel was still unknown when they arrived (beyond [`MAX_HELD_DELTAS`] or
/// [`MAX_HELD_BYTES`], or still held at a stop). Counts for the life of the instance.
///
/// ```
/// assert_eq!(signalk_plugin::vessel::dropped_while_learning(), 0);
/// ```
#[must_use]
pub fn dropped_while_learning() -> u64 {
    VESSEL.with(|v| v.dropped.get())
}

impl Delta {
    /// Whether this delta is about the own vessel: its context is `None` or
    /// `vessels.self` (as when emitting), or equals [`self_context`].
    ///
    /// `false` for a resolved context while the SDK does not know the own vessel yet,
    /// which happens only with [announcements](set_announcements) off on a host that
    /// does not answer `sk_get_self_path`. A [`Deltas::OwnVessel`] plugin never sees
    /// such a delta.
    ///
    /// ```
    /// use signalk_plugin::{Delta, testing};
    /// testing::set_self_context("vessels.urn:mrn:imo:mmsi:230000001");
    /// assert!(Delta::new().is_self());
    /// assert!(Delta::for_context("vessels.urn:mrn:imo:mmsi:230000001").is_self());
    /// assert!(!Delta::for_context("vessels.urn:mrn:imo:mmsi:230099999").is_self());
    /// ```
    #[must_use]
    pub fn is_self(&self) -> bool {
        match self.context.as_deref() {
            None | Some("vessels.self") => true,
            // Compared in place: `on_delta` asks this for every delta, so no copy.
            Some(context) => {
                if !is_known() {
                    ask_host();
                }
                VESSEL.with(|v| v.known.borrow().as_deref() == Some(context))
            }
        }
    }
}

fn known() -> Option<String> {
    VESSEL.with(|v| v.known.borrow().clone())
}

/// Whether the context is known (no allocation).
pub(crate) fn is_known() -> bool {
    VESSEL.with(|v| v.known.borrow().is_some())
}

/// Sets the context (a test, a host answer or an echo).
pub(crate) fn set_known(context: Option<&str>) {
    VESSEL.with(|v| *v.known.borrow_mut() = context.map(str::to_owned));
}

/// Forgets everything (`testing::reset`).
pub(crate) fn reset() {
    set_known(None);
    VESSEL.with(|v| {
        v.asked_host.set(false);
        v.announce.set(true);
        v.announcements.set(0);
        v.announcing.set(false);
        v.held.borrow_mut().clear();
        v.held_bytes.set(0);
        v.dropped.set(0);
        v.reported.set(false);
    });
}

/// A start: the host may answer now, and announcements may be made again.
pub(crate) fn on_start() {
    VESSEL.with(|v| {
        v.asked_host.set(false);
        v.announcements.set(0);
        v.reported.set(false);
    });
}

/// A stop: deltas still held will never be delivered; they are counted and reported.
pub(crate) fn on_stop() {
    let dropped = VESSEL.with(|v| {
        v.held_bytes.set(0);
        v.held.take().len()
    });
    if dropped > 0 {
        count_dropped(
            dropped as u64,
            "the plugin stopped before the own vessel was known",
        );
    }
}

/// Asks the host once per start; true if it answered.
fn ask_host() -> bool {
    if VESSEL.with(|v| v.asked_host.replace(true)) {
        return false;
    }
    let mut buf = [0u8; 256];
    for (path, prefix) in IDENTITY {
        let Some(n) = abi::get_self_path(path, &mut buf) else {
            continue;
        };
        // The host answers JSON text: the id is a string, which needs no escapes.
        if let Some(id) = json_string(&buf[..n]) {
            let mut context = String::from("vessels.");
            context.push_str(prefix);
            context.push_str(id);
            set_known(Some(&context));
            return true;
        }
    }
    false
}

/// The text of a JSON string without escapes (`"abc"` → `abc`); `None` for anything
/// else, including an empty string.
fn json_string(json: &[u8]) -> Option<&str> {
    let inner = json.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    let plain = !inner.is_empty() && !inner.iter().any(|&b| b == b'\\' || b == b'"' || b < 0x20);
    plain.then(|| std::str::from_utf8(inner).ok()).flatten()
}

/// Makes sure the context is known if it can be: asks the host (once per start), then
/// announces (only outside host calls: the echo must be able to re-enter). Called by
/// the exports of plugins that receive deltas.
pub(crate) fn learn() -> bool {
    if is_known() || ask_host() {
        return true;
    }
    let may = VESSEL.with(|v| {
        v.announce.get() && !v.announcing.get() && v.announcements.get() < MAX_ANNOUNCEMENTS
    });
    if !may || reentry::in_host_call() {
        return false;
    }
    VESSEL.with(|v| {
        v.announcements.set(v.announcements.get() + 1);
        v.announcing.set(true);
    });
    reentry::host_call(|| abi::handle_message(ANNOUNCEMENT, 2));
    VESSEL.with(|v| v.announcing.set(false));
    is_known()
}

/// Called for every delta before anything else: during an announcement, the echo is
/// recognised, its context kept, and `true` returned (the echo is not delivered).
pub(crate) fn intercept(json: &[u8]) -> bool {
    if !VESSEL.with(|v| v.announcing.get()) {
        return false;
    }
    let Some(delta) = crate::model::decode_or_log(json) else {
        return false;
    };
    let [update] = delta.updates.as_slice() else {
        return false;
    };
    let ours = match std::env::var("PLUGIN_ID") {
        Ok(package) => update.source_ref.as_deref() == Some(package.as_str()),
        Err(_) => true,
    };
    match delta.context {
        Some(context) if ours && update.values.is_empty() && update.meta.is_empty() => {
            set_known(Some(&context));
            true
        }
        _ => false,
    }
}

/// Holds a delta until the context is known; the oldest go beyond the bounds.
pub(crate) fn hold(json: &[u8]) {
    let dropped = VESSEL.with(|v| {
        let mut held = v.held.borrow_mut();
        held.push_back(json.to_vec());
        let mut bytes = v.held_bytes.get() + json.len();
        let mut dropped = 0u64;
        while held.len() > MAX_HELD_DELTAS || (bytes > MAX_HELD_BYTES && !held.is_empty()) {
            if let Some(old) = held.pop_front() {
                bytes -= old.len();
                dropped += 1;
            }
        }
        v.held_bytes.set(bytes);
        dropped
    });
    if dropped > 0 {
        count_dropped(dropped, HELD_FULL);
    }
}

/// Why held deltas were dropped (written out: formatting costs every plugin bytes).
const HELD_FULL: &str =
    "more than 256 deltas or 262144 bytes arrived before the own vessel was known";
const _: () = assert!(
    MAX_HELD_DELTAS == 256 && MAX_HELD_BYTES == 262_144,
    "update HELD_FULL"
);

/// Takes the held deltas, oldest first.
pub(crate) fn take_held() -> VecDeque<Vec<u8>> {
    VESSEL.with(|v| {
        v.held_bytes.set(0);
        v.held.take()
    })
}

/// Whether deltas are held.
pub(crate) fn has_held() -> bool {
    VESSEL.with(|v| !v.held.borrow().is_empty())
}

fn count_dropped(n: u64, why: &str) {
    let first = VESSEL.with(|v| {
        v.dropped.set(v.dropped.get() + n);
        !v.reported.replace(true)
    });
    if first {
        let mut message = String::from("own vessel: ");
        message.push_str(why);
        message.push_str(
            "; the oldest were dropped (counted in vessel::dropped_while_learning; reported once per start)",
        );
        logging::write(log::Level::Error, &message);
        crate::set_error(&message);
    }
}

/// Whether the host's JSON text may be about `context`: false only if the text does
/// not contain it at all (the server writes contexts without escapes), so most other
/// deltas are skipped without being parsed.
pub(crate) fn mentions(json: &[u8], context: &str) -> bool {
    let needle = context.as_bytes();
    !needle.is_empty() && json.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{self, HostCall};

    #[test]
    fn the_host_is_asked_for_identity_members_once_per_start() {
        testing::reset();
        assert_eq!(self_context(), None);
        assert_eq!(self_context(), None);
        let asked: Vec<_> = testing::calls()
            .into_iter()
            .filter_map(|c| match c {
                HostCall::GetSelfPath(p) => Some(p),
                _ => None,
            })
            .collect();
        assert_eq!(asked, ["mmsi", "uuid", "url"]);
        on_start();
        let _ = self_context();
        assert_eq!(
            testing::calls()
                .iter()
                .filter(|c| matches!(c, HostCall::GetSelfPath(_)))
                .count(),
            6
        );
    }

    #[test]
    fn learning_announces_once_as_an_empty_v2_delta_outside_host_calls() {
        testing::reset();
        reentry::host_call(|| assert!(!learn()));
        assert!(
            !testing::calls()
                .iter()
                .any(|c| matches!(c, HostCall::HandleMessage { .. })),
            "no announcement from inside a host call"
        );
        assert!(!learn(), "the native recorder never echoes");
        let sent: Vec<_> = testing::calls()
            .into_iter()
            .filter_map(|c| match c {
                HostCall::HandleMessage { version, json } => Some((version, json)),
                _ => None,
            })
            .collect();
        assert_eq!(sent, [(2, r#"{"updates":[{"meta":[]}]}"#.to_owned())]);
        for _ in 0..10 {
            learn();
        }
        assert_eq!(
            testing::calls()
                .iter()
                .filter(|c| matches!(c, HostCall::HandleMessage { .. }))
                .count(),
            MAX_ANNOUNCEMENTS as usize
        );
        set_announcements(false);
        on_start();
        learn();
        assert_eq!(
            testing::calls()
                .iter()
                .filter(|c| matches!(c, HostCall::HandleMessage { .. }))
                .count(),
            MAX_ANNOUNCEMENTS as usize,
            "off means off"
        );
    }

    #[test]
    fn only_the_echo_during_an_announcement_is_intercepted() {
        testing::reset();
        let echo =
            br#"{"updates":[{"meta":[],"$source":"x","timestamp":"t"}],"context":"vessels.urn:a"}"#;
        assert!(!intercept(echo), "not announcing");
        VESSEL.with(|v| v.announcing.set(true));
        let with_values = br#"{"updates":[{"values":[{"path":"a","value":1}],"$source":"x"}],"context":"vessels.urn:b"}"#;
        assert!(!intercept(with_values));
        assert_eq!(self_context(), None);
        // Natively there is no PLUGIN_ID, so any source is accepted.
        assert!(intercept(echo));
        VESSEL.with(|v| v.announcing.set(false));
        assert_eq!(self_context().as_deref(), Some("vessels.urn:a"));
    }

    #[test]
    fn holding_is_bounded_and_the_drop_is_counted_and_reported_once() {
        testing::reset();
        for i in 0..MAX_HELD_DELTAS + 10 {
            hold(format!("{i}").as_bytes());
        }
        assert_eq!(dropped_while_learning(), 10);
        assert_eq!(testing::errors().len(), 1, "{:?}", testing::errors());
        let held = take_held();
        assert_eq!(held.len(), MAX_HELD_DELTAS);
        assert_eq!(held.front().unwrap(), b"10", "the oldest went first");
        // Bytes bound.
        hold(&vec![b' '; MAX_HELD_BYTES]);
        hold(b"x");
        assert_eq!(dropped_while_learning(), 11);
        assert_eq!(take_held(), [b"x".to_vec()]);
        // Held at stop: dropped and counted.
        hold(b"y");
        on_stop();
        assert_eq!(dropped_while_learning(), 12);
        assert!(!has_held());
        assert_eq!(testing::errors().len(), 1, "reported once per start");
    }

    #[test]
    fn host_answers_are_plain_json_strings() {
        assert_eq!(json_string(br#""230000001""#), Some("230000001"));
        assert_eq!(json_string(br#""""#), None);
        assert_eq!(json_string(br#""a\"b""#), None);
        assert_eq!(json_string(b"230000001"), None);
        assert_eq!(json_string(b"\""), None);
    }

    #[test]
    fn mentions_is_a_plain_substring_test() {
        assert!(mentions(br#"{"context":"vessels.urn:a"}"#, "vessels.urn:a"));
        assert!(!mentions(
            br#"{"context":"vessels.urn:b"}"#,
            "vessels.urn:a"
        ));
        assert!(!mentions(b"", "vessels.urn:a"));
    }
}
