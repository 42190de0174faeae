//! What the macro knows about a plugin, between the stages: [`Input`] is what `parse`
//! read (each value with the span it was written at, nothing compared across items
//! yet), and [`PluginDef`] is what `check` lets through to `codegen`.

use proc_macro2::{Span, TokenStream};

use crate::symbol::Symbol;

/// A value and where the user wrote it, so an error about it can point there.
pub struct Named<T> {
    /// The value.
    pub value: T,
    /// Its span in the user's code.
    pub span: Span,
}

/// `#[plugin(<attrs>)] <item>` as parsed.
pub struct Input {
    /// The attribute's keys.
    pub attrs: Attrs,
    /// The impl block, or the item as written when it is not one (already reported).
    pub item: Result<ImplBlock, TokenStream>,
}

/// The keys of `#[plugin(...)]` as written, each read once (a second one is reported).
#[derive(Default)]
pub struct Attrs {
    /// `id = "..."`.
    pub id: Option<Named<String>>,
    /// `name = "..."`.
    pub name: Option<Named<String>>,
    /// `schema = "..."`: JSON text.
    pub schema: Option<Named<String>>,
    /// `schema_file = "..."`: a path relative to the crate's `Cargo.toml`.
    pub schema_file: Option<Named<String>>,
    /// `resources`, `weather`, `radar`.
    pub providers: Providers,
    /// Known keys that were written, valid or not: a bad value is reported once, not
    /// again as a missing key.
    pub written: Vec<Symbol>,
    /// The attribute could not be read as `key = value` pairs at all.
    pub unreadable: bool,
}

/// An `impl Plugin for T` block with its handler methods taken out.
pub struct ImplBlock {
    /// The impl block, emitted without the `#[put]`/`#[http]` methods.
    pub item: syn::ItemImpl,
    /// Its optional entry points, and the handler methods that were taken out.
    pub handlers: Handlers,
}

/// A checked plugin: everything `codegen` needs.
pub struct PluginDef<'a> {
    /// The impl block, emitted unchanged apart from the handler methods.
    pub item: &'a syn::ItemImpl,
    /// Optional entry points.
    pub handlers: &'a Handlers,
    /// Providers named in the attribute.
    pub providers: &'a Providers,
    /// The value `plugin_id` returns.
    pub id: String,
    /// The display name `plugin_name` returns.
    pub name: String,
    /// The minified JSON schema `plugin_schema` returns, if given; without it, the
    /// configuration type's derived schema (`ConfigSchema`), or the default.
    pub schema: Option<String>,
    /// A file to make Cargo track (`schema_file`), as an absolute path.
    pub tracked_file: Option<String>,
}

/// `resources = [...]`, `weather = "..."`, `radar = "..."`. A missing trait impl is
/// reported at each one's span.
#[derive(Default)]
pub struct Providers {
    /// Resource types (distinct, not empty), at the span of the `resources` key.
    pub resources: Option<Named<Vec<String>>>,
    /// Weather provider name, at the span of its string.
    pub weather: Option<Named<String>>,
    /// Radar provider name, at the span of its string.
    pub radar: Option<Named<String>>,
}

/// The optional entry points a plugin defines.
#[derive(Default)]
pub struct Handlers {
    /// `fn poll` is defined: export `poll`.
    pub poll: bool,
    /// `fn on_delta` is defined: export `delta_handler`.
    pub on_delta: bool,
    /// `#[put]` methods.
    pub puts: Vec<PutHandler>,
    /// `#[http]` methods.
    pub https: Vec<HttpHandler>,
    /// The `#[put]`/`#[http]` methods (also those with a bad attribute), moved to an
    /// inherent impl.
    pub moved: Vec<syn::ImplItemFn>,
}

impl Handlers {
    /// The `http_endpoints` JSON: `[{"method","path","handler"}]`.
    pub fn endpoints_json(&self) -> String {
        let routes: Vec<serde_json::Value> = self
            .https
            .iter()
            .map(|h| serde_json::json!({"method": h.http_method, "path": h.path, "handler": h.export}))
            .collect();
        serde_json::Value::Array(routes).to_string()
    }
}

/// A `#[put("path", context = "...")]` method.
pub struct PutHandler {
    /// The method.
    pub method: syn::Ident,
    /// Request context (default `vessels.self`).
    pub context: String,
    /// Signal K path, at the span of its string.
    pub path: Named<String>,
    /// `handle_put_<context>_<path>`.
    pub export: String,
}

/// A `#[http(METHOD, "/path")]` method.
pub struct HttpHandler {
    /// The method.
    pub method: syn::Ident,
    /// Upper-case HTTP method.
    pub http_method: String,
    /// Express route path.
    pub path: String,
    /// The export the route calls: `http_<method name>`.
    pub export: String,
}
