//! The configuration's JSON Schema, derived from its Rust type at compile time.
//!
//! `#[derive(ConfigSchema)]` next to `#[derive(Deserialize)]` writes the schema the
//! Admin UI renders from the same struct the configuration is parsed into, reading its
//! serde attributes, so the two cannot disagree: member names after `rename_all` and
//! `rename`, what is required (no `default`, not an `Option`), nested structs, unit
//! enums, doc comments as `title` and `description`. Range attributes of its own,
//! `#[schema(minimum = 10, maximum = 1000)]`, go into the schema **and** are checked
//! when the plugin starts: a configuration the schema forbids fails the start naming
//! the member. `#[plugin]` uses the derived schema when it is given no `schema` or
//! `schema_file`.
//!
//! ```
//! use serde::Deserialize;
//! use signalk_plugin::{ConfigSchema, PluginMetadata, Plugin, PluginResult, plugin};
//!
//! /// Anchor alarm
//! #[derive(Deserialize, ConfigSchema)]
//! #[serde(rename_all = "camelCase", deny_unknown_fields)]
//! struct Config {
//!     /// Alarm radius (m)
//!     ///
//!     /// Raise the alarm when the boat is farther than this from the anchor.
//!     #[serde(default = "default_radius")]
//!     #[schema(default = 50, minimum = 10, maximum = 1000)]
//!     max_radius: f64,
//!     /// Boat name
//!     boat: Option<String>,
//! }
//! fn default_radius() -> f64 { 50.0 }
//!
//! #[derive(Default)]
//! struct Anchor;
//!
//! #[plugin(id = "anchor", name = "Anchor")]
//! impl Plugin for Anchor {
//!     type Config = Config;
//!     fn start(&mut self, _: Config) -> PluginResult { Ok(()) }
//! }
//!
//! assert_eq!(Anchor::SCHEMA, Config::SCHEMA);
//! assert_eq!(
//!     Config::SCHEMA,
//!     concat!(
//!         r#"{"type":"object","title":"Anchor alarm","properties":{"#,
//!         r#""maxRadius":{"type":"number","title":"Alarm radius (m)","#,
//!         r#""description":"Raise the alarm when the boat is farther than this from the anchor.","#,
//!         r#""default":50,"minimum":10,"maximum":1000},"#,
//!         r#""boat":{"type":"string","title":"Boat name"}},"additionalProperties":false}"#,
//!     )
//! );
//! let config = Config { max_radius: 5.0, boat: None };
//! assert_eq!(
//!     config.check_schema().unwrap_err().to_string(),
//!     "invalid configuration at `maxRadius`: must be at least 10, got 5"
//! );
//! ```
//!
//! The whole attribute reference is on [the derive](macro@crate::ConfigSchema).

mod node;
pub mod rules;
mod types;

use std::marker::PhantomData;

pub use node::{Node, Part, text_len, write_text};
use rules::RuleError;

use crate::ConfigError;

/// A type that can be a member of a configuration: its schema as a [`Node`], and the
/// rules of that schema checked on a value.
///
/// Implemented for `bool`, the integer and float types, `String`, `char`, `Option`,
/// `Box`, `Vec`, `VecDeque`, sets, arrays, maps with `String` keys, [`RawJson`](crate::RawJson)
/// and `Value` (any JSON), and by `#[derive(ConfigSchema)]`. Implement it by hand for a
/// type of your own that deserializes from something else than its shape says.
///
/// ```
/// use signalk_plugin::config::schema::{text_len, Node, Part, SchemaType};
///
/// /// A heading in degrees, parsed from a number.
/// struct Heading(f64);
/// impl SchemaType for Heading {
///     const NODE: Node = Node::new(&[
///         ("\"type\"", Part::Json("\"number\"")),
///         ("\"minimum\"", Part::Json("0")),
///         ("\"exclusiveMaximum\"", Part::Json("360")),
///     ]);
/// }
/// assert_eq!(text_len(&Heading::NODE), r#"{"type":"number","minimum":0,"exclusiveMaximum":360}"#.len());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no configuration schema",
    label = "this member's type",
    note = "derive `ConfigSchema` on it, or implement `signalk_plugin::config::schema::SchemaType` by hand"
)]
pub trait SchemaType {
    /// The type's schema.
    const NODE: Node;
    /// Whether a member of this type may be absent (an `Option`): not `required`.
    const OPTIONAL: bool = false;

    /// Checks the rules the schema states beyond types (ranges, lengths, item counts),
    /// here and in every nested value. The error's path is relative to `self`.
    ///
    /// # Errors
    /// The first value that breaks a rule.
    fn check_rules(&self) -> Result<(), RuleError> {
        Ok(())
    }
}

/// A configuration type with a JSON Schema derived at compile time: what
/// `#[derive(ConfigSchema)]` implements (see [the module](self)).
///
/// ```
/// use signalk_plugin::ConfigSchema;
///
/// #[derive(serde::Deserialize, ConfigSchema)]
/// struct Config {
///     #[schema(min_length = 1)]
///     name: String,
/// }
/// assert_eq!(
///     Config::SCHEMA,
///     r#"{"type":"object","properties":{"name":{"type":"string","minLength":1}},"required":["name"]}"#
/// );
/// let err = Config { name: String::new() }.check_schema().unwrap_err();
/// assert_eq!(err.to_string(), "invalid configuration at `name`: must have at least 1 characters, got 0");
/// ```
pub trait ConfigSchema: SchemaType {
    /// The JSON Schema, minified; checked at compile time to fit signalk-server's
    /// 8 192-byte buffer.
    const SCHEMA: &'static str;

