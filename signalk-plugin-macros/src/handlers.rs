//! Reads the optional entry points of a `#[plugin]` impl: the trait methods that have
//! exports of their own (`poll`, `on_delta`), and the `#[put(...)]` / `#[http(...)]`
//! methods, which are taken out of the trait impl (they are not trait members) and
//! emitted in an inherent impl of the plugin type, so they stay plain, testable methods.

use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ImplItem, ImplItemFn, ItemImpl, LitStr, Token};

use crate::model::{Handlers, HttpHandler, PutHandler};
use crate::schema::METADATA_BUFFER;

/// The methods the host may call over HTTP (others are skipped by the server).
const HTTP_METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];

/// Removes handler methods from `item` and describes every optional entry point.
pub fn extract(item: &mut ItemImpl, errors: &mut Vec<syn::Error>) -> Handlers {
    let mut handlers = Handlers::default();
    let mut kept = Vec::with_capacity(item.items.len());
    for impl_item in std::mem::take(&mut item.items) {
        let ImplItem::Fn(mut method) = impl_item else {
            kept.push(impl_item);
            continue;
        };
        match take_handler_attr(&mut method, errors) {
            Some(HandlerAttr::Put(attr)) => {
                check_signature(
                    &method,
                    "#[put]",
                    "fn name(&mut self, value: T) -> R",
                    errors,
                );
                handlers.puts.push(PutHandler {
                    method: method.sig.ident.clone(),
                    export: put_export_name(&attr.context, &attr.path),
                    context: attr.context,
                    path: attr.path,
                    span: attr.span,
                });
                handlers.moved.push(method);
            }
            Some(HandlerAttr::Http(attr)) => {
                check_signature(
                    &method,
                    "#[http]",
                    "fn name(&mut self, req: HttpRequest) -> R",
                    errors,
                );
                handlers.https.push(HttpHandler {
                    export: format!("http_{}", method.sig.ident),
                    method: method.sig.ident.clone(),
                    http_method: attr.method,
                    path: attr.path,
                });
                handlers.moved.push(method);
            }
            // Reported already; still not a trait member, so keep it out of the impl.
            Some(HandlerAttr::Invalid) => handlers.moved.push(method),
            None => {
                match method.sig.ident.to_string().as_str() {
                    "poll" => handlers.poll = true,
                    "on_delta" => handlers.on_delta = true,
                    _ => {}
                }
                kept.push(ImplItem::Fn(method));
            }
        }
    }
    item.items = kept;
    check_duplicates(&handlers, errors);
    if handlers.endpoints_json().len() > METADATA_BUFFER {
        errors.push(syn::Error::new(
            proc_macro2::Span::call_site(),
            format!(
                "the HTTP endpoint list is {} bytes of JSON, but signalk-server reads at most {METADATA_BUFFER}",
                handlers.endpoints_json().len()
            ),
        ));
    }
    handlers
}

/// `handle_put_<context>_<path>` with `.` replaced by `_`, exactly as the host builds it.
fn put_export_name(context: &str, path: &str) -> String {
    format!(
        "handle_put_{}_{}",
        context.replace('.', "_"),
        path.replace('.', "_")
    )
}

enum HandlerAttr {
    Put(PutAttr),
    Http(HttpAttr),
    /// A `#[put]` or `#[http]` that could not be read.
    Invalid,
}

struct PutAttr {
    path: String,
    context: String,
    span: proc_macro2::Span,
}

struct HttpAttr {
    method: String,
    path: String,
}

fn take_handler_attr(method: &mut ImplItemFn, errors: &mut Vec<syn::Error>) -> Option<HandlerAttr> {
    let mut found = None;
    let mut kept_attrs = Vec::with_capacity(method.attrs.len());
    for attr in std::mem::take(&mut method.attrs) {
        let parsed = if attr.path().is_ident("put") {
            attr.parse_args::<PutAttr>().map(HandlerAttr::Put)
        } else if attr.path().is_ident("http") {
            attr.parse_args::<HttpAttr>().map(HandlerAttr::Http)
        } else {
            kept_attrs.push(attr);
            continue;
        };
        match parsed {
            Ok(_) if found.is_some() => errors.push(syn::Error::new(
                attr.path().span(),
                "a method can be one handler only: one #[put] or one #[http]",
            )),
            Ok(handler) => found = Some(handler),
            Err(err) => {
                errors.push(err);
                found.get_or_insert(HandlerAttr::Invalid);
            }
        }
    }
    method.attrs = kept_attrs;
    found
}

impl Parse for PutAttr {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let path: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected the Signal K path: #[put(\"navigation.anchor.maxRadius\")]",
            )
        })?;
        let span = path.span();
        if path.value().is_empty() {
            return Err(syn::Error::new(span, "the PUT path must not be empty"));
        }
        let mut context = "vessels.self".to_owned();
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let key: Ident = input.parse()?;
            if key != "context" {
                return Err(syn::Error::new(
                    key.span(),
                    "unknown key; #[put] takes `context = \"...\"`",
                ));
            }
            input.parse::<Token![=]>()?;
            let lit: LitStr = input.parse()?;
            if lit.value().is_empty() {
                return Err(syn::Error::new(lit.span(), "the context must not be empty"));
            }
            context = lit.value();
            input.parse::<Option<Token![,]>>()?;
        }
        if !input.is_empty() {
            return Err(input.error(
                "unexpected tokens; #[put(\"path\")] or #[put(\"path\", context = \"...\")]",
            ));
        }
        Ok(Self {
            path: path.value(),
            context,
            span,
        })
    }
}

