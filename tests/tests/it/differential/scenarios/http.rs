//! HTTP scenarios: requests to the plugin's routes (what the client gets back and what
//! the plugin received), the plugin's own replies, and the server's routes for the plugin.

use serde_json::json;

use super::*;

pub(super) fn add(l: &mut List) {
    let echo = || plugin("/api/echo");
    // --- HTTP to the plugin's routes: what the client gets, what the plugin got.
    l.add(
        "http.echo.get",
        "a plain GET reaches the plugin with the client's headers",
        vec![get(echo())],
    );
    l.add(
        "http.echo.query-repeated",
        "repeated keys become arrays, + is a space",
        vec![get(echo() + "?x=1&x=2&y=a+b")],
    );
    l.add(
        "http.echo.query-nested",
        "qs nests a[b]=c",
        vec![get(echo() + "?a[b]=c&a[d]=e")],
    );
    l.add(
        "http.echo.query-brackets",
        "a[]=1&a[]=2 is an array",
        vec![get(echo() + "?a[]=1&a[]=2")],
    );
    l.add(
        "http.echo.query-index",
        "a[3]=x is an array (index within the limit)",
        vec![get(echo() + "?a[3]=x&b[30]=y")],
    );
    l.add(
        "http.echo.query-mixed",
        "a=1&a[b]=2 mixes a value and an object",
        vec![get(echo() + "?a=1&a[b]=2")],
    );
    l.add(
        "http.echo.query-encoded-brackets",
        "%5B %5D count as brackets",
        vec![get(echo() + "?a%5Bb%5D=c")],
    );
    l.add(
        "http.echo.query-deep",
        "qs stops nesting at depth 5",
        vec![get(echo() + "?a[b][c][d][e][f][g]=1")],
    );
    l.add(
        "http.echo.query-odd",
        "malformed percent-encoding, unicode, empty keys and values",
        vec![get(echo() + "?a=%zz&b=%E2%82%AC&=x&y=&z&c=%")],
    );
    l.add(
        "http.echo.query-proto",
        "__proto__ and hasOwnProperty keys",
        vec![get(echo() + "?__proto__[x]=1&hasOwnProperty=2&ok=3")],
    );
    l.add(
        "http.echo.query-dots",
        "dots are plain characters in keys",
        vec![get(echo() + "?a.b=c&a[b.c]=d")],
    );
    l.add(
        "http.echo.query-many",
        "past 1,000 parameters the rest are dropped",
        vec![get(echo()
            + "?"
            + &(0..1005)
                .map(|i| format!("k{i}={i}"))
                .collect::<Vec<_>>()
                .join("&"))],
    );
    l.add(
        "http.echo.params",
        "a route parameter",
        vec![get(plugin("/api/echo/42"))],
    );
    l.add(
        "http.echo.params-encoded",
        "a percent-encoded route parameter is decoded",
        vec![get(plugin("/api/echo/a%20b%2Fc"))],
    );
    l.add(
        "http.echo.post-json",
        "a JSON body reaches the plugin parsed",
        vec![post_json(
            echo(),
            &json!({"a": 1, "b": [1, 2], "c": {"d": null}}),
        )],
    );
    l.add(
        "http.echo.post-json-array",
        "a JSON array body is allowed (strict means object or array)",
        vec![post_json(echo(), &json!([1, "two"]))],
    );
    l.add(
        "http.echo.post-json-scalar",
        "a scalar JSON body is a 400 page; the plugin is not called",
        vec![
            Request::new("POST", echo())
                .body("application/json", "\"str\"")
                .step(),
        ],
    );
    l.add(
        "http.echo.post-json-malformed",
        "malformed JSON is a 400 page",
        vec![
            Request::new("POST", echo())
                .body("application/json", "{\"a\":")
                .step(),
        ],
    );
    l.add(
        "http.echo.post-json-charset",
        "application/json with a charset",
        vec![
            Request::new("POST", echo())
                .body("application/json; charset=utf-8", "{\"ü\":\"ß\"}")
                .step(),
        ],
    );
    l.add(
        "http.echo.post-json-empty",
        "an empty JSON body",
        vec![
            Request::new("POST", echo())
                .body("application/json", "")
                .step(),
        ],
    );
    l.add(
        "http.echo.post-json-proto",
        "__proto__ and duplicate keys in a JSON body",
        vec![
            Request::new("POST", echo())
                .body("application/json", r#"{"__proto__":{"x":1},"a":1,"a":2}"#)
                .step(),
        ],
    );
    l.add(
        "http.echo.post-vendor-json",
        "application/vnd.api+json is not parsed as JSON",
        vec![
            Request::new("POST", echo())
                .body("application/vnd.api+json", r#"{"a":1}"#)
                .step(),
        ],
    );
    l.add(
        "http.echo.post-form-deep",
        "an urlencoded body with encoded brackets and deep nesting",
        vec![
            Request::new("POST", echo())
                .body(
                    "application/x-www-form-urlencoded",
                    "a%5Bb%5D=1&c[d][e][f][g][h][i]=2&sp=a+b%20c",
                )
                .step(),
        ],
    );
    l.add(
        "http.echo.post-form",
        "an urlencoded body is parsed with qs (extended)",
        vec![
            Request::new("POST", echo())
                .body(
                    "application/x-www-form-urlencoded",
                    "a=1&b[c]=2&d[]=x&d[]=y",
                )
                .step(),
        ],
    );
    l.add(
        "http.echo.post-text",
        "a text/plain body is not parsed: body {}",
        vec![
            Request::new("POST", echo())
                .body("text/plain", "hello")
                .step(),
        ],
    );
    l.add(
        "http.echo.post-none",
        "a POST without a body",
        vec![Request::new("POST", echo()).step()],
    );
    l.add(
        "http.echo.post-large",
        "a 300 KB JSON body against the body-parser limit",
        vec![post_json(echo(), &json!({"big": "x".repeat(300_000)}))],
    );
    l.add(
        "http.echo.put",
        "PUT to a plugin route",
        vec![Request::new("PUT", echo()).json(&json!({"v": true})).step()],
    );
    l.add(
        "http.echo.delete",
        "DELETE to a plugin route",
        vec![Request::new("DELETE", echo() + "?id=7").step()],
    );
    l.add(
        "http.echo.headers",
        "custom request headers reach the plugin lower-cased",
        vec![
            Request::new("GET", echo())
                .header("X-Custom-Thing", "One Two")
                .header("Accept", "application/json")
                .step(),
        ],
    );
    l.add(
        "http.path.double-slash",
        "//api/echo reaches the plugin as /api/echo",
        vec![get(format!("/plugins/{ID}//api/echo"))],
    );
    l.add(
        "http.path.trailing-slash",
        "a trailing slash still matches (non-strict routing)",
        vec![get(echo() + "/")],
    );
    l.add(
        "http.path.case",
        "routes match case-insensitively",
        vec![get(plugin("/API/Echo"))],
    );
    l.add(
        "http.path.semicolon",
        "a ;x suffix is part of the path",
        vec![get(echo() + ";x")],
    );
    l.add(
        "http.path.dot-segments",
        "dot segments are sent as is",
        vec![get(plugin("/api/x/../echo"))],
    );
    l.add(
        "http.path.skserver-mount",
        "the /skServer/plugins mount reaches the same routes",
        vec![get(format!("/skServer/plugins/{ID}/api/echo"))],
    );
    l.add(
        "http.404.route",
        "an unknown route is finalhandler's 404 page",
        vec![get(plugin("/nope"))],
    );
    l.add(
        "http.404.method",
        "a method without a route is a 404 page",
        vec![Request::new("PATCH", echo()).json(&json!({})).step()],
    );
    l.add(
        "http.head",
        "HEAD runs the GET route and sends no body",
        vec![Request::new("HEAD", echo()).step()],
    );
    l.add(
        "http.options",
        "OPTIONS is answered by the server",
        vec![Request::new("OPTIONS", echo()).step()],
    );
    l.add(
        "http.options-preflight",
        "a CORS preflight",
        vec![
            Request::new("OPTIONS", echo())
                .header("Origin", "http://example.org")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .step(),
        ],
    );
    l.add(
        "http.server-headers",
        "every response header of one reply, server-wide ones included",
        vec![
            Request::new("POST", plugin("/api/reply"))
                .json(&json!({"status": 200, "text": "made"}))
                .all_headers()
                .step(),
        ],
    );

    // --- The plugin's own replies: status, headers and body as the client gets them.
    l.add(
        "reply.text-created",
        "201, a custom header, a text body",
        vec![reply(
            &json!({"status": 201, "headers": [["X-Probe", "yes"]], "text": "made"}),
        )],
    );
    let csv = json!({"status": 200, "headers": [["Content-Type", "text/csv"]], "text": "a,b\n"});
    l.add(
        "reply.content-type-charset",
        "a plugin content type gets ; charset=utf-8",
        vec![reply(&csv)],
    );
    l.add(
        "reply.json-object",
        "a JSON object body",
        vec![reply(
            &json!({"status": 200, "json": {"b": 2, "a": [1, {"c": null}]}}),
        )],
    );
    l.add(
        "reply.json-string",
        "a JSON string sent as text",
        vec![reply(&json!({"status": 200, "json": "just text"}))],
    );
    let json_text = json!({
        "status": 200,
        "headers": [["Content-Type", "application/json"]],
        "text": "{\"x\": 1}"
    });
    l.add(
        "reply.json-content-type-text",
        "a text body with an application/json type",
        vec![reply(&json_text)],
    );
    l.add(
        "reply.empty-204",
        "204 without a body",
        vec![reply(&json!({"status": 204}))],
    );
    l.add(
        "reply.empty-200",
        "200 without a body",
        vec![reply(&json!({"status": 200}))],
    );
    l.add(
        "reply.teapot",
        "an unusual status",
        vec![reply(&json!({"status": 418, "text": "short and stout"}))],
    );
    l.add(
        "reply.redirect",
        "302 with a Location header",
        vec![reply(
            &json!({"status": 302, "headers": [["Location", "/elsewhere"]], "text": "moved"}),
        )],
    );
    l.add(
        "reply.bad-request",
        "the probe refuses a body it cannot read",
        vec![reply(&json!({"status": "nope"}))],
    );

    // --- The server's own routes for the plugin.
    l.add(
        "server.plugin-info",
        "GET /plugins/<id>",
        vec![get(plugin(""))],
    );
    l.add(
        "server.config-get",
        "GET /plugins/<id>/config",
        vec![get(plugin("/config"))],
    );
    l.add(
        "server.plugin-list",
        "the plugin's entry in /skServer/plugins",
        vec![get("/skServer/plugins")],
    );
    l.add(
        "server.unknown-path",
        "a path the server has no route for",
        vec![get("/signalk/v1/nothing-here")],
    );
}
