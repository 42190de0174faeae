//! The in-process stand-in for the host that the native ABI backend (`abi/native.rs`)
//! writes to: what was called, the saved configuration, granted capabilities and the
//! simulated sockets, per thread. The public face for tests is the parent module; on
//! wasm32 the test runner's host plays this part (`remote.rs`).

use std::cell::RefCell;
use std::collections::{BTreeSet, VecDeque};

use signalk_plugin_abi::{Capability, HostCall, host_rules};

#[derive(Default)]
struct Recorder {
    calls: Vec<HostCall>,
    saved_config: Option<String>,
    capabilities: BTreeSet<&'static str>,
    /// Socket id -> queued input (datagrams with their source, or TCP lines/chunks).
    sockets: std::collections::BTreeMap<i32, VecDeque<Incoming>>,
    next_socket: i32,
    connected: BTreeSet<i32>,
}

/// Input queued for a native socket by a test.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    pub(crate) data: Vec<u8>,
    pub(crate) addr: String,
    pub(crate) port: u16,
}

thread_local! {
    static RECORDER: RefCell<Recorder> = RefCell::new(Recorder::default());
}

pub(crate) fn record(call: HostCall) {
    RECORDER.with(|r| r.borrow_mut().calls.push(call));
}

pub(crate) fn saved_config() -> String {
    RECORDER.with(|r| {
        r.borrow()
            .saved_config
            .clone()
            .unwrap_or_else(|| "{}".into())
    })
}

pub(crate) fn capability_answer(name: &str) -> bool {
    RECORDER.with(|r| {
        let r = r.borrow();
        host_rules::capability_answer(name, |n| r.capabilities.contains(n))
    })
}

pub(crate) fn granted(capability: Capability) -> bool {
    RECORDER.with(|r| r.borrow().capabilities.contains(capability.as_str()))
}

pub(crate) fn open_socket() -> i32 {
    RECORDER.with(|r| {
        let mut r = r.borrow_mut();
        r.next_socket += 1;
        let id = r.next_socket;
        r.sockets.insert(id, VecDeque::new());
        id
    })
}

pub(crate) fn close_socket(id: i32) {
    RECORDER.with(|r| {
        let mut r = r.borrow_mut();
        r.sockets.remove(&id);
        r.connected.remove(&id);
    });
}

pub(crate) fn socket_exists(id: i32) -> bool {
    RECORDER.with(|r| r.borrow().sockets.contains_key(&id))
}

pub(crate) fn pop_incoming(id: i32) -> Option<Incoming> {
    RECORDER.with(|r| {
        r.borrow_mut()
            .sockets
            .get_mut(&id)
            .and_then(VecDeque::pop_front)
    })
}

pub(crate) fn pending_incoming(id: i32) -> usize {
    RECORDER.with(|r| r.borrow().sockets.get(&id).map_or(0, VecDeque::len))
}

pub(crate) fn set_connected(id: i32) {
    RECORDER.with(|r| {
        r.borrow_mut().connected.insert(id);
    });
}

pub(crate) fn is_connected(id: i32) -> bool {
    RECORDER.with(|r| r.borrow().connected.contains(&id))
}

pub(crate) fn set_saved_config(json: String) {
    RECORDER.with(|r| r.borrow_mut().saved_config = Some(json));
}

// The parent module's backend interface, the same functions `remote.rs` has on wasm32.

pub(super) fn calls() -> Vec<HostCall> {
    RECORDER.with(|r| r.borrow().calls.clone())
}

pub(super) fn take_calls() -> Vec<HostCall> {
    RECORDER.with(|r| std::mem::take(&mut r.borrow_mut().calls))
}

pub(super) fn reset_host() {
    RECORDER.with(|r| *r.borrow_mut() = Recorder::default());
}

pub(super) fn grant(capability: Capability) {
    RECORDER.with(|r| {
        r.borrow_mut().capabilities.insert(capability.as_str());
    });
}

/// Queues input on socket `id`; false if no such socket is open.
pub(super) fn push_incoming(id: i32, data: &[u8], addr: &str, port: u16) -> bool {
    RECORDER.with(|r| match r.borrow_mut().sockets.get_mut(&id) {
        Some(queue) => {
            queue.push_back(Incoming {
                data: data.to_vec(),
                addr: addr.to_owned(),
                port,
            });
            true
        }
        None => false,
    })
}
