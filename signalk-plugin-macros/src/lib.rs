//! The `#[plugin]` attribute of [`signalk-plugin`](https://docs.rs/signalk-plugin).
//! Use it through `signalk_plugin::plugin`; this crate is an implementation detail.
//!
//! The macro is a three-step pipeline, one file each: `parse` reads the attribute and
//! the `impl Plugin for T` block into a `model::PluginDef`, checking every user
//! mistake it can see (each reported at its span, all in one compile); `schema`
//! validates the configuration schema at compile time; `codegen` turns the model into
//! the `#[cfg(target_arch = "wasm32")]` exports module.

mod codegen;
mod handlers;
mod model;
mod parse;
mod schema;

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
    let item = proc_macro2::TokenStream::from(item);
    match parse::plugin_def(attr.into(), item.clone()) {
        Ok(def) => codegen::expand(&def).into(),
        Err(err) => {
            // Keep the user's code in the output, so the only errors are ours and not a
            // cascade of "unused import" and "cannot find type" after the item vanished.
            let mut out = err.to_compile_error();
            out.extend(codegen::fallback(item));
            out.into()
        }
    }
}
