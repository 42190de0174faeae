//! Helpers for the cross-crate tests: build an example plugin to `wasm32-wasip1` once
//! per test process and load it under the mock host, or write a raw plugin in WAT
//! ([`WatPlugin`]).

use std::fmt::Write as _;
use std::path::PathBuf;

use signalk_plugin_host_mock::{HostOptions, MockHost, build_plugin};

pub mod raw_http;
mod real_server;
pub mod ws_put;
pub use raw_http::RawResponse;
pub use real_server::{Diffs, RealServer, package, realhost};

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

/// One of the functions a raw plugin may export; [`WatPlugin`] writes each from a fixed
/// template (the `memory` export is always there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// `allocate(n) -> ptr`: the bump allocator.
    Allocate,
    /// `deallocate(ptr, len)`: does nothing.
    Deallocate,
    /// `plugin_id(out, max) -> 0`.
    PluginId,
    /// `plugin_name(out, max) -> 0`.
    PluginName,
    /// `plugin_schema(out, max) -> 0`.
    PluginSchema,
    /// `plugin_start(config_ptr, config_len) -> i32`, body from [`WatPlugin::start`].
    PluginStart,
    /// `plugin_stop() -> 0`.
    PluginStop,
    /// `poll() -> i32`, body from [`WatPlugin::poll`].
    Poll,
}

impl Export {
    /// The export's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Export::Allocate => "allocate",
            Export::Deallocate => "deallocate",
            Export::PluginId => "plugin_id",
            Export::PluginName => "plugin_name",
            Export::PluginSchema => "plugin_schema",
            Export::PluginStart => "plugin_start",
            Export::PluginStop => "plugin_stop",
            Export::Poll => "poll",
        }
    }

    /// Every standard export, in the order [`WatPlugin`] writes them.
    pub const ALL: [Export; 8] = [
        Export::Allocate,
        Export::Deallocate,
        Export::PluginId,
        Export::PluginName,
        Export::PluginSchema,
        Export::PluginStart,
        Export::PluginStop,
        Export::Poll,
    ];

    /// The seven exports a default test plugin has: every standard one but `poll`. (The
    /// server itself needs only `plugin_id` and `allocate` to take a module for a raw
    /// plugin, §2.2.)
    pub const REQUIRED: [Export; 7] = [
        Export::Allocate,
        Export::Deallocate,
        Export::PluginId,
        Export::PluginName,
        Export::PluginSchema,
        Export::PluginStart,
        Export::PluginStop,
    ];
}

/// A raw plugin written in WAT: an exported memory, a bump allocator and the standard
/// exports, plus whatever fields a test adds. Builds this module:
///
/// ```text
/// (module
///   <head fields: imports, data, globals, funcs>
///   (memory (export "memory") <pages>)
///   (global $heap (mut i32) (i32.const <heap start>))
///   (func (export "allocate") (param $n i32) (result i32) ...)  ;; bump: $heap += n + 8
///   (func (export "deallocate") (param i32 i32))
///   (func (export "plugin_id") (param i32 i32) (result i32) (i32.const 0))
///   (func (export "plugin_name") (param i32 i32) (result i32) (i32.const 0))
///   (func (export "plugin_schema") (param i32 i32) (result i32) (i32.const 0))
///   (func (export "plugin_start") (param i32 i32) (result i32) <start body>)
///   (func (export "plugin_stop") (result i32) (i32.const 0))
///   (func (export "poll") (result i32) <poll body>)
///   <tail fields: more exports, data>
/// )
/// ```
///
/// [`WatPlugin::new`] starts with 16 pages, the heap at 4096, the seven
/// [`Export::REQUIRED`] exports (no `poll`) and `(i32.const 0)` as both bodies. Imports
/// go into the head (WAT wants them before any definition); a body may call any
/// function the head or tail names, and declare locals first (`plugin_start`'s params
/// are 0 = config ptr and 1 = config len). Bodies end on their own line, so a trailing
/// `;;` comment is harmless.
#[derive(Clone, Debug)]
pub struct WatPlugin {
    pages: u32,
    heap_start: u32,
    exports: Vec<Export>,
    head: Vec<String>,
    tail: Vec<String>,
    start: String,
    poll: String,
}

impl Default for WatPlugin {
    fn default() -> Self {
        Self::new()
    }
}

