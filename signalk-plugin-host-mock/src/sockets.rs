//! Simulated UDP and TCP sockets (§3.10, §3.11). Nothing touches the network: a test
//! plays the peer with [`MockHost::udp_receive`](crate::MockHost::udp_receive),
//! [`MockHost::tcp_accept`](crate::MockHost::tcp_accept) and friends, and reads what
//! the plugin sent from the recorded calls.

use std::collections::{BTreeMap, VecDeque};

/// Most datagrams, lines or chunks a socket queues; the oldest is dropped past this.
pub(crate) const QUEUE_LIMIT: usize = 1000;

/// One received datagram.
#[derive(Debug, Clone)]
pub(crate) struct Datagram {
    pub(crate) data: Vec<u8>,
    pub(crate) addr: String,
    pub(crate) port: u16,
}

#[derive(Debug, Default)]
pub(crate) struct UdpSocket {
    pub(crate) bound: Option<u16>,
    pub(crate) queue: VecDeque<Datagram>,
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub(crate) enum TcpPhase {
    Created,
    Connecting,
    Connected,
}

#[derive(Debug)]
pub(crate) struct TcpSocket {
    pub(crate) phase: TcpPhase,
    pub(crate) line_mode: bool,
    pub(crate) queue: VecDeque<Vec<u8>>,
    /// Unterminated tail of line-mode input.
    pub(crate) partial: String,
    /// Bytes that actually left (sends before the connection completes are dropped).
    pub(crate) sent: Vec<u8>,
}

/// The socket tables. Ids count from 1, separately for UDP and TCP, as in the host.
#[derive(Debug, Default)]
pub(crate) struct Sockets {
    pub(crate) udp: BTreeMap<i32, UdpSocket>,
    pub(crate) tcp: BTreeMap<i32, TcpSocket>,
    next_udp: i32,
    next_tcp: i32,
}

fn push_bounded<T>(queue: &mut VecDeque<T>, item: T) {
    if queue.len() >= QUEUE_LIMIT {
        queue.pop_front();
    }
    queue.push_back(item);
}

impl Sockets {
    pub(crate) fn udp_create(&mut self) -> i32 {
        self.next_udp += 1;
        self.udp.insert(self.next_udp, UdpSocket::default());
        self.next_udp
    }

    pub(crate) fn tcp_create(&mut self) -> i32 {
        self.next_tcp += 1;
        self.tcp.insert(
            self.next_tcp,
            TcpSocket {
                phase: TcpPhase::Created,
                line_mode: true,
                queue: VecDeque::new(),
                partial: String::new(),
                sent: Vec::new(),
            },
        );
        self.next_tcp
    }

    /// A datagram arrives for socket `id`; false if no such socket.
    pub(crate) fn udp_deliver(&mut self, id: i32, datagram: Datagram) -> bool {
        match self.udp.get_mut(&id) {
            Some(socket) => {
                push_bounded(&mut socket.queue, datagram);
                true
            }
            None => false,
        }
    }

    /// Data arrives on TCP socket `id`: split into lines (each chunk decoded on its own,
    /// empty lines discarded) or queued as one raw chunk.
    pub(crate) fn tcp_deliver(&mut self, id: i32, data: &[u8]) -> bool {
        let Some(socket) = self.tcp.get_mut(&id) else {
            return false;
        };
        if !socket.line_mode {
            push_bounded(&mut socket.queue, data.to_vec());
            return true;
        }
        socket.partial.push_str(&String::from_utf8_lossy(data));
        while let Some(end) = socket.partial.find('\n') {
            let mut line: String = socket.partial.drain(..=end).collect();
            line.pop();
            if line.ends_with('\r') {
                line.pop();
            }
            if !line.is_empty() {
                push_bounded(&mut socket.queue, line.into_bytes());
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_mode_splits_and_drops_empty_lines() {
        let mut s = Sockets::default();
        let id = s.tcp_create();
        assert!(s.tcp_deliver(id, b"a\r\n\nb"));
        assert!(s.tcp_deliver(id, b"c\n"));
        let q: Vec<_> = s.tcp[&id].queue.iter().cloned().collect();
        assert_eq!(q, [b"a".to_vec(), b"bc".to_vec()]);
    }

    #[test]
    fn queues_drop_the_oldest_past_the_limit() {
        let mut s = Sockets::default();
        let id = s.udp_create();
        for i in 0..=QUEUE_LIMIT {
            s.udp_deliver(
                id,
                Datagram {
                    data: vec![(i % 256) as u8],
                    addr: "1.2.3.4".into(),
                    port: 1,
                },
            );
        }
        assert_eq!(s.udp[&id].queue.len(), QUEUE_LIMIT);
        assert_eq!(s.udp[&id].queue[0].data, [1]);
    }
}
