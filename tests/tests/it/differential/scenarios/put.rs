//! PUT scenarios, over REST and over the WebSocket stream.

use serde_json::json;

use super::*;

pub(super) fn add(l: &mut List) {
    // --- PUT over REST (2.32.0 answers every one that reaches a WASM handler with 500).
    l.add(
        "put.rest.completed",
        "REST PUT to a handler that completes; its delta lands",
        vec![
            rest_put("probe.setpoint", &json!(2.5)),
            get(model("probe.setpoint")),
        ],
    );
    l.add(
        "put.rest.reply-403",
        "REST PUT to a handler that refuses",
        vec![rest_put(
            "probe.reply",
            &json!({"status": 403, "message": "no"}),
        )],
    );
    l.add(
        "put.rest.bad-value",
        "REST PUT with a value the handler cannot read",
        vec![rest_put("probe.setpoint", &json!("abc"))],
    );
    l.add(
        "put.rest.unregistered",
        "REST PUT to a path without a handler",
        vec![rest_put("probe.nobody", &json!(1))],
    );
    l.add(
        "put.rest.no-value",
        "REST PUT without a value member",
        vec![
            Request::new("PUT", model("probe.setpoint"))
                .json(&json!({"other": 1}))
                .step(),
        ],
    );
    l.add(
        "put.supports-put-meta",
        "a path with a handler says supportsPut",
        vec![get(model("probe.setpoint") + "/meta")],
    );

    // --- PUT over WebSocket: every message for the request, in order.
    l.add(
        "put.ws.completed",
        "WS PUT to a handler that completes",
        vec![
            ws_put("probe.setpoint", &json!(4), "ws-completed"),
            get(model("probe.setpoint")),
        ],
    );
    l.add(
        "put.ws.reply-403",
        "WS PUT: the plugin's refusal, then the server's 500",
        vec![ws_put(
            "probe.reply",
            &json!({"status": 403, "message": "no"}),
            "ws-403",
        )],
    );
    l.add(
        "put.ws.reply-202",
        "WS PUT: a reply without a message",
        vec![ws_put("probe.reply", &json!({"status": 202}), "ws-202")],
    );
    l.add(
        "put.ws.bad-value",
        "WS PUT with a value the handler cannot read",
        vec![ws_put(
            "probe.setpoint",
            &json!({"not": "a number"}),
            "ws-bad",
        )],
    );
    l.add(
        "put.ws.unregistered",
        "WS PUT to a path without a handler",
        vec![ws_put("probe.nobody", &json!(1), "ws-none")],
    );
    l.add(
        "put.ws.calm",
        "WS PUT to the panic handler that does not panic",
        vec![ws_put("probe.panic", &json!(false), "ws-calm")],
    );
    l.add(
        "put.ws.notification-state",
        "WS PUT to the state of a notification no plugin handles",
        vec![
            ws_put(
                "notifications.probe.alarm.state",
                &json!("normal"),
                "ws-notif",
            ),
            get(model("notifications.probe.alarm")),
        ],
    );
    l.add(
        "put.rest.with-source",
        "REST PUT naming the handler's source",
        vec![
            Request::new("PUT", model("probe.setpoint"))
                .json(&json!({"value": 9, "source": ID}))
                .step(),
        ],
    );
}
