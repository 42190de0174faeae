//! What each lifecycle export does with the plugin instance — `plugin_start`,
//! `plugin_stop`, `poll`, `delta_handler`, PUT and HTTP handlers — free of raw pointers
//! so it can be tested natively. Every result the host sees is a named code.

use std::thread::LocalKey;

use serde::de::DeserializeOwned;

use super::cell::{CallGuard, MAX_QUEUED_DELTAS, PluginCell, dispatch_delta, with_plugin};
use super::report::{error_chain, report};
use super::wire;
use crate::http::{HttpError, HttpRequest, IntoResponse};
use crate::put::{IntoPutReply, PutReply};
use crate::{Plugin, config, logging, reentry};

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
/// `poll` result: `Plugin::poll` returned an error (reported with `sk_set_error`).
pub const POLL_FAILED: i32 = 1;

/// `delta_handler`: hands the delta to the plugin, or queues it if the plugin is busy
/// further up the stack (the host re-entered us from inside our own emit).
pub fn delta<P: Plugin, const D: bool>(cell: &'static LocalKey<PluginCell<P, D>>, json: &[u8]) {
    let _guard = CallGuard::enter();
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
    with_plugin(cell, |plugin| dispatch_delta(plugin, json));
}

/// `poll`.
pub fn poll<P: Plugin, const D: bool>(cell: &'static LocalKey<PluginCell<P, D>>) -> i32 {
    let _guard = CallGuard::enter();
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
    let _guard = CallGuard::enter();
    let parsed = crate::json::as_text(value_json)
        .map_err(|e| (".".to_owned(), e))
        .and_then(crate::json::from_str_at_path::<T>);
    let reply = match parsed {
        Ok(value) => with_plugin(cell, |plugin| handler(plugin, value).into_put_reply())
            .unwrap_or_else(|| PutReply::with_status(503, "the plugin is busy")),
        Err(err) => PutReply::with_status(400, crate::json::describe_error("invalid value", err)),
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
    let _guard = CallGuard::enter();
    let response = match wire::decode_request(request_json) {
        Ok(request) => with_plugin(cell, |plugin| handler(plugin, request).into_response())
            .unwrap_or_else(|| HttpError::new(503, "the plugin is busy").into_response()),
        Err(response) => response,
    };
    wire::encode_response(&response, max)
}

/// `plugin_start` with the configuration bytes the host passed.
pub fn start<P: Plugin, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    config_json: &[u8],
) -> i32 {
    start_with(cell, config_json, || Ok(()))
}

/// `plugin_start` that first registers handlers and providers with the host
/// (`register` is generated: it calls only the registrations the plugin uses, so no
/// other registration import ends up in the binary). Providers only get an instance
/// when registered inside a successful `plugin_start` (§3.7).
pub fn start_with<P: Plugin, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    config_json: &[u8],
    register: impl FnOnce() -> crate::Result<()>,
) -> i32 {
    let _guard = CallGuard::enter();
    let parsed = match config::parse::<P::Config>(config_json) {
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
        Some(Ok(())) => START_OK,
        Some(Err(err)) => {
            report("start failed", &error_chain(&*err));
            START_FAILED
        }
        None => BUSY,
    }
}

/// `plugin_stop`.
pub fn stop<P: Plugin, const D: bool>(cell: &'static LocalKey<PluginCell<P, D>>) -> i32 {
    let _guard = CallGuard::enter();
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
    use super::*;
    use crate::PluginResult;
    use crate::testing;
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
    fn lost_state_after_a_trap_is_reported_and_replaced() {
        testing::reset();
        thread_local! {
            static LOST: PluginCell<P> = const { PluginCell::new() };
        }
        assert_eq!(start(&LOST, br#"{"fail":false}"#), START_OK);
        // Simulate a trap in the middle of a call: the instance was moved out and the
        // call never returned, so the cell is empty and the call marker stale.
        LOST.with(PluginCell::lose_instance);
        let _stale = std::mem::ManuallyDrop::new(CallGuard::enter());
        assert_eq!(start(&LOST, br#"{"fail":false}"#), START_OK);
        assert!(
            testing::errors()[0].contains("lost"),
            "{:?}",
            testing::errors()
        );
        assert_eq!(
            testing::statuses().last().unwrap(),
            "start #1",
            "fresh instance"
        );
        reentry::leave_export();
    }

    #[test]
    fn re_entry_from_a_host_call_finds_the_plugin_busy() {
        testing::reset();
        thread_local! {
            static BUSY_CELL: PluginCell<P> = const { PluginCell::new() };
        }
        let _guard = CallGuard::enter();
        let inner = with_plugin(&BUSY_CELL, |_| {
            reentry::host_call(|| {
                let _nested = CallGuard::enter();
                with_plugin(&BUSY_CELL, |_| ())
            })
        });
        assert_eq!(inner, Some(None));
    }
}
