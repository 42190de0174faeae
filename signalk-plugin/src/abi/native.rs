//! Native stand-in for the host imports: every call is recorded in
//! the thread-local recorder of [`crate::testing`], and answered from what a test set up,
//! with the raw integers the real host returns (`abi/mod.rs` interprets them, for both
//! backends alike).

use signalk_plugin_abi::{Capability, HostCall, buffers, host_rules};

use crate::testing::recorder as testing;

pub(crate) fn debug(msg: &str) {
    testing::record(HostCall::Debug(msg.to_owned()));
}

pub(crate) fn set_status(msg: &str) {
    testing::record(HostCall::SetStatus(msg.to_owned()));
}

pub(crate) fn set_error(msg: &str) {
    testing::record(HostCall::SetError(msg.to_owned()));
}

pub(crate) fn handle_message(json: &[u8], version: i32) {
    testing::record(HostCall::HandleMessage {
        version,
        json: String::from_utf8_lossy(json).into_owned(),
    });
}

pub(crate) fn publish_notification(path: &str, value: &[u8]) -> i32 {
    let value = String::from_utf8_lossy(value).into_owned();
    let result = if host_rules::accepts_notification(&value) {
        0
    } else {
        -1
    };
    testing::record(HostCall::PublishNotification {
        path: path.to_owned(),
        value,
    });
    result
}

pub(crate) fn read_config(buf: &mut [u8]) -> i32 {
    testing::record(HostCall::ReadConfig);
    let config = testing::saved_config();
    // Same rule as the real host: too small means nothing written and 0 (§3.4).
    if config.len() > buf.len() {
        return 0;
    }
    buf[..config.len()].copy_from_slice(config.as_bytes());
    config.len() as i32
}

pub(crate) fn save_config(json: &[u8]) -> i32 {
    let json = String::from_utf8_lossy(json).into_owned();
    let ok = serde_json::from_str::<serde_json::Value>(&json).is_ok();
    testing::record(HostCall::SaveConfig(json.clone()));
    if ok {
        testing::set_saved_config(json);
        0
    } else {
        -1
    }
}

pub(crate) fn has_capability(name: &str) -> i32 {
    testing::record(HostCall::HasCapability(name.to_owned()));
    i32::from(testing::capability_answer(name))
}

pub(crate) fn register_put_handler(context: &str, path: &str) -> i32 {
    testing::record(HostCall::RegisterPutHandler {
        context: context.to_owned(),
        path: path.to_owned(),
    });
    i32::from(testing::granted(Capability::PutHandlers))
}

pub(crate) fn get_self_path(path: &str, _buf: &mut [u8]) -> i32 {
    testing::record(HostCall::GetSelfPath(path.to_owned()));
    // signalk-server 2.32.0 always answers 0 (§3.3).
    0
}

pub(crate) fn register_resource_provider(kind: &str) -> i32 {
    testing::record(HostCall::RegisterResourceProvider(kind.to_owned()));
    i32::from(testing::granted(Capability::ResourceProvider) && !kind.is_empty())
}

pub(crate) fn register_weather_provider(name: &str) -> i32 {
    testing::record(HostCall::RegisterWeatherProvider(name.to_owned()));
    i32::from(testing::granted(Capability::WeatherProvider))
}

pub(crate) fn register_radar_provider(name: &str) -> i32 {
    testing::record(HostCall::RegisterRadarProvider(name.to_owned()));
    i32::from(testing::granted(Capability::RadarProvider))
}

pub(crate) fn emit_binary_stream(id: &str, data: &[u8]) -> i32 {
    testing::record(HostCall::EmitBinaryStream {
        stream_id: id.to_owned(),
        data: data.to_vec(),
    });
    1
}

pub(crate) fn radar_emit_spokes(radar_id: &str, data: &[u8]) -> i32 {
    testing::record(HostCall::RadarEmitSpokes {
        radar_id: radar_id.to_owned(),
        data: data.to_vec(),
    });
    i32::from(testing::granted(Capability::RadarProvider))
}

fn sockets_granted() -> bool {
    testing::granted(Capability::RawSockets)
}

pub(crate) fn udp_create(ipv6: bool) -> i32 {
    testing::record(HostCall::UdpCreate { ipv6 });
    if sockets_granted() {
        testing::open_socket()
    } else {
        -1
    }
}

pub(crate) fn udp_bind(id: i32, port: u16) -> i32 {
    testing::record(HostCall::UdpBind { id, port });
    if sockets_granted() { 0 } else { -1 }
}

