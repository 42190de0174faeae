//! The supervisor: what happens after a panic.
//!
//! On `wasm32` a panic is an abort: the panic hook reports it, then the instance traps.
//! signalk-server keeps the instance and simply calls it again (§6.8), on the same
//! memory, with whatever the trapped call left behind. So the SDK marks every top-level
//! export call as running before it runs and clears the mark when it returns; the next
//! call that finds the mark still set knows the previous one never returned, and
//! recovers before doing anything else:
//!
//! - the plugin instance was moved out for the call and is gone with its state, so
//!   when the plugin was running, a fresh `Default` instance is started again with the
//!   configuration of the last `plugin_start`, and the panic and the restart are
//!   reported with `sk_set_error` (and an error log);
//! - at most [`MAX_RESTARTS`] restarts within [`RESTART_WINDOW_SECS`]: one more panic in that
//!   window, a restart whose `start` fails or panics, and the plugin is *failed*: it
//!   reports so and refuses every call (poll, deltas, PUT and HTTP handlers, providers)
//!   with a reply naming the panic, until the host starts it again (disable and enable,
//!   or a configuration save);
//! - when the plugin was not running (the panic was in `start` or `stop`, which the host
//!   already turns into its `error` state, or in a handler of a stopped plugin), the
//!   panic is reported and the next call gets a fresh instance;
//! - a trap also keeps the shadow stack its frames held (`__stack_pointer` is a wasm
//!   global nothing restores), a few hundred bytes each. Once traps have taken half the
//!   stack, the instance cannot be recovered in place: the plugin fails for good, says
//!   so, and even `plugin_start` is refused until the server restarts. This also
//!   bounds what trapped calls leak otherwise (the host never frees the buffers of a
//!   trapped HTTP, PUT or provider call).
//!
//! Natively a panic unwinds; the mark is left set the same way (the guard does not
//! clear it while panicking), so tests that catch the panic see what the wasm build
//! does.

use std::thread::LocalKey;

use super::cell::{CallGuard, PluginCell, with_plugin};
use super::marks::MARKS;
pub use super::marks::{MAX_PANIC_MESSAGE, MAX_RESTARTS, Supervisor};
use super::report::error_chain;
use crate::{Plugin, abi, config, logging};

/// The window [`MAX_RESTARTS`] counts in, in seconds.
pub const RESTART_WINDOW_SECS: u64 = 60;

const RESTART_WINDOW_NS: u64 = RESTART_WINDOW_SECS * 1_000_000_000;

/// Enters an export that may run plugin code: recovers first if the previous call
/// never returned, restarting the plugin if it was running. Keep the guard for the
/// whole call.
pub(crate) fn enter<P: Plugin, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    what: &'static str,
) -> CallGuard {
    let (guard, trapped) = CallGuard::enter(what);
    if let Some(previous) = trapped {
        recover(cell, previous, Some(restart_or_fail::<P, D>));
    }
    guard
}

/// Enters `plugin_start` or `plugin_stop`: recovers like [`enter`] but never restarts
/// (the host is about to start or stop the plugin itself). A plugin with no other
/// export carries no restart code.
pub(crate) fn enter_lifecycle<P: Plugin, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    what: &'static str,
) -> CallGuard {
    let (guard, trapped) = CallGuard::enter(what);
    if let Some(previous) = trapped {
        recover(cell, previous, None);
    }
    guard
}

/// Why the plugin refuses calls, if it does.
pub(crate) fn refusal<P, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
) -> Option<String> {
    cell.with(|c| c.supervisor.failed.borrow().clone())
}

/// `plugin_start` is entered: the host (re)starts the plugin, which ends a failure
/// unless traps have used up the stack (then the refusal is returned). The instance is
/// the one whose restart failed (as after any failed `start`), or a fresh one if the
/// restart panicked.
pub(crate) fn starting<P, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    config_json: &[u8],
) -> Option<String> {
    cell.with(|c| {
        let s = &c.supervisor;
        *s.config.borrow_mut() = Some(config_json.to_vec());
        s.started.set(false);
        s.restarting.set(false);
        s.restarts.set([None; MAX_RESTARTS]);
        let mut failed = s.failed.borrow_mut();
        if !s.exhausted.get() {
            *failed = None;
        }
        failed.clone()
    })
}

/// `plugin_start` succeeded.
pub(crate) fn started<P, const D: bool>(cell: &'static LocalKey<PluginCell<P, D>>) {
    cell.with(|c| c.supervisor.started.set(true));
}

/// `plugin_stop` is entered; returns whether the plugin had failed (then there is
/// nothing to stop).
pub(crate) fn stopping<P, const D: bool>(cell: &'static LocalKey<PluginCell<P, D>>) -> bool {
    cell.with(|c| {
        c.supervisor.started.set(false);
        c.supervisor.failed.borrow().is_some()
    })
}

