//! Building a plugin crate to `wasm32-wasip1` from a test or the CLI.
//!
//! The build uses the crate's release profile (the recommended size profile lives in
//! the workspace root) and its own directory, `wasm-plugins` inside the crate's Cargo
//! target directory (`target/` under its workspace, or wherever `CARGO_TARGET_DIR` or
//! `build.target-dir` puts it), so it never fights the test build for Cargo's lock or
//! rebuilds the host's dependencies for wasm. Cargo's own incremental build is the cache; within
//! one process each crate is built at most once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use crate::Error;

/// The WebAssembly target plugins are built for.
pub const TARGET: &str = "wasm32-wasip1";

/// Builds the plugin crate at `crate_dir` for `wasm32-wasip1` (release profile) and
/// returns the path of its `.wasm`.
///
/// Installs the `wasm32-wasip1` target with rustup first if the toolchain lacks it.
///
/// # Errors
///
/// [`Error::Build`] with Cargo's output if the crate does not build or has no `cdylib`.
///
/// ```no_run
/// let wasm = signalk_plugin_host_mock::build_plugin("examples/hello")?;
/// assert!(wasm.ends_with("hello.wasm"));
/// # Ok::<(), signalk_plugin_host_mock::Error>(())
/// ```
pub fn build_plugin(crate_dir: impl AsRef<Path>) -> Result<PathBuf, Error> {
    static BUILT: OnceLock<Mutex<HashMap<PathBuf, PathBuf>>> = OnceLock::new();
    let dir = crate_dir
        .as_ref()
        .canonicalize()
        .map_err(|e| Error::io(format!("finding {}", crate_dir.as_ref().display()), e))?;
    let built = BUILT.get_or_init(Mutex::default);
    // Holding the lock while building serialises builds in this process; Cargo would
    // serialise them on its target-dir lock anyway.
    let mut built = built.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(wasm) = built.get(&dir) {
        return Ok(wasm.clone());
    }
    ensure_target()?;
    let manifest = dir.join("Cargo.toml");
    let meta = metadata(&manifest)?;
    // Cargo resolves `CARGO_TARGET_DIR` and `build.target-dir` into `target_directory`.
    let target_dir = meta["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| Error::Build("cargo metadata gave no target_directory".into()))?
        .join("wasm-plugins");
    let lib = cdylib_name(&meta, &manifest)?;
    let output = cargo()
        .args(["build", "--release", "--target", TARGET, "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .output()
        .map_err(|e| Error::io("running cargo", e))?;
    if !output.status.success() {
        return Err(Error::Build(format!(
            "cargo build of {} failed:\n{}",
            manifest.display(),
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let wasm = target_dir
        .join(TARGET)
        .join("release")
        .join(format!("{lib}.wasm"));
    if !wasm.is_file() {
        return Err(Error::Build(format!(
            "cargo succeeded but {} is missing",
            wasm.display()
        )));
    }
    built.insert(dir, wasm.clone());
    Ok(wasm)
}

/// Name, version and description of the package whose manifest is in `crate_dir`.
pub(crate) fn crate_info(crate_dir: &Path) -> Result<(String, String, String), Error> {
    let manifest = crate_dir
        .canonicalize()
        .map_err(|e| Error::io(format!("finding {}", crate_dir.display()), e))?
        .join("Cargo.toml");
    let meta = metadata(&manifest)?;
    let package = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["manifest_path"].as_str().map(Path::new) == Some(manifest.as_path()))
        .ok_or_else(|| Error::Build(format!("{} is not a package manifest", manifest.display())))?;
    let field = |k: &str| package[k].as_str().unwrap_or_default().to_owned();
    Ok((field("name"), field("version"), field("description")))
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // Flags meant for the host build (coverage, sanitizers) must not leak into wasm.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn metadata(manifest: &Path) -> Result<Value, Error> {
    let mut cmd = cargo();
    // Unlike the build's flags, the user's target directory is wanted: it is where the
    // wasm build goes too (the build passes it back as `--target-dir`).
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    let out = cmd
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .map_err(|e| Error::io("running cargo metadata", e))?;
    if !out.status.success() {
        return Err(Error::Build(format!(
            "cargo metadata for {} failed:\n{}",
            manifest.display(),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    serde_json::from_slice(&out.stdout)
        .map_err(|e| Error::Build(format!("cargo metadata output: {e}")))
}

/// The artifact name of the package's `cdylib` target.
fn cdylib_name(meta: &Value, manifest: &Path) -> Result<String, Error> {
    let package = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["manifest_path"].as_str().map(Path::new) == Some(manifest))
        .ok_or_else(|| Error::Build(format!("{} is not a package manifest", manifest.display())))?;
    package["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| {
            t["crate_types"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "cdylib"))
        })
        .and_then(|t| t["name"].as_str())
        .map(|n| n.replace('-', "_"))
        .ok_or_else(|| {
            Error::Build(format!(
                "{} has no cdylib target; add `[lib] crate-type = [\"cdylib\", \"rlib\"]`",
                manifest.display()
            ))
        })
}

/// `rustup target add wasm32-wasip1` unless the active toolchain has it.
fn ensure_target() -> Result<(), Error> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let sysroot = Command::new(rustc)
            .args(["--print", "sysroot"])
            .output()
            .map_err(|e| format!("running rustc: {e}"))?;
        let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
        if sysroot.join("lib/rustlib").join(TARGET).is_dir() {
            return Ok(());
        }
        let status = Command::new("rustup")
            .args(["target", "add", TARGET])
            .status()
            .map_err(|e| format!("the {TARGET} target is missing and rustup could not run: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`rustup target add {TARGET}` failed"))
        }
    })
    .clone()
    .map_err(Error::Build)
}
