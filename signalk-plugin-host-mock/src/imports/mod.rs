//! The `env` imports, one module per section of the spec's §3, and the linking that
//! gives each one the signature the *guest* declares (§1.1): the real host's imports
//! are untyped JS functions, so a guest may declare `sk_handle_message` with two or
//! three parameters, or give `sk_debug` a result, and still link.

mod capability;
mod config;
mod data;
mod logging;
mod providers;
mod put;
mod runtime_helpers;
mod streams;
mod tcp;
mod udp;

use wasmtime::{Caller, Linker, Module, Val, ValType};

use crate::Error;
use crate::state::HostState;

/// What a binding gives back to JS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Reply {
    /// `undefined` (a guest that declares a result receives 0).
    Nothing,
    I32(i32),
    F64(f64),
}

/// One `env` function.
pub(crate) struct Binding {
    pub(crate) name: &'static str,
    pub(crate) call: fn(&mut Caller<'_, HostState>, &Args<'_>) -> Reply,
    /// What the binding's try/catch returns when the call cannot be made at all
    /// (for example a BigInt argument).
    pub(crate) failure: Reply,
}

/// The arguments as JS would see them: missing ones are `undefined` (read as 0).
pub(crate) struct Args<'a>(&'a [Val]);

impl Args<'_> {
    pub(crate) fn i32(&self, n: usize) -> i32 {
        match self.0.get(n) {
            Some(Val::I32(v)) => *v,
            Some(Val::F64(bits)) => to_int32(f64::from_bits(*bits)),
            Some(Val::F32(bits)) => to_int32(f64::from(f32::from_bits(*bits))),
            _ => 0,
        }
    }

    pub(crate) fn present(&self, n: usize) -> bool {
        n < self.0.len()
    }
}

/// ECMAScript ToInt32.
fn to_int32(f: f64) -> i32 {
    if !f.is_finite() {
        return 0;
    }
    (f.trunc().rem_euclid(4_294_967_296.0) as u64 as u32) as i32
}

const SECTIONS: [&[Binding]; 10] = [
    runtime_helpers::BINDINGS,
    logging::BINDINGS,
    data::BINDINGS,
    config::BINDINGS,
    capability::BINDINGS,
    put::BINDINGS,
    providers::BINDINGS,
    streams::BINDINGS,
    udp::BINDINGS,
    tcp::BINDINGS,
];

fn binding(name: &str) -> Option<&'static Binding> {
    SECTIONS
        .iter()
        .flat_map(|s| s.iter())
        .find(|b| b.name == name)
}

/// Names of every `env` import the host provides.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    SECTIONS.iter().flat_map(|s| s.iter()).map(|b| b.name)
}

/// A linker for `module`: WASI preview 1 plus each `env` import the module declares.
pub(crate) fn linker(module: &Module, network: bool) -> Result<Linker<HostState>, Error> {
    linker_leaving(module, network, None)
}

/// Like [`linker`], but imports from the module named `leave` are left for the caller
/// to define (the test runner links its own test module this way).
pub(crate) fn linker_leaving(
    module: &Module,
    network: bool,
    leave: Option<&str>,
) -> Result<Linker<HostState>, Error> {
    let mut linker = Linker::new(module.engine());
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s: &mut HostState| &mut s.wasi)
        .map_err(|e| Error::Link(format!("{e}")))?;
    for import in module.imports() {
        let (module_name, name) = (import.module(), import.name());
        match module_name {
            "wasi_snapshot_preview1" => {}
            "env" => {
                let Some(ty) = import.ty().func().cloned() else {
                    return Err(Error::Link(format!(
                        "env.{name} is not a function import; the host supplies no env memory, table or global"
                    )));
                };
                let binding = binding(name).ok_or_else(|| {
                    Error::Link(format!(
                        "signalk-server 2.32.0 provides no import env.{name}; the plugin would not load (LinkError)"
                    ))
                })?;
                linker
                    .func_new(
                        "env",
                        name,
                        ty.clone(),
                        move |mut caller, params, results| {
                            dispatch(binding, &ty, &mut caller, params, results)
                        },
                    )
                    .map_err(|e| Error::Link(format!("{e}")))?;
            }
            "as-fetch" if network => {
                let Some(ty) = import.ty().func().cloned() else {
                    return Err(Error::Link(format!("as-fetch.{name} is not a function")));
                };
                // The AssemblyScript fetch glue needs asyncify exports a Rust plugin lacks
                // (§3.9): every call throws.
                linker
                    .func_new("as-fetch", name, ty, |_, _, _| {
                        wasmtime::bail!(
                            "TypeError: Cannot read properties of undefined (reading 'asyncify_get_state')"
                        )
                    })
                    .map_err(|e| Error::Link(format!("{e}")))?;
            }
            other if Some(other) == leave => {}
            other => {
                return Err(Error::Link(format!(
                    "signalk-server 2.32.0 provides no import module `{other}` (needed for {other}.{name}){}",
                    if other == "as-fetch" {
                        "; it needs the network capability"
                    } else {
                        ""
                    }
                )));
            }
        }
    }
    Ok(linker)
}

fn dispatch(
    binding: &Binding,
    ty: &wasmtime::FuncType,
    caller: &mut Caller<'_, HostState>,
    params: &[Val],
    results: &mut [Val],
) -> wasmtime::Result<()> {
    if let Some(allowed) = &caller.data().options.allowed_imports
        && !allowed.contains(binding.name)
    {
        wasmtime::bail!(
            "unexpected host call env.{} (not in HostOptions::allow_only)",
            binding.name
        );
    }
    // A BigInt argument makes the binding's own code throw, which its try/catch turns
    // into the failure value.
    let bigint = params.iter().any(|v| matches!(v, Val::I64(_)));
    let mut reply = if bigint {
        binding.failure
    } else {
        (binding.call)(caller, &Args(params))
    };
    if let Some(forced) = caller.data().options.forced_returns.get(binding.name) {
        reply = Reply::I32(*forced);
    }
    if results.len() > 1 {
        wasmtime::bail!(
            "TypeError: env.{} returned a value that is not iterable",
            binding.name
        );
    }
    for (slot, ty) in results.iter_mut().zip(ty.results()) {
        let number = match reply {
            Reply::Nothing => 0.0,
            Reply::I32(v) => f64::from(v),
            Reply::F64(v) => v,
        };
        *slot = match ty {
            ValType::I32 => Val::I32(to_int32(number)),
            ValType::F64 => Val::F64(number.to_bits()),
            ValType::F32 => Val::F32((number as f32).to_bits()),
            _ => wasmtime::bail!("TypeError: Cannot convert {number} to a BigInt"),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_int32_wraps_like_javascript() {
        assert_eq!(to_int32(1.9), 1);
        assert_eq!(to_int32(-1.9), -1);
        assert_eq!(to_int32(4_294_967_297.0), 1);
        assert_eq!(to_int32(2_147_483_648.0), i32::MIN);
        assert_eq!(to_int32(f64::NAN), 0);
    }

    #[test]
    fn the_host_provides_38_env_functions() {
        let names: Vec<_> = names().collect();
        assert_eq!(names.len(), 38, "{names:?}");
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        assert!(binding("sk_get_path").is_none());
    }
}