/// What [`recover`] does when the plugin was running: restart it, or fail it.
type Restart<P, const D: bool> = fn(&'static LocalKey<PluginCell<P, D>>) -> (bool, String);

/// The previous top-level call never returned: say so, and restart (with `restart`)
/// or fail. One message says both what happened and what was done about it.
fn recover<P: Plugin, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
    previous: &'static str,
    restart: Option<Restart<P, D>>,
) {
    let (cause, full) = MARKS.with(|m| (m.panic.take(), m.stack.get()));
    let cause = cause.unwrap_or_else(|| "did not return (a trap or a timeout)".to_owned());
    let (lost, restarting, started) = cell.with(|c| {
        let s = &c.supervisor;
        (c.is_out(), s.restarting.replace(false), s.started.get())
    });
    let left = abi::stack_left();
    let exhausted = left < full / 2;
    let (failed, outcome): (bool, String) = match restart {
        _ if exhausted => {
            cell.with(|c| c.supervisor.exhausted.set(true));
            (
                true,
                format!(
                    "traps have used up {} of the instance's {full} bytes of stack, so it cannot recover in place: restart signalk-server",
                    full - left
                ),
            )
        }
        // The trap hit SDK code outside the plugin's methods: its state is intact.
        _ if !lost => (false, "the plugin's state is intact".into()),
        _ if restarting => (true, "while restarting after a panic".into()),
        Some(restart) if started => restart(cell),
        _ => (
            false,
            "the plugin's state was lost, it starts afresh".into(),
        ),
    };
    let mut message = format!("{previous}: {cause}; {outcome}");
    if failed {
        message.push_str(if exhausted {
            ". The plugin refuses calls until signalk-server restarts"
        } else {
            REFUSING
        });
        cell.with(|c| {
            c.supervisor.started.set(false);
            *c.supervisor.failed.borrow_mut() = Some(message.clone());
        });
    }
    logging::write(log::Level::Error, &message);
    crate::set_error(&message);
}

/// Restarts the running plugin if the window allows; `(failed, what was done)`.
fn restart_or_fail<P: Plugin, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
) -> (bool, String) {
    let now = abi::monotonic_ns();
    let admitted = cell.with(|c| {
        let mut history = c.supervisor.restarts.get();
        let admitted = admit(&mut history, now);
        c.supervisor.restarts.set(history);
        admitted
    });
    match admitted.map(|n| (n, restart(cell))) {
        None => (true, NOT_RESTARTED.into()),
        Some((n, Ok(()))) => (
            false,
            format!(
                "restarted with the last configuration (restart {n} of {MAX_RESTARTS} within {RESTART_WINDOW_SECS} s)"
            ),
        ),
        Some((_, Err(why))) => (true, format!("the restart failed: {why}")),
    }
}

/// Written out rather than formatted (formatting code costs every plugin bytes).
const NOT_RESTARTED: &str = "not restarted: 3 restarts within 60 s already";
const _: () = assert!(
    MAX_RESTARTS == 3 && RESTART_WINDOW_SECS == 60,
    "update NOT_RESTARTED"
);

/// Appended to the report of a failure; the refusals quote the whole report.
const REFUSING: &str =
    ". The plugin refuses calls until it is started again (disable and enable it)";

/// Starts a fresh instance with the last configuration; the error says why not.
fn restart<P: Plugin, const D: bool>(
    cell: &'static LocalKey<PluginCell<P, D>>,
) -> Result<(), String> {
    let config = cell.with(|c| c.supervisor.config.borrow().clone());
    let parsed = config::parse::<P::Config>(config.as_deref().unwrap_or_default())
        .map_err(|err| err.to_string())?;
    cell.with(|c| c.supervisor.restarting.set(true));
    // The instance is gone, so `with_plugin` starts a fresh `Default` one.
    let result = with_plugin(cell, |plugin| plugin.start(parsed.config));
    cell.with(|c| c.supervisor.restarting.set(false));
    match result {
        Some(Ok(())) => Ok(()),
        Some(Err(err)) => Err(error_chain(&*err)),
        None => Err("the plugin is busy".to_owned()),
    }
}

/// Records a restart at `now` if the window allows one; returns its number in the window.
fn admit(history: &mut [Option<u64>; MAX_RESTARTS], now: u64) -> Option<usize> {
    for slot in history.iter_mut() {
        if slot.is_some_and(|at| now.saturating_sub(at) >= RESTART_WINDOW_NS) {
            *slot = None;
        }
    }
    let free = history.iter().position(Option::is_none)?;
    history[free] = Some(now);
    Some(history.iter().filter(|s| s.is_some()).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_are_admitted_up_to_the_bound_within_the_window() {
        const S: u64 = 1_000_000_000;
        let t0 = 5 * S;
        let mut history = [None; MAX_RESTARTS];
        assert_eq!(admit(&mut history, t0), Some(1));
        assert_eq!(admit(&mut history, t0 + S), Some(2));
        assert_eq!(admit(&mut history, t0 + 2 * S), Some(3));
        assert_eq!(admit(&mut history, t0 + 3 * S), None);
        // Once the first falls out of the window, one more is admitted.
        assert_eq!(admit(&mut history, t0 + RESTART_WINDOW_NS), Some(3));
        assert_eq!(admit(&mut history, t0 + RESTART_WINDOW_NS), None);
        let later = t0 + RESTART_WINDOW_NS * 3;
        assert_eq!(admit(&mut history, later), Some(1));
    }
}
