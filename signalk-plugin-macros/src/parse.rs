//! Attribute and item parsing. Every mistake becomes a `syn::Error` at the span of the
//! offending tokens; independent mistakes are combined so one compile shows them all.

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ItemImpl, Lit, LitStr, MetaNameValue, Token};

use crate::model::PluginDef;
use crate::schema::{self, METADATA_BUFFER};

const KEYS: &str = "`id`, `name`, `schema`, `schema_file`, `resources`, `weather` or `radar`";

/// Collects errors so that all of them are reported, not just the first.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

#[derive(Default)]
struct Args {
    id: Option<LitStr>,
    name: Option<LitStr>,
    schema: Option<LitStr>,
    schema_file: Option<LitStr>,
    resources: Option<Vec<LitStr>>,
    resources_key: Option<Span>,
    weather: Option<LitStr>,
    radar: Option<LitStr>,
    /// Keys that were written, valid or not: a bad value is reported once, not again
    /// as a missing key.
    seen: Vec<String>,
    /// The attribute could not be read as `key = value` pairs at all.
    unreadable: bool,
}

/// Parses `#[plugin(<attr>)] <item>`.
pub fn plugin_def(attr: TokenStream, item: TokenStream) -> syn::Result<PluginDef> {
    let mut errors = Errors::default();
    let args = parse_args(attr, &mut errors);
    let mut handlers = crate::model::Handlers::default();
    let item = match syn::parse2::<ItemImpl>(item.clone()) {
        Ok(mut item) => {
            check_impl(&item, &mut errors);
            let mut handler_errors = Vec::new();
            handlers = crate::handlers::extract(&mut item, &mut handler_errors);
            handler_errors.into_iter().for_each(|e| errors.push(e));
            Some(item)
        }
        Err(_) => {
            errors.push(syn::Error::new(
                first_span(&item),
                "#[plugin] goes on an `impl Plugin for YourType { ... }` block",
            ));
            None
        }
    };

    let id = args
        .id
        .as_ref()
        .map(|lit| check_metadata(lit, "id", &mut errors));
    if let Some(lit) = &args.id {
        let value = lit.value();
        if value.contains('@') || value.contains('/') {
            errors.push(syn::Error::new(
                lit.span(),
                "use an unscoped id (no `@` or `/`): signalk-server 2.32.0 mixes up scoped \
                 package names and plugin ids, which breaks config reads and saves",
            ));
        }
    }
    let name = args
        .name
        .as_ref()
        .map(|lit| check_metadata(lit, "name", &mut errors));
    let (schema, tracked_file) = schema_of(&args, &mut errors);

    let missing: Vec<&str> = ["id", "name"]
        .into_iter()
        .filter(|key| !args.seen.iter().any(|seen| seen == key))
        .collect();
    if !missing.is_empty() && !args.unreadable {
        let keys = missing
            .iter()
            .map(|key| format!("`{key} = \"...\"`"))
            .collect::<Vec<_>>()
            .join(" and ");
        errors.push(syn::Error::new(
            Span::call_site(),
            format!("#[plugin] needs {keys}, for example #[plugin(id = \"my-plugin\", name = \"My Plugin\")]"),
        ));
    }
    errors.finish()?;
    // Present but invalid keys were reported above.
    let (Some(id), Some(name)) = (id, name) else {
        return Err(syn::Error::new(
            Span::call_site(),
            "#[plugin] needs `id` and `name`",
        ));
    };

    Ok(PluginDef {
        item: item.expect("checked above"),
        id,
        name,
        schema: schema.expect("checked above"),
        tracked_file,
        handlers,
        providers: crate::model::Providers {
            resources: args
                .resources
                .unwrap_or_default()
                .iter()
                .map(LitStr::value)
                .collect(),
            weather: args.weather.as_ref().map(LitStr::value),
            radar: args.radar.as_ref().map(LitStr::value),
            spans: [
                args.resources_key,
                args.weather.as_ref().map(LitStr::span),
                args.radar.as_ref().map(LitStr::span),
            ],
        },
    })
}

