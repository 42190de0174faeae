//! Turning a built plugin into the folder signalk-server installs: `package.json` (with
//! `wasmManifest`, the derived `wasmCapabilities` and the discovery keywords) next to
//! `plugin.wasm` (§6.1–6.3).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use signalk_plugin_abi::Capability;

use crate::{Capabilities, Error, HostOptions, MockHost, engine};

/// What goes into `package.json` besides what the module itself tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSpec {
    /// npm package name (becomes the server's `$source` and, with `@`/`/` → `_`, the id).
    pub name: String,
    /// Package version.
    pub version: String,
    /// One-line description for the plugin list.
    pub description: String,
}

/// The capabilities a module needs, read from its imports and exports: exactly what
/// the server checks (§6.3), so the plugin is neither refused nor over-privileged.
///
/// # Errors
///
/// [`Error::Compile`] if the bytes are not a module.
///
/// ```no_run
/// let wasm = std::fs::read("plugin.wasm").unwrap();
/// let caps = signalk_plugin_host_mock::required_capabilities(&wasm)?;
/// # Ok::<(), signalk_plugin_host_mock::Error>(())
/// ```
pub fn required_capabilities(wasm: &[u8]) -> Result<Capabilities, Error> {
    let module = engine::compile(wasm)?;
    let mut caps = Capabilities::default();
    for import in module.imports() {
        let name = import.name();
        let needed = match import.module() {
            "as-fetch" => Some(Capability::Network),
            "env" if name == "sk_register_put_handler" => Some(Capability::PutHandlers),
            "env" if name.starts_with("sk_udp_") || name.starts_with("sk_tcp_") => {
                Some(Capability::RawSockets)
            }
            "env" if name == "sk_register_resource_provider" => Some(Capability::ResourceProvider),
            "env" if name == "sk_register_weather_provider" => Some(Capability::WeatherProvider),
            "env" if name == "sk_register_radar_provider" || name == "sk_radar_emit_spokes" => {
                Some(Capability::RadarProvider)
            }
            _ => None,
        };
        if let Some(cap) = needed {
            caps = caps.with(cap);
        }
    }
    if module.get_export("http_endpoints").is_some() {
        // Not enforced by 2.32.0, but documented: declare it.
        caps = caps.with(Capability::HttpEndpoints);
    }
    Ok(caps)
}

/// The `package.json` for a plugin module.
///
/// # Errors
///
/// As [`required_capabilities`], and [`MockHost::from_bytes`] (the display name is read
/// by loading the module).
pub fn package_json(wasm: &[u8], spec: &PackageSpec) -> Result<Value, Error> {
    let caps = required_capabilities(wasm)?;
    let host = MockHost::from_bytes(
        wasm,
        HostOptions::new(&spec.name).capabilities(caps.clone()),
    )?;
    Ok(json!({
        "name": spec.name,
        "version": spec.version,
        "description": spec.description,
        "keywords": ["signalk-node-server-plugin", "signalk-wasm-plugin"],
        "wasmManifest": "plugin.wasm",
        "wasmCapabilities": caps.to_json(),
        "signalk": {"displayName": host.name()},
    }))
}

/// Writes `out_dir/package.json` and `out_dir/plugin.wasm`; returns `out_dir`. Copy or
/// `npm install` that folder into the server's config directory (`~/.signalk`).
///
/// # Errors
///
/// As [`package_json`], and [`Error::Io`] when writing.
pub fn package_plugin(
    wasm_path: &Path,
    out_dir: &Path,
    spec: &PackageSpec,
) -> Result<PathBuf, Error> {
    let wasm = std::fs::read(wasm_path)
        .map_err(|e| Error::io(format!("reading {}", wasm_path.display()), e))?;
    let manifest = package_json(&wasm, spec)?;
    std::fs::create_dir_all(out_dir)
        .map_err(|e| Error::io(format!("creating {}", out_dir.display()), e))?;
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    std::fs::write(out_dir.join("package.json"), text + "\n")
        .map_err(|e| Error::io("writing package.json", e))?;
    std::fs::write(out_dir.join("plugin.wasm"), &wasm)
        .map_err(|e| Error::io("writing plugin.wasm", e))?;
    Ok(out_dir.to_path_buf())
}

/// Builds the plugin crate at `crate_dir` and packages it under `out_dir`, taking name,
/// version and description from its `Cargo.toml` unless `name` is given.
///
/// # Errors
///
/// As [`crate::build_plugin`] and [`package_plugin`].
pub fn package_crate(
    crate_dir: &Path,
    out_dir: &Path,
    name: Option<&str>,
) -> Result<PathBuf, Error> {
    let wasm = crate::build_plugin(crate_dir)?;
    let (crate_name, version, description) = crate::build::crate_info(crate_dir)?;
    let spec = PackageSpec {
        name: name.map_or(crate_name, str::to_owned),
        version,
        description,
    };
    package_plugin(&wasm, out_dir, &spec)
}
