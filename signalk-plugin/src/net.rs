//! Raw UDP and TCP sockets (`rawSockets` capability; §3.10, §3.11).
//!
//! There are no callbacks: nothing calls into the plugin when data arrives, so read in
//! [`Plugin::poll`](crate::Plugin::poll). Raw plugins have no HTTP client, no TLS and no
//! DNS API; TCP connect accepts host names.
//!
//! What the SDK adds over the raw imports:
//! - receive buffers large enough that a datagram or chunk is never cut (the host drops
//!   whatever does not fit); a TCP *line* longer than [`MAX_LINE`] is reported as
//!   [`crate::Error::Truncated`] rather than returned cut;
//! - sockets close on `Drop` (the host never closes TCP sockets on stop, and UDP ones
//!   only for unscoped package names);
//! - `-1` from the host is an error naming the capability.
//!
//! Host behaviour to keep in mind: sends report success immediately, and TCP data sent
//! before the connection completes is silently dropped (check
//! [`TcpStream::is_connected`] first); when the peer closes, unread data is deleted with
//! the socket; socket ids are global across plugins.
//!
//! ```
//! use signalk_plugin::net::UdpSocket;
//! use signalk_plugin::{testing, Capability};
//!
//! testing::grant(Capability::RawSockets);
//! let socket = UdpSocket::bind(2000)?;
//! socket.send_to("255.255.255.255", 2000, b"$PSKPING*00\r\n")?;
//! assert!(socket.recv_from()?.is_none(), "nothing queued");
//! # Ok::<(), signalk_plugin::Error>(())
//! ```

use crate::abi::{self, UdpOption};
use crate::{Error, Result};

/// The largest TCP line the SDK reads without reporting truncation.
pub const MAX_LINE: usize = 64 * 1024;
/// The largest UDP datagram there is (so no datagram is ever cut).
const MAX_DATAGRAM: usize = signalk_plugin_abi::buffers::UDP_DATAGRAM;
/// Node delivers TCP chunks of at most 64 KiB.
const MAX_CHUNK: usize = 64 * 1024;

/// A received datagram and its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// The payload, whole.
    pub data: Vec<u8>,
    /// Source address.
    pub addr: String,
    /// Source port.
    pub port: u16,
}

/// A UDP socket, closed on drop.
#[derive(Debug)]
pub struct UdpSocket {
    id: i32,
}

impl UdpSocket {
    /// Creates an IPv4 socket and binds it to `port` on all interfaces (0 = any port).
    ///
    /// The host binds asynchronously and never reports a bind failure (port in use).
    ///
    /// # Errors
    /// [`Error::HostRejected`] if `rawSockets` is not granted.
    pub fn bind(port: u16) -> Result<Self> {
        Self::bind_with(false, port)
    }

    /// Like [`bind`](Self::bind), for IPv6.
    ///
    /// # Errors
    /// As [`bind`](Self::bind).
    pub fn bind_v6(port: u16) -> Result<Self> {
        Self::bind_with(true, port)
    }

    fn bind_with(ipv6: bool, port: u16) -> Result<Self> {
        let id = abi::udp_create(ipv6).map_err(crate::error::rejected(
            "sk_udp_create (is `rawSockets: true` in wasmCapabilities?)",
        ))?;
        let socket = Self { id };
        abi::udp_bind(id, port).map_err(crate::error::rejected("sk_udp_bind"))?;
        Ok(socket)
    }

    /// The host's id for this socket.
    #[must_use]
    pub fn id(&self) -> i32 {
        self.id
    }

    /// Sends a datagram. The host copies it and reports success at once; send errors are
    /// never reported.
    ///
    /// # Errors
    /// [`Error::HostRejected`] if the host refused the call.
    pub fn send_to(&self, addr: &str, port: u16, data: &[u8]) -> Result<()> {
        abi::udp_send(self.id, addr, port, data).map_err(crate::error::rejected("sk_udp_send"))
    }

