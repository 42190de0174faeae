//! Typed handles of the guest's exports, made once per function. `Func::typed` checks
//! the function's type against the registry of the engine on every call (a lock, a
//! reference count, a type comparison), which cost more than the rest of an
//! `allocate` call; the host calls the same few exports (`allocate`, `deallocate`,
//! `delta_handler`, a handler) for every delta, so the answer of that check is kept
//! per function.

use wasmtime::{AsContextMut, Func, TypedFunc};

use crate::state::HostState;

/// The export signatures the host calls with a typed call, each with its handle.
#[derive(Clone)]
pub(crate) enum Typed {
    /// `() -> i32` (`plugin_start`-like exports with a result).
    NoneToI32(TypedFunc<(), i32>),
    /// `() -> ()`.
    NoneToUnit(TypedFunc<(), ()>),
    /// `(i32) -> i32` (`allocate`).
    OneToI32(TypedFunc<i32, i32>),
    /// `(i32, i32) -> ()` (`deallocate`, `delta_handler`).
    TwoToUnit(TypedFunc<(i32, i32), ()>),
    /// `(i32, i32) -> i32`.
    TwoToI32(TypedFunc<(i32, i32), i32>),
    /// `(i32, i32, i32, i32) -> i32` (handlers with an output buffer).
    FourToI32(TypedFunc<(i32, i32, i32, i32), i32>),
}

impl Typed {
    /// The typed handle for `func`, if its type is one of these signatures (at most
    /// one fits: they differ in parameters or results).
    fn of(store: impl wasmtime::AsContext, func: Func) -> Option<Typed> {
        let store = store.as_context();
        if let Ok(f) = func.typed(&store) {
            return Some(Typed::NoneToI32(f));
        }
        if let Ok(f) = func.typed(&store) {
            return Some(Typed::NoneToUnit(f));
        }
        if let Ok(f) = func.typed(&store) {
            return Some(Typed::OneToI32(f));
        }
        if let Ok(f) = func.typed(&store) {
            return Some(Typed::TwoToUnit(f));
        }
        if let Ok(f) = func.typed(&store) {
            return Some(Typed::TwoToI32(f));
        }
        func.typed(&store).ok().map(Typed::FourToI32)
    }
}

/// The typed handle of each function called so far, by the function's address in the
/// store (unique while the store lives, and the cache lives in the store). One entry
/// per export the host calls: a handful.
#[derive(Default)]
pub(crate) struct TypedCache {
    entries: Vec<(usize, Option<Typed>)>,
}

/// The typed handle for `func` (`None` when its signature is none of [`Typed`]'s),
/// made on the first call and kept.
pub(crate) fn lookup(ctx: &mut impl AsContextMut<Data = HostState>, func: Func) -> Option<Typed> {
    let mut store = ctx.as_context_mut();
    let key = func.to_raw(&mut store) as usize;
    if let Some((_, typed)) = store.data().typed.entries.iter().find(|(k, _)| *k == key) {
        return typed.clone();
    }
    let typed = Typed::of(&store, func);
    store.data_mut().typed.entries.push((key, typed.clone()));
    typed
}
