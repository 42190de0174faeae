//! The keys of `#[plugin(...)]`: each must be known, given once, and of the right
//! shape (a string literal, or for `resources` a list of them). Whether the values
//! make sense together is `check`'s job.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitStr, MetaNameValue, Token};

use crate::ctxt::Ctxt;
use crate::model::{Attrs, Named};
use crate::symbol::{
    ID, NAME, PLUGIN_KEYS, RADAR, RESOURCES, SCHEMA, SCHEMA_FILE, WEATHER, one_of,
};

/// Reads the attribute's `key = value` pairs.
pub fn parse(cx: &Ctxt, attr: TokenStream) -> Attrs {
    let mut attrs = Attrs::default();
    let pairs = match Punctuated::<MetaNameValue, Token![,]>::parse_terminated.parse2(attr) {
        Ok(pairs) => pairs,
        Err(err) => {
            cx.error(
                err.span(),
                format!(
                    "expected `key = \"value\"` pairs with keys {}",
                    one_of(&PLUGIN_KEYS)
                ),
            );
            attrs.unreadable = true;
            return attrs;
        }
    };
    for pair in pairs {
        let Some(key) = PLUGIN_KEYS.into_iter().find(|key| pair.path.is_ident(key)) else {
            cx.error(
                pair.path.span(),
                format!("unknown key; #[plugin] takes {}", one_of(&PLUGIN_KEYS)),
            );
            continue;
        };
        attrs.written.push(key);
        if key == RESOURCES {
            if attrs.providers.resources.is_some() {
                cx.error(pair.path.span(), format!("`{key}` is given twice"));
            } else {
                attrs.providers.resources = Some(Named {
                    value: resource_types(cx, &pair.value),
                    span: pair.path.span(),
                });
            }
            continue;
        }
        let slot = match key {
            ID => &mut attrs.id,
            NAME => &mut attrs.name,
            SCHEMA => &mut attrs.schema,
            SCHEMA_FILE => &mut attrs.schema_file,
            WEATHER => &mut attrs.providers.weather,
            RADAR => &mut attrs.providers.radar,
            _ => unreachable!("every key in PLUGIN_KEYS has a slot"),
        };
        let Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) = pair.value
        else {
            cx.error(pair.value.span(), format!("`{key}` takes a string literal"));
            continue;
        };
        if slot.is_some() {
            cx.error(pair.path.span(), format!("`{key}` is given twice"));
            continue;
        }
        *slot = Some(Named {
            value: lit.value(),
            span: lit.span(),
        });
    }
    attrs
}

/// `resources = ["routes", "waypoints"]`: non-empty, distinct string literals.
fn resource_types(cx: &Ctxt, value: &Expr) -> Vec<String> {
    let Expr::Array(array) = value else {
        cx.error(
            value.span(),
            "`resources` takes a list of resource types, for example `resources = [\"routes\", \"waypoints\"]`",
        );
        return Vec::new();
    };
    let mut types: Vec<&LitStr> = Vec::new();
    for elem in &array.elems {
        match elem {
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) if lit.value().is_empty() => cx.error(
                lit.span(),
                "a resource type must not be empty (the server rejects it)",
            ),
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) => {
                if types.iter().any(|t| t.value() == lit.value()) {
                    cx.error(lit.span(), "this resource type is listed twice");
                } else {
                    types.push(lit);
                }
            }
            other => cx.error(other.span(), "a resource type is a string literal"),
        }
    }
    if array.elems.is_empty() {
        cx.error(array.span(), "list at least one resource type");
    }
    types.iter().map(|lit| lit.value()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(attr: &str) -> Vec<String> {
        let cx = Ctxt::new();
        parse(&cx, attr.parse().unwrap());
        cx.check()
            .err()
            .map_or_else(Vec::new, |e| e.into_iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn every_listed_key_is_accepted() {
        for key in PLUGIN_KEYS {
            let value = if key == RESOURCES { "[\"x\"]" } else { "\"x\"" };
            assert_eq!(
                messages(&format!("{key} = {value}")),
                Vec::<String>::new(),
                "{key}"
            );
        }
    }

    #[test]
    fn an_unknown_key_lists_the_known_ones() {
        assert_eq!(
            messages("colour = \"red\""),
            [
                "unknown key; #[plugin] takes `id`, `name`, `schema`, `schema_file`, `resources`, `weather` or `radar`"
            ]
        );
    }
}