impl Parse for HttpAttr {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let method: Ident = input
            .parse()
            .map_err(|e| syn::Error::new(e.span(), "expected #[http(GET, \"/path\")]"))?;
        let upper = method.to_string().to_ascii_uppercase();
        if !HTTP_METHODS.contains(&upper.as_str()) {
            return Err(syn::Error::new(
                method.span(),
                "signalk-server only routes GET, POST, PUT and DELETE to plugins",
            ));
        }
        input.parse::<Token![,]>()?;
        let path: LitStr = input.parse()?;
        let value = path.value();
        if !value.starts_with('/') {
            return Err(syn::Error::new(
                path.span(),
                "the route path must start with `/`",
            ));
        }
        let shadowed = matches!(
            (upper.as_str(), value.trim_end_matches('/')),
            ("GET", "") | ("GET" | "POST", "/config")
        );
        if shadowed {
            return Err(syn::Error::new(
                path.span(),
                "this route is taken by the server itself (`GET /` and `GET`/`POST /config` of every plugin)",
            ));
        }
        input.parse::<Option<Token![,]>>()?;
        if !input.is_empty() {
            return Err(input.error("unexpected tokens; #[http(GET, \"/path\")]"));
        }
        Ok(Self {
            method: upper,
            path: value,
        })
    }
}

fn check_signature(method: &ImplItemFn, what: &str, expected: &str, errors: &mut Vec<syn::Error>) {
    let sig = &method.sig;
    let inputs = &sig.inputs;
    let receiver_ok = matches!(
        inputs.first(),
        Some(FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_some() && r.colon_token.is_none()
    );
    // Point at the part that is wrong: the receiver, the extra argument, or the name.
    let wrong = if !receiver_ok {
        Some(inputs.first().map_or(sig.ident.span(), Spanned::span))
    } else if inputs.len() > 2 {
        inputs.iter().nth(2).map(Spanned::span)
    } else if inputs.len() < 2 {
        Some(sig.ident.span())
    } else {
        None
    };
    if let Some(span) = wrong {
        errors.push(syn::Error::new(
            span,
            format!("a {what} handler has the signature `{expected}`"),
        ));
    }
    if let Some(asyncness) = sig.asyncness {
        errors.push(syn::Error::new(
            asyncness.span,
            format!("a {what} handler cannot be async: the host calls it synchronously"),
        ));
    }
    if let Some(param) = sig.generics.params.first() {
        errors.push(syn::Error::new(
            param.span(),
            format!("a {what} handler cannot be generic: the export needs one concrete signature"),
        ));
    }
    if let syn::ReturnType::Type(_, ty) = &sig.output
        && let Some(reference) = borrowed_reference(ty)
    {
        errors.push(syn::Error::new(
            reference,
            format!(
                "a {what} handler returns owned data (`String`, not `&str`): the reply is \
                 encoded after the call, when `self` is no longer borrowed"
            ),
        ));
    }
}

/// The span of a non-`'static` reference in a return type, looking through `Result`,
/// `Option`, `Json` and the like, which is where a borrowed `&self.field` hides.
fn borrowed_reference(ty: &syn::Type) -> Option<proc_macro2::Span> {
    match ty {
        syn::Type::Reference(r) if r.lifetime.as_ref().is_none_or(|l| l.ident != "static") => {
            Some(r.and_token.span)
        }
        syn::Type::Paren(p) => borrowed_reference(&p.elem),
        syn::Type::Tuple(t) => t.elems.iter().find_map(borrowed_reference),
        syn::Type::Path(p) => p.path.segments.iter().find_map(|segment| {
            let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
                return None;
            };
            args.args.iter().find_map(|arg| match arg {
                syn::GenericArgument::Type(ty) => borrowed_reference(ty),
                _ => None,
            })
        }),
        _ => None,
    }
}

fn check_duplicates(handlers: &Handlers, errors: &mut Vec<syn::Error>) {
    for (i, a) in handlers.puts.iter().enumerate() {
        if handlers.puts[..i].iter().any(|b| b.export == a.export) {
            errors.push(syn::Error::new(
                a.span,
                format!(
                    "another #[put] maps to the same export `{}` (the host replaces `.` by `_`)",
                    a.export
                ),
            ));
        }
    }
    for (i, a) in handlers.https.iter().enumerate() {
        if handlers.https[..i]
            .iter()
            .any(|b| b.http_method == a.http_method && b.path == a.path)
        {
            errors.push(syn::Error::new(
                a.method.span(),
                format!(
                    "another #[http] already handles {} {}",
                    a.http_method, a.path
                ),
            ));
        }
    }
}
