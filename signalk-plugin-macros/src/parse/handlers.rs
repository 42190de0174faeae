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
        if let Some(message) = context_in_path(&path.value()) {
            return Err(syn::Error::new(span, message));
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

/// The first segment of every Signal K context: `vessels.self`, `aircraft.urn:…`,
/// `aton.urn:…` (the specification) and `atons.urn:…` (what signalk-server's AIS
/// decoding uses), `sar.urn:…`, `shore.basestations.urn:…`. No data path starts with one.
const CONTEXT_ROOTS: [&str; 6] = ["vessels", "aircraft", "aton", "atons", "sar", "shore"];

/// A PUT path that starts with a context registers under `vessels.self` plus the whole
/// text, which no request ever matches: the message that says what to write instead.
fn context_in_path(path: &str) -> Option<String> {
    let (root, rest) = path.split_once('.')?;
    if !CONTEXT_ROOTS.contains(&root) {
        return None;
    }
    // The context is the root and one identifier (`vessels.self`), or two for
    // `shore.basestations.<id>`.
    let ids = if root == "shore" { 2 } else { 1 };
    let mut parts = rest.splitn(ids + 1, '.');
    let id: Vec<&str> = parts.by_ref().take(ids).collect();
    let context = format!("{root}.{}", id.join("."));
    match parts.next().filter(|p| !p.is_empty()) {
        Some(data_path) => Some(format!(
            "the PUT path starts with the context `{context}`; give the context separately: \
             #[put(\"{data_path}\", context = \"{context}\")]{}",
            if context == "vessels.self" {
                format!(" or, as `vessels.self` is the default, #[put(\"{data_path}\")]")
            } else {
                String::new()
            }
        )),
        None => Some(format!(
            "`{path}` is a context, not a path: #[put(\"<path>\", context = \"{context}\")]"
        )),
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

#[cfg(test)]
mod tests {
    use super::context_in_path;

    #[test]
    fn paths_that_start_with_a_context_are_named_with_the_fix() {
        assert_eq!(
            context_in_path("vessels.self.environment.wind.smoothing").unwrap(),
            "the PUT path starts with the context `vessels.self`; give the context separately: \
             #[put(\"environment.wind.smoothing\", context = \"vessels.self\")] or, as \
             `vessels.self` is the default, #[put(\"environment.wind.smoothing\")]"
        );
        assert_eq!(
            context_in_path("vessels.urn:mrn:imo:mmsi:230000000.steering.rudderAngle").unwrap(),
            "the PUT path starts with the context `vessels.urn:mrn:imo:mmsi:230000000`; give the \
             context separately: #[put(\"steering.rudderAngle\", context = \
             \"vessels.urn:mrn:imo:mmsi:230000000\")]"
        );
        let shore = context_in_path("shore.basestations.urn:mrn:imo:mmsi:2300000.a.b").unwrap();
        assert!(
            shore.contains(
                r#"#[put("a.b", context = "shore.basestations.urn:mrn:imo:mmsi:2300000")]"#
            ),
            "{shore}"
        );
        for root in ["aircraft", "aton", "atons", "sar"] {
            let message = context_in_path(&format!("{root}.urn:x.navigation.position")).unwrap();
            assert!(
                message.contains(&format!(r#"context = "{root}.urn:x""#)),
                "{message}"
            );
        }
        assert_eq!(
            context_in_path("vessels.self").unwrap(),
            r#"`vessels.self` is a context, not a path: #[put("<path>", context = "vessels.self")]"#
        );
    }

    #[test]
    fn data_paths_pass() {
        for path in [
            "navigation.anchor.maxRadius",
            "steering.autopilot.target.headingTrue",
            "vessels",
            "vesselsX.a",
            "electrical.switches.sar.state",
        ] {
            assert_eq!(context_in_path(path), None, "{path}");
        }
    }
}