pub(crate) fn udp_multicast(id: i32, join: bool, addr: &str, iface: &str) -> i32 {
    testing::record(HostCall::UdpMulticast {
        id,
        join,
        group: addr.to_owned(),
        interface: iface.to_owned(),
    });
    if sockets_granted() && testing::socket_exists(id) {
        0
    } else {
        -1
    }
}

pub(crate) fn udp_option(id: i32, option: crate::abi::UdpOption, value: i32) -> i32 {
    use crate::abi::UdpOption;
    let option = match option {
        UdpOption::MulticastTtl => "multicastTtl",
        UdpOption::MulticastLoopback => "multicastLoopback",
        UdpOption::Broadcast => "broadcast",
    };
    testing::record(HostCall::UdpOption { id, option, value });
    if sockets_granted() && testing::socket_exists(id) {
        0
    } else {
        -1
    }
}

pub(crate) fn udp_send(id: i32, addr: &str, port: u16, data: &[u8]) -> i32 {
    testing::record(HostCall::UdpSend {
        id,
        addr: addr.to_owned(),
        port,
        data: data.to_vec(),
    });
    if sockets_granted() {
        data.len() as i32
    } else {
        -1
    }
}

pub(crate) fn udp_recv(
    id: i32,
    buf: &mut [u8],
    addr: &mut [u8; buffers::UDP_ADDRESS],
    port: &mut [u8; 2],
) -> i32 {
    if !sockets_granted() {
        return -1;
    }
    let Some(incoming) = testing::pop_incoming(id) else {
        return 0;
    };
    // The host's rule: copy what fits, drop the rest of the datagram.
    let n = incoming.data.len().min(buf.len());
    buf[..n].copy_from_slice(&incoming.data[..n]);
    let a = incoming.addr.as_bytes();
    let a = &a[..a.len().min(addr.len() - 1)];
    addr[..a.len()].copy_from_slice(a);
    addr[a.len()] = 0;
    *port = incoming.port.to_le_bytes();
    n as i32
}

pub(crate) fn udp_pending(id: i32) -> i32 {
    testing::pending_incoming(id) as i32
}

pub(crate) fn udp_close(id: i32) {
    testing::record(HostCall::UdpClose(id));
    testing::close_socket(id);
}

pub(crate) fn tcp_create() -> i32 {
    testing::record(HostCall::TcpCreate);
    if sockets_granted() {
        testing::open_socket()
    } else {
        -1
    }
}

pub(crate) fn tcp_connect(id: i32, host: &str, port: u16) -> i32 {
    testing::record(HostCall::TcpConnect {
        id,
        host: host.to_owned(),
        port,
    });
    if !sockets_granted() || !testing::socket_exists(id) || testing::is_connected(id) {
        return -1;
    }
    testing::set_connected(id);
    0
}

pub(crate) fn tcp_connected(id: i32) -> i32 {
    if !sockets_granted() {
        return -1;
    }
    match (testing::socket_exists(id), testing::is_connected(id)) {
        (false, _) => -1,
        (true, connected) => i32::from(connected),
    }
}

pub(crate) fn tcp_set_line_buffering(id: i32, on: bool) -> i32 {
    testing::record(HostCall::TcpSetLineBuffering { id, on });
    if sockets_granted() && testing::socket_exists(id) {
        0
    } else {
        -1
    }
}

pub(crate) fn tcp_send(id: i32, data: &[u8]) -> i32 {
    testing::record(HostCall::TcpSend {
        id,
        data: data.to_vec(),
    });
    if sockets_granted() {
        data.len() as i32
    } else {
        -1
    }
}

pub(crate) fn tcp_recv(id: i32, _lines: bool, buf: &mut [u8]) -> i32 {
    if !sockets_granted() {
        return -1;
    }
    let Some(incoming) = testing::pop_incoming(id) else {
        return 0;
    };
    let n = incoming.data.len().min(buf.len());
    buf[..n].copy_from_slice(&incoming.data[..n]);
    n as i32
}

pub(crate) fn tcp_pending(id: i32) -> i32 {
    testing::pending_incoming(id) as i32
}

pub(crate) fn tcp_close(id: i32) {
    testing::record(HostCall::TcpClose(id));
    testing::close_socket(id);
}

/// A monotonic clock in nanoseconds since its first reading.
pub(crate) fn monotonic_ns() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let elapsed = START.get_or_init(std::time::Instant::now).elapsed();
    u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)
}
