//! The one plugin instance and its re-entry rules: [`PluginCell`], [`with_plugin`],
//! [`CallGuard`], and the queue of deltas that arrive while the plugin is busy.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::thread::LocalKey;

use crate::{Delta, Plugin, logging, reentry};

/// How many deltas may wait for a busy plugin. Reaching it means the plugin reacts to
/// its own deltas by emitting more: the oldest are dropped, with an error log.
pub const MAX_QUEUED_DELTAS: usize = 10_000;

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

    /// Drops the instance, as a trap in the middle of a call would.
    #[cfg(test)]
    pub(crate) fn lose_instance(&self) {
        self.plugin.borrow_mut().take();
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

/// Hands one delta (the host's JSON text) to the plugin; one that does not parse is
/// logged and dropped.
pub(crate) fn dispatch_delta<P: Plugin>(plugin: &mut P, json: &[u8]) {
    match crate::json::from_bytes::<Delta>(json) {
        Ok(delta) => plugin.on_delta(&delta),
        Err(err) => logging::write(
            log::Level::Warn,
            &format!("ignored a delta that does not parse: {err}"),
        ),
    }
}
