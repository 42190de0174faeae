//! The mock host's error type.

use std::time::Duration;

/// Why the mock host could not do what a test asked.
///
/// Guest misbehaviour is always one of these, never a panic in the host.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file is not a module signalk-server would load (§2.1), or wasmtime rejected it.
    #[error("cannot compile the plugin: {0}")]
    Compile(String),
    /// The module imports something the real host does not provide (a LinkError there:
    /// the plugin would not even be listed).
    #[error("cannot link the plugin: {0}")]
    Link(String),
    /// The module lacks an export the host needs for this operation.
    #[error("the plugin does not export `{0}`")]
    MissingExport(String),
    /// The export trapped (a panic, `unreachable`, an out-of-bounds access, ...).
    #[error("`{export}` trapped: {message}")]
    Trap {
        /// The export that was called.
        export: String,
        /// The trap as V8 words it (`unreachable`, `memory access out of bounds`, ...):
        /// what a client of the real server sees.
        message: String,
    },
    /// The export ran past [`HostOptions::call_timeout`](crate::HostOptions::call_timeout).
    /// The real server would hang here.
    #[error("`{export}` did not return within {after:?} (the real server would hang)")]
    Timeout {
        /// The export that was called.
        export: String,
        /// The budget it had.
        after: Duration,
    },
    /// The guest called `proc_exit` (WASI) during the export.
    #[error("`{export}` called proc_exit({code})")]
    Exit {
        /// The export that was called.
        export: String,
        /// The exit code.
        code: i32,
    },
    /// The guest broke the buffer protocol (§1.4): a negative length, or more bytes
    /// "written" than the buffer holds. The real host would misbehave silently.
    #[error("`{export}` broke the buffer protocol: {message}")]
    Protocol {
        /// The export that was called.
        export: String,
        /// What was wrong.
        message: String,
    },
    /// `plugin_start` returned something other than 0 (`None`: it returned nothing).
    #[error("plugin_start returned {}, not 0", code.map_or("nothing".to_owned(), |c| c.to_string()))]
    StartFailed {
        /// The returned value.
        code: Option<i32>,
    },
    /// No provider of this kind is registered (the server's API would answer 404).
    #[error("no {0} provider is registered")]
    NoProvider(String),
    /// The server's provider API would answer with an error (for example a resource
    /// list that is not JSON).
    #[error("provider call failed: {0}")]
    Provider(String),
    /// A chunked-channel transfer failed: bad order, length or checksum, or a guest
    /// error code. Nothing partial is handed on.
    #[error("chunked channel: {0}")]
    Channel(String),
    /// JSON a test handed the host (an HTTP body, a PUT value, a delta, a configuration,
    /// a provider request) nests arrays and objects deeper than
    /// [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) levels. The host refuses it before
    /// anything recursive touches it, so a 10,000-level value cannot overflow the stack.
    #[error(
        "{what} nests deeper than {limit} levels of arrays and objects: the mock host refuses it"
    )]
    TooDeep {
        /// What was refused ("the HTTP request body", "the PUT value", ...).
        what: String,
        /// [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH).
        limit: usize,
    },
    /// A value a test handed the host does not serialise to JSON (a map with non-string
    /// keys, a failing `Serialize` impl, ...).
    #[error("{0}")]
    Input(String),
    /// The request reaches a part of signalk-server the mock host does not model (a
    /// route, a kind of PUT): answering anything would be a guess.
    #[error("the mock host does not model {0}")]
    Unsupported(String),
    /// A `package.json` or its `wasmCapabilities` could not be read.
    #[error("package.json: {0}")]
    Package(String),
    /// Building a plugin crate to `wasm32-wasip1` failed.
    #[error("cannot build the plugin: {0}")]
    Build(String),
    /// A file could not be read or written.
    #[error("{context}: {source}")]
    Io {
        /// What the host was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The error as the server's JavaScript prints it (`${error}`): a trap is a
    /// `RuntimeError` with V8's message (a stack overflow a `RangeError`), so a trapping
    /// PUT handler's reply reads `Handler error: RuntimeError: unreachable`
    /// (`wasm/bindings/env-imports.js`, the `sk_register_put_handler` callback).
    ///
    /// ```
    /// use signalk_plugin_host_mock::Error;
    /// let trap = Error::Trap { export: "poll".into(), message: "unreachable".into() };
    /// assert_eq!(trap.js_string(), "RuntimeError: unreachable");
    /// ```
    #[must_use]
    pub fn js_string(&self) -> String {
        match self {
            Error::Trap { message, .. } if message == crate::guest::call::STACK_OVERFLOW => {
                format!("RangeError: {message}")
            }
            Error::Trap { message, .. } => format!("RuntimeError: {message}"),
            other => other.to_string(),
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}
