//! Files in the plugin's virtual file system (WASI preopen `/`; §5.1).
//!
//! These are thin helpers over `std::fs` that turn the host's known failures into
//! errors that say what happened:
//!
//! - **signalk-server 2.32.0 deletes the VFS of a plugin enabled at boot** before
//!   starting it: every file operation then fails with "not found", for the life of the
//!   process. There is no guest-side workaround; [`Error::StorageUnavailable`] says so.
//! - A plugin enabled later (after boot) gets a VFS without `/data`, `/config` and
//!   `/tmp`: [`ensure_dirs`] creates them.
//! - Configuration belongs in the server's config, not here; `plugin_stop` is not called
//!   on shutdown, so write files as you go, not on stop.

use std::io;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The directories the host intends every plugin's VFS to have.
pub const STANDARD_DIRS: [&str; 3] = ["/data", "/config", "/tmp"];

fn context(path: &Path, err: io::Error) -> Error {
    if err.kind() == io::ErrorKind::NotFound && std::fs::metadata("/").is_err() {
        return Error::StorageUnavailable;
    }
    Error::Io {
        path: path.display().to_string(),
        kind: err.kind(),
        message: err.to_string(),
    }
}

/// Creates `/data`, `/config` and `/tmp` if missing.
///
/// # Errors
/// [`Error::StorageUnavailable`] when the VFS is gone (2.32.0, plugin enabled at boot);
/// [`Error::Io`] otherwise.
pub fn ensure_dirs() -> Result<()> {
    for dir in STANDARD_DIRS {
        std::fs::create_dir_all(dir).map_err(|e| context(Path::new(dir), e))?;
    }
    Ok(())
}

/// Writes a file atomically (write to a temporary name, then rename), creating parent
/// directories.
///
/// # Errors
/// As [`ensure_dirs`].
pub fn write(path: impl AsRef<Path>, data: &[u8]) -> Result<()> {
    let path = path.as_ref();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| context(parent, e))?;
    }
    let mut tmp = PathBuf::from(path);
    tmp.as_mut_os_string().push(".tmp");
    std::fs::write(&tmp, data).map_err(|e| context(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| context(path, e))
}

/// Reads a whole file; `Ok(None)` if it does not exist.
///
/// # Errors
/// As [`ensure_dirs`].
pub fn read(path: impl AsRef<Path>) -> Result<Option<Vec<u8>>> {
    let path = path.as_ref();
    match std::fs::read(path) {
        Ok(data) => Ok(Some(data)),
        Err(e) if e.kind() == io::ErrorKind::NotFound && std::fs::metadata("/").is_ok() => Ok(None),
        Err(e) => Err(context(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read_roundtrip_natively() {
        // On wasm32 the test runner preopens a fresh plugin VFS at `/`, as the server does.
        #[cfg(not(target_arch = "wasm32"))]
        let dir = std::env::temp_dir().join(format!("sk-storage-{}", std::process::id()));
        #[cfg(target_arch = "wasm32")]
        let dir = std::path::PathBuf::from("/sk-storage");
        let file = dir.join("a/b.json");
        write(&file, b"{}").unwrap();
        assert_eq!(read(&file).unwrap().as_deref(), Some(&b"{}"[..]));
        assert_eq!(read(dir.join("missing")).unwrap(), None);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
