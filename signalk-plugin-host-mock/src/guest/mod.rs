//! The plugin instance the host drives, and the one way to call into it from outside an
//! import: look the export up by name (as the server does at call time), give the call
//! its time budget, run the buffer protocol, and turn wasmtime's answer into the
//! host's [`Error`].
//!
//! Calls made from *inside* an import (the delta pipeline re-entering `delta_handler`)
//! cannot hold a `&mut Guest`; they use [`call::call_with_buffers`] on the store context
//! they were given, which is the same protocol.

pub(crate) mod call;
pub(crate) mod typed;

use wasmtime::{Func, Instance, Store};

pub(crate) use call::{Returned, Shape};

use crate::engine::EPOCH_TICK;
use crate::state::HostState;
use crate::{Error, memory};

/// One instantiated plugin in its own store.
pub(crate) struct Guest {
    store: Store<HostState>,
    instance: Instance,
}

impl Guest {
    pub(crate) fn new(store: Store<HostState>, instance: Instance) -> Self {
        Guest { store, instance }
    }

    /// The host's per-plugin state.
    pub(crate) fn state(&self) -> &HostState {
        self.store.data()
    }

    /// The host's per-plugin state, mutably.
    pub(crate) fn state_mut(&mut self) -> &mut HostState {
        self.store.data_mut()
    }

    /// The store, for the delta pipeline (which calls back into the guest from imports).
    pub(crate) fn store_mut(&mut self) -> &mut Store<HostState> {
        &mut self.store
    }

    /// The compiled module.
    pub(crate) fn module(&self) -> &wasmtime::Module {
        self.instance.module(&self.store)
    }

    /// Whether the module exports a function called `name`.
    pub(crate) fn has_export(&mut self, name: &str) -> bool {
        self.func(name).is_some()
    }

    fn func(&mut self, name: &str) -> Option<Func> {
        self.instance.get_func(&mut self.store, name)
    }

    /// Gives the next top-level call its time budget.
    pub(crate) fn arm(&mut self) {
        arm(&mut self.store);
    }

    /// A new top-level call of an export that takes and returns plain integers.
    ///
    /// # Errors
    ///
    /// [`Error::MissingExport`], or the call's trap, timeout or protocol error.
    pub(crate) fn call(&mut self, export: &str, args: &[i32]) -> Result<Option<i32>, Error> {
        self.arm();
        self.call_within_budget(export, args)
    }

    /// Like [`call`](Self::call), but inside the time budget of the call in progress
    /// (the chunk reads that finish an HTTP or provider reply).
    pub(crate) fn call_within_budget(
        &mut self,
        export: &str,
        args: &[i32],
    ) -> Result<Option<i32>, Error> {
        let func = self
            .func(export)
            .ok_or_else(|| Error::MissingExport(export.into()))?;
        call::call(&mut self.store, func, export, args)
    }

    /// A new top-level call of an export with the host's buffer protocol.
    ///
    /// # Errors
    ///
    /// [`Error::MissingExport`], or the call's trap, timeout or protocol error.
    pub(crate) fn invoke(&mut self, export: &str, shape: Shape<'_>) -> Result<Returned, Error> {
        let func = self
            .func(export)
            .ok_or_else(|| Error::MissingExport(export.into()))?;
        self.arm();
        call::call_with_buffers(&mut self.store, func, export, shape)
    }

    /// `allocate(size)` in the guest, recorded in the ledger.
    pub(crate) fn allocate(&mut self, size: u32) -> Result<u32, Error> {
        call::allocate(&mut self.store, size)
    }

    /// `deallocate(ptr, size)` in the guest, recorded in the ledger.
    pub(crate) fn deallocate(&mut self, ptr: u32, size: u32) -> Result<(), Error> {
        call::deallocate(&mut self.store, ptr, size)
    }

    /// Copies guest memory at `ptr` into `out`; `false` if it lies outside memory.
    pub(crate) fn read_memory_into(&self, ptr: u32, out: &mut [u8]) -> bool {
        memory::read_into(&self.store, ptr as i32, out)
    }

    /// Copies `len` bytes at `ptr` out of guest memory.
    pub(crate) fn read_memory(&self, ptr: u32, len: u32) -> Option<Vec<u8>> {
        memory::read(&self.store, ptr as i32, len as i32)
    }

    /// Size of the guest's linear memory in bytes.
    pub(crate) fn memory_size(&self) -> usize {
        memory::size(&self.store)
    }
}

/// Sets the store's epoch deadline to the configured call timeout.
pub(crate) fn arm(store: &mut Store<HostState>) {
    let timeout = store.data().options.call_timeout;
    let ticks = timeout.as_millis().div_ceil(EPOCH_TICK.as_millis()).max(1);
    store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
}
