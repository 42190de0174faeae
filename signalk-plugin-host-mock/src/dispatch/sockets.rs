//! The peer side of the simulated sockets: what the network would do to the plugin.

use crate::host::MockHost;
use crate::sockets::{Datagram, TcpPhase};

impl MockHost {
    /// A datagram from `addr:port` arrives on UDP socket `id`. Returns false if the
    /// plugin has no such socket (the datagram is lost, as it would be).
    pub fn udp_receive(&mut self, id: i32, data: &[u8], addr: &str, port: u16) -> bool {
        self.store.data_mut().sockets.udp_deliver(
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
        self.store
            .data()
            .sockets
            .udp
            .iter()
            .map(|(id, s)| (*id, s.bound))
            .collect()
    }

    /// Completes a pending `sk_tcp_connect` on socket `id`. False if the socket is
    /// unknown or not connecting.
    pub fn tcp_accept(&mut self, id: i32) -> bool {
        match self.store.data_mut().sockets.tcp.get_mut(&id) {
            Some(s) if s.phase == TcpPhase::Connecting => {
                s.phase = TcpPhase::Connected;
                true
            }
            _ => false,
        }
    }

    /// The peer sends `data` on TCP socket `id` (split into lines in line mode).
    pub fn tcp_receive(&mut self, id: i32, data: &[u8]) -> bool {
        self.store.data_mut().sockets.tcp_deliver(id, data)
    }

    /// The peer closes (or the connection fails): the host forgets the socket at once,
    /// unread data included.
    pub fn tcp_peer_close(&mut self, id: i32) -> bool {
        self.store.data_mut().sockets.tcp.remove(&id).is_some()
    }

    /// Bytes that actually left on TCP socket `id` (sends before the connection
    /// completed were dropped by the host).
    #[must_use]
    pub fn tcp_sent(&self, id: i32) -> Vec<u8> {
        self.store
            .data()
            .sockets
            .tcp
            .get(&id)
            .map(|s| s.sent.clone())
            .unwrap_or_default()
    }

    /// Open TCP socket ids.
    #[must_use]
    pub fn tcp_sockets(&self) -> Vec<i32> {
        self.store.data().sockets.tcp.keys().copied().collect()
    }
}
