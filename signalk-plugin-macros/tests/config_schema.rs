//! `#[derive(ConfigSchema)]` end to end: the schema text it derives (compared as JSON
//! with what serde accepts, written out here), the rules it checks, the defaults check,
//! and how `#[plugin]` and the start use it. The compile errors are in `ui/fail`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::json;
use signalk_plugin::config::schema::{NoSchema as _, Probe};
use signalk_plugin::{ConfigSchema, Plugin, PluginMetadata, PluginResult, Value, plugin};

fn schema<T: ConfigSchema>() -> Value {
    serde_json::from_str(T::SCHEMA).unwrap_or_else(|e| panic!("{}: {e}", T::SCHEMA))
}

/// Boat
///
/// What the boat is.
#[derive(Deserialize, ConfigSchema, Debug, PartialEq, Default)]
#[serde(rename_all = "kebab-case")]
struct Boat {
    /// Hull length (m)
    #[schema(exclusive_minimum = 0, maximum = 100.5)]
    hull_length: f64,
    #[serde(rename = "NAME", default)]
    #[schema(min_length = 1, max_length = 8)]
    name: String,
    #[serde(skip)]
    #[allow(dead_code)]
    cache: Vec<u8>,
    #[serde(skip_deserializing)]
    #[allow(dead_code)]
    computed: u8,
    kind: Option<Kind>,
}

#[derive(Deserialize, ConfigSchema, Debug, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Kind {
    SailBoat,
    #[serde(rename = "motor")]
    MotorBoat,
    #[serde(skip)]
    #[allow(dead_code)]
    Internal,
}

#[derive(Deserialize, ConfigSchema, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct Zone {
    #[schema(minimum = -10, maximum = 10)]
    upper: i32,
}

/// Fleet
#[derive(Deserialize, ConfigSchema, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Fleet {
    /// Flagship
    flagship: Boat,
    #[serde(default)]
    #[schema(title = "Other boats", max_items = 2)]
    others: Vec<Boat>,
    zones: [Zone; 2],
    #[serde(default)]
    by_name: BTreeMap<String, Zone>,
    tags: BTreeSet<String>,
    #[schema(minimum = 1)]
    limit: Option<u64>,
    r#type: char,
}

#[test]
fn the_schema_states_what_serde_reads() {
    let boat = json!({
        "type": "object", "title": "Boat", "description": "What the boat is.",
        "properties": {
            "hull-length": {"type": "number", "title": "Hull length (m)", "exclusiveMinimum": 0, "maximum": 100.5},
            "NAME": {"type": "string", "default": "", "minLength": 1, "maxLength": 8},
            "kind": {"type": "string", "enum": ["SAIL_BOAT", "motor"]}
        },
        "required": ["hull-length"]
    });
    assert_eq!(schema::<Boat>(), boat);
    // The field's doc comment is the title; the type's description stays.
    let mut flagship = boat.clone();
    flagship["title"] = json!("Flagship");
    let zone = json!({
        "type": "object",
        "properties": {"upper": {"type": "integer", "minimum": -10, "maximum": 10}},
        "required": ["upper"], "additionalProperties": false
    });
    assert_eq!(
        schema::<Fleet>(),
        json!({
            "type": "object", "title": "Fleet",
            "properties": {
                "flagship": flagship,
                "others": {"type": "array", "items": boat, "title": "Other boats", "maxItems": 2},
                "zones": {"type": "array", "items": zone, "minItems": 2, "maxItems": 2},
                // `#[serde(default)]` states a default only for bool, numbers and String.
                "byName": {"type": "object", "additionalProperties": zone},
                "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true},
                "limit": {"type": "integer", "minimum": 1},
                "type": {"type": "string", "minLength": 1, "maxLength": 1}
            },
            "required": ["flagship", "zones", "tags", "type"],
            "additionalProperties": false
        })
    );
}