impl WatPlugin {
    /// 16 pages, heap at 4096, the seven required exports, both bodies `(i32.const 0)`.
    #[must_use]
    pub fn new() -> Self {
        WatPlugin {
            pages: 16,
            heap_start: 4096,
            exports: Export::REQUIRED.to_vec(),
            head: Vec::new(),
            tail: Vec::new(),
            start: "(i32.const 0)".to_owned(),
            poll: "(i32.const 0)".to_owned(),
        }
    }

    /// The memory's initial size in 64 KiB pages.
    #[must_use]
    pub fn pages(mut self, pages: u32) -> Self {
        self.pages = pages;
        self
    }

    /// The first address `allocate` hands out; keep data segments below it.
    #[must_use]
    pub fn heap_start(mut self, address: u32) -> Self {
        self.heap_start = address;
        self
    }

    /// Writes `export` too (no-op if it is already written).
    #[must_use]
    pub fn with(mut self, export: Export) -> Self {
        if !self.exports.contains(&export) {
            self.exports.push(export);
        }
        self
    }

    /// Leaves `export` out.
    #[must_use]
    pub fn without(mut self, export: Export) -> Self {
        self.exports.retain(|e| *e != export);
        self
    }

    /// Adds module fields before the memory: imports, and any data, globals or
    /// functions the test wants there. Fields keep the order they are added in.
    #[must_use]
    pub fn head(mut self, fields: impl Into<String>) -> Self {
        self.head.push(fields.into());
        self
    }

    /// Adds module fields after the standard exports (no imports: WAT wants those
    /// first). Fields keep the order they are added in.
    #[must_use]
    pub fn tail(mut self, fields: impl Into<String>) -> Self {
        self.tail.push(fields.into());
        self
    }

    /// `plugin_start`'s body; it leaves the i32 result on the stack.
    #[must_use]
    pub fn start(mut self, body: impl Into<String>) -> Self {
        self.start = body.into();
        self
    }

    /// `poll`'s body, which it also exports; it leaves the i32 result on the stack.
    #[must_use]
    pub fn poll(mut self, body: impl Into<String>) -> Self {
        self.poll = body.into();
        self.with(Export::Poll)
    }

    /// The module's WAT text.
    #[must_use]
    pub fn text(&self) -> String {
        let mut text = String::from("(module\n");
        for field in &self.head {
            let _ = writeln!(text, "  {field}");
        }
        let _ = writeln!(text, r#"  (memory (export "memory") {})"#, self.pages);
        let _ = writeln!(
            text,
            "  (global $heap (mut i32) (i32.const {}))",
            self.heap_start
        );
        for export in Export::ALL {
            if !self.exports.contains(&export) {
                continue;
            }
            let name = export.name();
            let _ = match export {
                Export::Allocate => writeln!(
                    text,
                    r#"  (func (export "{name}") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (i32.add (local.get $n) (i32.const 8))))
    (local.get $p))"#
                ),
                Export::Deallocate => {
                    writeln!(text, r#"  (func (export "{name}") (param i32 i32))"#)
                }
                Export::PluginId | Export::PluginName | Export::PluginSchema => writeln!(
                    text,
                    r#"  (func (export "{name}") (param i32 i32) (result i32) (i32.const 0))"#
                ),
                Export::PluginStart => writeln!(
                    text,
                    "  (func (export \"{name}\") (param i32 i32) (result i32)\n    {}\n  )",
                    self.start
                ),
                Export::PluginStop => {
                    writeln!(
                        text,
                        r#"  (func (export "{name}") (result i32) (i32.const 0))"#
                    )
                }
                Export::Poll => writeln!(
                    text,
                    "  (func (export \"{name}\") (result i32)\n    {}\n  )",
                    self.poll
                ),
            };
        }
        for field in &self.tail {
            let _ = writeln!(text, "  {field}");
        }
        text.push(')');
        text
    }

    /// The module's binary.
    ///
    /// # Panics
    ///
    /// If the WAT does not parse; the message includes the text.
    #[must_use]
    pub fn build(&self) -> Vec<u8> {
        let text = self.text();
        wat::parse_str(&text).unwrap_or_else(|e| panic!("bad test WAT: {e}\n{text}"))
    }
}
