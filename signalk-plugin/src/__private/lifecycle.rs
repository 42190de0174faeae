//! What each lifecycle export does with the plugin instance — `plugin_start`,
//! `plugin_stop`, `poll`, `delta_handler`, PUT and HTTP handlers — free of raw pointers
//! so it can be tested natively. Every result the host sees is a named code.
//!
//! Each export enters through the [supervisor](super::supervisor), which recovers from
//! a previous call that never returned (a panic) and refuses calls while the plugin is
//! failed.

use std::thread::LocalKey;

use serde::de::DeserializeOwned;

use super::cell::{DELTA_HANDLER, MAX_QUEUED_DELTAS, PluginCell, deliver_held, with_plugin};
use super::report::{error_chain, report};
use super::{supervisor, wire};
use crate::http::{HttpError, HttpRequest, IntoResponse};
use crate::put::{IntoPutReply, PutReply};
use crate::{Plugin, config, logging, reentry, vessel};

/// `plugin_start` result: the plugin started.
pub const START_OK: i32 = 0;
/// `plugin_start` result: `Plugin::start` returned an error (reported with `sk_set_error`).
pub const START_FAILED: i32 = 1;
/// `plugin_start` result: the configuration did not parse (reported with `sk_set_error`).
pub const START_BAD_CONFIG: i32 = 2;
/// Result of an export that found the plugin busy (re-entered outside a delta delivery).
pub const BUSY: i32 = 3;
/// `plugin_stop` result: the plugin stopped.
pub const STOP_OK: i32 = 0;
/// `plugin_stop` result: `Plugin::stop` returned an error (reported with `sk_set_error`).
pub const STOP_FAILED: i32 = 1;
/// `poll` result: `Plugin::poll` succeeded.
pub const POLL_OK: i32 = 0;
/// `poll` result: `Plugin::poll` returned an error (reported with `sk_set_error`), or
/// the plugin is failed after a panic and was not called.
pub const POLL_FAILED: i32 = 1;

/// The status of the replies a failed plugin gives PUT and HTTP requests.
pub const REFUSED_STATUS: u16 = 503;

/// `delta_handler`: hands the delta to the plugin, or queues it if the plugin is busy
/// further up the stack (the host re-entered us from inside our own emit). The echo of
/// the SDK's own-vessel announcement is taken here and never delivered.
pub fn delta<P: Plugin, const D: bool>(cell: &'static LocalKey<PluginCell<P, D>>, json: &[u8]) {
    if vessel::intercept(json) {
        return;
    }
    let _guard = supervisor::enter(cell, DELTA_HANDLER);
    if supervisor::refusal(cell).is_some() {
        return;
    }
    if reentry::in_host_call() && cell.with(PluginCell::is_out) {
        if cell.with(|c| c.queue_delta(json)) {
            logging::write(
                log::Level::Error,
                &format!(
                    "more than {MAX_QUEUED_DELTAS} deltas queued while the plugin was busy (does it react to its own deltas?); dropped the oldest"
                ),
            );
        }
        return;
    }
    with_plugin(cell, |plugin| super::cell::dispatch_delta(plugin, json));
}

/// `poll`. A plugin that receives deltas also learns its own vessel here, so it is
/// known even when no delta arrives, and deltas held meanwhile are delivered first.
pub fn poll<P: Plugin, const D: bool>(cell: &'static LocalKey<PluginCell<P, D>>) -> i32 {
    let _guard = supervisor::enter(cell, "poll");
    if supervisor::refusal(cell).is_some() {
        return POLL_FAILED;
    }
    if D && vessel::learn() && vessel::has_held() {
        with_plugin(cell, deliver_held);
    }
    match with_plugin(cell, P::poll) {
        Some(Ok(())) => POLL_OK,
        Some(Err(err)) => {
            report("poll failed", &error_chain(&*err));
            POLL_FAILED
        }
        None => BUSY,
    }
}

