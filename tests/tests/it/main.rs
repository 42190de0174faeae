//! The cross-crate tests, in one integration-test binary so wasmtime is linked once.
//!
//! Each module is one suite; select one with its module path as the filter, e.g.
//! `cargo test -p cross-crate-tests host_rules::`. The filter matches anywhere in the
//! test's path, so `realhost::` also selects `chunked_realhost::`; the real-host
//! conformance test alone is `cargo test -p cross-crate-tests realhost::examples`.

mod anchor_watch;
mod chunked_channel;
mod chunked_realhost;
mod differential;
mod express_port;
mod hello;
mod host_rules;
mod hostile_guests;
mod own_vessel;
mod providers;
mod realhost;
mod reliability;
mod replay;
mod scaffold;
mod server_model;
mod supervisor;
