use std::fmt;

/// The SDK's error type: everything a host call or a (de)serialization can report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value could not be converted to or from JSON.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// A delta that the server would drop silently, so the SDK refuses to send it.
    #[error("invalid delta: {0}")]
    InvalidDelta(&'static str),
    /// The host answered a call with a failure code.
    #[error("the host rejected {call} (returned {code})")]
    HostRejected {
        /// The import, for example `sk_publish_notification`.
        call: &'static str,
        /// What it returned.
        code: i32,
    },
    /// Output that does not fit the fixed buffer the host provides. The real host would
    /// silently truncate it into invalid JSON; the SDK reports it instead.
    #[error("{what} is {len} bytes, but the host's buffer holds only {max}")]
    OutputTooLarge {
        /// What was being written, for example `plugin_name`.
        what: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The host buffer's size in bytes.
        max: usize,
    },
    /// `sk_read_config` returned nothing even with the largest buffer the SDK tries.
    #[error("the host returned no configuration (sk_read_config gave 0 with a {0}-byte buffer)")]
    ConfigUnavailable(usize),
    /// The plugin's file system is gone (signalk-server 2.32.0 deletes it for plugins
    /// enabled at boot).
    #[error(
        "the plugin's file system is unavailable (signalk-server 2.32.0 removes it for plugins enabled at boot; enable the plugin after boot or store data elsewhere)"
    )]
    StorageUnavailable,
    /// A file operation failed.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The kind of failure.
        kind: std::io::ErrorKind,
        /// The system's description. (Rendered where the error happens, so plugins
        /// that never touch files carry no I/O error descriptions.)
        message: String,
    },
    /// The socket is gone: the connection failed, or the peer closed it.
    #[error("the connection is closed")]
    Closed,
    /// Data sent before a TCP connection completed would be dropped by the host.
    #[error("not connected yet: the host would drop this data")]
    NotConnected,
    /// The host cut a received item to the buffer; the rest is lost.
    #[error("received data longer than {max} bytes; the host dropped the rest")]
    Truncated {
        /// The largest size the SDK reads whole.
        max: usize,
    },
    /// Registering a handler or provider with the host failed.
    #[error("{0}")]
    Registration(String),
    /// The configuration did not match the plugin's config type.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// `Result` with the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A configuration that does not match the plugin's config type: where, and what was wrong.
///
/// ```
/// #[derive(serde::Deserialize, Debug)]
/// struct Config { anchor: Anchor }
/// #[derive(serde::Deserialize, Debug)]
/// struct Anchor { radius: f64 }
///
/// let err = signalk_plugin::config::parse::<Config>(br#"{"anchor":{"radius":"far"}}"#).unwrap_err();
/// assert_eq!(err.path(), "anchor.radius");
/// assert!(err.to_string().starts_with("invalid configuration at `anchor.radius`: invalid type: string \"far\", expected f64"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    path: String,
    message: String,
}

impl ConfigError {
    pub(crate) fn new(path: String, message: String) -> Self {
        Self { path, message }
    }

    /// The dotted path of the offending member (`anchor.radius`, `zones[2].upper`), or
    /// `.` when the problem is the document itself.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What was expected and what was found, as serde reports it.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::json::write_member_error(f, "invalid configuration", &self.path, &self.message)
    }
}

impl std::error::Error for ConfigError {}
