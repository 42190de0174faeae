//! The host's buffer protocol for one export call (§1.4): allocate the input (exact
//! length) and output (fixed size) buffers, copy the input in, call, read `written`
//! bytes back, deallocate with the requested sizes. Every step is checked, and every
//! allocation goes through the [ledger](crate::ledger). These functions work on any
//! store context, so the delta pipeline can use them re-entrantly from inside an import.

use wasmtime::{AsContextMut, Func, Trap, Val};

use super::typed::Typed;
use crate::state::HostState;
use crate::{Error, memory};

/// Turns a wasmtime error from a call of `export` into the host's error.
pub(crate) fn fault(
    ctx: &impl wasmtime::AsContext<Data = HostState>,
    export: &str,
    err: &wasmtime::Error,
) -> Error {
    if let Some(exit) = err.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return Error::Exit {
            export: export.into(),
            code: exit.0,
        };
    }
    match err.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => Error::Timeout {
            export: export.into(),
            after: ctx.as_context().data().options.call_timeout,
        },
        Some(trap) => Error::Trap {
            export: export.into(),
            message: v8_trap_message(*trap),
        },
        // A host function's own error (strict mode, an i64 result): its message is the
        // root cause; the outer layers only carry the wasm backtrace.
        None => Error::Trap {
            export: export.into(),
            message: err.root_cause().to_string(),
        },
    }
}

/// What V8 calls a trap: the `message` of the `WebAssembly.RuntimeError` (or, for a
/// stack overflow, `RangeError`) the server catches, and so the text a client sees
/// (`{"error":"unreachable"}`, `Handler error: RuntimeError: unreachable`). The
/// wording is V8's message template for each trap kind; wasmtime's own wording
/// ("wasm `unreachable` instruction executed") never reaches a client of the real
/// server. wasmtime reports `i32.rem_u` by zero as a division by zero, so V8's
/// separate "remainder by zero" cannot be told apart and reads "divide by zero".
///
/// ```ignore
/// assert_eq!(v8_trap_message(Trap::UnreachableCodeReached), "unreachable");
/// ```
pub(crate) fn v8_trap_message(trap: Trap) -> String {
    let text = match trap {
        Trap::UnreachableCodeReached => "unreachable",
        Trap::MemoryOutOfBounds => "memory access out of bounds",
        Trap::HeapMisaligned => "operation does not support unaligned accesses",
        Trap::TableOutOfBounds => "table index is out of bounds",
        Trap::IndirectCallToNull | Trap::BadSignature => {
            "null function or function signature mismatch"
        }
        Trap::IntegerOverflow => "divide result unrepresentable",
        Trap::IntegerDivisionByZero => "divide by zero",
        Trap::BadConversionToInteger => "float unrepresentable in integer range",
        Trap::StackOverflow => STACK_OVERFLOW,
        Trap::NullReference => "dereferencing a null pointer",
        Trap::ArrayOutOfBounds => "array element access out of bounds",
        Trap::CastFailure => "illegal cast",
        // Kinds V8 has no template for (or a plugin cannot reach): wasmtime's words.
        other => return other.to_string(),
    };
    text.to_owned()
}

/// V8's message for a stack overflow, thrown as a `RangeError`, not a `RuntimeError`.
pub(crate) const STACK_OVERFLOW: &str = "Maximum call stack size exceeded";

