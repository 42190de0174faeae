//! The configuration schema checks `check` runs at compile time: valid JSON, an
//! object, and small enough for the host's buffer (a larger one makes the plugin
//! vanish from the server).

use signalk_plugin_abi::buffers::METADATA;

/// The schema used when none is given: an object with no properties.
pub const DEFAULT_SCHEMA: &str = r#"{"type":"object","properties":{}}"#;

/// Parses, checks and minifies a schema. The error is a sentence for the user.
pub fn validate(text: &str) -> Result<String, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("the schema is not valid JSON: {e}"))?;
    if !value.is_object() {
        return Err("the schema must be a JSON object (a JSON Schema for the config)".into());
    }
    let minified = value.to_string();
    if minified.len() > METADATA {
        return Err(format!(
            "the schema is {} bytes minified, but signalk-server reads at most {METADATA} \
             (a longer one is truncated and the plugin disappears from the server)",
            minified.len()
        ));
    }
    Ok(minified)
}
