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

use cross_crate_tests::repo_root;
use signalk_plugin_host_mock::scaffold::{SdkSource, new_plugin};

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
    assert_eq!(passed(&fast), 2, "{fast}");
    assert!(
        !fast.contains("mock_host"),
        "the fast loop ran the mock-host tests:\n{fast}"
    );

    // Everything: the native tests again and the plugin.wasm under the mock host.
    let all = cargo_test(&dir, &[]);
    assert_eq!(passed(&all), 4, "{all}");
    assert!(all.contains("Running tests/mock_host.rs"), "{all}");
    std::fs::remove_dir_all(&work).ok();
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
