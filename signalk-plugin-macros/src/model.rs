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
}
