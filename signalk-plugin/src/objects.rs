//! Structs from JSON objects only.
//!
//! serde's derive accepts a JSON array for a struct with named fields, its members in
//! declaration order: `[52, 4]` reads as `Position { latitude: 52.0, longitude: 4.0 }`
//! although the schema says object. The SDK reads what it decodes for a plugin — the
//! configuration, a PUT value, an HTTP body ([`HttpRequest::json`]) — through
//! [`ObjectOnly`], so a struct at the top of that input must be a JSON object: an array
//! is refused like any other wrong type (`invalid type: sequence, expected struct
//! Position`). Structs nested inside it are read by their own derive; give such a field
//! `#[serde(deserialize_with = "signalk_plugin::object_only")]` to hold it to the same rule.
//!
//! [`HttpRequest::json`]: crate::http::HttpRequest::json

use serde::Deserialize;
use serde::de::{Deserializer, Visitor};

/// Reads `text` as `T`; a struct at the top must be a JSON object (see the module docs).
pub(crate) fn from_str<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(ObjectOnly(&mut de))?;
    de.end()?;
    Ok(value)
}

/// Reads a struct from a JSON object only, never from an array: for a field whose type
/// is a struct, `#[serde(deserialize_with = "signalk_plugin::object_only")]`. (The SDK already
/// holds the top level of a configuration, PUT value or HTTP body to this rule.)
///
/// ```
/// use serde::Deserialize;
///
/// #[derive(Deserialize, Debug, PartialEq)]
/// struct Position { latitude: f64, longitude: f64 }
///
/// #[derive(Deserialize, Debug, PartialEq)]
/// struct Drop {
///     #[serde(deserialize_with = "signalk_plugin::object_only")]
///     position: Position,
/// }
///
/// let ok: Drop = signalk_plugin::serde_json::from_str(
///     r#"{"position":{"latitude":52,"longitude":4}}"#,
/// ).unwrap();
/// assert_eq!(ok.position.latitude, 52.0);
/// let err = signalk_plugin::serde_json::from_str::<Drop>(r#"{"position":[52,4]}"#).unwrap_err();
/// assert!(err.to_string().starts_with("invalid type: sequence, expected struct Position"));
/// ```
///
/// # Errors
/// The deserializer's error for anything but an object, or for what the object holds.
pub fn object_only<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(ObjectOnly(deserializer))
}

/// A deserializer that hands a struct's visitor to `deserialize_map`, where serde's
/// derive offers it to `deserialize_struct`: JSON's `deserialize_struct` also accepts an
/// array, `deserialize_map` only an object. Everything else goes to the inner
/// deserializer unchanged.
struct ObjectOnly<D>(D);

/// Forwards each listed method to the same method of the inner deserializer (not to
/// `deserialize_any`: serde_json's `deserialize_newtype_struct` is how `RawValue` works,
/// its `deserialize_option` how `null` becomes `None`).
macro_rules! forward {
    ($($method:ident $(($($arg:ident: $ty:ty),*))?;)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($($arg: $ty,)*)? visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method($($($arg,)*)? visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    forward! {
        deserialize_any;
        deserialize_bool;
        deserialize_i8;
        deserialize_i16;
        deserialize_i32;
        deserialize_i64;
        deserialize_i128;
        deserialize_u8;
        deserialize_u16;
        deserialize_u32;
        deserialize_u64;
        deserialize_u128;
        deserialize_f32;
        deserialize_f64;
        deserialize_char;
        deserialize_str;
        deserialize_string;
        deserialize_bytes;
        deserialize_byte_buf;
        deserialize_option;
        deserialize_unit;
        deserialize_seq;
        deserialize_map;
        deserialize_identifier;
        deserialize_ignored_any;
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RawJson;
    use std::collections::BTreeMap;

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Position {
        latitude: f64,
        longitude: f64,
    }

    #[test]
    fn a_struct_at_the_top_must_be_an_object() {
        let p: Position = from_str(r#"{"latitude":52,"longitude":4}"#).unwrap();
        assert_eq!(p.latitude, 52.0);
        // serde_json alone takes the array.
        assert!(serde_json::from_str::<Position>("[52,4]").is_ok());
        let err = from_str::<Position>("[52,4]").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid type: sequence, expected struct Position at line 1"),
            "{err}"
        );
        assert!(from_str::<Position>("[]").is_err());
        assert!(from_str::<Position>(r#"{"latitude":52,"longitude":4} x"#).is_err());
    }

    #[test]
    fn everything_else_reads_as_before() {
        assert_eq!(from_str::<f64>("1.5").unwrap(), 1.5);
        assert_eq!(from_str::<Vec<u8>>("[1,2]").unwrap(), [1, 2]);
        assert_eq!(from_str::<(f64, f64)>("[52,4]").unwrap(), (52.0, 4.0));
        assert_eq!(from_str::<Option<Position>>("null").unwrap(), None);
        let map: BTreeMap<String, u8> = from_str(r#"{"a":1}"#).unwrap();
        assert_eq!(map["a"], 1);
        let raw: RawJson = from_str(r#" [52, 4] "#).unwrap();
        assert_eq!(raw.parse::<Vec<f64>>().unwrap(), [52.0, 4.0]);
        #[derive(Deserialize, Debug, PartialEq)]
        enum Mode {
            On,
            Off,
        }
        assert_eq!(from_str::<Mode>(r#""Off""#).unwrap(), Mode::Off);
        #[derive(Deserialize, Debug, PartialEq)]
        struct Radius(f64);
        assert_eq!(from_str::<Radius>("60").unwrap(), Radius(60.0));
    }

    #[test]
    fn nested_structs_follow_their_own_rule() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Loose {
            position: Position,
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Strict {
            #[serde(deserialize_with = "crate::object_only")]
            position: Position,
        }
        assert!(from_str::<Loose>(r#"{"position":[52,4]}"#).is_ok());
        let err = from_str::<Strict>(r#"{"position":[52,4]}"#).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid type: sequence, expected struct Position"),
            "{err}"
        );
        assert!(from_str::<Strict>(r#"{"position":{"latitude":1,"longitude":2}}"#).is_ok());
    }
}