/// A PUT handler export: decodes the value as `T`, runs the handler, encodes the reply
/// for a buffer of `max` bytes.
pub fn put<P: Plugin, const D: bool, T: DeserializeOwned, R: IntoPutReply>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    value_json: &[u8],
    max: usize,
    handler: fn(&mut P, T) -> R,
) -> Vec<u8> {
    let _guard = supervisor::enter(cell, "a PUT handler");
    if let Some(refused) = refuse_put(cell, max) {
        return refused;
    }
    let reply = match crate::put::decode::<T>(value_json) {
        Ok(value) => with_plugin(cell, |plugin| handler(plugin, value).into_put_reply())
            .unwrap_or_else(|| PutReply::with_status(503, "the plugin is busy")),
        Err(refused) => refused,
    };
    wire::encode_reply(&reply, max)
}

/// An HTTP handler export: decodes the request, runs the handler, encodes the envelope
/// for a buffer of `max` bytes.
pub fn http<P: Plugin, const D: bool, R: IntoResponse>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    request_json: &[u8],
    max: usize,
    handler: fn(&mut P, HttpRequest) -> R,
) -> Vec<u8> {
    let _guard = supervisor::enter(cell, "an HTTP handler");
    if let Some(refused) = refuse_http(cell, max) {
        return refused;
    }
    let envelope = match wire::decode_request(request_json) {
        Ok(request) => with_plugin(cell, |plugin| handler(plugin, request).into_envelope())
            .unwrap_or_else(|| HttpError::new(503, "the plugin is busy").into_envelope()),
        Err(response) => response.to_envelope(),
    };
    wire::fit_envelope(envelope, max)
}

/// The reply of a failed plugin to a PUT request: 503 with the failure report.
/// Generic over the plugin only, so every handler shares it.
fn refuse_put<P, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    max: usize,
) -> Option<Vec<u8>> {
    let reason = supervisor::refusal(cell)?;
    Some(wire::encode_reply(
        &PutReply::with_status(REFUSED_STATUS, reason),
        max,
    ))
}

/// The reply of a failed plugin to an HTTP request: 503 with the failure report.
fn refuse_http<P, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    max: usize,
) -> Option<Vec<u8>> {
    let reason = supervisor::refusal(cell)?;
    let refused = HttpError::new(REFUSED_STATUS, reason).into_response();
    Some(wire::encode_response(&refused, max))
}

/// `plugin_start` with the configuration bytes the host passed.
pub fn start<P: Plugin, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    config_json: &[u8],
) -> i32 {
    start_with(cell, config_json, |_| Ok(()), || Ok(()))
}

/// `plugin_start` that first registers handlers and providers with the host
/// (`register` is generated: it calls only the registrations the plugin uses, so no
/// other registration import ends up in the binary). Providers only get an instance
/// when registered inside a successful `plugin_start` (§3.7).
///
/// The configuration is kept: after a panic, the supervisor starts a fresh instance
/// with it. A start also ends a failure (the operator's restart). `check` applies the
/// rules of a derived schema (`ConfigSchema::check_schema`) to the parsed configuration;
/// a configuration it refuses fails like one that does not parse.
pub fn start_with<P: Plugin, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    config_json: &[u8],
    check: fn(&P::Config) -> Result<(), crate::ConfigError>,
    register: impl FnOnce() -> crate::Result<()>,
) -> i32 {
    let _guard = supervisor::enter_lifecycle(cell, "plugin_start");
    if let Some(reason) = supervisor::starting(cell, config_json) {
        // Only when traps have used up the stack: a start cannot help.
        crate::set_error(&reason);
        return START_FAILED;
    }
    if D {
        vessel::on_start();
    }
    let checked = config::parse::<P::Config>(config_json)
        .and_then(|parsed| check(&parsed.config).map(|()| parsed));
    let parsed = match checked {
        Ok(parsed) => parsed,
        Err(err) => {
            let message = err.to_string();
            logging::write(log::Level::Error, &message);
            crate::set_error(&message);
            return START_BAD_CONFIG;
        }
    };
    logging::init(parsed.enable_debug);
    if let Err(err) = register() {
        report("registration failed", &err.to_string());
        return START_FAILED;
    }
    match with_plugin(cell, |plugin| plugin.start(parsed.config)) {
        Some(Ok(())) => {
            supervisor::started(cell);
            START_OK
        }
        Some(Err(err)) => {
            report("start failed", &error_chain(&*err));
            START_FAILED
        }
        None => BUSY,
    }
}

