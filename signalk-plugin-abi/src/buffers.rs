//! The sizes of the buffers the host allocates for what a plugin writes back (§1.4).
//!
//! The host allocates a buffer of this size in guest memory, passes its pointer and
//! length to the export, and reads back as many bytes as the export says it wrote.
//! signalk-server 2.32.0 never checks that count against the length, so a guest that
//! writes more corrupts its own memory and the host reads garbage: every writer must
//! measure first.

/// `plugin_id`, `plugin_name`, `plugin_schema` and `http_endpoints` (§4.3, §4.4, §8.1).
pub const METADATA: usize = 8192;

/// The reply of a `handle_put_*` export (§9).
pub const PUT_REPLY: usize = 8192;

/// The response envelope of an HTTP handler (§8.4).
pub const HTTP_RESPONSE: usize = 65_536;

/// The reply of a resource, weather or radar provider export (§10).
pub const PROVIDER_REPLY: usize = 65_536;

/// Bytes a guest reserves for the NUL-terminated source address `sk_udp_recv` writes
/// without a bounds check (§3.10): an IPv6 address is at most 45 characters, plus a
/// scope id.
pub const UDP_ADDRESS: usize = 128;

/// The largest UDP datagram a guest needs room for (§3.10).
pub const UDP_DATAGRAM: usize = 65_536;
