//! The `#[plugin]` attribute of [`signalk-plugin`](https://docs.rs/signalk-plugin).
//! Use it through `signalk_plugin::plugin`; this crate is an implementation detail.
//!
//! `#[derive(ConfigSchema)]` lives in `config_schema`, with its own stages (reading
//! the input, emitting), sharing the error collector.
//!
//! The `#[plugin]` macro is one pipeline, a module per stage, all reporting into one error
//! collector (`ctxt::Ctxt`, which must be checked before it is dropped):
//!
//! 1. `parse` reads the input into a `model::Input`: `parse::attr` the keys of
//!    `#[plugin(...)]`, `parse::handlers` the entry points inside the impl (`poll`,
//!    `on_delta`, and the `#[put]`/`#[http]` methods, which it takes out of the trait
//!    impl). Each mistake visible in one place is reported at its span.
//! 2. `check` validates the input as a whole (duplicate exports and routes, the size
//!    of the endpoint list, the id and name rules, the schema through `schema`, the
//!    required keys) and produces the `model::PluginDef`.
//! 3. `codegen` turns that model into the user's impl, the inherent impl of the
//!    handler methods, type checks, and the `#[cfg(target_arch = "wasm32")]` exports.
//!
//! Every stage runs even after an earlier one found mistakes, so one compile shows
//! them all. With any error, `codegen::fallback` re-emits the user's item as plain
//! Rust instead, so the only errors are the macro's. Words the macro reads are
//! `symbol` constants; the host's export names and buffer sizes come from
//! `signalk-plugin-abi`.

mod check;
mod codegen;
mod config_schema;
mod ctxt;
mod model;
mod parse;
mod schema;
mod symbol;

use proc_macro::TokenStream;

