//! Data-model scenarios: deltas (values, meta, sources, other vessels) and notifications,
//! read back over REST, and what the plugin's `delta_handler` saw.

use serde_json::json;

use super::*;

pub(super) fn add(l: &mut List) {
    // --- Deltas into the data model, read back over REST.
    l.add(
        "delta.number",
        "a number, read back as a full entry",
        vec![
            emit_values(&json!([{"path": "probe.num", "value": 1.5}])),
            get(model("probe.num")),
        ],
    );
    let position = json!({"latitude": 52.1, "longitude": 4.5});
    l.add(
        "delta.object",
        "an object value",
        vec![
            emit_values(&json!([{"path": "navigation.position", "value": position}])),
            get(model("navigation.position")),
        ],
    );
    l.add(
        "delta.string",
        "a string value",
        vec![
            emit_values(&json!([{"path": "probe.text", "value": "ahoy"}])),
            get(model("probe.text")),
        ],
    );
    l.add(
        "delta.null",
        "a null value",
        vec![
            emit_values(&json!([{"path": "probe.nothing", "value": null}])),
            get(model("probe.nothing")),
        ],
    );
    l.add(
        "delta.leaf",
        "GET …/value of an entry",
        vec![
            emit_values(&json!([{"path": "probe.leaf", "value": 7}])),
            get(model("probe.leaf") + "/value"),
        ],
    );
    let tree = json!([{"path": "probe.tree.a", "value": 1}, {"path": "probe.tree.b", "value": 2}]);
    l.add(
        "delta.subtree",
        "GET a branch: every entry under it",
        vec![emit_values(&tree), get(model("probe.tree"))],
    );
    l.add(
        "delta.missing",
        "a path nobody wrote",
        vec![get(model("probe.never.written"))],
    );
    l.add(
        "delta.schema-meta",
        "a path the Signal K schema knows: its meta and display units",
        vec![
            emit_values(&json!([{"path": "navigation.speedOverGround", "value": 3.2}])),
            get(model("navigation.speedOverGround")),
        ],
    );
    let meta =
        json!([{"path": "probe.metered", "value": {"units": "m", "description": "a length"}}]);
    l.add(
        "delta.meta",
        "meta sent in a delta",
        vec![
            emit(&json!({"updates": [{
                "meta": meta,
                "values": [{"path": "probe.metered", "value": 4}]
            }]})),
            get(model("probe.metered")),
        ],
    );
    let source = json!({"label": "sensor1"});
    l.add(
        "delta.labelled-source",
        "a source with a label and no type",
        vec![
            sourced(&source, "probe.labelled", 1),
            get(model("probe.labelled")),
        ],
    );
    let source = json!({"label": "n2k", "type": "NMEA2000", "src": "115", "pgn": 130306});
    l.add(
        "delta.typed-source",
        "an NMEA 2000 source",
        vec![
            sourced(&source, "probe.typed", 2),
            get(model("probe.typed")),
        ],
    );
    let source = json!({"label": "bad label!"});
    l.add(
        "delta.bad-label",
        "a label with characters the server refuses",
        vec![
            sourced(&source, "probe.badlabel", 3),
            get(model("probe.badlabel")),
        ],
    );
    let stamped = json!({
        "timestamp": "2020-01-02T03:04:05.678Z",
        "values": [{"path": "probe.stamped", "value": 5}]
    });
    l.add(
        "delta.timestamped",
        "a delta with its own timestamp",
        vec![
            emit(&json!({"updates": [stamped]})),
            get(model("probe.stamped")),
        ],
    );
    let other = "vessels.urn:mrn:imo:mmsi:230000001";
    let sog = json!({"values": [{"path": "navigation.speedOverGround", "value": 1.25}]});
    l.add(
        "delta.other-vessel",
        "a delta about another vessel",
        vec![
            emit(&json!({"context": other, "updates": [sog]})),
            get("/signalk/v1/api/vessels/urn:mrn:imo:mmsi:230000001/navigation/speedOverGround"),
        ],
    );
    l.add(
        "delta.seen-by-plugin",
        "the plugin's delta_handler got its own deltas",
        vec![state()],
    );
    l.add(
        "delta.self-tree",
        "the whole own vessel as the REST API serves it",
        vec![get("/signalk/v1/api/vessels/self")],
    );

    // --- Notifications.
    let alarm =
        json!({"state": "alarm", "method": ["visual", "sound"], "message": "Anchor dragging"});
    l.add(
        "notify.alarm",
        "sk_publish_notification, read back from the model",
        vec![
            notify("notifications.probe.alarm", &alarm),
            get(model("notifications.probe.alarm")),
        ],
    );
    let calm = json!({"state": "normal", "method": [], "message": "ok"});
    l.add(
        "notify.normal",
        "a normal-state notification",
        vec![
            notify("notifications.probe.calm", &calm),
            get(model("notifications.probe.calm")),
        ],
    );
    let warn = json!({"state": "warn", "method": ["visual"], "message": "low"});
    l.add(
        "notify.in-delta",
        "a notification emitted as a plain delta value",
        vec![
            emit_values(&json!([{"path": "notifications.probe.delta", "value": warn}])),
            get(model("notifications.probe.delta")),
        ],
    );
}
