//! `signalk-plugin-host-mock new`: the crate it writes builds and its tests pass as
//! written, both the fast native loop (`cargo test -p <crate>`) and the whole suite
//! (`cargo test`, which builds the plugin to wasm and runs it under the mock host).
//!
//! The generated crate depends on this checkout by path and builds into this
//! workspace's target directory, so it reuses what `cargo test --workspace` compiled
//! (Cargo does not hold that directory's lock while tests run).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cross_crate_tests::{RealServer, package, repo_root};
use serde_json::{Value, json};
use signalk_plugin_host_mock::scaffold::{SdkSource, new_plugin};
use signalk_plugin_host_mock::{PackageSpec, TARGET, package_plugin};

/// This workspace's target directory (integration tests get `<target>/tmp`).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target directory")
        .to_path_buf()
}

/// Runs `cargo test` with `args` in `dir`; returns its combined output, panicking
/// with it if the tests fail.
fn cargo_test(dir: &Path, args: &[&str]) -> String {
    let started = Instant::now();
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .arg("test")
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        // rustc's incremental data for a crate built at two opt-levels in one target
        // directory (the mock host: a member here, a dependency there) can go stale and
        // fail the link with undefined `anon.*` symbols; the new crate is small, so it
        // builds without incremental data.
        .env("CARGO_INCREMENTAL", "0")
        // Flags for this build (coverage, sanitizers) are not the new crate's.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "cargo test {args:?} failed:\n{text}");
    eprintln!(
        "scaffold: cargo test {args:?} passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    text
}

/// The number of passed tests `cargo test` reported, summed over its binaries.
fn passed(output: &str) -> usize {
    output
        .lines()
        .filter_map(|l| l.strip_prefix("test result: ok. "))
        .filter_map(|l| l.split(' ').next()?.parse::<usize>().ok())
        .sum()
}

#[test]
fn a_new_plugin_crate_passes_its_own_tests_as_generated() {
    let work = tempfile_dir();
    let dir = work.join("depth-alarm");
    let files = new_plugin(&dir, &SdkSource::Path(repo_root())).unwrap();
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("host-tests/tests/mock_host.rs"))
    );

    // The fast loop: the plugin's native tests alone, no wasmtime.
    let fast = cargo_test(&dir, &["-p", "depth-alarm"]);
    // The plugin's three tests and the one the schema derive adds for its defaults.
    assert_eq!(passed(&fast), 4, "{fast}");
    assert!(
        !fast.contains("mock_host"),
        "the fast loop ran the mock-host tests:\n{fast}"
    );

    // Everything: the native tests again and the plugin.wasm under the mock host.
    let all = cargo_test(&dir, &[]);
    assert_eq!(passed(&all), passed(&fast) + 2, "{all}");
    assert!(all.contains("Running tests/mock_host.rs"), "{all}");

    // And on the boat: the plugin.wasm its host tests built, packaged as the README
    // says, in signalk-server 2.32.0, fed a shallow depth by the probe plugin.
    let wasm = target_dir()
        .join("wasm-plugins")
        .join(TARGET)
        .join("release")
        .join("depth_alarm.wasm");
    let spec = PackageSpec {
        name: "depth-alarm".into(),
        version: "0.1.0".into(),
        description: String::new(),
    };
    let alarm_pkg = package_plugin(&wasm, &work.join("pkg/depth-alarm"), &spec).unwrap();
    let probe_pkg = package(
        &repo_root().join("tests/plugins/probe"),
        &work.join("pkg"),
        "sdk-probe",
    );
    let Some(real) = RealServer::start(&[
        (&alarm_pkg, json!({"minDepth": 2.0})),
        (&probe_pkg, json!({})),
    ]) else {
        return;
    };
    assert_eq!(
        real.plugin("depth-alarm")["state"],
        "running",
        "{}",
        real.log()
    );
    let depth = json!({"updates": [{"values": [
        {"path": "environment.depth.belowTransducer", "value": 1.5}]}]});
    let (status, body) = real.post("/plugins/sdk-probe/api/emit", &depth);
    assert_eq!(status, 200, "{body}");
    let alarm = wait_for(|| {
        let v = real.self_entry("notifications.environment.depth.belowTransducer");
        (v["value"]["state"] == "alarm").then_some(v)
    });
    assert!(
        alarm.is_some(),
        "no alarm in the real server; log:\n{}",
        real.log()
    );
    drop(real);
    std::fs::remove_dir_all(&work).ok();
}

/// Polls `check` for up to 10 s (the server applies deltas asynchronously).
fn wait_for(mut check: impl FnMut() -> Option<Value>) -> Option<Value> {
    for _ in 0..100 {
        if let Some(v) = check() {
            return Some(v);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    None
}

/// A fresh directory for this test under the target's temp directory.
fn tempfile_dir() -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("scaffold-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