    /// Checks the rules the schema states (`minimum`, `maxLength`, ...) on a parsed
    /// configuration; `#[plugin]` does it before `start` is called.
    ///
    /// # Errors
    /// [`ConfigError`] naming the first member that breaks a rule.
    fn check_schema(&self) -> Result<(), ConfigError> {
        self.check_rules()
            .map_err(|e| ConfigError::new(e.path().to_owned(), e.message().to_owned()))
    }

    /// Checks that every `default` the schema states is the value serde uses when the
    /// member is absent. The derive calls it from a generated `#[test]`, so
    /// `cargo test` catches a schema default that disagrees with the Rust one.
    ///
    /// # Errors
    /// A sentence naming the member and both values.
    fn check_defaults() -> Result<(), String> {
        Ok(())
    }
}

/// What `#[plugin]` asks about a configuration type that may or may not derive
/// [`ConfigSchema`]: for one that does, these inherent items are found first; for
/// any other type, those of [`NoSchema`]. Not a public API.
#[doc(hidden)]
pub struct Probe<T>(PhantomData<T>);

impl<T: ConfigSchema> Probe<T> {
    /// The derived schema.
    pub const SCHEMA: Option<&'static str> = Some(T::SCHEMA);
    /// The derived rules.
    pub const CHECK: fn(&T) -> Result<(), ConfigError> = T::check_schema;
}

/// The answers of [`Probe`] for a type without a derived schema. Not a public API.
#[doc(hidden)]
pub trait NoSchema<T> {
    /// No schema: `#[plugin]` uses its default.
    const SCHEMA: Option<&'static str> = None;
    /// No rules.
    const CHECK: fn(&T) -> Result<(), ConfigError> = unchecked::<T>;
}

impl<T> NoSchema<T> for Probe<T> {}

fn unchecked<T>(_: &T) -> Result<(), ConfigError> {
    Ok(())
}

impl ConfigSchema for crate::NoConfig {
    const SCHEMA: &'static str = r#"{"type":"object","properties":{}}"#;
}

/// Turns a derived type's tree into its text, checking the text against the host's
/// buffer; the derive expands to a call of it. Not a public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __schema_text {
    ($ty:ty) => {{
        const LEN: usize =
            $crate::config::schema::text_len(&<$ty as $crate::config::schema::SchemaType>::NODE);
        const TEXT: [u8; LEN] = $crate::config::schema::write_text::<LEN>(
            &<$ty as $crate::config::schema::SchemaType>::NODE,
        );
        match ::core::str::from_utf8(&TEXT) {
            Ok(text) => text,
            Err(_) => panic!("the derived schema is not UTF-8"),
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_CONFIG: &str = match Probe::<crate::NoConfig>::SCHEMA {
        Some(text) => text,
        None => "",
    };

    #[test]
    fn the_probe_finds_a_derived_schema_and_falls_back_otherwise() {
        assert_eq!(NO_CONFIG, r#"{"type":"object","properties":{}}"#);
        struct Plain;
        assert_eq!(Probe::<Plain>::SCHEMA, None);
        assert!((Probe::<Plain>::CHECK)(&Plain).is_ok());
    }

    /// The const writer, run at run time (a test cannot name a length per type).
    fn text(node: &Node) -> String {
        node::text(node)
    }

    #[test]
    fn every_std_type_has_valid_json() {
        macro_rules! check {
            ($($t:ty),*) => {$(
                let t = text(&<$t as SchemaType>::NODE);
                let v: serde_json::Value = serde_json::from_str(&t).unwrap_or_else(|e| panic!("{t}: {e}"));
                assert!(v.is_object(), "{t}");
            )*};
        }
        check!(bool, u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64,
            String, Box<str>, char, crate::RawJson, serde_json::Value, crate::NoConfig,
            Option<u8>, Box<f64>, Vec<Vec<String>>, std::collections::VecDeque<bool>,
            std::collections::BTreeSet<u8>, std::collections::HashSet<u8>, [f64; 3],
            std::collections::BTreeMap<String, Vec<u8>>, std::collections::HashMap<String, char>);
        assert_eq!(
            text(&<[f64; 3] as SchemaType>::NODE),
            r#"{"type":"array","items":{"type":"number"},"minItems":3,"maxItems":3}"#
        );
        assert_eq!(
            text(&<Option<Box<u64>> as SchemaType>::NODE),
            r#"{"type":"integer","minimum":0}"#
        );
        assert_eq!(
            text(&<std::collections::HashMap<String, crate::RawJson> as SchemaType>::NODE),
            r#"{"type":"object","additionalProperties":{}}"#
        );
        const { assert!(<Option<u8> as SchemaType>::OPTIONAL && !<u8 as SchemaType>::OPTIONAL) };
    }

    #[test]
    fn rules_reach_into_containers_with_the_path() {
        use std::collections::BTreeMap;
        struct Ranged(u8);
        impl SchemaType for Ranged {
            const NODE: Node = Node::new(&[]);
            fn check_rules(&self) -> Result<(), RuleError> {
                rules::maximum(&self.0, rules::Bound::int(9, "9"))
            }
        }
        let nested: BTreeMap<String, Vec<Option<Ranged>>> = BTreeMap::from([(
            "a".to_owned(),
            vec![None, Some(Ranged(1)), Some(Ranged(10))],
        )]);
        assert_eq!(nested.check_rules().unwrap_err().path(), "a[2]");
        assert!([Ranged(1), Ranged(2)].check_rules().is_ok());
    }
}