/// Calls `func` with i32 arguments and returns its first result as the host sees it
/// (`None` for a `void` export).
pub(crate) fn call(
    ctx: &mut impl AsContextMut<Data = HostState>,
    func: Func,
    name: &str,
    args: &[i32],
) -> Result<Option<i32>, Error> {
    if let Some(outcome) = call_typed(ctx, func, args) {
        return outcome.map_err(|e| fault(ctx, name, &e));
    }
    let ty = func.ty(ctx.as_context());
    // JS passes `undefined` (→ 0) for missing parameters and drops extra ones.
    let params: Vec<Val> = ty
        .params()
        .enumerate()
        .map(|(i, p)| {
            let v = args.get(i).copied().unwrap_or(0);
            match p {
                wasmtime::ValType::I32 => Ok(Val::I32(v)),
                wasmtime::ValType::F64 => Ok(Val::F64(f64::from(v).to_bits())),
                wasmtime::ValType::F32 => Ok(Val::F32((v as f32).to_bits())),
                other => Err(Error::Trap {
                    export: name.into(),
                    message: format!(
                        "TypeError: the host passes JS numbers; a parameter of type {other} cannot be called"
                    ),
                }),
            }
        })
        .collect::<Result<_, _>>()?;
    let mut results: Vec<Val> = ty
        .results()
        .map(|t| Val::default_for_ty(&t).unwrap_or(Val::I32(0)))
        .collect();
    func.call(ctx.as_context_mut(), &params, &mut results)
        .map_err(|e| fault(ctx, name, &e))?;
    Ok(match results.first() {
        Some(Val::I32(v)) => Some(*v),
        Some(Val::F64(bits)) => Some(f64::from_bits(*bits) as i32),
        Some(Val::F32(bits)) => Some(f32::from_bits(*bits) as i32),
        Some(_) => {
            return Err(Error::Protocol {
                export: name.into(),
                message: "returned a 64-bit or reference value; the host cannot use it".into(),
            });
        }
        None => None,
    })
}

/// [`call`] for the signatures of the protocol's exports (`allocate`, `deallocate`,
/// `delta_handler`, handlers with an output buffer, metadata), when `func` has exactly
/// that signature: a typed call passes the same i32s and reads the same result as the
/// dynamic one, without building argument lists. `None` when `func` has another
/// signature, for the dynamic call and its JS conversions.
fn call_typed(
    ctx: &mut impl AsContextMut<Data = HostState>,
    func: Func,
    args: &[i32],
) -> Option<wasmtime::Result<Option<i32>>> {
    let typed = super::typed::lookup(ctx, func)?;
    let mut store = ctx.as_context_mut();
    let outcome = match (&typed, args) {
        (Typed::NoneToI32(f), []) => f.call(&mut store, ()).map(Some),
        (Typed::NoneToUnit(f), []) => f.call(&mut store, ()).map(|()| None),
        (Typed::OneToI32(f), &[a]) => f.call(&mut store, a).map(Some),
        (Typed::TwoToUnit(f), &[a, b]) => f.call(&mut store, (a, b)).map(|()| None),
        (Typed::TwoToI32(f), &[a, b]) => f.call(&mut store, (a, b)).map(Some),
        (Typed::FourToI32(f), &[a, b, c, d]) => f.call(&mut store, (a, b, c, d)).map(Some),
        // Another number of arguments than the export takes: the dynamic call fills in
        // or drops them as JS does.
        _ => return None,
    };
    Some(outcome)
}

/// `allocate(size)`, recorded in the ledger.
pub(crate) fn allocate(
    ctx: &mut impl AsContextMut<Data = HostState>,
    size: u32,
) -> Result<u32, Error> {
    let func = ctx
        .as_context()
        .data()
        .exports
        .and_then(|e| e.allocate)
        .ok_or_else(|| Error::MissingExport("allocate".into()))?;
    let ptr = call(ctx, func, "allocate", &[size as i32])?.unwrap_or(0) as u32;
    let memory_len = memory::size(ctx);
    let mut store = ctx.as_context_mut();
    let ledger = &mut store.data_mut().ledger;
    ledger.allocated(ptr, size, memory_len);
    // The real host writes to address 0 (or throws, for metadata); refusing is the
    // only safe answer.
    if ptr == 0 && size > 0 {
        ledger.deallocated(0);
        return Err(Error::Protocol {
            export: "allocate".into(),
            message: format!("allocate({size}) returned 0"),
        });
    }
    Ok(ptr)
}

/// `deallocate(ptr, size)` if the guest exports it (the host skips it otherwise, §4.1).
pub(crate) fn deallocate(
    ctx: &mut impl AsContextMut<Data = HostState>,
    ptr: u32,
    size: u32,
) -> Result<(), Error> {
    let func = ctx.as_context().data().exports.and_then(|e| e.deallocate);
    ctx.as_context_mut().data_mut().ledger.deallocated(ptr);
    if let Some(func) = func {
        call(ctx, func, "deallocate", &[ptr as i32, size as i32])?;
    }
    Ok(())
}

/// The shape of a buffer-passing export call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape<'a> {
    /// Input bytes, copied into an exact-length buffer.
    pub(crate) input: Option<&'a [u8]>,
    /// Size of the output buffer, if the export writes one.
    pub(crate) output: Option<u32>,
    /// Whether the host deallocates after a trap (metadata, start and deltas do; HTTP,
    /// PUT and providers leak, §1.4).
    pub(crate) free_on_trap: bool,
}

