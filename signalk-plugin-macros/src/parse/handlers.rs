//! The optional entry points inside a `#[plugin]` impl: the trait methods that have
//! exports of their own (`poll`, `on_delta`), and the `#[put(...)]` / `#[http(...)]`
//! methods, which are taken out of the trait impl (they are not trait members) to be
//! emitted in an inherent impl of the plugin type, so they stay plain, testable methods.
//! Each method is checked on its own here; duplicates across methods are `check`'s.

use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ImplItem, ImplItemFn, ItemImpl, LitStr, Token};

use crate::ctxt::Ctxt;
use crate::model::{Handlers, HttpHandler, Named, PutHandler};
use crate::symbol::{CONTEXT, HTTP, ON_DELTA, POLL, PUT};

/// The methods the host may call over HTTP (others are skipped by the server).
const HTTP_METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];

/// Removes handler methods from `item` and describes every optional entry point.
pub fn extract(cx: &Ctxt, item: &mut ItemImpl) -> Handlers {
    let mut handlers = Handlers::default();
    let mut kept = Vec::with_capacity(item.items.len());
    for impl_item in std::mem::take(&mut item.items) {
        let ImplItem::Fn(mut method) = impl_item else {
            kept.push(impl_item);
            continue;
        };
        match take_handler_attr(cx, &mut method) {
            Some(HandlerAttr::Put(attr)) => {
                check_signature(cx, &method, "#[put]", "fn name(&mut self, value: T) -> R");
                handlers.puts.push(PutHandler {
                    method: method.sig.ident.clone(),
                    export: signalk_plugin_abi::put::export_name(&attr.context, &attr.path.value),
                    context: attr.context,
                    path: attr.path,
                });
                handlers.moved.push(method);
            }
            Some(HandlerAttr::Http(attr)) => {
                check_signature(
                    cx,
                    &method,
                    "#[http]",
                    "fn name(&mut self, req: HttpRequest) -> R",
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
                if method.sig.ident == POLL {
                    handlers.poll = true;
                } else if method.sig.ident == ON_DELTA {
                    handlers.on_delta = true;
                }
                kept.push(ImplItem::Fn(method));
            }
        }
    }
    item.items = kept;
    handlers
}

enum HandlerAttr {
    Put(PutAttr),
    Http(HttpAttr),
    /// A `#[put]` or `#[http]` that could not be read.
    Invalid,
}

struct PutAttr {
    path: Named<String>,
    context: String,
}

struct HttpAttr {
    method: String,
    path: String,
}

/// Takes the `#[put]` or `#[http]` attribute off `method`, leaving any others.
fn take_handler_attr(cx: &Ctxt, method: &mut ImplItemFn) -> Option<HandlerAttr> {
    let mut found = None;
    let mut kept_attrs = Vec::with_capacity(method.attrs.len());
    for attr in std::mem::take(&mut method.attrs) {
        let parsed = if attr.path().is_ident(&PUT) {
            attr.parse_args::<PutAttr>().map(HandlerAttr::Put)
        } else if attr.path().is_ident(&HTTP) {
            attr.parse_args::<HttpAttr>().map(HandlerAttr::Http)
        } else {
            kept_attrs.push(attr);
            continue;
        };
        match parsed {
            Ok(_) if found.is_some() => cx.error(
                attr.path().span(),
                "a method can be one handler only: one #[put] or one #[http]",
            ),
            Ok(handler) => found = Some(handler),
            Err(err) => {
                cx.syn_error(err);
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
            if key != CONTEXT {
                return Err(syn::Error::new(
                    key.span(),
                    format!("unknown key; #[put] takes `{CONTEXT} = \"...\"`"),
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
            path: Named {
                value: path.value(),
                span,
            },
            context,
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

/// `fn name(&mut self, arg: T) -> R`: not async, not generic, returning owned data.
fn check_signature(cx: &Ctxt, method: &ImplItemFn, what: &str, expected: &str) {
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
        cx.error(
            span,
            format!("a {what} handler has the signature `{expected}`"),
        );
    }
    if let Some(asyncness) = sig.asyncness {
        cx.error(
            asyncness.span,
            format!("a {what} handler cannot be async: the host calls it synchronously"),
        );
    }
    if let Some(param) = sig.generics.params.first() {
        cx.error(
            param.span(),
            format!("a {what} handler cannot be generic: the export needs one concrete signature"),
        );
    }
    if let syn::ReturnType::Type(_, ty) = &sig.output
        && let Some(reference) = borrowed_reference(ty)
    {
        cx.error(
            reference,
            format!(
                "a {what} handler returns owned data (`String`, not `&str`): the reply is \
                 encoded after the call, when `self` is no longer borrowed"
            ),
        );
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