/// Turns `impl Plugin for T` into a Signal K WebAssembly plugin.
///
/// Put it on the `impl Plugin for T` block of a `Default` type. It generates every
/// WebAssembly export signalk-server calls, inside a `#[cfg(target_arch = "wasm32")]`
/// module, and leaves the impl and the handler methods plain Rust, so `cargo test` on
/// the host calls them directly (host calls are recorded by `signalk_plugin::testing`).
///
/// ```
/// use signalk_plugin::{plugin, NoConfig, Plugin, PluginResult};
///
/// #[derive(Default)]
/// struct Hello;
///
/// #[plugin(id = "hello", name = "Hello")]
/// impl Plugin for Hello {
///     type Config = NoConfig;
///     fn start(&mut self, _: NoConfig) -> PluginResult {
///         signalk_plugin::set_status("Hello, sailor");
///         Ok(())
///     }
/// }
/// ```
///
/// Mistakes are compile errors at the offending token: an unknown or repeated key, a
/// schema that is not JSON or too large, a duplicate route or PUT path, a handler with
/// the wrong signature, a provider key without its trait impl.
///
/// # Keys of `#[plugin(...)]`
///
/// | Key | Value | Required | What it does |
/// |---|---|---|---|
/// | [`id`](#id-and-name) | string | yes | what the `plugin_id` export answers |
/// | [`name`](#id-and-name) | string | yes | the display name (`plugin_name`) |
/// | [`schema`](#schema) | JSON text | no | the configuration's JSON Schema (`plugin_schema`); default: the derived one |
/// | [`schema_file`](#schema_file) | path | no | the same, read from a file |
/// | [`resources`](#resources) | list of strings | no | a resource provider for these types |
/// | [`weather`](#weather) | string | no | a weather provider with this name |
/// | [`radar`](#radar) | string | no | a radar provider with this name |
///
/// ## `id` and `name`
///
/// Both string literals, both required. signalk-server derives the plugin's real id
/// from the npm package name (`@scope/name` becomes `_scope_name`); keep `id` equal to
/// it. `name` is what the Admin UI lists.
///
/// ```
/// # use signalk_plugin::{plugin, NoConfig, Plugin, PluginMetadata, PluginResult};
/// # #[derive(Default)] struct Depth;
/// #[plugin(id = "depth-alarm", name = "Depth alarm")]
/// impl Plugin for Depth {
///     type Config = NoConfig;
///     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
/// }
/// assert_eq!(Depth::ID, "depth-alarm");
/// assert_eq!(Depth::NAME, "Depth alarm");
/// ```
///
/// ## `schema`
///
/// The JSON Schema the Admin UI renders the configuration form from, as JSON text. It
/// is parsed and minified at compile time and must fit the host's 8 192-byte buffer.
/// Usually you need neither this key nor `schema_file`: without them the plugin serves
/// the schema `#[derive(ConfigSchema)]` derives from `Plugin::Config` (see
/// [`ConfigSchema`](derive@ConfigSchema)), or `{"type":"object","properties":{}}` for a
/// config type without the derive. The derived rules (`minimum`, ...) are checked before
/// `start` either way. The configuration `start` receives is parsed
/// into `Plugin::Config` (the server's own `enableDebug` member taken out first, so
/// `#[serde(deny_unknown_fields)]` works).
///
/// ```
/// # use serde::Deserialize;
/// # use signalk_plugin::{plugin, Plugin, PluginMetadata, PluginResult};
/// #[derive(Deserialize)]
/// #[serde(rename_all = "camelCase", deny_unknown_fields)]
/// struct Config {
///     min_depth: f64,
/// }
///
/// # #[derive(Default)] struct Depth;
/// #[plugin(
///     id = "depth-alarm",
///     name = "Depth alarm",
///     schema = r#"{
///         "type": "object",
///         "required": ["minDepth"],
///         "properties": {"minDepth": {"type": "number", "title": "Alarm below (m)"}}
///     }"#
/// )]
/// impl Plugin for Depth {
///     type Config = Config;
///     fn start(&mut self, config: Config) -> PluginResult {
///         if !(config.min_depth > 0.0) {
///             return Err("minDepth must be above 0".into());
///         }
///         Ok(())
///     }
/// }
/// assert!(Depth::SCHEMA.starts_with(r#"{"type":"object","required":["minDepth"]"#));
/// ```
///
/// ## `schema_file`
///
/// The same, read from a file; the path is relative to the crate's `Cargo.toml`, and
/// Cargo rebuilds the plugin when the file changes. Give `schema` or `schema_file`,
/// not both. (The block below is not compiled, for it needs the file.)
///
/// ```ignore
/// #[plugin(id = "anchor-watch", name = "Anchor Watch", schema_file = "schema.json")]
/// impl Plugin for AnchorWatch { /* … */ }
/// ```
///
/// ## `resources`
///
/// A resource provider (`/signalk/v2/api/resources/<type>`) for each listed type: a
/// non-empty list of distinct strings. The type must implement
/// [`ResourceProvider`](../signalk_plugin/provider/trait.ResourceProvider.html); the
/// package needs the `resourceProvider` capability. The provider is registered inside
/// `plugin_start`, the only place where signalk-server 2.32.0 gives it an instance.
///
/// ```
/// use signalk_plugin::provider::{DeleteRequest, GetRequest, ListRequest, ResourceProvider, SetRequest};
/// use signalk_plugin::{plugin, NoConfig, Plugin, PluginResult, RawJson};
/// use std::collections::BTreeMap;
///
/// #[derive(Default)]
/// struct Notes(BTreeMap<String, RawJson>);
///
/// #[plugin(id = "notes", name = "Notes", resources = ["notes"])]
/// impl Plugin for Notes {
///     type Config = NoConfig;
///     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
/// }
///
/// impl ResourceProvider for Notes {
///     fn list_resources(&mut self, _: ListRequest, _query: RawJson) -> PluginResult<impl serde::Serialize> {
///         Ok(&self.0)
///     }
///     fn get_resource(&mut self, req: GetRequest) -> PluginResult<impl serde::Serialize> {
///         self.0.get(&req.id).cloned().ok_or_else(|| format!("no note {}", req.id).into())
///     }
///     fn set_resource(&mut self, req: SetRequest) -> PluginResult {
///         self.0.insert(req.id, req.value);
///         Ok(())
///     }
///     fn delete_resource(&mut self, req: DeleteRequest) -> PluginResult {
///         self.0.remove(&req.id).map(drop).ok_or_else(|| "no such note".into())
///     }
/// }
/// ```
///
/// ## `weather`
///
/// A weather provider (`/signalk/v2/api/weather`) with this name. The type must
/// implement [`WeatherProvider`](../signalk_plugin/provider/trait.WeatherProvider.html);
/// the package needs the `weatherProvider` capability.
///
/// ```
/// use signalk_plugin::provider::{ForecastRequest, WeatherProvider, WeatherRequest};
/// use signalk_plugin::{plugin, NoConfig, Plugin, PluginResult};
///
/// #[derive(Default)]
/// struct Station;
///
/// #[plugin(id = "station", name = "Station", weather = "Own sensors")]
/// impl Plugin for Station {
///     type Config = NoConfig;
///     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
/// }
///
/// impl WeatherProvider for Station {
///     fn observations(&mut self, _: WeatherRequest) -> PluginResult<impl serde::Serialize> {
///         Ok(Vec::<u8>::new())
///     }
///     fn forecasts(&mut self, _: ForecastRequest) -> PluginResult<impl serde::Serialize> {
///         Ok(Vec::<u8>::new())
///     }
///     fn warnings(&mut self, _: WeatherRequest) -> PluginResult<impl serde::Serialize> {
///         Ok(Vec::<u8>::new())
///     }
/// }
/// ```
///
/// ## `radar`
///
/// A radar provider (`/signalk/v2/api/vessels/self/radars`) with this name. The type
/// must implement [`RadarProvider`](../signalk_plugin/provider/trait.RadarProvider.html)
/// (only `radars` is required; the other methods answer "not supported"); the package
/// needs the `radarProvider` capability.
///
/// ```
/// use signalk_plugin::provider::RadarProvider;
/// use signalk_plugin::{plugin, NoConfig, Plugin, PluginResult};
///
/// #[derive(Default)]
/// struct Scanner;
///
/// #[plugin(id = "scanner", name = "Scanner", radar = "Halo")]
/// impl Plugin for Scanner {
///     type Config = NoConfig;
///     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
/// }
///
/// impl RadarProvider for Scanner {
///     fn radars(&mut self) -> PluginResult<Vec<String>> {
///         Ok(vec!["halo-1".into()])
///     }
/// }
/// ```
///
/// # Inside the impl
///
/// The trait methods `start` (required), `stop`, `poll`, `on_delta` and the constant
/// `DELTAS` are ordinary `Plugin` items. Methods marked `#[put(...)]` or `#[http(...)]`
/// are not trait items: the macro moves them to an inherent impl of the type (they stay
/// callable in tests) and exports a handler for each.
///
/// ## `poll`
///
/// Defining `fn poll` exports `poll`, which the server calls every second while the
/// plugin runs; without it nothing is exported and nothing is called.
///
/// ```
/// # use signalk_plugin::{plugin, NoConfig, Plugin, PluginResult};
/// #[derive(Default)]
/// struct Ticker { ticks: u64 }
///
/// #[plugin(id = "ticker", name = "Ticker")]
/// impl Plugin for Ticker {
///     type Config = NoConfig;
///     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
///     fn poll(&mut self) -> PluginResult {
///         self.ticks += 1;
///         Ok(())
///     }
/// }
/// ```
///
/// ## `on_delta`
///
/// Defining `fn on_delta` exports `delta_handler`: the plugin receives the deltas the
/// server handles, all of them, or with `const DELTAS: Deltas = Deltas::OwnVessel;`
/// only the own vessel's. It returns a `PluginResult`, so `?` works; an `Err` is logged
/// and counted, never fatal. A delta is decoded leniently: a member that does not fit
/// is skipped and reported once per path, the rest is delivered.
///
/// ```
/// # use signalk_plugin::{plugin, Delta, Deltas, NoConfig, Plugin, PluginResult};
/// #[derive(Default)]
/// struct Depth { metres: Option<f64> }
///
/// #[plugin(id = "depth", name = "Depth")]
/// impl Plugin for Depth {
///     type Config = NoConfig;
///     const DELTAS: Deltas = Deltas::OwnVessel;
///     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
///     fn on_delta(&mut self, delta: &Delta) -> PluginResult {
///         // `get` reports a value that is not a number (once per path) and skips it.
///         if let Some(depth) = delta.get::<f64>("environment.depth.belowKeel") {
///             self.metres = Some(depth);
///         }
///         Ok(())
///     }
/// }
/// ```
///
/// ## `#[put("path")]` and `#[put("path", context = "...")]`
///
/// A PUT handler for a Signal K path, `fn name(&mut self, value: T) -> R`: `T` is any
/// `Deserialize` type (the request's value is parsed into it; one that does not parse is
/// answered 400 with the reason, without calling the method), `R` is `()`, a
/// `PutReply`, a `PutError`, an SDK `Error`, a `PluginResult` or a `Result` of those.
/// The context is `vessels.self` unless `context = "..."` says otherwise; the path is
/// the data path only: a path that starts with a context (`"vessels.self.a.b"`) is a
/// compile error naming the fix. The handler is registered in `plugin_start` (the
/// package needs the `putHandlers` capability) and exported as
/// `handle_put_<context>_<path>`. Each context and path may have one handler.
///
/// ```
/// use signalk_plugin::put::PutError;
/// use signalk_plugin::{plugin, NoConfig, Plugin, PluginResult};
///
/// #[derive(Default)]
/// struct Anchor { max_radius: f64, rudder: f64 }
///
/// #[plugin(id = "anchor", name = "Anchor")]
/// impl Plugin for Anchor {
///     type Config = NoConfig;
///     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
///
///     #[put("navigation.anchor.maxRadius")]
///     fn set_max_radius(&mut self, radius: f64) -> Result<(), PutError> {
///         if !(10.0..=1000.0).contains(&radius) {
///             return Err(PutError::bad_request("radius must be 10..=1000 m"));
///         }
///         self.max_radius = radius;
///         Ok(())
///     }
///
///     #[put("steering.rudderAngle", context = "vessels.self")]
///     fn set_rudder(&mut self, angle: f64) -> PluginResult {
///         self.rudder = angle;
///         signalk_plugin::set_status(&format!("rudder {angle}"));
///         Ok(())
///     }
/// }
///
/// let mut a = Anchor::default();
/// assert!(a.set_max_radius(5.0).is_err());
/// a.set_max_radius(50.0).unwrap();
/// ```
///
/// ## `#[http(METHOD, "/path")]`
///
/// An HTTP endpoint under `/plugins/<id>`, `fn name(&mut self, req: HttpRequest) -> R`
/// where `R` implements `IntoResponse` (`Json<T>`, `String`, `HttpResponse`,
/// `HttpError`, `()`, or a `Result` of those). `METHOD` is `GET`, `POST`, `PUT` or
/// `DELETE`; the path starts with `/` and takes Express parameters (`/items/:id`,
/// `*`). `GET /` and `GET`/`POST /config` belong to the server and do not compile.
/// Each method and path may have one handler; the export is `http_<method name>`.
/// `req.json::<T>()` answers a body that does not parse with a 400 naming the member.
///
/// ```
/// use serde::Deserialize;
/// use signalk_plugin::http::{HttpError, HttpRequest, Json};
/// use signalk_plugin::{json, plugin, NoConfig, Plugin, PluginResult, Value};
///
/// #[derive(Default)]
/// struct Counter { count: u64 }
///
/// #[derive(Deserialize)]
/// #[serde(deny_unknown_fields)]
/// struct Add { by: u64 }
///
/// #[plugin(id = "counter", name = "Counter")]
/// impl Plugin for Counter {
///     type Config = NoConfig;
///     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
///
///     #[http(GET, "/count")]
///     fn count(&mut self, _req: HttpRequest) -> Json<Value> {
///         Json(json!({ "count": self.count }))
///     }
///
///     #[http(POST, "/add")]
///     fn add(&mut self, req: HttpRequest) -> Result<Json<Value>, HttpError> {
///         let add: Add = req.json()?;
///         self.count += add.by;
///         Ok(Json(json!({ "count": self.count })))
///     }
/// }
///
/// let mut c = Counter::default();
/// let bad = HttpRequest::new("POST", "/add").with_body(json!({"by": "two"}));
/// let resp = signalk_plugin::http::IntoResponse::into_response(c.add(bad));
/// assert_eq!(resp.status_code, 400);
/// ```
///
/// # Malformed input
///
/// What the generated exports do with input that does not fit (a configuration, a
/// delta, a PUT value, an HTTP body, a provider request) is described in
/// [the crate documentation](../signalk_plugin/index.html#malformed-input): in short, it
/// is refused (or, in a delta, the member skipped) with a message bounded to 200
/// characters, and nothing else is lost.
#[proc_macro_attribute]
pub fn plugin(attr: TokenStream, item: TokenStream) -> TokenStream {
    let cx = ctxt::Ctxt::new();
    let input = parse::plugin(&cx, attr.into(), item.into());
    let def = check::plugin(&cx, &input);
    match (cx.check(), def) {
        (Ok(()), Some(def)) => codegen::expand(&def).into(),
        (Err(err), _) => {
            // Keep the user's code in the output, so the only errors are ours and not a
            // cascade of "unused import" and "cannot find type" after the item vanished.
            let mut out = err.to_compile_error();
            out.extend(codegen::fallback(&input.item));
            out.into()
        }
        (Ok(()), None) => unreachable!("check gives no plugin only after reporting an error"),
    }
}

