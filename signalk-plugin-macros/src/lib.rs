//! The `#[plugin]` attribute of [`signalk-plugin`](https://docs.rs/signalk-plugin).
//! Use it through `signalk_plugin::plugin`; this crate is an implementation detail.
//!
//! The macro is one pipeline, a module per stage, all reporting into one error
//! collector (`ctxt::Ctxt`, which must be checked before it is dropped):
//!
//! 1. `parse` reads the input into a `model::Input`: `parse::attr` the keys of
//!    `#[plugin(...)]`, `parse::handlers` the entry points inside the impl (`poll`,
//!    `on_delta`, and the `#[put]`/`#[http]` methods, which it takes out of the trait
//!    impl). Each mistake visible in one place is reported at its span.
//! 2. `check` validates the input as a whole (duplicate exports and routes, the size
//!    of the endpoint list, the id and name rules, the schema through `schema`, the
//!    required keys) and produces the `model::PluginDef`.
//! 3. `codegen` turns that model into the user's impl, the inherent impl of the
//!    handler methods, type checks, and the `#[cfg(target_arch = "wasm32")]` exports.
//!
//! Every stage runs even after an earlier one found mistakes, so one compile shows
//! them all. With any error, `codegen::fallback` re-emits the user's item as plain
//! Rust instead, so the only errors are the macro's. Words the macro reads are
//! `symbol` constants; the host's export names and buffer sizes come from
//! `signalk-plugin-abi`.

mod check;
mod codegen;
mod ctxt;
mod model;
mod parse;
mod schema;
mod symbol;

use proc_macro::TokenStream;

/// Turns `impl Plugin for T` into a Signal K WebAssembly plugin.
///
/// ```ignore
/// #[plugin(id = "anchor-alarm", name = "Anchor Alarm", schema_file = "schema.json")]
/// impl Plugin for AnchorAlarm { /* start, stop, handlers */ }
/// ```
///
/// Keys: `id` and `name` (required), and at most one of `schema` (JSON text) or
/// `schema_file` (a path relative to the crate's `Cargo.toml`). The schema is validated
/// and minified at compile time and must fit the host's 8 192-byte buffer.
#[proc_macro_attribute]
pub fn plugin(attr: TokenStream, item: TokenStream) -> TokenStream {
    let cx = ctxt::Ctxt::new();
    let input = parse::plugin(&cx, attr.into(), item.into());
    let def = check::plugin(&cx, &input);
    match (cx.check(), def) {
        (Ok(()), Some(def)) => codegen::expand(&def).into(),
        (Err(err), _) => {
            // Keep the user's code in the output, so the only errors are ours and not a
            // cascade of "unused import" and "cannot find type" after the item vanished.
            let mut out = err.to_compile_error();
            out.extend(codegen::fallback(&input.item));
            out.into()
        }
        (Ok(()), None) => unreachable!("check gives no plugin only after reporting an error"),
    }
}