#[test]
fn the_members_named_by_the_schema_are_the_ones_serde_accepts() {
    let fleet: Fleet = serde_json::from_value(json!({
        "flagship": {"hull-length": 12.0, "NAME": "Sula", "kind": "motor"},
        "zones": [{"upper": 1}, {"upper": 2}],
        "tags": ["a"],
        "type": "x"
    }))
    .unwrap();
    assert_eq!(fleet.flagship.kind, Some(Kind::MotorBoat));
    assert!(fleet.check_schema().is_ok());
    let kind: Kind = serde_json::from_value(json!("SAIL_BOAT")).unwrap();
    assert_eq!(kind, Kind::SailBoat);
}

fn fleet() -> Fleet {
    Fleet {
        flagship: Boat {
            hull_length: 10.0,
            name: "Sula".into(),
            ..Boat::default()
        },
        others: vec![],
        zones: [Zone { upper: 0 }, Zone { upper: 0 }],
        by_name: BTreeMap::new(),
        tags: BTreeSet::new(),
        limit: None,
        r#type: 'x',
    }
}

#[test]
fn rules_are_checked_at_every_level_and_name_the_member() {
    assert!(fleet().check_schema().is_ok());
    /// Breaks one rule of a valid fleet.
    type Break = fn(&mut Fleet);
    let cases: [(Break, &str, &str); 8] = [
        (
            |f| f.flagship.hull_length = 0.0,
            "flagship.hull-length",
            "must be greater than 0, got 0",
        ),
        (
            |f| f.flagship.hull_length = 100.6,
            "flagship.hull-length",
            "must be at most 100.5, got 100.6",
        ),
        (
            |f| f.flagship.name = String::new(),
            "flagship.NAME",
            "must have at least 1 characters, got 0",
        ),
        (
            |f| f.flagship.name = "ÅÅÅÅÅÅÅÅÅ".into(),
            "flagship.NAME",
            "must have at most 8 characters, got 9",
        ),
        (
            |f| f.zones[1].upper = 11,
            "zones[1].upper",
            "must be at most 10, got 11",
        ),
        (
            |f| {
                f.others = (0..3)
                    .map(|_| Boat {
                        hull_length: 1.0,
                        name: "a".into(),
                        ..Boat::default()
                    })
                    .collect()
            },
            "others",
            "must have at most 2 items, got 3",
        ),
        (
            |f| {
                f.by_name.insert("reef".into(), Zone { upper: -11 });
            },
            "byName.reef.upper",
            "must be at least -10, got -11",
        ),
        (|f| f.limit = Some(0), "limit", "must be at least 1, got 0"),
    ];
    for (break_it, path, message) in cases {
        let mut f = fleet();
        break_it(&mut f);
        let err = f.check_schema().unwrap_err();
        assert_eq!((err.path(), err.message()), (path, message));
    }
    let mut f = fleet();
    f.others = vec![Boat {
        hull_length: 1.0,
        name: String::new(),
        ..Boat::default()
    }];
    assert_eq!(f.check_schema().unwrap_err().path(), "others[0].NAME");
}

/// Speeds
#[derive(Deserialize, ConfigSchema, Debug)]
#[serde(default)]
struct Speeds {
    #[schema(default = 4.5)]
    cruise: f64,
    #[serde(default = "flag")]
    #[schema(default = true)]
    flag: bool,
    #[schema(default_json = r#"["a", "b"]"#)]
    names: Vec<String>,
}

impl Default for Speeds {
    fn default() -> Self {
        Speeds {
            cruise: 4.5,
            flag: false,
            names: vec!["a".into(), "b".into()],
        }
    }
}

fn flag() -> bool {
    true
}

#[test]
fn stated_defaults_are_checked_against_serdes() {
    assert_eq!(Speeds::check_defaults(), Ok(()));
    let s = schema::<Speeds>();
    assert_eq!(s["properties"]["cruise"]["default"], 4.5);
    assert_eq!(s["properties"]["names"]["default"], json!(["a", "b"]));
    assert!(s.get("required").is_none());
}

