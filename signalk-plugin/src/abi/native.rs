//! Native stand-in for the host imports: every call is recorded in
//! [`crate::testing`]'s thread-local recorder, and answered from what a test set up.

use crate::testing::{self, HostCall};

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
    let result = testing::validate_notification(&value);
    testing::record(HostCall::PublishNotification {
        path: path.to_owned(),
        value,
    });
    result
}

pub(crate) fn read_config(buf: &mut [u8]) -> i32 {
    testing::record(HostCall::ReadConfig);
    let config = testing::saved_config();
    // Same rule as the real host: too small means nothing written and 0 (spec §3.4).
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
    i32::from(testing::granted("putHandlers"))
}
