//! The backend of [`crate::testing`] on wasm32: the host calls of a test went to the
//! `env` imports of the mock host's test runner, which recorded them; these functions
//! read that record back and set up the runner's host through its test import module
//! ([`super::wire`]). Same functions as `recorder.rs`, the native backend.

use signalk_plugin_abi::{Capability, HostCall};

use super::wire;
use crate::abi::test_imports as runner;

/// The first buffer offered for the recorded calls; a longer record is read again into
/// a buffer of the length the runner answered.
const FIRST_READ: usize = 64 * 1024;

pub(super) fn calls() -> Vec<HostCall> {
    read(false)
}

pub(super) fn take_calls() -> Vec<HostCall> {
    read(true)
}

fn read(take: bool) -> Vec<HostCall> {
    let mut buf = vec![0u8; FIRST_READ];
    // Reading records nothing, so the second answer always fits the first's length.
    for _ in 0..2 {
        let code = runner::recorded_calls(take, &mut buf);
        let Ok(len) = usize::try_from(code) else {
            panic!("the test runner could not write the recorded host calls (code {code})");
        };
        if len <= buf.len() {
            buf.truncate(len);
            let text = std::str::from_utf8(&buf).unwrap_or_else(|e| {
                panic!("the test runner sent recorded calls that are not UTF-8: {e}")
            });
            return wire::decode_calls(text).unwrap_or_else(|e| panic!("{e}"));
        }
        buf.resize(len, 0);
    }
    panic!("the recorded host calls changed size between two reads of the test runner");
}

pub(super) fn reset_host() {
    runner::reset_host();
}

pub(super) fn set_saved_config(json: String) {
    if runner::saved_config(&json) != 0 {
        let shown: String = json.chars().take(80).collect();
        panic!(
            "set_saved_config: the test runner keeps the saved configuration as JSON, and this is not JSON (or is nested too deep): {shown:?}"
        );
    }
}

pub(super) fn grant(capability: Capability) {
    let name = capability.as_str();
    assert!(
        runner::grant_capability(name) == 0,
        "grant: the test runner does not know the capability {name:?}"
    );
}

pub(super) fn push_incoming(id: i32, data: &[u8], addr: &str, port: u16) -> bool {
    match runner::incoming(id, data, addr, port) {
        0 => true,
        -3 => panic!(
            "push_incoming: a UDP and a TCP socket both have id {id} (on wasm32 the host numbers them separately, like signalk-server); close one first"
        ),
        _ => false,
    }
}