    /// Takes the oldest queued datagram, if any.
    ///
    /// # Errors
    /// [`Error::HostRejected`] on a host memory error (the datagram is then lost).
    pub fn recv_from(&self) -> Result<Option<Datagram>> {
        if abi::udp_pending(self.id) == 0 {
            // Also skips zero-length datagrams' ambiguity when nothing is queued.
            return Ok(None);
        }
        let mut data = vec![0u8; MAX_DATAGRAM];
        let received =
            abi::udp_recv(self.id, &mut data).map_err(crate::error::rejected("sk_udp_recv"))?;
        data.truncate(received.len);
        Ok(Some(Datagram {
            data,
            addr: received.addr,
            port: received.port,
        }))
    }

    /// Datagrams waiting (the host keeps at most 1000 and drops the oldest).
    #[must_use]
    pub fn pending(&self) -> usize {
        abi::udp_pending(self.id)
    }

    /// Joins a multicast group; `interface` empty means the default one.
    ///
    /// # Errors
    /// [`Error::HostRejected`] if the host refused.
    pub fn join_multicast(&self, group: &str, interface: &str) -> Result<()> {
        abi::udp_multicast(self.id, true, group, interface)
            .map_err(crate::error::rejected("sk_udp_join_multicast"))
    }

    /// Leaves a multicast group.
    ///
    /// # Errors
    /// [`Error::HostRejected`] if the host refused.
    pub fn leave_multicast(&self, group: &str, interface: &str) -> Result<()> {
        abi::udp_multicast(self.id, false, group, interface)
            .map_err(crate::error::rejected("sk_udp_leave_multicast"))
    }

    /// Sets the multicast TTL.
    ///
    /// # Errors
    /// [`Error::HostRejected`] if the host refused.
    pub fn set_multicast_ttl(&self, ttl: u8) -> Result<()> {
        abi::udp_option(self.id, UdpOption::MulticastTtl, i32::from(ttl))
            .map_err(crate::error::rejected("sk_udp_set_multicast_ttl"))
    }

    /// Enables or disables multicast loopback.
    ///
    /// # Errors
    /// [`Error::HostRejected`] if the host refused.
    pub fn set_multicast_loopback(&self, on: bool) -> Result<()> {
        abi::udp_option(self.id, UdpOption::MulticastLoopback, i32::from(on))
            .map_err(crate::error::rejected("sk_udp_set_multicast_loopback"))
    }

    /// Enables or disables broadcast.
    ///
    /// # Errors
    /// [`Error::HostRejected`] if the host refused.
    pub fn set_broadcast(&self, on: bool) -> Result<()> {
        abi::udp_option(self.id, UdpOption::Broadcast, i32::from(on))
            .map_err(crate::error::rejected("sk_udp_set_broadcast"))
    }
}

impl Drop for UdpSocket {
    fn drop(&mut self) {
        abi::udp_close(self.id);
    }
}

/// A TCP connection, closed on drop. Starts in line mode.
#[derive(Debug)]
pub struct TcpStream {
    id: i32,
    lines: bool,
}

impl TcpStream {
    /// Starts connecting to `host:port` (a name or an address). The connection completes
    /// later; check [`is_connected`](Self::is_connected) before sending.
    ///
    /// ```
    /// use signalk_plugin::net::TcpStream;
    /// use signalk_plugin::{testing, Capability};
    /// testing::grant(Capability::RawSockets);
    /// let stream = TcpStream::connect("gps.local", 10110)?;
    /// assert!(stream.is_connected()?);
    /// testing::push_incoming(stream.id(), b"$GPRMC,...", "", 0);
    /// assert_eq!(stream.recv_line()?.as_deref(), Some("$GPRMC,..."));
    /// # Ok::<(), signalk_plugin::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::HostRejected`] if `rawSockets` is not granted or the connect was refused.
    pub fn connect(host: &str, port: u16) -> Result<Self> {
        let id = abi::tcp_create().map_err(crate::error::rejected(
            "sk_tcp_create (is `rawSockets: true` in wasmCapabilities?)",
        ))?;
        let stream = Self { id, lines: true };
        abi::tcp_connect(id, host, port).map_err(crate::error::rejected("sk_tcp_connect"))?;
        Ok(stream)
    }

    /// The host's id for this socket.
    #[must_use]
    pub fn id(&self) -> i32 {
        self.id
    }

