//! `new`: a ready plugin crate, so an author starts from something that builds, tests
//! and runs instead of a blank page.
//!
//! The crate is its own Cargo workspace with two members: the plugin (native unit tests,
//! no wasmtime in its build) and `host-tests/` (builds the plugin to wasm and runs it
//! under this mock host). `cargo test -p <crate>` stays fast; `cargo test` runs both.
//! The files are templates under `templates/plugin/` in this crate, filled in here.

use std::path::{Path, PathBuf};

use crate::Error;

/// Where the new crate gets the SDK and the mock host from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdkSource {
    /// crates.io, at this crate's own version.
    Registry,
    /// A local checkout of the signalk-plugin workspace (its root directory).
    Path(PathBuf),
}

/// One template: where it goes in the new crate, and its text.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../templates/plugin/Cargo.toml.in"),
    ),
    (
        "README.md",
        include_str!("../templates/plugin/README.md.in"),
    ),
    (
        ".gitignore",
        include_str!("../templates/plugin/gitignore.in"),
    ),
    (
        ".cargo/config.toml",
        include_str!("../templates/plugin/.cargo/config.toml.in"),
    ),
    (
        "src/lib.rs",
        include_str!("../templates/plugin/src/lib.rs.in"),
    ),
    (
        "host-tests/Cargo.toml",
        include_str!("../templates/plugin/host-tests/Cargo.toml.in"),
    ),
    (
        "host-tests/src/lib.rs",
        include_str!("../templates/plugin/host-tests/src/lib.rs.in"),
    ),
    (
        "host-tests/tests/mock_host.rs",
        include_str!("../templates/plugin/host-tests/tests/mock_host.rs.in"),
    ),
];

/// Writes a new plugin crate into `dir` (which must not exist or be empty) and returns
/// the files written. The crate name is the directory's name.
///
/// # Errors
///
/// [`Error::Input`] when `dir` is not empty, its name is not a valid crate name, or the
/// SDK path is not a signalk-plugin checkout; [`Error::Io`] when writing fails.
///
/// ```
/// use signalk_plugin_host_mock::scaffold::{SdkSource, new_plugin};
/// let dir = std::env::temp_dir().join(format!("depth-alarm-doc-{}", std::process::id()));
/// let files = new_plugin(&dir, &SdkSource::Registry)?;
/// assert!(files.iter().any(|f| f.ends_with("src/lib.rs")));
/// let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
/// assert!(manifest.contains(&format!("name = \"depth-alarm-doc-{}\"", std::process::id())));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), signalk_plugin_host_mock::Error>(())
/// ```
pub fn new_plugin(dir: &Path, sdk: &SdkSource) -> Result<Vec<PathBuf>, Error> {
    let name = crate_name(dir)?;
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir)
            .map_err(|e| Error::io(format!("reading {}", dir.display()), e))?;
        if entries.next().is_some() {
            return Err(Error::Input(format!(
                "{} exists and is not empty; `new` only writes into a new or empty directory",
                dir.display()
            )));
        }
    }
    let (sdk_dep, mock_dep) = dependencies(sdk)?;
    let title = title(&name);
    let mut written = Vec::with_capacity(TEMPLATES.len());
    for (relative, template) in TEMPLATES {
        let text = template
            .replace("{{crate}}", &name)
            .replace("{{title}}", &title)
            .replace(
                "{{alarm}}",
                "notifications.environment.depth.belowTransducer",
            )
            .replace("{{sdk_dep}}", &sdk_dep)
            .replace("{{mock_dep}}", &mock_dep);
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
        }
        std::fs::write(&path, text)
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        written.push(path);
    }
    Ok(written)
}

/// The directory's name, if Cargo would take it as a package name.
fn crate_name(dir: &Path) -> Result<String, Error> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::Input(format!("{} has no usable directory name", dir.display())))?;
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(Error::Input(format!(
            "`{name}` cannot be a crate name: use ASCII letters, digits, `-` and `_`, starting with a letter"
        )));
    }
    Ok(name.to_owned())
}

/// `depth-alarm` → `Depth alarm`: the plugin's display name until the author picks one.
fn title(name: &str) -> String {
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// The `[dependencies]` line for the SDK and the `[dev-dependencies]` line for the mock
/// host (without its CLI, which a test never needs).
fn dependencies(sdk: &SdkSource) -> Result<(String, String), Error> {
    match sdk {
        SdkSource::Registry => {
            let version = env!("CARGO_PKG_VERSION");
            Ok((
                format!("signalk-plugin = \"{version}\""),
                format!(
                    "signalk-plugin-host-mock = {{ version = \"{version}\", default-features = false }}"
                ),
            ))
        }
        SdkSource::Path(root) => {
            let root = root.canonicalize().map_err(|e| {
                Error::io(format!("finding the SDK checkout {}", root.display()), e)
            })?;
            for member in ["signalk-plugin", "signalk-plugin-host-mock"] {
                if !root.join(member).join("Cargo.toml").is_file() {
                    return Err(Error::Input(format!(
                        "{} is not a signalk-plugin checkout: {member}/Cargo.toml is missing",
                        root.display()
                    )));
                }
            }
            let path = |member: &str| toml_string(&root.join(member));
            Ok((
                format!("signalk-plugin = {{ path = {} }}", path("signalk-plugin")),
                format!(
                    "signalk-plugin-host-mock = {{ path = {}, default-features = false }}",
                    path("signalk-plugin-host-mock")
                ),
            ))
        }
    }
}

/// A path as a TOML basic string (JSON's escaping is a subset TOML accepts).
fn toml_string(path: &Path) -> String {
    serde_json::Value::from(path.to_string_lossy().into_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cargo_would_refuse_are_refused() {
        for bad in ["1plugin", "my plugin", "ünicode", ""] {
            assert!(crate_name(Path::new(bad)).is_err(), "{bad:?}");
        }
        assert_eq!(
            crate_name(Path::new("/x/depth_alarm-2")).unwrap(),
            "depth_alarm-2"
        );
    }

    #[test]
    fn titles_read_like_names() {
        assert_eq!(title("depth-alarm"), "Depth alarm");
        assert_eq!(title("x"), "X");
    }

    #[test]
    fn a_non_empty_directory_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("taken");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("keep.txt"), "mine").unwrap();
        let err = new_plugin(&target, &SdkSource::Registry).unwrap_err();
        assert!(err.to_string().contains("not empty"), "{err}");
        assert_eq!(
            std::fs::read_to_string(target.join("keep.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn every_placeholder_is_filled() {
        let dir = tempfile::tempdir().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let files = new_plugin(&dir.path().join("p"), &SdkSource::Path(root)).unwrap();
        assert_eq!(files.len(), TEMPLATES.len());
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(!text.contains("{{"), "{}: {text}", file.display());
        }
    }

    #[test]
    fn a_path_that_is_not_a_checkout_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = dependencies(&SdkSource::Path(dir.path().to_owned())).unwrap_err();
        assert!(
            err.to_string()
                .contains("signalk-plugin/Cargo.toml is missing"),
            "{err}"
        );
    }
}
