//! Plugin configuration: parsing what `plugin_start` receives, and reading or saving the
//! config file through the host.
//!
//! The server passes `plugin_start` the saved `configuration` object **plus an injected
//! top-level `enableDebug` boolean** (spec §7.1). [`parse`] takes that member out before
//! the plugin's type sees it, so a config type with `#[serde(deny_unknown_fields)]`
//! still works, and it reports errors with the path of the offending member.

use std::cell::Cell;
use std::fmt;

use serde::Serialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};

use crate::{ConfigError, Error, Result, abi};

/// The member signalk-server adds to every configuration it passes to `plugin_start`.
pub const ENABLE_DEBUG_KEY: &str = "enableDebug";

/// A configuration parsed from `plugin_start`'s input.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StartConfig<T> {
    /// The plugin's own configuration.
    pub config: T,
    /// The Admin UI's "enable debug" switch for this plugin.
    pub enable_debug: bool,
}

/// Parses the JSON that `plugin_start` receives into `T`, without its `enableDebug` member.
///
/// ```
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// #[serde(deny_unknown_fields)]
/// struct Config { radius: f64 }
///
/// let parsed = signalk_plugin::config::parse::<Config>(br#"{"radius":50,"enableDebug":true}"#).unwrap();
/// assert_eq!(parsed.config, Config { radius: 50.0 });
/// assert!(parsed.enable_debug);
/// ```
///
/// # Errors
/// [`ConfigError`] naming the member's path and what was expected.
pub fn parse<T: DeserializeOwned>(json: &[u8]) -> Result<StartConfig<T>, ConfigError> {
    let enable_debug = Cell::new(false);
    let mut json_de = serde_json::Deserializer::from_slice(json);
    let top = WithoutEnableDebug {
        inner: &mut json_de,
        enable_debug: &enable_debug,
    };
    let config = serde_path_to_error::deserialize(top)
        .map_err(|e| ConfigError::new(e.path().to_string(), e.into_inner().to_string()))?;
    // Reject trailing garbage after the document, as `serde_json::from_slice` does.
    json_de
        .end()
        .map_err(|e| ConfigError::new(".".to_owned(), e.to_string()))?;
    Ok(StartConfig {
        config,
        enable_debug: enable_debug.get(),
    })
}

/// Reads the saved configuration file's `configuration` member through `sk_read_config`.
///
/// Works for unscoped package names only: for a scoped name the 2.32.0 host reads the
/// wrong file and answers `{}` (spec §3.4). Prefer the config `plugin_start` receives.
///
/// # Errors
/// [`Error::ConfigUnavailable`] if the host returns nothing; [`Error::Config`] if the
/// text does not match `T`.
pub fn read<T: DeserializeOwned>() -> Result<T> {
    let text = read_raw()?;
    Ok(parse::<T>(text.as_bytes())?.config)
}

/// Reads the saved configuration as JSON text through `sk_read_config`.
///
/// The host writes nothing and returns 0 when the buffer is too small, so the SDK
/// retries with a doubled buffer, from 4 KiB up to 16 MiB.
///
/// # Errors
/// [`Error::ConfigUnavailable`] if even the largest buffer gets nothing.
pub fn read_raw() -> Result<String> {
    const FIRST: usize = 4 * 1024;
    const LAST: usize = 16 * 1024 * 1024;
    let mut size = FIRST;
    loop {
        let mut buf = vec![0u8; size];
        let written = abi::read_config(&mut buf);
        if let Ok(n @ 1..) = usize::try_from(written)
            && n <= size
        {
            buf.truncate(n);
            // The host encodes JS text, so this is always UTF-8.
            return Ok(String::from_utf8_lossy(&buf).into_owned());
        }
        if size >= LAST {
            return Err(Error::ConfigUnavailable(size));
        }
        size *= 2;
    }
}

/// Saves `config` as the `configuration` member of the plugin's config file
/// (`sk_save_config`).
///
/// The 2.32.0 server does not update its in-memory copy: the next `plugin_start` still
/// gets the old configuration, and the next save from the Admin UI overwrites this one.
/// It fails for scoped package names.
///
/// # Errors
/// [`Error::Json`] if `config` cannot be serialized, [`Error::HostRejected`] if the host
/// returns -1.
pub fn save<T: Serialize + ?Sized>(config: &T) -> Result<()> {
    let json = serde_json::to_vec(config)?;
    match abi::save_config(&json) {
        0 => Ok(()),
        code => Err(Error::HostRejected {
            call: "sk_save_config",
            code,
        }),
    }
}

// ---------------------------------------------------------------------------------------
// A deserializer adapter that removes the top-level `enableDebug` member.
// ---------------------------------------------------------------------------------------

struct WithoutEnableDebug<'a, D> {
    inner: D,
    enable_debug: &'a Cell<bool>,
}

macro_rules! forward_top_level {
    ($($method:ident $(($($arg:ident: $ty:ty),*))?,)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($($arg: $ty,)*)? visitor: V) -> Result<V::Value, D::Error> {
            self.inner.$method($($($arg,)*)? TopVisitor { inner: visitor, enable_debug: self.enable_debug })
        }
    )*};
}

impl<'de, D: de::Deserializer<'de>> de::Deserializer<'de> for WithoutEnableDebug<'_, D> {
    type Error = D::Error;

    forward_top_level! {
        deserialize_any, deserialize_bool, deserialize_i8, deserialize_i16, deserialize_i32,
        deserialize_i64, deserialize_i128, deserialize_u8, deserialize_u16, deserialize_u32,
        deserialize_u64, deserialize_u128, deserialize_f32, deserialize_f64, deserialize_char,
        deserialize_str, deserialize_string, deserialize_bytes, deserialize_byte_buf,
        deserialize_option, deserialize_unit, deserialize_seq, deserialize_map,
        deserialize_identifier, deserialize_ignored_any,
        deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
    }
}