fn parse_args(attr: TokenStream, errors: &mut Errors) -> Args {
    let mut args = Args::default();
    let pairs = match Punctuated::<MetaNameValue, Token![,]>::parse_terminated.parse2(attr) {
        Ok(pairs) => pairs,
        Err(err) => {
            errors.push(syn::Error::new(
                err.span(),
                format!("expected `key = \"value\"` pairs with keys {KEYS}"),
            ));
            args.unreadable = true;
            return args;
        }
    };
    for pair in pairs {
        let key = pair
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        args.seen.push(key.clone());
        if key == "resources" {
            if args.resources.is_some() {
                errors.push(syn::Error::new(
                    pair.path.span(),
                    "`resources` is given twice",
                ));
            } else {
                args.resources = Some(resource_types(&pair.value, errors));
                args.resources_key = Some(pair.path.span());
            }
            continue;
        }
        let slot = match key.as_str() {
            "id" => &mut args.id,
            "name" => &mut args.name,
            "schema" => &mut args.schema,
            "schema_file" => &mut args.schema_file,
            "weather" => &mut args.weather,
            "radar" => &mut args.radar,
            _ => {
                errors.push(syn::Error::new(
                    pair.path.span(),
                    format!("unknown key; #[plugin] takes {KEYS}"),
                ));
                continue;
            }
        };
        let Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) = pair.value
        else {
            errors.push(syn::Error::new(
                pair.value.span(),
                format!("`{key}` takes a string literal"),
            ));
            continue;
        };
        if slot.is_some() {
            errors.push(syn::Error::new(
                pair.path.span(),
                format!("`{key}` is given twice"),
            ));
            continue;
        }
        *slot = Some(lit);
    }
    args
}

/// `resources = ["routes", "waypoints"]`: non-empty, distinct string literals.
fn resource_types(value: &Expr, errors: &mut Errors) -> Vec<LitStr> {
    let Expr::Array(array) = value else {
        errors.push(syn::Error::new(
            value.span(),
            "`resources` takes a list of resource types, for example `resources = [\"routes\", \"waypoints\"]`",
        ));
        return Vec::new();
    };
    let mut types: Vec<LitStr> = Vec::new();
    for elem in &array.elems {
        match elem {
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) if lit.value().is_empty() => errors.push(syn::Error::new(
                lit.span(),
                "a resource type must not be empty (the server rejects it)",
            )),
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) => {
                if types.iter().any(|t| t.value() == lit.value()) {
                    errors.push(syn::Error::new(
                        lit.span(),
                        "this resource type is listed twice",
                    ));
                } else {
                    types.push(lit.clone());
                }
            }
            other => errors.push(syn::Error::new(
                other.span(),
                "a resource type is a string literal",
            )),
        }
    }
    if array.elems.is_empty() {
        errors.push(syn::Error::new(
            array.span(),
            "list at least one resource type",
        ));
    }
    types
}

fn check_metadata(lit: &LitStr, key: &str, errors: &mut Errors) -> String {
    let value = lit.value();
    if value.trim().is_empty() {
        errors.push(syn::Error::new(
            lit.span(),
            format!("`{key}` must not be empty"),
        ));
    }
    if value.len() > METADATA_BUFFER {
        errors.push(syn::Error::new(
            lit.span(),
            format!(
                "`{key}` is {} bytes, but signalk-server reads at most {METADATA_BUFFER}",
                value.len()
            ),
        ));
    }
    value
}

fn schema_of(args: &Args, errors: &mut Errors) -> (Option<String>, Option<String>) {
    match (&args.schema, &args.schema_file) {
        (Some(_), Some(file)) => {
            errors.push(syn::Error::new(
                file.span(),
                "give either `schema` or `schema_file`, not both",
            ));
            (None, None)
        }
        (Some(lit), None) => match schema::validate(&lit.value()) {
            Ok(schema) => (Some(schema), None),
            Err(message) => {
                errors.push(syn::Error::new(lit.span(), message));
                (None, None)
            }
        },
        (None, Some(lit)) => {
            let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
            let path = std::path::Path::new(&dir).join(lit.value());
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(err) => {
                    errors.push(syn::Error::new(
                        lit.span(),
                        format!("cannot read schema file {}: {err}", path.display()),
                    ));
                    return (None, None);
                }
            };
            match schema::validate(&text) {
                Ok(schema) => (Some(schema), Some(path.display().to_string())),
                Err(message) => {
                    errors.push(syn::Error::new(
                        lit.span(),
                        format!("{}: {message}", path.display()),
                    ));
                    (None, None)
                }
            }
        }
        (None, None) => (Some(schema::DEFAULT_SCHEMA.to_owned()), None),
    }
}

fn check_impl(item: &ItemImpl, errors: &mut Errors) {
    match &item.trait_ {
        Some((None, path, _)) if path.segments.last().is_some_and(|s| s.ident == "Plugin") => {}
        Some((_, path, _)) => errors.push(syn::Error::new(
            path.span(),
            "#[plugin] goes on `impl Plugin for YourType`, not on an impl of another trait",
        )),
        None => errors.push(syn::Error::new(
            item.self_ty.span(),
            "#[plugin] goes on `impl Plugin for YourType`, not on an inherent impl",
        )),
    }
    if !item.generics.params.is_empty() {
        errors.push(syn::Error::new(
            item.generics.params.span(),
            "a plugin type cannot be generic: the exports need one concrete type",
        ));
    }
    if item.unsafety.is_some() {
        errors.push(syn::Error::new(
            item.unsafety.span(),
            "`Plugin` is not an unsafe trait",
        ));
    }
}

fn first_span(tokens: &TokenStream) -> Span {
    tokens
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}
