//! What the macro knows about a plugin once its input has been checked.

/// A validated `#[plugin(...)] impl Plugin for T { ... }`.
pub struct PluginDef {
    /// The impl block, emitted unchanged.
    pub item: syn::ItemImpl,
    /// The value `plugin_id` returns.
    pub id: String,
    /// The display name `plugin_name` returns.
    pub name: String,
    /// The minified JSON schema `plugin_schema` returns.
    pub schema: String,
    /// A file to make Cargo track (`schema_file`), as an absolute path.
    pub tracked_file: Option<String>,
    /// Optional entry points.
    pub handlers: Handlers,
    /// Providers named in the attribute.
    pub providers: Providers,
}

/// `resources = [...]`, `weather = "..."`, `radar = "..."`.
#[derive(Default)]
pub struct Providers {
    /// Resource types.
    pub resources: Vec<String>,
    /// Weather provider name.
    pub weather: Option<String>,
    /// Radar provider name.
    pub radar: Option<String>,
    /// Where each key was written, so a missing trait impl is reported there:
    /// `resources`, `weather`, `radar`.
    pub spans: [Option<proc_macro2::Span>; 3],
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
    /// The `#[put]`/`#[http]` methods, moved to an inherent impl.
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
    /// Signal K path.
    pub path: String,
    /// `handle_put_<context>_<path>`.
    pub export: String,
    /// Where the path was written, for errors.
    pub span: proc_macro2::Span,
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