#[test]
#[allow(unnameable_test_items)]
fn a_stated_default_that_differs_from_serdes_is_found() {
    #[derive(Deserialize, ConfigSchema)]
    struct Wrong {
        #[serde(default = "three")]
        #[schema(default = 4)]
        count: u32,
        #[serde(default)]
        #[schema(default = "x")]
        name: String,
    }
    fn three() -> u32 {
        3
    }
    let err = Wrong::check_defaults().unwrap_err();
    assert_eq!(err, "`count`: the schema's default is 4 but serde's is 3");
    #[derive(Deserialize, ConfigSchema)]
    struct NotOfTheType {
        #[serde(default)]
        #[schema(default = "four")]
        count: u32,
    }
    let err = NotOfTheType::check_defaults().unwrap_err();
    assert!(err.starts_with("`count`: the schema's default \"four\" is not a value of the member's type: invalid type: string"), "{err}");
    let _ = (
        Wrong {
            count: 0,
            name: String::new(),
        }
        .count,
        NotOfTheType { count: 0 }.count,
    );
}

#[derive(Deserialize, ConfigSchema, Debug)]
#[serde(rename_all = "camelCase")]
struct Config {
    #[schema(minimum = 10)]
    max_radius: f64,
}

#[derive(Default)]
struct Anchor;

#[plugin(id = "anchor", name = "Anchor")]
impl Plugin for Anchor {
    type Config = Config;
    fn start(&mut self, config: Config) -> PluginResult {
        signalk_plugin::set_status(&format!("radius {}", config.max_radius));
        Ok(())
    }
}

#[derive(Deserialize)]
struct Plain {}

#[derive(Default)]
struct Bare;

#[plugin(id = "bare", name = "Bare")]
impl Plugin for Bare {
    type Config = Plain;
    fn start(&mut self, _: Plain) -> PluginResult {
        Ok(())
    }
}

#[derive(Default)]
struct FromFile;

#[plugin(
    id = "file",
    name = "File",
    schema = r#"{"type":"object","title":"given"}"#
)]
impl Plugin for FromFile {
    type Config = Config;
    fn start(&mut self, _: Config) -> PluginResult {
        Ok(())
    }
}

#[test]
fn plugin_serves_the_derived_schema_unless_given_one() {
    assert_eq!(Anchor::SCHEMA, Config::SCHEMA);
    assert_eq!(Bare::SCHEMA, r#"{"type":"object","properties":{}}"#);
    assert_eq!(FromFile::SCHEMA, r#"{"type":"object","title":"given"}"#);
}

#[test]
fn the_start_refuses_a_config_the_schema_forbids_naming_the_member() {
    use signalk_plugin::__private::{PluginCell, lifecycle};
    thread_local! {
        static CELL: PluginCell<Anchor> = const { PluginCell::new() };
    }
    signalk_plugin::testing::reset();
    // What the generated `plugin_start` passes: the probe's check for the config type.
    let check = Probe::<<Anchor as Plugin>::Config>::CHECK;
    assert_eq!(
        lifecycle::start_with(
            &CELL,
            br#"{"maxRadius":5,"enableDebug":false}"#,
            check,
            || Ok(())
        ),
        lifecycle::START_BAD_CONFIG
    );
    assert_eq!(
        signalk_plugin::testing::errors(),
        ["invalid configuration at `maxRadius`: must be at least 10, got 5"]
    );
    assert!(
        signalk_plugin::testing::statuses().is_empty(),
        "start was not called"
    );
    assert_eq!(
        lifecycle::start_with(&CELL, br#"{"maxRadius":10}"#, check, || Ok(())),
        lifecycle::START_OK
    );
    assert_eq!(signalk_plugin::testing::statuses(), ["radius 10"]);
    // A config type without the derive has no rules.
    assert!((Probe::<Plain>::CHECK)(&Plain {}).is_ok());
}
