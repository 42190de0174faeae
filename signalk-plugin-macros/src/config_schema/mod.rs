//! `#[derive(ConfigSchema)]`: the configuration's JSON Schema from its Rust type.
//!
//! `attrs` reads the input (serde's attributes and `#[schema]`) into a `model`, with
//! `case` for `rename_all` and `docs` for titles; `emit` writes the impls. Errors go to
//! the same collector as `#[plugin]`'s, so one compile shows them all.

mod attrs;
mod case;
mod docs;
mod emit;
mod model;

use proc_macro2::TokenStream;

use crate::ctxt::Ctxt;

/// Expands the derive, or the errors found.
pub fn derive(input: TokenStream) -> TokenStream {
    let input: syn::DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(err) => return err.to_compile_error(),
    };
    let cx = Ctxt::new();
    let container = attrs::container(&cx, &input);
    match (cx.check(), container) {
        (Ok(()), Some(container)) => emit::expand(&container),
        (Err(err), _) => err.to_compile_error(),
        (Ok(()), None) => unreachable!("a container is left out only after an error"),
    }
}