/// What a buffer-passing call produced.
#[derive(Debug)]
pub(crate) struct Returned {
    /// The export's i32 result (`written` for exports with an output buffer).
    pub(crate) result: Option<i32>,
    /// The output bytes (`written` of them), for exports with an output buffer.
    pub(crate) output: Option<Vec<u8>>,
}

/// Runs one export with the host's buffer protocol.
pub(crate) fn call_with_buffers(
    ctx: &mut impl AsContextMut<Data = HostState>,
    func: Func,
    name: &str,
    shape: Shape<'_>,
) -> Result<Returned, Error> {
    let mut buffers: Vec<(u32, u32)> = Vec::with_capacity(2);
    let mut args: Vec<i32> = Vec::with_capacity(4);
    let run = |ctx: &mut _,
               buffers: &mut Vec<(u32, u32)>,
               args: &mut Vec<i32>|
     -> Result<Returned, Error> {
        if let Some(input) = shape.input {
            let len = u32::try_from(input.len()).map_err(|_| Error::Protocol {
                export: name.into(),
                message: "input larger than 4 GiB".into(),
            })?;
            let ptr = allocate(ctx, len)?;
            buffers.push((ptr, len));
            args.extend([ptr as i32, len as i32]);
        }
        if let Some(out) = shape.output {
            let ptr = allocate(ctx, out)?;
            buffers.push((ptr, out));
            args.extend([ptr as i32, out as i32]);
        }
        // Copy the input only after both allocations: allocate may grow memory.
        if let (Some(input), Some(&(ptr, _))) = (shape.input, buffers.first())
            && !memory::write(ctx, ptr as i32, input)
        {
            return Err(Error::Protocol {
                export: name.into(),
                message: format!(
                    "allocate({}) returned {ptr}, outside linear memory",
                    input.len()
                ),
            });
        }
        let result = call(ctx, func, name, args)?;
        let output = match (shape.output, buffers.last()) {
            (Some(max), Some(&(ptr, _))) => {
                let written = result.unwrap_or(0);
                if written < 0 {
                    return Err(Error::Protocol {
                        export: name.into(),
                        message: format!(
                            "returned {written} bytes written (the real host throws \"Invalid typed array length\")"
                        ),
                    });
                }
                if written as u32 > max {
                    return Err(Error::Protocol {
                        export: name.into(),
                        message: format!(
                            "reported {written} bytes written into a {max}-byte buffer (the real host would read past the buffer)"
                        ),
                    });
                }
                Some(
                    memory::read(ctx, ptr as i32, written).ok_or_else(|| Error::Protocol {
                        export: name.into(),
                        message: "output buffer outside linear memory".into(),
                    })?,
                )
            }
            _ => None,
        };
        Ok(Returned { result, output })
    };
    let outcome = run(ctx, &mut buffers, &mut args);
    let trapped = matches!(
        outcome,
        Err(Error::Trap { .. } | Error::Timeout { .. } | Error::Exit { .. })
    );
    // After a timeout the store's deadline has passed: any further call would be
    // interrupted too, so the buffers stay with the guest.
    let timed_out = matches!(outcome, Err(Error::Timeout { .. }));
    if trapped && (!shape.free_on_trap || timed_out) {
        for (ptr, _) in &buffers {
            ctx.as_context_mut()
                .data_mut()
                .ledger
                .leaked_on_trap(*ptr, name);
        }
        return outcome;
    }
    for (ptr, size) in buffers {
        deallocate(ctx, ptr, size)?;
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traps_read_as_v8_reports_them() {
        assert_eq!(v8_trap_message(Trap::UnreachableCodeReached), "unreachable");
        assert_eq!(
            v8_trap_message(Trap::MemoryOutOfBounds),
            "memory access out of bounds"
        );
        assert_eq!(
            v8_trap_message(Trap::IntegerDivisionByZero),
            "divide by zero"
        );
        assert_eq!(v8_trap_message(Trap::StackOverflow), STACK_OVERFLOW);
        assert_eq!(
            v8_trap_message(Trap::BadSignature),
            "null function or function signature mismatch"
        );
    }
}
