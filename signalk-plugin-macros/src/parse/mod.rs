//! Stage 1: reads `#[plugin(...)] impl Plugin for T { ... }` into a [`model::Input`].
//! [`attr`] reads the attribute's keys and [`handlers`] the entry points inside the
//! impl. Every mistake visible in one place (a key, a method, the impl itself) is
//! reported here; what needs the whole input at once is left to `check`.
//!
//! [`model::Input`]: crate::model::Input

mod attr;
mod handlers;

use proc_macro2::{Span, TokenStream};
use syn::ItemImpl;
use syn::spanned::Spanned;

use crate::ctxt::Ctxt;
use crate::model::{ImplBlock, Input};
use crate::symbol::PLUGIN;

/// Parses `#[plugin(<attr>)] <item>`. The input comes back even when it has errors,
/// handler methods already taken out, so the fallback output can re-emit it.
pub fn plugin(cx: &Ctxt, attr: TokenStream, item: TokenStream) -> Input {
    let attrs = attr::parse(cx, attr);
    let item = match syn::parse2::<ItemImpl>(item.clone()) {
        Ok(mut item) => {
            impl_shape(cx, &item);
            let handlers = handlers::extract(cx, &mut item);
            Ok(ImplBlock { item, handlers })
        }
        Err(_) => {
            cx.error(
                first_span(&item),
                "#[plugin] goes on an `impl Plugin for YourType { ... }` block",
            );
            Err(item)
        }
    };
    Input { attrs, item }
}

/// `impl Plugin for T`: not another trait, not inherent, not generic, not unsafe.
fn impl_shape(cx: &Ctxt, item: &ItemImpl) {
    match &item.trait_ {
        Some((None, path, _)) if path.segments.last().is_some_and(|s| s.ident == PLUGIN) => {}
        Some((_, path, _)) => cx.error(
            path.span(),
            "#[plugin] goes on `impl Plugin for YourType`, not on an impl of another trait",
        ),
        None => cx.error(
            item.self_ty.span(),
            "#[plugin] goes on `impl Plugin for YourType`, not on an inherent impl",
        ),
    }
    if !item.generics.params.is_empty() {
        cx.error(
            item.generics.params.span(),
            "a plugin type cannot be generic: the exports need one concrete type",
        );
    }
    if item.unsafety.is_some() {
        cx.error(item.unsafety.span(), "`Plugin` is not an unsafe trait");
    }
}

fn first_span(tokens: &TokenStream) -> Span {
    tokens
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}
