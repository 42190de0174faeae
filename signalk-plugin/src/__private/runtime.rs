//! The plugin instance and what each export does with it, free of raw pointers so it
//! can be tested natively.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::thread::LocalKey;

use serde::de::DeserializeOwned;

use crate::http::{self, HttpRequest, IntoResponse};
use crate::put::{self, IntoPutReply, PutReply};
use crate::{Delta, Plugin, config, logging, reentry};

/// How many deltas may wait for a busy plugin. Reaching it means the plugin reacts to
/// its own deltas by emitting more: the oldest are dropped, with an error log.
pub const MAX_QUEUED_DELTAS: usize = 10_000;

/// `plugin_start` result: the plugin started.
pub const START_OK: i32 = 0;
/// `plugin_start` result: `Plugin::start` returned an error (reported with `sk_set_error`).
pub const START_FAILED: i32 = 1;
/// `plugin_start` result: the configuration did not parse (reported with `sk_set_error`).
pub const START_BAD_CONFIG: i32 = 2;
/// Result of an export that found the plugin busy (re-entered outside a delta delivery).
pub const BUSY: i32 = 3;
/// `plugin_stop` result: `Plugin::stop` returned an error (reported with `sk_set_error`).
pub const STOP_FAILED: i32 = 1;

/// Where the generated exports keep the one plugin instance.
///
/// The instance is *moved out* for the duration of a call and put back afterwards, so
/// no borrow is ever held across a host call. If a call traps (a panic is an abort on
/// wasm), the instance is gone; the next call notices, says so with `sk_set_error`, and
/// carries on with a fresh `Default` instance instead of failing forever.
///
/// `DELTAS` is whether the plugin receives deltas (defines `on_delta`): only then is the
/// queue of deltas that arrived while it was busy drained, so plugins without
/// `delta_handler` carry no delta-parsing code at all.
pub struct PluginCell<P, const DELTAS: bool = false> {
    plugin: RefCell<Option<P>>,
    created: Cell<bool>,
    /// Deltas delivered while the plugin was busy, as the host's JSON text.
    pending: RefCell<VecDeque<Vec<u8>>>,
}

impl<P, const DELTAS: bool> PluginCell<P, DELTAS> {
    /// An empty cell; the plugin is created on first use.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            plugin: RefCell::new(None),
            created: Cell::new(false),
            pending: RefCell::new(VecDeque::new()),
        }
    }
}

impl<P, const DELTAS: bool> Default for PluginCell<P, DELTAS> {
    fn default() -> Self {
        Self::new()
    }
}

/// Marks the start and end of an export call, to tell a re-entry from a fresh call.
pub struct CallGuard {
    top_level: bool,
}

impl CallGuard {
    /// Enters an export call.
    #[must_use]
    pub fn enter() -> Self {
        Self {
            top_level: reentry::enter_export(),
        }
    }
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        if self.top_level {
            reentry::leave_export();
        }
    }
}

/// Runs `f` on the plugin instance, creating it if needed. `None` if the plugin is busy
/// further up the stack (the host re-entered us from inside one of our host calls).
pub fn with_plugin<P: Plugin, const D: bool, R>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    f: impl FnOnce(&mut P) -> R,
) -> Option<R> {
    let taken = cell.with(|c| c.plugin.borrow_mut().take());
    let mut plugin = match taken {
        Some(plugin) => plugin,
        None if reentry::in_host_call() => return None,
        None => {
            if cell.with(|c| c.created.replace(true)) {
                crate::set_error(
                    "plugin state was lost when an earlier call panicked; continuing with a fresh instance",
                );
            }
            P::default()
        }
    };
    let result = f(&mut plugin);
    // Deltas that arrived while `f` ran (from our own emits) are delivered now, before
    // anyone else can see the plugin, in arrival order.
    while let Some(json) = D
        .then(|| cell.with(|c| c.pending.borrow_mut().pop_front()))
        .flatten()
    {
        dispatch_delta(&mut plugin, &json);
    }
    cell.with(|c| *c.plugin.borrow_mut() = Some(plugin));
    Some(result)
}

fn dispatch_delta<P: Plugin>(plugin: &mut P, json: &[u8]) {
    match crate::json::from_bytes::<Delta>(json) {
        Ok(delta) => plugin.on_delta(&delta),
        Err(err) => logging::write(
            log::Level::Warn,
            &format!("ignored a delta that does not parse: {err}"),
        ),
    }
}

