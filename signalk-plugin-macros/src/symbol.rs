//! The words the macro reads, each written once. The `#[plugin(...)]` parser matches on
//! these constants and lists [`PLUGIN_KEYS`] in its messages, so the keys it accepts
//! and the keys it names cannot drift apart.

use std::fmt;

/// A word the macro looks for in the user's code.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Symbol(&'static str);

/// `#[plugin(id = "...")]`: the plugin id.
pub const ID: Symbol = Symbol("id");
/// `#[plugin(name = "...")]`: the display name.
pub const NAME: Symbol = Symbol("name");
/// `#[plugin(schema = "...")]`: the configuration schema as JSON text.
pub const SCHEMA: Symbol = Symbol("schema");
/// `#[plugin(schema_file = "...")]`: the configuration schema in a file.
pub const SCHEMA_FILE: Symbol = Symbol("schema_file");
/// `#[plugin(resources = [...])]`: the resource types provided.
pub const RESOURCES: Symbol = Symbol("resources");
/// `#[plugin(weather = "...")]`: the weather provider's name.
pub const WEATHER: Symbol = Symbol("weather");
/// `#[plugin(radar = "...")]`: the radar provider's name.
pub const RADAR: Symbol = Symbol("radar");

/// Every key `#[plugin(...)]` takes, in the order messages list them.
pub const PLUGIN_KEYS: [Symbol; 7] = [ID, NAME, SCHEMA, SCHEMA_FILE, RESOURCES, WEATHER, RADAR];

/// `#[put("path")]` on a method: a PUT handler.
pub const PUT: Symbol = Symbol("put");
/// `#[put("path", context = "...")]`: the request context.
pub const CONTEXT: Symbol = Symbol("context");
/// `#[http(METHOD, "/path")]` on a method: an HTTP handler.
pub const HTTP: Symbol = Symbol("http");
/// The `Plugin` trait, the only one `#[plugin]` goes on.
pub const PLUGIN: Symbol = Symbol("Plugin");
/// `fn poll` in the impl: the plugin gets a `poll` export.
pub const POLL: Symbol = Symbol("poll");
/// `fn on_delta` in the impl: the plugin gets a `delta_handler` export.
pub const ON_DELTA: Symbol = Symbol("on_delta");

/// `ident == SYMBOL` and `path.is_ident(&SYMBOL)` through syn's own `AsRef<str>` impls.
impl AsRef<str> for Symbol {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// "`a`, `b` or `c`", for messages that list what is accepted.
pub fn one_of(symbols: &[Symbol]) -> String {
    let quoted: Vec<String> = symbols.iter().map(|s| format!("`{s}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((only, _)) => only.clone(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_keys_read_as_a_list() {
        assert_eq!(
            one_of(&PLUGIN_KEYS),
            "`id`, `name`, `schema`, `schema_file`, `resources`, `weather` or `radar`"
        );
        assert_eq!(one_of(&[PUT]), "`put`");
        assert_eq!(one_of(&[PUT, HTTP]), "`put` or `http`");
    }
}
