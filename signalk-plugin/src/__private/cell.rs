//! The one plugin instance and its re-entry rules: [`PluginCell`], [`with_plugin`],
//! [`CallGuard`], the queue of deltas that arrive while the plugin is busy, and the
//! delivery of deltas to [`Plugin::on_delta`].

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::thread::LocalKey;

use super::marks::{self, Supervisor};
use super::report::error_chain;
use crate::{Deltas, Plugin, reentry, vessel};

/// How many deltas may wait for a busy plugin. Reaching it means the plugin reacts to
/// its own deltas by emitting more: the oldest are dropped, with an error log.
pub const MAX_QUEUED_DELTAS: usize = 10_000;

/// Where the generated exports keep the one plugin instance.
///
/// The instance is *moved out* for the duration of a call and put back afterwards, so
/// no borrow is ever held across a host call. If a call traps (a panic is an abort on
/// wasm), the instance is gone; the next call notices and the [supervisor](super::supervisor)
/// recovers (a fresh instance, restarted with the last configuration).
///
/// `DELTAS` is whether the plugin receives deltas (defines `on_delta`): only then is the
/// queue of deltas that arrived while it was busy drained, so plugins without
/// `delta_handler` carry no delta-parsing code at all.
pub struct PluginCell<P, const DELTAS: bool = false> {
    plugin: RefCell<Option<P>>,
    /// Deltas delivered while the plugin was busy, as the host's JSON text.
    pending: RefCell<VecDeque<Vec<u8>>>,
    /// Restarts after panics.
    pub(crate) supervisor: Supervisor,
}

impl<P, const DELTAS: bool> PluginCell<P, DELTAS> {
    /// An empty cell; the plugin is created on first use.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            plugin: RefCell::new(None),
            pending: RefCell::new(VecDeque::new()),
            supervisor: Supervisor::new(),
        }
    }

    /// Whether the instance is out: moved into a call further up the stack (or lost to
    /// a trap in one).
    pub(crate) fn is_out(&self) -> bool {
        self.plugin.borrow().is_none()
    }

    /// Queues a delta that arrived while the plugin was busy. Returns whether the queue
    /// was full, so that the oldest delta was dropped.
    pub(crate) fn queue_delta(&self, json: &[u8]) -> bool {
        let mut pending = self.pending.borrow_mut();
        pending.push_back(json.to_vec());
        (pending.len() > MAX_QUEUED_DELTAS)
            .then(|| pending.pop_front())
            .is_some()
    }
}

impl<P, const DELTAS: bool> Default for PluginCell<P, DELTAS> {
    fn default() -> Self {
        Self::new()
    }
}

/// The name the delta export enters with: the one export the host calls re-entrantly.
pub(crate) const DELTA_HANDLER: &str = "delta_handler";

/// Marks the start and end of an export call, to tell a re-entry from a fresh call and
/// a call that returned from one that never did.
pub struct CallGuard {
    top_level: bool,
}

impl CallGuard {
    /// Enters an export call named `what`. Also returns, for a top-level call, the
    /// export whose call never returned (it trapped) if there is one.
    #[must_use]
    pub(crate) fn enter(what: &'static str) -> (Self, Option<&'static str>) {
        // Only `delta_handler` can be re-entered from inside one of our host calls
        // (§1.5): any other export that finds the marks set follows a trap.
        let stale = what != DELTA_HANDLER || marks::panic_pending();
        let top_level = reentry::enter_export(stale);
        let trapped = if top_level { marks::begin(what) } else { None };
        (Self { top_level }, trapped)
    }
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        // Natively a panic unwinds through here: leave the marks set, as a trap on
        // wasm does, so the next call recovers the same way. (On wasm a panic aborts:
        // this never runs while panicking.)
        #[cfg(not(target_arch = "wasm32"))]
        let unwinding = std::thread::panicking();
        #[cfg(target_arch = "wasm32")]
        let unwinding = false;
        if self.top_level && !unwinding {
            marks::end();
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
        None => P::default(),
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

/// Hands one delta (the host's JSON text) to the plugin as [`Plugin::DELTAS`] says:
/// every delta, or those about the own vessel, held until the SDK knows it.
pub(crate) fn dispatch_delta<P: Plugin>(plugin: &mut P, json: &[u8]) {
    if P::DELTAS == Deltas::All {
        vessel::learn();
        deliver(plugin, json, None);
        return;
    }
    if !vessel::learn() {
        vessel::hold(json);
        return;
    }
    deliver_held(plugin);
    let own = vessel::self_context().unwrap_or_default();
    if vessel::mentions(json, &own) {
        deliver(plugin, json, Some(&own));
    }
}

/// Delivers the deltas held while the own vessel was unknown, those about it only.
pub(crate) fn deliver_held<P: Plugin>(plugin: &mut P) {
    let Some(own) = vessel::self_context() else {
        return;
    };
    for json in vessel::take_held() {
        if vessel::mentions(&json, &own) {
            deliver(plugin, &json, Some(&own));
        }
    }
}

/// Parses a delta and calls `on_delta`, if its context is `own` when given.
fn deliver<P: Plugin>(plugin: &mut P, json: &[u8], own: Option<&str>) {
    let Some(delta) = crate::model::decode_or_log(json) else {
        return;
    };
    if own.is_none_or(|own| delta.context.as_deref() == Some(own))
        && let Err(err) = plugin.on_delta(&delta)
    {
        delta_failed(&*err);
    }
    // Its strings and lists serve the next delta's decoding (`model::spares`).
    crate::model::recycle(delta);
}

thread_local! {
    static DELTA_ERRORS: Cell<u64> = const { Cell::new(0) };
}

/// An `Err` from `on_delta`: counted, and logged at error level through the `log`
/// facade for the 1st, 2nd, 4th, 8th, … error, with the count (a plugin failing on
/// every delta cannot flood the log). Not fatal: the next delta is delivered as usual.
fn delta_failed(err: &(dyn std::error::Error + 'static)) {
    let n = DELTA_ERRORS.with(|c| {
        let n = c.get() + 1;
        c.set(n);
        n
    });
    if n.is_power_of_two() {
        log::error!("on_delta failed ({n} so far): {}", error_chain(err));
    }
}

/// `on_delta` errors so far on this thread.
#[cfg(test)]
pub(crate) fn delta_errors() -> u64 {
    DELTA_ERRORS.with(Cell::get)
}
