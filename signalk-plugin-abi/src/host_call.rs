//! What a plugin asked of the host, one `sk_*` import call at a time.

/// One call a plugin made to the host, at the level of the `sk_*` imports.
///
/// The SDK's native recorder (`signalk_plugin::testing`) and the mock host
/// (`signalk-plugin-host-mock`) both record this type, so assertions read the same in
/// both kinds of tests.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostCall {
    /// `sk_debug(msg)`; the SDK prefixes the log level, for example `[INFO] started`.
    Debug(String),
    /// `sk_set_status(msg)`.
    SetStatus(String),
    /// `sk_set_error(msg)`.
    SetError(String),
    /// `sk_handle_message(json, version)`: a delta sent to the server. `version` 2 is
    /// Signal K v2; anything else is v1.
    HandleMessage {
        /// The third argument as passed (1 or 2 from this SDK).
        version: i32,
        /// The delta text exactly as the plugin sent it.
        json: String,
    },
    /// `sk_publish_notification(path, value)`.
    PublishNotification {
        /// Notification path, for example `notifications.anchor`.
        path: String,
        /// The value JSON text.
        value: String,
    },
    /// `sk_read_config(buf)`.
    ReadConfig,
    /// `sk_save_config(json)`.
    SaveConfig(String),
    /// `sk_has_capability(name)`.
    HasCapability(String),
    /// `sk_register_put_handler(context, path)`.
    RegisterPutHandler {
        /// Request context, for example `vessels.self`.
        context: String,
        /// Signal K path.
        path: String,
    },
    /// `sk_get_self_path(path)`.
    GetSelfPath(String),
    /// `sk_register_resource_provider(type)`.
    RegisterResourceProvider(String),
    /// `sk_register_weather_provider(name)`.
    RegisterWeatherProvider(String),
    /// `sk_register_radar_provider(name)`.
    RegisterRadarProvider(String),
    /// `sk_emit_binary_stream(stream_id, data)`.
    EmitBinaryStream {
        /// Stream id, for example `plugins/my-plugin/track`.
        stream_id: String,
        /// The bytes.
        data: Vec<u8>,
    },
    /// `sk_radar_emit_spokes(radar_id, data)`.
    RadarEmitSpokes {
        /// Radar id.
        radar_id: String,
        /// The bytes.
        data: Vec<u8>,
    },
    /// `sk_udp_create(type)`.
    UdpCreate {
        /// `true` for udp6.
        ipv6: bool,
    },
    /// `sk_udp_bind(id, port)`.
    UdpBind {
        /// Socket id.
        id: i32,
        /// Port (0 = ephemeral).
        port: u16,
    },
    /// `sk_udp_join_multicast` / `sk_udp_leave_multicast`.
    UdpMulticast {
        /// Socket id.
        id: i32,
        /// Join (`true`) or leave.
        join: bool,
        /// Group address.
        group: String,
        /// Interface address; empty for the default.
        interface: String,
    },
    /// `sk_udp_set_multicast_ttl` / `_loopback` / `sk_udp_set_broadcast`.
    UdpOption {
        /// Socket id.
        id: i32,
        /// `multicastTtl`, `multicastLoopback` or `broadcast`.
        option: &'static str,
        /// The value passed.
        value: i32,
    },
    /// `sk_udp_send(id, addr, port, data)`.
    UdpSend {
        /// Socket id.
        id: i32,
        /// Destination address.
        addr: String,
        /// Destination port.
        port: u16,
        /// The bytes.
        data: Vec<u8>,
    },
    /// `sk_udp_close(id)`.
    UdpClose(i32),
    /// `sk_tcp_create()`.
    TcpCreate,
    /// `sk_tcp_connect(id, host, port)`.
    TcpConnect {
        /// Socket id.
        id: i32,
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
    /// `sk_tcp_set_line_buffering(id, on)`.
    TcpSetLineBuffering {
        /// Socket id.
        id: i32,
        /// Line mode on.
        on: bool,
    },
    /// `sk_tcp_send(id, data)`.
    TcpSend {
        /// Socket id.
        id: i32,
        /// The bytes.
        data: Vec<u8>,
    },
    /// `sk_tcp_close(id)`.
    TcpClose(i32),
}

impl HostCall {
    /// The delta text and version of a [`HostCall::HandleMessage`]; `None` for other calls.
    ///
    /// ```
    /// use signalk_plugin_abi::HostCall;
    /// let call = HostCall::HandleMessage { version: 1, json: "{}".into() };
    /// assert_eq!(call.message(), Some(("{}", 1)));
    /// assert_eq!(HostCall::ReadConfig.message(), None);
    /// ```
    #[must_use]
    pub fn message(&self) -> Option<(&str, i32)> {
        match self {
            HostCall::HandleMessage { version, json } => Some((json, *version)),
            _ => None,
        }
    }

    /// The message of a [`HostCall::SetStatus`].
    #[must_use]
    pub fn status(&self) -> Option<&str> {
        match self {
            HostCall::SetStatus(m) => Some(m),
            _ => None,
        }
    }

    /// The message of a [`HostCall::SetError`].
    #[must_use]
    pub fn error(&self) -> Option<&str> {
        match self {
            HostCall::SetError(m) => Some(m),
            _ => None,
        }
    }

    /// The line of a [`HostCall::Debug`], with its level prefix.
    ///
    /// ```
    /// use signalk_plugin_abi::HostCall;
    /// let calls = [HostCall::Debug("[INFO] up".into()), HostCall::SetStatus("ok".into())];
    /// let logs: Vec<&str> = calls.iter().filter_map(HostCall::log).collect();
    /// assert_eq!(logs, ["[INFO] up"]);
    /// ```
    #[must_use]
    pub fn log(&self) -> Option<&str> {
        match self {
            HostCall::Debug(m) => Some(m),
            _ => None,
        }
    }
}
