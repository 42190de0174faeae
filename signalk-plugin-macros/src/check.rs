//! Stage 2: checks the parsed input as a whole, where one item alone cannot show the
//! mistake: two handlers on one export or route, an endpoint list too large for the
//! host, the id and name rules, the schema (through [`crate::schema`]), the required
//! keys. Runs even when parsing found errors, so one compile reports everything.

use proc_macro2::Span;
use signalk_plugin_abi::buffers::METADATA;

use crate::ctxt::Ctxt;
use crate::model::{Attrs, Handlers, Input, Named, PluginDef};
use crate::schema;
use crate::symbol::{ID, NAME, Symbol};

/// Checks `input`; the plugin definition `codegen` takes if nothing is wrong.
///
/// `None` only after an error was reported: each value left out was reported where
/// it went wrong, by `parse` or here.
pub fn plugin<'a>(cx: &Ctxt, input: &'a Input) -> Option<PluginDef<'a>> {
    if let Ok(block) = &input.item {
        duplicates(cx, &block.handlers);
        endpoint_list(cx, &block.handlers);
    }
    let attrs = &input.attrs;
    if let Some(id) = &attrs.id {
        metadata(cx, ID, id);
        unscoped(cx, id);
    }
    if let Some(name) = &attrs.name {
        metadata(cx, NAME, name);
    }
    let schema = schema_of(cx, attrs);
    required(cx, attrs);

    let block = input.item.as_ref().ok()?;
    let (schema, tracked_file) = schema?;
    Some(PluginDef {
        item: &block.item,
        handlers: &block.handlers,
        providers: &attrs.providers,
        id: attrs.id.as_ref()?.value.clone(),
        name: attrs.name.as_ref()?.value.clone(),
        schema,
        tracked_file,
    })
}

/// Two `#[put]`s on one export, two `#[http]`s on one route.
fn duplicates(cx: &Ctxt, handlers: &Handlers) {
    for (i, a) in handlers.puts.iter().enumerate() {
        if handlers.puts[..i].iter().any(|b| b.export == a.export) {
            cx.error(
                a.path.span,
                format!(
                    "another #[put] maps to the same export `{}` (the host replaces `.` by `_`)",
                    a.export
                ),
            );
        }
    }
    for (i, a) in handlers.https.iter().enumerate() {
        if handlers.https[..i]
            .iter()
            .any(|b| b.http_method == a.http_method && b.path == a.path)
        {
            cx.error(
                a.method.span(),
                format!(
                    "another #[http] already handles {} {}",
                    a.http_method, a.path
                ),
            );
        }
    }
}

/// The `http_endpoints` JSON must fit the host's metadata buffer.
fn endpoint_list(cx: &Ctxt, handlers: &Handlers) {
    let len = handlers.endpoints_json().len();
    if len > METADATA {
        cx.error(
            Span::call_site(),
            format!(
                "the HTTP endpoint list is {len} bytes of JSON, but signalk-server reads at most {METADATA}"
            ),
        );
    }
}

/// `id` and `name`: not blank, and short enough for the host's metadata buffer.
fn metadata(cx: &Ctxt, key: Symbol, value: &Named<String>) {
    if value.value.trim().is_empty() {
        cx.error(value.span, format!("`{key}` must not be empty"));
    }
    if value.value.len() > METADATA {
        cx.error(
            value.span,
            format!(
                "`{key}` is {} bytes, but signalk-server reads at most {METADATA}",
                value.value.len()
            ),
        );
    }
}

/// The id must not look like a scoped package name.
fn unscoped(cx: &Ctxt, id: &Named<String>) {
    if id.value.contains('@') || id.value.contains('/') {
        cx.error(
            id.span,
            "use an unscoped id (no `@` or `/`): signalk-server 2.32.0 mixes up scoped \
             package names and plugin ids, which breaks config reads and saves",
        );
    }
}

/// The minified schema (`None`: none given), and the file Cargo should track if it came
/// from one.
fn schema_of(cx: &Ctxt, attrs: &Attrs) -> Option<(Option<String>, Option<String>)> {
    match (&attrs.schema, &attrs.schema_file) {
        (Some(_), Some(file)) => {
            cx.error(file.span, "give either `schema` or `schema_file`, not both");
            None
        }
        (Some(text), None) => match schema::validate(&text.value) {
            Ok(schema) => Some((Some(schema), None)),
            Err(message) => {
                cx.error(text.span, message);
                None
            }
        },
        (None, Some(file)) => {
            let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
            let path = std::path::Path::new(&dir).join(&file.value);
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(err) => {
                    cx.error(
                        file.span,
                        // The path as written, not the absolute one: the reader knows
                        // where their crate is, and the message stays the same wherever
                        // the build runs (CARGO_TARGET_DIR, trybuild's copies).
                        format!(
                            "cannot read schema file `{}` (relative to the directory of the crate's Cargo.toml): {err}",
                            file.value
                        ),
                    );
                    return None;
                }
            };
            match schema::validate(&text) {
                Ok(schema) => Some((Some(schema), Some(path.display().to_string()))),
                Err(message) => {
                    cx.error(file.span, format!("{}: {message}", path.display()));
                    None
                }
            }
        }
        // The configuration type's derived schema, or the default: `codegen` asks.
        (None, None) => Some((None, None)),
    }
}

/// `id` and `name` must be written (a key written with a bad value was reported).
fn required(cx: &Ctxt, attrs: &Attrs) {
    if attrs.unreadable {
        return;
    }
    let missing: Vec<String> = [ID, NAME]
        .into_iter()
        .filter(|key| !attrs.written.contains(key))
        .map(|key| format!("`{key} = \"...\"`"))
        .collect();
    if !missing.is_empty() {
        cx.error(
            Span::call_site(),
            format!(
                "#[plugin] needs {}, for example #[plugin(id = \"my-plugin\", name = \"My Plugin\")]",
                missing.join(" and ")
            ),
        );
    }
}
