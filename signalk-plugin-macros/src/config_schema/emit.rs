//! The derive's output: `SchemaType` (the schema as a constant tree, the rules as a
//! check), `ConfigSchema` (the text, made at compile time, and the defaults check), a
//! compile-time size check against the host's buffer, and a test for the defaults.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use signalk_plugin_abi::buffers::METADATA;

use super::model::{Body, Container, DefaultFrom, Field, Rule, RuleValue};

/// A Rust string literal holding `text` as a JSON string (quotes included).
fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// One schema member: `("\"key\"", Part::Json("<json>"))`.
fn member(s: &TokenStream, key: &str, json: &str) -> TokenStream {
    let key = json_string(key);
    quote! { (#key, #s::Part::Json(#json)) }
}

/// `title` and `description`, where given.
fn texts(
    s: &TokenStream,
    title: Option<&String>,
    description: Option<&String>,
) -> Vec<TokenStream> {
    let mut out = Vec::new();
    if let Some(title) = title {
        out.push(member(s, "title", &json_string(title)));
    }
    if let Some(description) = description {
        out.push(member(s, "description", &json_string(description)));
    }
    out
}

pub fn expand(c: &Container) -> TokenStream {
    let s = quote!(::signalk_plugin::config::schema);
    let ident = &c.ident;
    let (node, check_rules, check_defaults, defaults_test) = match &c.body {
        Body::Struct {
            fields,
            deny_unknown_fields,
            default,
        } => (
            struct_node(&s, c, fields, *deny_unknown_fields, default.is_some()),
            struct_rules(&s, fields),
            struct_defaults(c, fields, default.as_ref()),
            defaults_test(c, fields),
        ),
        Body::Enum { names } => {
            let mut own = vec![member(&s, "type", "\"string\"")];
            own.extend(texts(&s, c.title.as_ref(), c.description.as_ref()));
            let list = serde_json::Value::from(names.clone()).to_string();
            own.push(member(&s, "enum", &list));
            (
                quote! { #s::Node { own: &[#(#own),*], base: ::core::option::Option::None } },
                TokenStream::new(),
                TokenStream::new(),
                TokenStream::new(),
            )
        }
    };
    let too_large = format!(
        "the derived configuration schema of `{ident}` is larger than the {METADATA} bytes \
         signalk-server reads (a longer one is truncated and the plugin disappears from the \
         server): shorten its titles and descriptions"
    );
    quote! {
        impl #s::SchemaType for #ident {
            const NODE: #s::Node = #node;
            #check_rules
        }

        impl ::signalk_plugin::ConfigSchema for #ident {
            const SCHEMA: &'static str = ::signalk_plugin::__schema_text!(#ident);
            #check_defaults
        }

        const _: () = ::core::assert!(
            #s::text_len(&<#ident as #s::SchemaType>::NODE) <= #METADATA,
            #too_large
        );

        #defaults_test
    }
}

fn struct_node(
    s: &TokenStream,
    c: &Container,
    fields: &[Field],
    deny_unknown_fields: bool,
    struct_default: bool,
) -> TokenStream {
    let mut own = vec![member(s, "type", "\"object\"")];
    own.extend(texts(s, c.title.as_ref(), c.description.as_ref()));
    let properties = fields.iter().map(|f| {
        let name = json_string(&f.name);
        let ty = &f.ty;
        let mut keywords = texts(s, f.title.as_ref(), f.description.as_ref());
        if let Some(default) = &f.schema_default {
            keywords.push(member(s, "default", &default.value));
        }
        keywords.extend(f.rules.iter().map(|r| member(s, r.kind.keyword(), &r.value.json())));
        let base = quote_spanned! {ty_span(ty)=> <#ty as #s::SchemaType>::NODE };
        quote! { (#name, #s::Node { own: &[#(#keywords),*], base: ::core::option::Option::Some(&#base) }) }
    });
    own.push(quote! { ("\"properties\"", #s::Part::Properties(&[#(#properties),*])) });
    let required = fields.iter().map(|f| {
        let name = json_string(&f.name);
        let ty = &f.ty;
        if f.default.is_some() || struct_default {
            quote! { (#name, false) }
        } else {
            quote_spanned! {ty_span(ty)=> (#name, !<#ty as #s::SchemaType>::OPTIONAL) }
        }
    });
    own.push(quote! { ("\"required\"", #s::Part::Required(&[#(#required),*])) });
    if deny_unknown_fields {
        own.push(member(s, "additionalProperties", "false"));
    }
    quote! { #s::Node { own: &[#(#own),*], base: ::core::option::Option::None } }
}

fn ty_span(ty: &syn::Type) -> proc_macro2::Span {
    syn::spanned::Spanned::span(ty)
}

/// The bound argument of a rule's check function.
fn bound(s: &TokenStream, rule: &Rule) -> TokenStream {
    let text = rule.value.json();
    match &rule.value {
        RuleValue::Int(n) => {
            let n = Literal::i128_unsuffixed(*n);
            quote! { #s::rules::Bound::int(#n, #text) }
        }
        RuleValue::Float(x) => {
            let x = Literal::f64_unsuffixed(*x);
            quote! { #s::rules::Bound::float(#x, #text) }
        }
        RuleValue::Count(n) => {
            let n = Literal::usize_unsuffixed(*n);
            quote! { #n }
        }
    }
}

fn struct_rules(s: &TokenStream, fields: &[Field]) -> TokenStream {
    let checks = fields.iter().map(|f| {
        let (ident, name) = (&f.ident, &f.name);
        let rules = f.rules.iter().map(|rule| {
            let check = format_ident!("{}", rule.kind.key(), span = rule.span);
            // The whole call at the rule's span: a rule on a type it does not apply to
            // is reported at the rule.
            let field = format_ident!("{}", ident, span = rule.span);
            let bound = bound(s, rule);
            quote_spanned! {rule.span=>
                #s::rules::#check(&self.#field, #bound).map_err(|e| e.at_member(#name))?;
            }
        });
        let nested = quote_spanned! {ty_span(&f.ty)=>
            #s::SchemaType::check_rules(&self.#ident).map_err(|e| e.at_member(#name))?;
        };
        quote! {
            #(#rules)*
            #nested
        }
    });
    quote! {
        fn check_rules(&self) -> ::core::result::Result<(), #s::rules::RuleError> {
            #(#checks)*
            ::core::result::Result::Ok(())
        }
    }
}

fn struct_defaults(
    c: &Container,
    fields: &[Field],
    struct_default: Option<&DefaultFrom>,
) -> TokenStream {
    let ident = &c.ident;
    let checks = fields.iter().filter_map(|f| {
        let stated = f.schema_default.as_ref()?;
        let (ty, field, name, json) = (&f.ty, &f.ident, &f.name, &stated.value);
        let applied = match (&f.default, struct_default) {
            (Some(DefaultFrom::Trait), _) => quote! { <#ty as ::core::default::Default>::default() },
            (Some(DefaultFrom::Function(path)), _) => quote! { #path() },
            (None, Some(DefaultFrom::Trait)) => {
                quote! { <#ident as ::core::default::Default>::default().#field }
            }
            (None, Some(DefaultFrom::Function(path))) => quote! { #path().#field },
            // Reported already: a schema default without a serde default.
            (None, None) => return None,
        };
        Some(quote_spanned! {stated.span=>
            {
                let stated: #ty = ::signalk_plugin::serde_json::from_str(#json).map_err(|e| {
                    ::std::format!("`{}`: the schema's default {} is not a value of the member's type: {}", #name, #json, e)
                })?;
                let applied: #ty = #applied;
                if stated != applied {
                    return ::core::result::Result::Err(::std::format!(
                        "`{}`: the schema's default is {} but serde's is {:?}", #name, #json, applied
                    ));
                }
            }
        })
    });
    quote! {
        fn check_defaults() -> ::core::result::Result<(), ::std::string::String> {
            #(#checks)*
            ::core::result::Result::Ok(())
        }
    }
}

/// A `#[test]` that runs `check_defaults`, for types whose schema states a default.
/// A function beside the type, not a module, so it names the type as written: a type
/// declared inside a function body gets a test the harness cannot reach (rustc warns,
/// `unnameable_test_items`), and `check_defaults` can still be called by hand.
fn defaults_test(c: &Container, fields: &[Field]) -> TokenStream {
    if fields.iter().all(|f| f.schema_default.is_none()) {
        return TokenStream::new();
    }
    let ident = &c.ident;
    let test = format_ident!("__config_schema_defaults_of_{}", ident);
    quote! {
        #[cfg(test)]
        #[test]
        #[doc(hidden)]
        #[allow(non_snake_case)]
        fn #test() {
            if let ::core::result::Result::Err(e) =
                <#ident as ::signalk_plugin::ConfigSchema>::check_defaults()
            {
                ::core::panic!("{}", e);
            }
        }
    }
}
