//! Lifecycle scenarios (save, disable, enable through the config route) and traps.

use serde_json::json;

use super::*;

pub(super) fn add(l: &mut List) {
    let echo = || plugin("/api/echo");
    // --- Lifecycle through the config route.
    l.add(
        "lifecycle.save-config",
        "saving a configuration restarts the plugin with it",
        vec![
            config(&saved(true, None, "saved")),
            get(plugin("/config")),
            state(),
        ],
    );
    l.add(
        "lifecycle.stop-emits",
        "the delta plugin_stop emitted is in the model",
        vec![get(model("probe.stopped"))],
    );
    l.add(
        "lifecycle.enable-debug",
        "enableDebug from the body is kept",
        vec![
            config(&saved(true, Some(true), "debug")),
            get(plugin("/config")),
            get(plugin("")),
        ],
    );
    l.add(
        "lifecycle.disable",
        "disable: state stopped, routes still answer",
        vec![
            config(&saved(false, None, "off")),
            get("/skServer/plugins"),
            get(plugin("")),
            get(echo()),
        ],
    );
    l.add(
        "lifecycle.disabled-put",
        "a disabled plugin's PUT handler still runs",
        vec![
            ws_put("probe.setpoint", &json!(6), "ws-disabled"),
            get(model("probe.setpoint")),
        ],
    );
    l.add(
        "lifecycle.enable",
        "enable: running again with the new configuration",
        vec![
            config(&saved(true, None, "on")),
            get("/skServer/plugins"),
            state(),
        ],
    );
    l.add(
        "lifecycle.stop-delta-not-redelivered",
        "deltas sent inside plugin_stop do not come back to the plugin",
        vec![state()],
    );
    l.add(
        "lifecycle.config-malformed",
        "a malformed config body",
        vec![
            Request::new("POST", plugin("/config"))
                .body("application/json", "{nope")
                .step(),
        ],
    );

    // --- Traps: what the client sees, and the plugin afterwards.
    l.add(
        "trap.http",
        "a panic in an HTTP handler",
        vec![post_json(plugin("/api/panic"), &json!({})), state()],
    );
    l.add(
        "trap.put-ws",
        "a panic in a PUT handler, over WebSocket",
        vec![ws_put("probe.panic", &json!(true), "ws-panic"), state()],
    );
    l.add(
        "trap.put-rest",
        "a panic in a PUT handler, over REST",
        vec![rest_put("probe.panic", &json!(true)), state()],
    );
    l.add(
        "trap.delta",
        "a panic in delta_handler, armed then fired by a delta",
        vec![
            post_json(plugin("/api/arm"), &json!({"at": "delta"})),
            emit_values(&json!([{"path": "probe.fire", "value": 1}])),
            state(),
            get(model("probe.fire")),
        ],
    );
    l.add(
        "trap.after",
        "the plugin after the traps: list entry and state",
        vec![get("/skServer/plugins"), state()],
    );
}
