//! The peer side of the simulated sockets: what the network would do to the plugin.

use crate::sockets::{Datagram, Sockets, TcpPhase};

/// The network on the other side of the plugin's simulated sockets, from
/// [`MockHost::sockets`](crate::MockHost::sockets).
///
/// ```no_run
/// # let mut host: signalk_plugin_host_mock::MockHost = unimplemented!();
/// let (id, _port) = host.sockets().udp_sockets()[0];
/// host.sockets().udp_receive(id, b"$GPGGA,...", "192.168.1.20", 10110);
/// ```
pub struct SocketPeer<'h> {
    pub(crate) sockets: &'h mut Sockets,
}

impl std::fmt::Debug for SocketPeer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketPeer").finish_non_exhaustive()
    }
}

impl SocketPeer<'_> {
    /// A datagram from `addr:port` arrives on UDP socket `id`. Returns false if the
    /// plugin has no such socket (the datagram is lost, as it would be).
    pub fn udp_receive(&mut self, id: i32, data: &[u8], addr: &str, port: u16) -> bool {
        self.sockets.udp_deliver(
            id,
            Datagram {
                data: data.to_vec(),
                addr: addr.to_owned(),
                port,
            },
        )
    }

    /// Open UDP socket ids with their bound port (`None` until `sk_udp_bind`).
    #[must_use]
    pub fn udp_sockets(&self) -> Vec<(i32, Option<u16>)> {
        self.sockets
            .udp
            .iter()
            .map(|(id, s)| (*id, s.bound))
            .collect()
    }

    /// Completes a pending `sk_tcp_connect` on socket `id`. False if the socket is
    /// unknown or not connecting.
    pub fn tcp_accept(&mut self, id: i32) -> bool {
        match self.sockets.tcp.get_mut(&id) {
            Some(s) if s.phase == TcpPhase::Connecting => {
                s.phase = TcpPhase::Connected;
                true
            }
            _ => false,
        }
    }

    /// The peer sends `data` on TCP socket `id` (split into lines in line mode).
    pub fn tcp_receive(&mut self, id: i32, data: &[u8]) -> bool {
        self.sockets.tcp_deliver(id, data)
    }

    /// The peer closes (or the connection fails): the host forgets the socket at once,
    /// unread data included.
    pub fn tcp_peer_close(&mut self, id: i32) -> bool {
        self.sockets.tcp.remove(&id).is_some()
    }

    /// Bytes that actually left on TCP socket `id` (sends before the connection
    /// completed were dropped by the host).
    #[must_use]
    pub fn tcp_sent(&self, id: i32) -> Vec<u8> {
        self.sockets
            .tcp
            .get(&id)
            .map(|s| s.sent.clone())
            .unwrap_or_default()
    }

    /// Open TCP socket ids.
    #[must_use]
    pub fn tcp_sockets(&self) -> Vec<i32> {
        self.sockets.tcp.keys().copied().collect()
    }
}
