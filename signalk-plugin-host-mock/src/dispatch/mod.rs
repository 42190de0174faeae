//! Requests the server makes into the plugin, one module per spec section:
//! [`http`] (§8), [`put`] (§9), [`providers`] (§10), and the peer side of the
//! simulated [`sockets`] (§3.10, §3.11).

pub mod http;
pub mod providers;
pub mod put;
pub mod sockets;