    /// Whether the connection is up.
    ///
    /// # Errors
    /// [`Error::Closed`] once the connection failed or the peer closed it: the host
    /// then forgets the socket, with any unread data.
    pub fn is_connected(&self) -> Result<bool> {
        abi::tcp_connected(self.id).map_err(|_| Error::Closed)
    }

    /// Switches between line mode (split on `\n`/`\r\n`, empty lines dropped) and raw
    /// chunks. Affects data that arrives later.
    ///
    /// # Errors
    /// [`Error::Closed`] if the socket is gone.
    pub fn set_line_mode(&mut self, lines: bool) -> Result<()> {
        abi::tcp_set_line_buffering(self.id, lines).map_err(|_| Error::Closed)?;
        self.lines = lines;
        Ok(())
    }

    /// Sends bytes. Returns [`Error::NotConnected`] instead of letting the host drop
    /// them silently when the connection is not up yet.
    ///
    /// # Errors
    /// [`Error::NotConnected`], [`Error::Closed`], or [`Error::HostRejected`].
    pub fn send(&self, data: &[u8]) -> Result<()> {
        if !self.is_connected()? {
            return Err(Error::NotConnected);
        }
        abi::tcp_send(self.id, data).map_err(crate::error::rejected("sk_tcp_send"))
    }

    /// The next complete line (line mode), without its terminator.
    ///
    /// # Errors
    /// [`Error::Truncated`] for a line longer than [`MAX_LINE`] (the host has already
    /// dropped its tail).
    pub fn recv_line(&self) -> Result<Option<String>> {
        Ok(self
            .recv(MAX_LINE)?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// The next chunk as Node delivered it (raw mode).
    ///
    /// # Errors
    /// As [`recv_line`](Self::recv_line).
    pub fn recv_chunk(&self) -> Result<Option<Vec<u8>>> {
        self.recv(MAX_CHUNK)
    }

    fn recv(&self, max: usize) -> Result<Option<Vec<u8>>> {
        if abi::tcp_pending(self.id) == 0 {
            return Ok(None);
        }
        // One byte more than allowed: a full buffer means the host may have cut it.
        let mut buf = vec![0u8; max + 1];
        let n = abi::tcp_recv(self.id, self.lines, &mut buf)
            .map_err(crate::error::rejected("sk_tcp_recv"))?;
        if n > max {
            return Err(Error::Truncated { max });
        }
        buf.truncate(n);
        Ok(Some(buf))
    }

    /// Lines or chunks waiting.
    #[must_use]
    pub fn pending(&self) -> usize {
        abi::tcp_pending(self.id)
    }
}

impl Drop for TcpStream {
    fn drop(&mut self) {
        abi::tcp_close(self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Capability;
    use crate::testing::{self, HostCall};

    #[test]
    fn sockets_need_the_capability() {
        testing::reset();
        let err = UdpSocket::bind(1).unwrap_err();
        assert!(err.to_string().contains("rawSockets"), "{err}");
        assert!(TcpStream::connect("x", 1).is_err());
    }

    #[test]
    fn udp_roundtrip_and_close_on_drop() {
        testing::reset();
        testing::grant(Capability::RawSockets);
        let id = {
            let s = UdpSocket::bind(5000).unwrap();
            let big = vec![7u8; 60_000];
            testing::push_incoming(s.id(), &big, "fe80::1%eth0", 5001);
            let d = s.recv_from().unwrap().unwrap();
            assert_eq!(d.data.len(), 60_000, "never cut");
            assert_eq!((d.addr.as_str(), d.port), ("fe80::1%eth0", 5001));
            s.id()
        };
        assert!(testing::calls().contains(&HostCall::UdpClose(id)));
    }

    #[test]
    fn overlong_tcp_line_is_an_error() {
        testing::reset();
        testing::grant(Capability::RawSockets);
        let s = TcpStream::connect("h", 1).unwrap();
        testing::push_incoming(s.id(), &vec![b'x'; MAX_LINE + 10], "", 0);
        assert!(matches!(s.recv_line(), Err(Error::Truncated { .. })));
        testing::push_incoming(s.id(), b"ok", "", 0);
        assert_eq!(s.recv_line().unwrap().as_deref(), Some("ok"));
    }
}
