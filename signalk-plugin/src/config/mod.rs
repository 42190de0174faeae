//! Plugin configuration: parsing what `plugin_start` receives, and reading or saving the
//! config file through the host.
//!
//! The server passes `plugin_start` the saved `configuration` object **plus an injected
//! top-level `enableDebug` boolean** (§7.1). [`parse`] takes that member out before
//! the plugin's type sees it, so a config type with `#[serde(deny_unknown_fields)]`
//! still works, and it reports errors with the path of the offending member.
//!
//! [`schema`]: the configuration's JSON Schema derived from its type
//! (`#[derive(ConfigSchema)]`), with the ranges it states checked at start.

pub mod schema;

use serde::Serialize;
use serde::de::DeserializeOwned;

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
    let text =
        crate::json::as_text(json).map_err(|e| ConfigError::new(".".to_owned(), e.to_string()))?;
    // The member is cut out of the text rather than skipped by a deserializer adapter:
    // same effect, a fraction of the code in every plugin.
    let (text, enable_debug) = match crate::json::scan::top_level_member(text, ENABLE_DEBUG_KEY) {
        Some((cut, value)) => {
            let enable_debug = &text[value] == "true";
            let mut rest = text.to_owned();
            rest.replace_range(cut, "");
            (std::borrow::Cow::Owned(rest), enable_debug)
        }
        None => (std::borrow::Cow::Borrowed(text), false),
    };
    let config = crate::json::from_str_at_path::<T>(&text)
        .map_err(|(path, e)| ConfigError::new(path, e.to_string()))?;
    Ok(StartConfig {
        config,
        enable_debug,
    })
}

/// Reads the saved configuration file's `configuration` member through `sk_read_config`.
///
/// Works for unscoped package names only: for a scoped name the 2.32.0 host reads the
/// wrong file and answers `{}` (§3.4). Prefer the config `plugin_start` receives.
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
        if let Some(n) = abi::read_config(&mut buf) {
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
    abi::save_config(&json).map_err(crate::error::rejected("sk_save_config"))
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
    fn paths_on_multi_line_input() {
        let text = b"{\n  \"maxRadius\": 1,\n  \"zones\": [\n    {\"upper\": true}\n  ]\n}";
        let err = parse::<Strict>(text).unwrap_err();
        assert_eq!(err.path(), "zones[0].upper", "{err}");
    }

    #[test]
    fn errors_quoting_a_100_kb_config_are_bounded() {
        let limit = crate::ERROR_TEXT_LIMIT + 1;
        let value = "x".repeat(100_000);
        let err = parse::<Strict>(format!(r#"{{"maxRadius":"{value}"}}"#).as_bytes()).unwrap_err();
        assert_eq!(err.path(), "maxRadius");
        assert_eq!(err.message().chars().count(), limit);
        assert!(
            err.message()
                .ends_with("\", expected f64 at line 1 column 100015"),
            "{err}"
        );
        let text = err.to_string();
        assert_eq!(text.chars().count(), limit);
        assert!(
            text.starts_with("invalid configuration at `maxRadius`: invalid type: string \"xxx"),
            "{text}"
        );
        // A 100 KB member name, as the path and inside serde's message.
        let key = "k".repeat(100_000);
        let err = parse::<BTreeMap<String, BTreeMap<String, f64>>>(
            format!(r#"{{"{key}":{{"a":true}}}}"#).as_bytes(),
        )
        .unwrap_err();
        assert_eq!(err.path().chars().count(), limit);
        assert_eq!(err.to_string().chars().count(), limit);
        let err =
            parse::<Strict>(format!(r#"{{"maxRadius":1,"{key}":1}}"#).as_bytes()).unwrap_err();
        assert!(err.message().starts_with("unknown field `kkk"), "{err}");
        assert_eq!(err.to_string().chars().count(), limit);
    }

    #[test]
    fn a_100_kb_bad_config_sets_a_bounded_error() {
        use crate::__private::{PluginCell, lifecycle};
        #[derive(Default)]
        struct P;
        impl crate::Plugin for P {
            type Config = Strict;
            fn start(&mut self, _: Strict) -> crate::PluginResult {
                Ok(())
            }
        }
        thread_local! {
            static CELL: PluginCell<P> = const { PluginCell::new() };
        }
        crate::testing::reset();
        let config = format!(r#"{{"maxRadius":"{}"}}"#, "x".repeat(100_000));
        assert_eq!(
            lifecycle::start(&CELL, config.as_bytes()),
            lifecycle::START_BAD_CONFIG
        );
        let errors = crate::testing::errors();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].chars().count(), crate::ERROR_TEXT_LIMIT + 1);
        assert!(
            errors[0].starts_with("invalid configuration at `maxRadius`"),
            "{}",
            errors[0]
        );
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