/// `plugin_stop`. A failed plugin has nothing to stop: it answers [`STOP_OK`].
pub fn stop<P: Plugin, const D: bool>(cell: &'static LocalKey<PluginCell<P, D>>) -> i32 {
    let _guard = supervisor::enter_lifecycle(cell, "plugin_stop");
    let failed = supervisor::stopping(cell);
    if D {
        vessel::on_stop();
    }
    if failed {
        return STOP_OK;
    }
    match with_plugin(cell, P::stop) {
        Some(Ok(())) => STOP_OK,
        Some(Err(err)) => {
            report("stop failed", &error_chain(&*err));
            STOP_FAILED
        }
        None => BUSY,
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use super::*;
    use crate::testing::{self, HostCall};
    use crate::{Delta, Deltas, PluginResult, Update};
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Config {
        fail: bool,
    }

    #[derive(Default)]
    struct P {
        starts: u32,
    }

    impl Plugin for P {
        type Config = Config;
        fn start(&mut self, config: Config) -> PluginResult {
            self.starts += 1;
            if config.fail {
                return Err(std::io::Error::other("disk on fire").into());
            }
            crate::set_status(&format!("start #{}", self.starts));
            Ok(())
        }
        fn stop(&mut self) -> PluginResult {
            Err("cannot stop".into())
        }
    }

    thread_local! {
        static CELL: PluginCell<P> = const { PluginCell::new() };
    }

    #[test]
    fn start_codes_and_messages() {
        testing::reset();
        assert_eq!(
            start(&CELL, br#"{"fail":false,"enableDebug":false}"#),
            START_OK
        );
        assert_eq!(
            start(&CELL, br#"{"fail":false,"enableDebug":false}"#),
            START_OK
        );
        assert_eq!(
            testing::statuses(),
            ["start #1", "start #2"],
            "same instance reused"
        );

        assert_eq!(start(&CELL, br#"{"fail":true}"#), START_FAILED);
        assert_eq!(
            testing::errors().last().unwrap(),
            "start failed: disk on fire"
        );

        assert_eq!(start(&CELL, br#"{"fail":"yes"}"#), START_BAD_CONFIG);
        let err = testing::errors().last().unwrap().clone();
        assert!(
            err.starts_with("invalid configuration at `fail`: invalid type: string"),
            "{err}"
        );

        assert_eq!(stop(&CELL), STOP_FAILED);
        assert_eq!(
            testing::errors().last().unwrap(),
            "stop failed: cannot stop"
        );
    }

    #[test]
    fn re_entry_from_a_host_call_finds_the_plugin_busy() {
        testing::reset();
        thread_local! {
            static BUSY_CELL: PluginCell<P> = const { PluginCell::new() };
        }
        let (_guard, _) = CallGuard::enter("test");
        let inner = with_plugin(&BUSY_CELL, |_| {
            reentry::host_call(|| {
                let (_nested, trapped) = CallGuard::enter(DELTA_HANDLER);
                assert_eq!(trapped, None, "a nested call is not a recovery");
                with_plugin(&BUSY_CELL, |_| ())
            })
        });
        assert_eq!(inner, Some(None));
    }

    use super::super::cell::CallGuard;

    #[test]
    #[cfg_attr(
        target_arch = "wasm32",
        ignore = "catches a panic, which aborts on wasm32; the mock host tests cover it there"
    )]
    fn after_a_trap_inside_a_host_call_only_delta_handler_counts_as_a_re_entry() {
        // A poll that never returned, trapped inside one of its host calls: both marks
        // stay set (natively the panic unwinds past the host call's bookkeeping).
        let (outer, _) = CallGuard::enter("poll");
        std::mem::forget(outer);
        let trapped = catch_unwind(|| reentry::host_call(|| panic!("trap in a host call")));
        assert!(trapped.is_err());
        super::super::marks::forget_panic();
        // A delta may still be a re-entry...
        let (nested, recovered) = CallGuard::enter(DELTA_HANDLER);
        assert_eq!(recovered, None);
        drop(nested);
        // ...but the host never calls poll from inside an import: this follows a trap.
        let (fresh, recovered) = CallGuard::enter("poll");
        assert_eq!(recovered, Some("poll"));
        assert!(
            !reentry::in_host_call(),
            "the stale host call was forgotten"
        );
        drop(fresh);
    }

    // --- The supervisor, driven natively: a panic unwinds here instead of trapping,
    // and leaves the same marks behind.

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct SupConfig {
        /// Starts after this many (counted per thread, across instances) fail.
        #[serde(default)]
        fail_after: Option<u32>,
        tag: String,
    }

    thread_local! {
        static STARTS: Cell<u32> = const { Cell::new(0) };
        static PANIC_IN_POLL: Cell<bool> = const { Cell::new(false) };
        static PANIC_IN_START: Cell<bool> = const { Cell::new(false) };
        static SEEN: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    /// Polls count up in the instance; a fresh instance starts from 0 again.
    #[derive(Default)]
    struct Sup {
        polls: u32,
        tag: String,
    }

    impl Plugin for Sup {
        type Config = SupConfig;
        fn start(&mut self, config: SupConfig) -> PluginResult {
            let n = STARTS.with(|s| {
                s.set(s.get() + 1);
                s.get()
            });
            assert!(!PANIC_IN_START.with(Cell::take), "start boom");
            if config.fail_after.is_some_and(|limit| n > limit) {
                return Err(format!("refusing start #{n}").into());
            }
            self.tag = config.tag;
            Ok(())
        }
        fn poll(&mut self) -> PluginResult {
            self.polls += 1;
            assert!(!PANIC_IN_POLL.with(Cell::take), "poll boom #{}", self.polls);
            crate::set_status(&format!("{} poll {}", self.tag, self.polls));
            Ok(())
        }
        fn on_delta(&mut self, delta: &Delta) -> PluginResult {
            if delta.value_of("fail").is_some() {
                return Err("this delta is bad".into());
            }
            SEEN.with(|s| {
                s.borrow_mut()
                    .push(delta.context.clone().unwrap_or_default())
            });
            Ok(())
        }
    }

    fn put_handler(plugin: &mut Sup, value: u32) -> PutReply {
        PutReply::with_status(
            200,
            format!("{} got {value} after {} polls", plugin.tag, plugin.polls),
        )
    }

    fn http_handler(plugin: &mut Sup, _req: HttpRequest) -> String {
        format!("{} after {} polls", plugin.tag, plugin.polls)
    }

    fn panicking_poll(cell: &'static LocalKey<PluginCell<Sup, true>>) {
        PANIC_IN_POLL.with(|p| p.set(true));
        let unwound = catch_unwind(AssertUnwindSafe(|| poll(cell)));
        assert!(unwound.is_err(), "the poll should have panicked");
    }

    fn last_error() -> String {
        testing::errors().last().cloned().unwrap_or_default()
    }

    #[test]
    #[cfg_attr(
        target_arch = "wasm32",
        ignore = "catches a panic, which aborts on wasm32; the mock host tests cover it there"
    )]
    fn a_panic_restarts_a_fresh_instance_with_the_last_configuration() {
        testing::reset();
        super::super::report::install_panic_hook();
        thread_local! {
            static C: PluginCell<Sup, true> = const { PluginCell::new() };
        }
        assert_eq!(start(&C, br#"{"tag":"first"}"#), START_OK);
        assert_eq!(start(&C, br#"{"tag":"second"}"#), START_OK);
        assert_eq!(poll(&C), POLL_OK);
        assert_eq!(poll(&C), POLL_OK);
        assert_eq!(testing::statuses().last().unwrap(), "second poll 2");

        panicking_poll(&C);
        // The panic hook reported the panic before the "trap".
        assert!(last_error().contains("poll boom #3"), "{}", last_error());

        // The next call restarts: fresh state (polls from 0), the last configuration.
        assert_eq!(poll(&C), POLL_OK);
        assert_eq!(testing::statuses().last().unwrap(), "second poll 1");
        let report = last_error();
        assert!(report.starts_with("poll: panicked at"), "{report}");
        assert!(report.contains("poll boom #3"), "{report}");
        assert!(
            report.contains("restarted with the last configuration (restart 1 of 3"),
            "{report}"
        );
        assert_eq!(STARTS.with(Cell::get), 3, "two starts and one restart");
    }

    #[test]
    #[cfg_attr(
        target_arch = "wasm32",
        ignore = "catches a panic, which aborts on wasm32; the mock host tests cover it there"
    )]
    fn past_the_restart_bound_the_plugin_fails_and_refuses_every_call() {
        testing::reset();
        super::super::report::install_panic_hook();
        thread_local! {
            static C: PluginCell<Sup, true> = const { PluginCell::new() };
        }
        assert_eq!(start(&C, br#"{"tag":"t"}"#), START_OK);
        for n in 1..=3 {
            panicking_poll(&C);
            assert_eq!(poll(&C), POLL_OK, "restart {n}");
            assert!(
                last_error().contains(&format!("restart {n} of 3")),
                "{}",
                last_error()
            );
        }
        panicking_poll(&C);
        // The fourth panic within the window: failed, and the poll is refused.
        let polls_before = testing::statuses().len();
        assert_eq!(poll(&C), POLL_FAILED);
        assert_eq!(
            testing::statuses().len(),
            polls_before,
            "poll was not called"
        );
        let failed = last_error();
        assert!(failed.contains("poll boom"), "{failed}");
        assert!(
            failed.contains("not restarted: 3 restarts within 60 s"),
            "{failed}"
        );
        assert!(failed.contains("refuses calls"), "{failed}");

        let put_reply: serde_json::Value =
            serde_json::from_slice(&put(&C, b"5", 8192, put_handler)).unwrap();
        assert_eq!(put_reply["statusCode"], 503);
        assert!(
            put_reply["message"].as_str().unwrap().contains("poll boom"),
            "{put_reply}"
        );

        let request =
            br#"{"method":"GET","path":"/x","query":{},"params":{},"body":{},"headers":{}}"#;
        let envelope: serde_json::Value =
            serde_json::from_slice(&http(&C, request, 65536, http_handler)).unwrap();
        assert_eq!(envelope["statusCode"], 503);
        assert!(
            envelope["body"]["error"]
                .as_str()
                .unwrap()
                .contains("poll boom"),
            "{envelope}"
        );

        let seen = SEEN.with(|s| s.borrow().len());
        delta(&C, br#"{"context":"vessels.a","updates":[]}"#);
        assert_eq!(SEEN.with(|s| s.borrow().len()), seen, "no delta delivered");

        // Stopping a failed plugin is quiet; starting it again works, on a fresh instance.
        assert_eq!(stop(&C), STOP_OK);
        assert_eq!(start(&C, br#"{"tag":"again"}"#), START_OK);
        assert_eq!(poll(&C), POLL_OK);
        assert_eq!(testing::statuses().last().unwrap(), "again poll 1");
        let reply: serde_json::Value =
            serde_json::from_slice(&put(&C, b"5", 8192, put_handler)).unwrap();
        assert_eq!(reply["statusCode"], 200, "{reply}");
    }

    #[test]
    #[cfg_attr(
        target_arch = "wasm32",
        ignore = "catches a panic, which aborts on wasm32; the mock host tests cover it there"
    )]
    fn a_restart_whose_start_fails_fails_the_plugin() {
        testing::reset();
        super::super::report::install_panic_hook();
        thread_local! {
            static C: PluginCell<Sup, true> = const { PluginCell::new() };
        }
        STARTS.with(|s| s.set(0));
        // The first start succeeds, any later one fails.
        assert_eq!(start(&C, br#"{"tag":"t","failAfter":1}"#), START_OK);
        panicking_poll(&C);
        assert_eq!(poll(&C), POLL_FAILED);
        let failed = last_error();
        assert!(
            failed.contains("the restart failed: refusing start #2"),
            "{failed}"
        );
        assert!(failed.contains("poll boom"), "{failed}");
        assert_eq!(poll(&C), POLL_FAILED, "stays failed");
    }

    #[test]
    #[cfg_attr(
        target_arch = "wasm32",
        ignore = "catches a panic, which aborts on wasm32; the mock host tests cover it there"
    )]
    fn a_panic_during_the_restart_fails_the_plugin() {
        testing::reset();
        super::super::report::install_panic_hook();
        thread_local! {
            static C: PluginCell<Sup, true> = const { PluginCell::new() };
        }
        assert_eq!(start(&C, br#"{"tag":"t"}"#), START_OK);
        panicking_poll(&C);
        PANIC_IN_START.with(|p| p.set(true));
        // This poll's recovery restarts, and the restart panics.
        assert!(catch_unwind(AssertUnwindSafe(|| poll(&C))).is_err());
        assert_eq!(poll(&C), POLL_FAILED);
        let failed = last_error();
        assert!(failed.contains("start boom"), "{failed}");
        assert!(
            failed.contains("while restarting after a panic"),
            "{failed}"
        );
    }

    #[test]
    #[cfg_attr(
        target_arch = "wasm32",
        ignore = "catches a panic, which aborts on wasm32; the mock host tests cover it there"
    )]
    fn a_panic_in_start_is_not_restarted_and_the_next_start_is_fresh() {
        testing::reset();
        super::super::report::install_panic_hook();
        thread_local! {
            static C: PluginCell<Sup, true> = const { PluginCell::new() };
        }
        STARTS.with(|s| s.set(0));
        PANIC_IN_START.with(|p| p.set(true));
        assert!(catch_unwind(AssertUnwindSafe(|| start(&C, br#"{"tag":"t"}"#))).is_err());
        // The host now says "error"; the next start recovers without a restart.
        assert_eq!(start(&C, br#"{"tag":"u"}"#), START_OK);
        assert_eq!(STARTS.with(Cell::get), 2, "no automatic restart");
        let report = last_error();
        assert!(report.starts_with("plugin_start: panicked at"), "{report}");
        assert!(report.contains("starts afresh"), "{report}");
        assert_eq!(poll(&C), POLL_OK);
        assert_eq!(testing::statuses().last().unwrap(), "u poll 1");
    }

    #[test]
    fn on_delta_errors_are_counted_and_logged_at_powers_of_two() {
        testing::reset();
        crate::logging::init(false);
        thread_local! {
            static C: PluginCell<Sup, true> = const { PluginCell::new() };
        }
        testing::set_self_context("vessels.me");
        assert_eq!(start(&C, br#"{"tag":"t"}"#), START_OK);
        let before = super::super::cell::delta_errors();
        let bad = br#"{"context":"vessels.me","updates":[{"values":[{"path":"fail","value":1}]}]}"#;
        for _ in 0..5 {
            delta(&C, bad);
        }
        let good = br#"{"context":"vessels.me","updates":[]}"#;
        let seen = SEEN.with(|s| s.borrow().len());
        delta(&C, good);
        assert_eq!(SEEN.with(|s| s.borrow().len()), seen + 1, "not fatal");
        assert_eq!(super::super::cell::delta_errors() - before, 5);
        let logged: Vec<_> = testing::logs()
            .into_iter()
            .filter(|l| l.contains("on_delta failed"))
            .collect();
        assert_eq!(logged.len(), 3, "1st, 2nd and 4th: {logged:?}");
        assert!(
            logged[0].starts_with("[ERROR] on_delta failed (1 so far): this delta is bad"),
            "{logged:?}"
        );
        assert!(logged[2].contains("(4 so far)"), "{logged:?}");
        assert!(
            testing::errors().is_empty(),
            "not reported as the plugin's error"
        );
    }

    // --- Own vessel.

    #[derive(Default)]
    struct Own;

    impl Plugin for Own {
        type Config = crate::NoConfig;
        const DELTAS: Deltas = Deltas::OwnVessel;
        fn start(&mut self, _: crate::NoConfig) -> PluginResult {
            Ok(())
        }
        fn on_delta(&mut self, delta: &Delta) -> PluginResult {
            assert!(delta.is_self());
            let path = delta
                .values()
                .next()
                .map(|v| v.path.clone())
                .unwrap_or_default();
            SEEN.with(|s| s.borrow_mut().push(path));
            Ok(())
        }
    }

    fn about(context: &str, path: &str) -> Vec<u8> {
        serde_json::to_vec(
            &Delta::for_context(context).with_update(Update::new().with_value(path, 1)),
        )
        .unwrap()
    }

    fn seen() -> Vec<String> {
        SEEN.with(|s| s.borrow().clone())
    }

    #[test]
    fn own_vessel_deltas_are_held_until_the_vessel_is_known_then_delivered_in_order() {
        testing::reset();
        SEEN.with(|s| s.borrow_mut().clear());
        thread_local! {
            static C: PluginCell<Own, true> = const { PluginCell::new() };
        }
        assert_eq!(start(&C, b"{}"), START_OK);
        // Natively nothing answers the announcement: the deltas wait.
        delta(&C, &about("vessels.me", "a"));
        delta(&C, &about("vessels.other", "b"));
        delta(&C, &about("vessels.me", "c"));
        assert!(seen().is_empty(), "{:?}", seen());
        let announcements = testing::calls()
            .iter()
            .filter(|c| matches!(c, HostCall::HandleMessage { version: 2, .. }))
            .count();
        assert_eq!(announcements, crate::vessel::MAX_ANNOUNCEMENTS as usize);

        // Once known (as an echo would tell), the next call delivers what was held.
        testing::set_self_context("vessels.me");
        delta(&C, &about("vessels.me", "d"));
        assert_eq!(seen(), ["a", "c", "d"]);
        delta(&C, &about("vessels.other", "e"));
        assert_eq!(seen(), ["a", "c", "d"], "other vessels never arrive");
        assert_eq!(crate::vessel::dropped_while_learning(), 0);
    }

    #[test]
    fn held_deltas_are_also_delivered_by_poll() {
        testing::reset();
        SEEN.with(|s| s.borrow_mut().clear());
        #[derive(Default)]
        struct Polled;
        impl Plugin for Polled {
            type Config = crate::NoConfig;
            const DELTAS: Deltas = Deltas::OwnVessel;
            fn start(&mut self, _: crate::NoConfig) -> PluginResult {
                Ok(())
            }
            fn poll(&mut self) -> PluginResult {
                SEEN.with(|s| s.borrow_mut().push("poll".into()));
                Ok(())
            }
            fn on_delta(&mut self, delta: &Delta) -> PluginResult {
                let path = delta
                    .values()
                    .next()
                    .map(|v| v.path.clone())
                    .unwrap_or_default();
                SEEN.with(|s| s.borrow_mut().push(path));
                Ok(())
            }
        }
        thread_local! {
            static C: PluginCell<Polled, true> = const { PluginCell::new() };
        }
        assert_eq!(start(&C, b"{}"), START_OK);
        delta(&C, &about("vessels.me", "a"));
        testing::set_self_context("vessels.me");
        assert_eq!(poll(&C), POLL_OK);
        assert_eq!(seen(), ["a", "poll"]);
    }

    #[test]
    fn all_deltas_are_delivered_at_once_and_is_self_tells_them_apart() {
        testing::reset();
        SEEN.with(|s| s.borrow_mut().clear());
        thread_local! {
            static C: PluginCell<Sup, true> = const { PluginCell::new() };
        }
        assert_eq!(start(&C, br#"{"tag":"t"}"#), START_OK);
        delta(&C, &about("vessels.other", "x"));
        assert_eq!(seen(), ["vessels.other"], "not held");
        testing::set_self_context("vessels.me");
        let d: Delta = serde_json::from_slice(&about("vessels.me", "x")).unwrap();
        assert!(d.is_self());
        let d: Delta = serde_json::from_slice(&about("vessels.other", "x")).unwrap();
        assert!(!d.is_self());
    }
}
