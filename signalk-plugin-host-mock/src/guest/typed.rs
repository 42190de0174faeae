//! Typed handles of the guest's exports, made once per function. `Func::typed` checks
//! the function's type against the registry of the engine on every call (a lock, a
//! reference count, a type comparison), which cost more than the rest of an
//! `allocate` call; the host calls the same few exports (`allocate`, `deallocate`,
//! `delta_handler`, a handler) for every delta, so the answer of that check is kept
//! per function.

use wasmtime::{AsContextMut, Func, TypedFunc};

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

/// Store data that holds a [`TypedCache`] (the host's state; a test's own).
pub(crate) trait HasTypedCache {
    fn typed_cache(&mut self) -> &mut TypedCache;
}

/// The typed handle for `func` (`None` when its signature is none of [`Typed`]'s),
/// made on the first call and kept.
pub(crate) fn lookup<D: HasTypedCache + 'static>(
    ctx: &mut impl AsContextMut<Data = D>,
    func: Func,
) -> Option<Typed> {
    let mut store = ctx.as_context_mut();
    let key = func.to_raw(&mut store) as usize;
    let entries = &store.data_mut().typed_cache().entries;
    if let Some((_, typed)) = entries.iter().find(|(k, _)| *k == key) {
        return typed.clone();
    }
    let typed = Typed::of(&store, func);
    store
        .data_mut()
        .typed_cache()
        .entries
        .push((key, typed.clone()));
    typed
}

#[cfg(test)]
mod tests {
    use wasmtime::{Engine, Linker, Module, Store};

    use super::*;

    /// Store data with nothing but the cache.
    #[derive(Default)]
    struct Data(TypedCache);

    impl HasTypedCache for Data {
        fn typed_cache(&mut self) -> &mut TypedCache {
            &mut self.0
        }
    }

    /// One export of each signature [`Typed`] knows, and one it does not.
    const MODULE: &str = r#"(module
        (func (export "none_i32") (result i32) i32.const 7)
        (func (export "none_unit"))
        (func (export "one_i32") (param i32) (result i32) local.get 0 i32.const 1 i32.add)
        (func (export "two_unit") (param i32 i32))
        (func (export "two_i32") (param i32 i32) (result i32) local.get 0 local.get 1 i32.sub)
        (func (export "four_i32") (param i32 i32 i32 i32) (result i32) local.get 3)
        (func (export "other") (param i64) (result i64) local.get 0))"#;

    fn instance() -> (Store<Data>, wasmtime::Instance) {
        let engine = Engine::default();
        let wasm = wat::parse_str(MODULE).expect("test module");
        let module = Module::new(&engine, wasm).expect("compile");
        let mut store = Store::new(&engine, Data::default());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .expect("instantiate");
        (store, instance)
    }

    fn func(store: &mut Store<Data>, instance: &wasmtime::Instance, name: &str) -> Func {
        instance.get_func(&mut *store, name).expect(name)
    }

    #[test]
    fn each_signature_gets_its_own_handle_and_others_none() {
        let (mut store, instance) = instance();
        let kind = |store: &mut Store<Data>, name| {
            let f = func(store, &instance, name);
            match lookup(store, f) {
                Some(Typed::NoneToI32(_)) => "none_i32",
                Some(Typed::NoneToUnit(_)) => "none_unit",
                Some(Typed::OneToI32(_)) => "one_i32",
                Some(Typed::TwoToUnit(_)) => "two_unit",
                Some(Typed::TwoToI32(_)) => "two_i32",
                Some(Typed::FourToI32(_)) => "four_i32",
                None => "other",
            }
        };
        for name in [
            "none_i32",
            "none_unit",
            "one_i32",
            "two_unit",
            "two_i32",
            "four_i32",
            "other",
        ] {
            assert_eq!(kind(&mut store, name), name);
        }
    }

    #[test]
    fn a_handle_is_made_once_per_function_and_calls_that_function() {
        let (mut store, instance) = instance();
        let one = func(&mut store, &instance, "one_i32");
        let two = func(&mut store, &instance, "two_i32");
        let other = func(&mut store, &instance, "other");
        for _ in 0..3 {
            let Some(Typed::OneToI32(f)) = lookup(&mut store, one) else {
                panic!("one_i32 has the (i32) -> i32 handle");
            };
            assert_eq!(f.call(&mut store, 41).expect("call"), 42);
            let Some(Typed::TwoToI32(f)) = lookup(&mut store, two) else {
                panic!("two_i32 has the (i32, i32) -> i32 handle");
            };
            assert_eq!(f.call(&mut store, (5, 3)).expect("call"), 2);
            assert!(lookup(&mut store, other).is_none());
        }
        // One entry per function, the unknown signature's `None` included: repeated
        // lookups find what the first one made.
        assert_eq!(store.data().0.entries.len(), 3);
    }
}