struct TopVisitor<'a, V> {
    inner: V,
    enable_debug: &'a Cell<bool>,
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty),)*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for TopVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    forward_visit! {
        visit_bool(bool), visit_i8(i8), visit_i16(i16), visit_i32(i32), visit_i64(i64),
        visit_i128(i128), visit_u8(u8), visit_u16(u16), visit_u32(u32), visit_u64(u64),
        visit_u128(u128), visit_f32(f32), visit_f64(f64), visit_char(char), visit_str(&str),
        visit_borrowed_str(&'de str), visit_string(String), visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]), visit_byte_buf(Vec<u8>),
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.inner.visit_some(d)
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.inner.visit_newtype_struct(d)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.inner.visit_seq(seq)
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.inner.visit_enum(data)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.inner.visit_map(SkipEnableDebug {
            inner: map,
            enable_debug: self.enable_debug,
        })
    }
}

/// The top-level map, minus `enableDebug`. Keys are read as strings first (JSON keys are
/// strings) so the one to drop can be recognised before the plugin's type sees it.
struct SkipEnableDebug<'a, A> {
    inner: A,
    enable_debug: &'a Cell<bool>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for SkipEnableDebug<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(key) = self.inner.next_key::<String>()? else {
                return Ok(None);
            };
            if key == ENABLE_DEBUG_KEY {
                // A non-boolean here is the server's business, not the plugin's.
                let value: Option<bool> = self.inner.next_value::<BoolOrOther>()?.0;
                self.enable_debug.set(value.unwrap_or(false));
                continue;
            }
            return seed.deserialize(key.into_deserializer()).map(Some);
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.inner.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        None
    }
}

/// `Some(b)` for a JSON boolean, `None` for anything else (consumed and ignored).
struct BoolOrOther(Option<bool>);

impl<'de> de::Deserialize<'de> for BoolOrOther {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BoolOrOther;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<BoolOrOther, E> {
                Ok(BoolOrOther(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<BoolOrOther, E> {
                Ok(BoolOrOther(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<BoolOrOther, E> {
                Ok(BoolOrOther(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<BoolOrOther, E> {
                Ok(BoolOrOther(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<BoolOrOther, E> {
                Ok(BoolOrOther(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<BoolOrOther, E> {
                Ok(BoolOrOther(None))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<BoolOrOther, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(BoolOrOther(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BoolOrOther, A::Error> {
                while map
                    .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(BoolOrOther(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Strict {
        max_radius: f64,
        #[serde(default)]
        zones: Vec<Zone>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Zone {
        upper: f64,
    }

    #[test]
    fn strips_enable_debug_for_strict_types() {
        let parsed = parse::<Strict>(br#"{"maxRadius":75,"enableDebug":true}"#).unwrap();
        assert_eq!(parsed.config.max_radius, 75.0);
        assert!(parsed.enable_debug);
        let parsed = parse::<Strict>(br#"{"enableDebug":false,"maxRadius":1}"#).unwrap();
        assert!(!parsed.enable_debug);
    }

    #[test]
    fn still_rejects_real_unknown_fields() {
        let err = parse::<Strict>(br#"{"maxRadius":75,"bogus":1}"#).unwrap_err();
        assert!(err.message().contains("unknown field `bogus`"), "{err}");
    }

    #[test]
    fn only_the_top_level_member_is_removed() {
        let parsed = parse::<BTreeMap<String, serde_json::Value>>(
            br#"{"a":{"enableDebug":1},"enableDebug":true}"#,
        )
        .unwrap();
        assert_eq!(parsed.config.len(), 1);
        assert_eq!(parsed.config["a"]["enableDebug"], 1);
    }

    #[test]
    fn errors_name_the_nested_path() {
        let err =
            parse::<Strict>(br#"{"maxRadius":1,"zones":[{"upper":1},{"upper":"x"}]}"#).unwrap_err();
        assert_eq!(err.path(), "zones[1].upper");
        assert!(err.message().contains("expected f64"), "{err}");
    }

    #[test]
    fn missing_field_and_bad_json_are_errors() {
        let err = parse::<Strict>(br#"{"enableDebug":false}"#).unwrap_err();
        assert!(
            err.to_string().contains("missing field `maxRadius`"),
            "{err}"
        );
        assert!(parse::<Strict>(b"{\"maxRadius\":").is_err());
        assert!(parse::<Strict>(br#"{"maxRadius":1} trailing"#).is_err());
        assert!(parse::<Strict>(b"5").is_err());
    }

    #[test]
    fn non_boolean_enable_debug_is_ignored() {
        let parsed = parse::<Strict>(br#"{"enableDebug":{"x":[1]},"maxRadius":2}"#).unwrap();
        assert!(!parsed.enable_debug);
    }

    #[test]
    fn read_and_save_go_through_the_host() {
        crate::testing::reset();
        crate::testing::set_saved_config(r#"{"maxRadius":9}"#);
        let cfg: Strict = read().unwrap();
        assert_eq!(cfg.max_radius, 9.0);
        save(&serde_json::json!({"maxRadius": 10})).unwrap();
        assert_eq!(read_raw().unwrap(), r#"{"maxRadius":10}"#);
    }

    #[test]
    fn read_grows_its_buffer_past_the_first_try() {
        crate::testing::reset();
        let big = format!(r#"{{"maxRadius":1,"pad":"{}"}}"#, "x".repeat(100_000));
        crate::testing::set_saved_config(big.clone());
        assert_eq!(read_raw().unwrap(), big);
    }
}