/// Derives the configuration's JSON Schema (what the Admin UI renders) from the type
/// the configuration is parsed into, at compile time.
///
/// Put it beside `#[derive(Deserialize)]` on a struct with named fields (or an enum of
/// unit variants). It implements [`ConfigSchema`](../signalk_plugin/config/schema/trait.ConfigSchema.html):
/// `Config::SCHEMA` is the minified schema, checked at compile time to fit
/// signalk-server's 8 192-byte buffer, and `check_schema` checks the rules it states.
/// `#[plugin]` without `schema`/`schema_file` serves this schema and runs the check
/// before `start`: a configuration the schema forbids fails the start, naming the
/// member (``invalid configuration at `maxRadius`: must be at least 10, got 5``).
///
/// ```
/// use serde::Deserialize;
/// use signalk_plugin::ConfigSchema;
///
/// /// Depth alarm
/// #[derive(Deserialize, ConfigSchema)]
/// #[serde(rename_all = "camelCase", deny_unknown_fields)]
/// struct Config {
///     /// Alarm below (m)
///     #[schema(exclusive_minimum = 0)]
///     min_depth: f64,
///     /// Sound
///     #[serde(default)]
///     sound: Sound,
///     /// Zones
///     #[serde(default)]
///     #[schema(max_items = 4)]
///     zones: Vec<Zone>,
/// }
///
/// #[derive(Deserialize, ConfigSchema, Default, PartialEq, Debug)]
/// #[serde(rename_all = "lowercase")]
/// enum Sound { #[default] Beep, Horn }
///
/// #[derive(Deserialize, ConfigSchema)]
/// struct Zone { upper: f64 }
///
/// let schema: serde_json::Value = serde_json::from_str(Config::SCHEMA).unwrap();
/// assert_eq!(schema["title"], "Depth alarm");
/// assert_eq!(schema["required"], serde_json::json!(["minDepth"]));
/// assert_eq!(schema["additionalProperties"], false);
/// assert_eq!(schema["properties"]["sound"]["enum"], serde_json::json!(["beep", "horn"]));
/// assert_eq!(schema["properties"]["zones"]["items"]["required"], serde_json::json!(["upper"]));
///
/// let config = Config { min_depth: 0.0, sound: Sound::Horn, zones: vec![] };
/// let err = config.check_schema().unwrap_err();
/// assert_eq!(err.path(), "minDepth");
/// assert_eq!(err.message(), "must be greater than 0, got 0");
/// ```
///
/// # What it reads
///
/// | Rust | Schema |
/// |---|---|
/// | `bool`, integers, `f32`/`f64`, `String`, `char` | `boolean`, `integer` (with the type's range up to 32 bits; `minimum: 0` for wider unsigned types), `number`, `string` |
/// | `Option<T>` | `T`'s schema, not `required` |
/// | `Vec<T>`, `VecDeque<T>`, sets, `[T; N]` | `array` with `items` (sets: `uniqueItems`; arrays: `minItems` = `maxItems` = N) |
/// | `BTreeMap<String, V>`, `HashMap<String, V>` | `object` with `additionalProperties` |
/// | a type deriving `ConfigSchema` | its schema, nested (its doc comment as `title`) |
/// | `RawJson`, `Value` | `{}`: any value |
/// | `///` doc comment | first paragraph: `title`; the rest: `description` |
/// | `#[serde(rename_all = "...")]`, `#[serde(rename = "...")]` | member and variant names as serde reads them |
/// | `#[serde(default)]`, `#[serde(default = "path")]` (field or struct) | not `required` |
/// | `#[serde(skip)]`, `#[serde(skip_deserializing)]` | left out |
/// | `#[serde(deny_unknown_fields)]` | `additionalProperties: false` |
///
/// Anything else of serde's that changes what is deserialized — `flatten`, `with`,
/// `deserialize_with`, `tag`, `untagged`, `transparent`, `from`, `try_from`, enum
/// variants with data, generic types — is a compile error at the attribute: the
/// schema would say something else than serde does. Attributes that only change
/// serialization (`skip_serializing_if`, `serialize_with`, ...) and `alias` are
/// ignored (the schema names the main name).
///
/// # `#[schema(...)]`
///
/// On the type: `title = "..."` and `description = "..."`. Given either, the doc
/// comment is not used for the schema (it stays Rust documentation); the same holds on
/// a field.
/// On a field:
///
/// | Key | Schema | Checked at start |
/// |---|---|---|
/// | `title = "..."`, `description = "..."` | instead of the doc comment | |
/// | `minimum = n`, `maximum = n` | `minimum`, `maximum` | numbers (and `Option`s of them) |
/// | `exclusive_minimum = n`, `exclusive_maximum = n` | `exclusiveMinimum`, `exclusiveMaximum` | the same |
/// | `min_length = n`, `max_length = n` | `minLength`, `maxLength` | strings, in characters |
/// | `min_items = n`, `max_items = n` | `minItems`, `maxItems` | `Vec`, sets, arrays |
/// | `default = literal` | `default` (a number, string or bool) | by a generated `#[test]` |
/// | `default_json = "..."` | `default`, any JSON | the same |
///
/// A rule on a type it does not apply to (`minimum` on a `String`) does not compile.
/// `pattern` is not supported: checking it at start would put a regular expression
/// engine into every plugin.
///
/// # Defaults
///
/// The schema's `default` is what the Admin UI pre-fills; serde's default is what an
/// absent member becomes. A Rust default cannot be evaluated at compile time, so the
/// schema states one only when written, `#[schema(default = 2.5)]` next to
/// `#[serde(default = "...")]` (a `#[schema(default)]` without a serde default does
/// not compile), except for `#[serde(default)]` on `bool`, a number or `String`, whose
/// default (`false`, `0`, `""`) is stated without being written. The derive generates
/// a `#[test]` that parses each stated default as the member's type and compares it
/// with serde's (this needs `PartialEq` and `Debug` on the member's type), so
/// `cargo test` fails when they differ. (The test is a function beside the type: for a
/// type declared inside a function body the test harness cannot reach it and rustc
/// warns; call `check_defaults()` from a test of your own there.)
#[proc_macro_derive(ConfigSchema, attributes(schema))]
pub fn derive_config_schema(input: TokenStream) -> TokenStream {
    config_schema::derive(input.into()).into()
}
