//! Helpers for the cross-crate tests: build an example plugin to `wasm32-wasip1` once
//! per test process and load it under the mock host.

use std::path::PathBuf;

use signalk_plugin_host_mock::{HostOptions, MockHost, build_plugin};

/// The repository root.
#[must_use]
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Builds `examples/<name>` (cached by Cargo in `target/wasm-plugins`) and returns the
/// `.wasm` path.
///
/// # Panics
///
/// If the example does not build: the test cannot run without it.
#[must_use]
pub fn example_wasm(name: &str) -> PathBuf {
    build_plugin(repo_root().join("examples").join(name))
        .unwrap_or_else(|e| panic!("building example {name}: {e}"))
}

/// Loads `examples/<name>` with `options`.
///
/// # Panics
///
/// If the example does not build or load.
#[must_use]
pub fn load_example(name: &str, options: HostOptions) -> MockHost {
    MockHost::load(example_wasm(name), options)
        .unwrap_or_else(|e| panic!("loading example {name}: {e}"))
}
