//! The command line as an author uses it: `run` on a crate and on a packaged `.wasm`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the CLI; returns its exit status and the JSON events it printed.
fn cli(args: &[&str]) -> (bool, Vec<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_signalk-plugin-host-mock"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the CLI runs");
    let events = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    (out.status.success(), events)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn events_named<'a>(events: &'a [Value], name: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["event"] == name).collect()
}

#[test]
fn run_delivers_deltas_to_a_plugin_that_learns_its_own_vessel_first() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "config.json",
        r#"{"anchorLat": 52.0, "anchorLon": 4.5, "maxRadius": 75}"#,
    );
    // No context: the server makes it the own vessel, which anchor-watch waits to learn.
    let delta = write(
        dir.path(),
        "delta.json",
        r#"{"updates":[{"values":[{"path":"navigation.position","value":{"latitude":52.1,"longitude":4.5}}]}]}"#,
    );
    let (ok, events) = cli(&[
        "run",
        "examples/anchor-watch",
        "--config",
        &config,
        "--delta",
        &delta,
    ]);
    assert!(ok, "{events:#?}");
    // A crate without package.json is granted what `package` would write for it.
    let loaded = events_named(&events, "loaded");
    assert_eq!(loaded[0]["capabilities"]["putHandlers"], true, "{loaded:?}");
    let radii: Vec<f64> = events_named(&events, "delta")
        .iter()
        .flat_map(|e| {
            e["delta"]["updates"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .flat_map(|u| u["values"].as_array().cloned().unwrap_or_default())
        .filter(|v| v["path"] == "navigation.anchor.currentRadius")
        .filter_map(|v| v["value"].as_f64())
        .collect();
    // 0.1 degrees of latitude north of the anchor: about 11.1 km.
    assert_eq!(radii.len(), 1, "{events:#?}");
    assert!((radii[0] - 11_119.5).abs() < 1.0, "{radii:?}");
    assert_eq!(
        events_named(&events, "notification").len(),
        1,
        "{events:#?}"
    );
}

#[test]
fn run_reads_the_package_json_next_to_a_packaged_wasm() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("anchor-watch");
    let (ok, _) = cli(&[
        "package",
        "examples/anchor-watch",
        "--out",
        &out.display().to_string(),
    ]);
    assert!(ok);
    let wasm = out.join("plugin.wasm").display().to_string();
    let (ok, events) = cli(&["run", &wasm]);
    assert!(ok, "{events:#?}");
    let loaded = events_named(&events, "loaded");
    assert!(
        loaded[0]["package_json"]
            .as_str()
            .is_some_and(|p| p.ends_with("package.json")),
        "{loaded:?}"
    );
    assert_eq!(loaded[0]["capabilities"]["putHandlers"], true, "{loaded:?}");

    // Without its package.json the same module gets no capability, and its PUT
    // handlers are refused, as the server would refuse them.
    std::fs::remove_file(out.join("package.json")).unwrap();
    let (ok, events) = cli(&["run", &wasm]);
    assert!(!ok, "{events:#?}");
    assert_eq!(
        events_named(&events, "start_failed").len(),
        1,
        "{events:#?}"
    );
}