/// `delta_handler`: hands the delta to the plugin, or queues it if the plugin is busy
/// further up the stack (the host re-entered us from inside our own emit).
pub fn delta<P: Plugin, const D: bool>(cell: &'static LocalKey<PluginCell<P, D>>, json: &[u8]) {
    let _guard = CallGuard::enter();
    if reentry::in_host_call() && cell.with(|c| c.plugin.borrow().is_none()) {
        let dropped = cell.with(|c| {
            let mut pending = c.pending.borrow_mut();
            pending.push_back(json.to_vec());
            (pending.len() > MAX_QUEUED_DELTAS).then(|| pending.pop_front())
        });
        if dropped.is_some() {
            logging::write(
                log::Level::Error,
                "more than 10000 deltas queued while the plugin was busy (does it react to its own deltas?); dropped the oldest",
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
        Some(Ok(())) => 0,
        Some(Err(err)) => {
            report("poll failed", &error_chain(&*err));
            1
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
    put::encode_reply(&reply, max)
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
    let response = match http::decode_request(request_json) {
        Ok(request) => with_plugin(cell, |plugin| handler(plugin, request).into_response())
            .unwrap_or_else(|| http::HttpError::new(503, "the plugin is busy").into_response()),
        Err(response) => response,
    };
    http::encode_response(&response, max)
}

/// Registers a PUT handler (called by the generated `plugin_start`).
///
/// # Errors
/// [`crate::Error::Registration`] naming the handler and the missing capability.
pub fn register_put(context: &str, path: &str) -> crate::Result<()> {
    put::register(context, path).map_err(|err| {
        crate::Error::Registration(format!("PUT handler for {context} {path}: {err}"))
    })
}

/// Registers a resource provider for one type (called by the generated `plugin_start`).
///
/// # Errors
/// [`crate::Error::Registration`] naming the missing capability.
pub fn register_resources(kind: &str) -> crate::Result<()> {
    let import = crate::abi::register_resource_provider;
    crate::provider::register(
        "sk_register_resource_provider",
        "resourceProvider",
        kind,
        import,
    )
}

/// Registers the weather provider (called by the generated `plugin_start`).
///
/// # Errors
/// [`crate::Error::Registration`] naming the missing capability.
pub fn register_weather(name: &str) -> crate::Result<()> {
    let import = crate::abi::register_weather_provider;
    crate::provider::register(
        "sk_register_weather_provider",
        "weatherProvider",
        name,
        import,
    )
}

/// Registers the radar provider (called by the generated `plugin_start`).
///
/// # Errors
/// [`crate::Error::Registration`] naming the missing capability.
pub fn register_radar(name: &str) -> crate::Result<()> {
    let import = crate::abi::register_radar_provider;
    crate::provider::register("sk_register_radar_provider", "radarProvider", name, import)
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
/// when registered inside a successful `plugin_start` (spec §3.7).
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
        Some(Ok(())) => 0,
        Some(Err(err)) => {
            report("stop failed", &error_chain(&*err));
            STOP_FAILED
        }
        None => BUSY,
    }
}

/// An error and its sources, as `outer: inner: innermost`.
#[must_use]
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Reports an error returned by plugin code: an error log and `sk_set_error`.
pub fn report(context: &str, message: &str) {
    let message = format!("{context}: {message}");
    logging::write(log::Level::Error, &message);
    crate::set_error(&message);
}

/// The text a panic hook reports: `panicked at file:line:col: message`. Reads both
/// `&str` and `String` payloads and never panics itself.
#[must_use]
pub fn panic_message(info: &std::panic::PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let text = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(panic payload is not a string)");
    match info.location() {
        Some(at) => format!(
            "panicked at {}:{}:{}: {text}",
            at.file(),
            at.line(),
            at.column()
        ),
        None => format!("panicked: {text}"),
    }
}

/// Installs (once) a panic hook that reports the panic through `sk_set_error` and
/// `sk_debug` before the trap, then runs the previous hook (which prints to stderr).
pub fn install_panic_hook() {
    thread_local! {
        static INSTALLED: Cell<bool> = const { Cell::new(false) };
    }
    if INSTALLED.with(|i| i.replace(true)) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = panic_message(info);
        logging::write(log::Level::Error, &message);
        crate::set_error(&message);
        previous(info);
    }));
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
        LOST.with(|c| c.plugin.borrow_mut().take());
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
