//! The `testing` API against whichever host answers it: the in-process recorder
//! natively, the mock host's test runner on wasm32 (`cargo test --target wasm32-wasip1`).

use super::*;
use crate::Capability;
use crate::net::{TcpStream, UdpSocket};

#[test]
fn reset_forgets_calls_saved_config_and_capabilities() {
    reset();
    set_saved_config(r#"{"depth":3}"#);
    grant(Capability::RawSockets);
    crate::set_status("up");
    assert_eq!(crate::config::read_raw().unwrap(), r#"{"depth":3}"#);
    assert!(crate::has_capability(Capability::RawSockets));

    reset();
    assert!(calls().is_empty(), "{:?}", calls());
    assert_eq!(crate::config::read_raw().unwrap(), "{}");
    assert!(!crate::has_capability(Capability::RawSockets));
}

#[test]
fn only_network_and_raw_sockets_are_ever_answered_yes() {
    reset();
    grant(Capability::Storage);
    grant(Capability::RawSockets);
    // signalk-server 2.32.0 answers 1 for these two names only, granted or not.
    assert!(!crate::has_capability(Capability::Storage));
    assert!(crate::has_capability(Capability::RawSockets));
    assert_eq!(
        calls(),
        [
            HostCall::HasCapability("storage".into()),
            HostCall::HasCapability("rawSockets".into())
        ]
    );
}

#[test]
fn take_calls_returns_the_calls_in_order_and_empties_the_record() {
    reset();
    crate::set_status("one");
    crate::set_error("two");
    assert_eq!(
        take_calls(),
        [
            HostCall::SetStatus("one".into()),
            HostCall::SetError("two".into())
        ]
    );
    assert!(calls().is_empty());
    crate::set_status("three");
    assert_eq!(statuses(), ["three"]);
    assert!(errors().is_empty());
}

#[test]
fn a_record_larger_than_the_first_read_comes_back_whole() {
    reset();
    // 3,000 statuses of 100 characters: about 330 KB of JSON, five times the first read.
    for i in 0..3000 {
        crate::set_status(&format!("{i:0>100}"));
    }
    let statuses = statuses();
    assert_eq!(statuses.len(), 3000);
    assert_eq!(statuses[2999], format!("{:0>100}", 2999));
}

#[test]
fn every_byte_value_reaches_the_record_unchanged() {
    reset();
    grant(Capability::RawSockets);
    let socket = UdpSocket::bind(10110).unwrap();
    let all: Vec<u8> = (0..=255).collect();
    socket.send_to("10.0.0.1", 2000, &all).unwrap();
    let sent = calls().into_iter().find_map(|c| match c {
        HostCall::UdpSend { data, port, .. } => Some((data, port)),
        _ => None,
    });
    assert_eq!(sent, Some((all, 2000)));
}

#[test]
fn pushed_input_arrives_on_udp_and_tcp_sockets() {
    reset();
    grant(Capability::RawSockets);
    {
        let udp = UdpSocket::bind(10110).unwrap();
        push_incoming(udp.id(), b"$GPGGA", "192.168.1.20", 10111);
        let datagram = udp.recv_from().unwrap().unwrap();
        assert_eq!(
            (
                datagram.data.as_slice(),
                datagram.addr.as_str(),
                datagram.port
            ),
            (&b"$GPGGA"[..], "192.168.1.20", 10111)
        );
    } // Closed: on wasm32 the TCP socket below may get the same id.

    let tcp = TcpStream::connect("gps.local", 10110).unwrap();
    push_incoming(tcp.id(), b"$GPRMC", "", 0);
    assert!(tcp.is_connected().unwrap());
    assert_eq!(tcp.recv_line().unwrap().as_deref(), Some("$GPRMC"));
    assert_eq!(tcp.recv_line().unwrap(), None);
}

// A panic aborts on wasm32, so only the native recorder can show this one.
#[cfg(not(target_arch = "wasm32"))]
#[test]
#[should_panic(expected = "push_incoming: no socket 7 is open")]
fn input_for_a_socket_that_is_not_open_is_a_test_bug() {
    reset();
    push_incoming(7, b"lost", "", 0);
}
