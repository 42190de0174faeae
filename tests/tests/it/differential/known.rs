//! The known-divergence file, `tests/differential/known-divergences.json`: a JSON array
//! of `{"scenario": "<id>", "reason": "<why the mock host cannot do better>"}`. A
//! difference in a listed scenario is reported but does not fail the suite; a listed
//! scenario that no longer differs, or does not exist, fails it, so the list stays
//! honest.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// Scenario id → reason, from the file at `path`.
///
/// # Panics
///
/// If the file cannot be read, is not an array of `{scenario, reason}` objects with
/// non-empty strings and no other members, or lists a scenario twice.
pub fn load(path: &Path) -> BTreeMap<String, String> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parses the file's text.
///
/// # Errors
///
/// A message naming the first bad entry.
pub fn parse(text: &str) -> Result<BTreeMap<String, String>, String> {
    let list: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let list = list.as_array().ok_or("not a JSON array")?;
    let mut known = BTreeMap::new();
    for (i, entry) in list.iter().enumerate() {
        let entry = entry
            .as_object()
            .ok_or_else(|| format!("entry {i} is not an object"))?;
        if let Some(extra) = entry.keys().find(|k| *k != "scenario" && *k != "reason") {
            return Err(format!("entry {i} has an unknown member {extra:?}"));
        }
        let field = |name: &str| {
            entry
                .get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("entry {i} needs a non-empty string {name:?}"))
        };
        let (scenario, reason) = (field("scenario")?, field("reason")?);
        if known
            .insert(scenario.to_owned(), reason.to_owned())
            .is_some()
        {
            return Err(format!("scenario {scenario:?} is listed twice"));
        }
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn entries_need_a_scenario_and_a_reason() {
        assert!(parse(r#"[{"scenario": "a", "reason": "why"}]"#).is_ok());
        assert!(
            parse(r#"[{"scenario": "a"}]"#)
                .unwrap_err()
                .contains("reason")
        );
        assert!(parse(r#"[{"scenario": "a", "reason": " "}]"#).is_err());
        assert!(parse(r#"[{"scenario": "a", "reason": "x", "note": 1}]"#).is_err());
        assert!(
            parse(r#"[{"scenario": "a", "reason": "x"}, {"scenario": "a", "reason": "y"}]"#)
                .unwrap_err()
                .contains("twice")
        );
        assert!(parse(r#"{"scenario": "a"}"#).is_err());
    }
}
