//! The page a body-parser error gets. signalk-server runs in Express's development
//! mode (no `NODE_ENV`), where `signalk-server/dist/config/development.js` mounts
//! `errorhandler` 1.5.2 right after the body parsers; so a refused body is answered by
//! `errorhandler/index.js` (`errorHandler`), not finalhandler: the error's status, and
//! a body chosen by the request's `Accept` (accepts 1.3.8 / negotiator 0.6.4,
//! `preferredMediaTypes` over `html`, `json`, `text`):
//!
//! - HTML: the library's "Connect" page (`errorhandler/public/error.html` and
//!   `style.css`, reproduced below since they are the bytes on the wire) with the
//!   stack's first line as title and heading, later lines as list items;
//! - JSON: `{"error": {message, stack, ...the error's enumerable properties}}`,
//!   indented by two spaces;
//! - text: the stack.
//!
//! The stack after the error's own text is the JavaScript call stack, with file
//! paths of the server's installation; the mock host leaves those frames out.

use serde_json::{Map, Value};

use super::HttpResponse;
use super::finalhandler::PageError;

/// `error.html`.
const TEMPLATE: &str = "<html>\n  <head>\n    <meta charset='utf-8'> \n    <title>{error}</title>\n    <style>{style}</style>\n  </head>\n  <body>\n    <div id=\"wrapper\">\n      <h1>{title}</h1>\n      <h2><em>{statusCode}</em> {error}</h2>\n      <ul id=\"stacktrace\">{stack}</ul>\n    </div>\n  </body>\n</html>\n";

/// `style.css`.
const STYLESHEET: &str = "* {\n  margin: 0;\n  padding: 0;\n  outline: 0;\n}\n\nbody {\n  padding: 80px 100px;\n  font: 13px \"Helvetica Neue\", \"Lucida Grande\", \"Arial\";\n  background: #ECE9E9 -webkit-gradient(linear, 0% 0%, 0% 100%, from(#fff), to(#ECE9E9));\n  background: #ECE9E9 -moz-linear-gradient(top, #fff, #ECE9E9);\n  background-repeat: no-repeat;\n  color: #555;\n  -webkit-font-smoothing: antialiased;\n}\nh1, h2 {\n  font-size: 22px;\n  color: #343434;\n}\nh1 em, h2 em {\n  padding: 0 5px;\n  font-weight: normal;\n}\nh1 {\n  font-size: 60px;\n}\nh2 {\n  margin-top: 10px;\n}\nul li {\n  list-style: none;\n}\n#stacktrace {\n  margin-left: 60px;\n}\n";

/// The representation `accepts(req).type('html', 'json', 'text')` picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Html,
    Json,
    Text,
}

/// errorhandler's answer to `error` for a request with `accept` (its `Accept`).
pub(crate) fn page(error: &PageError, accept: Option<&str>, head: bool) -> HttpResponse {
    let status = if error.status < 400 {
        500
    } else {
        error.status
    };
    let stack = error.headline();
    let mut response = HttpResponse::empty(status);
    response.set_header("x-content-type-options", "nosniff".into());
    let (content_type, body) = match negotiate(accept) {
        Kind::Html => ("text/html; charset=utf-8", html(status, &stack)),
        Kind::Json => {
            let mut inner = Map::new();
            inner.insert("message".into(), Value::from(error.message.as_str()));
            inner.insert("stack".into(), Value::from(stack.as_str()));
            for (k, v) in &error.props {
                inner.insert(k.clone(), v.clone());
            }
            let mut outer = Map::new();
            outer.insert("error".into(), Value::Object(inner));
            let text = serde_json::to_string_pretty(&Value::Object(outer)).unwrap_or_default();
            ("application/json; charset=utf-8", text)
        }
        Kind::Text => ("text/plain; charset=utf-8", stack),
    };
    response.set_header("content-type", content_type.into());
    if !head {
        response.body = body;
    }
    response
}

/// The HTML page: `TEMPLATE` with each placeholder replaced in the library's order
/// (`String.prototype.replace`, `$` patterns included).
fn html(status: u16, stack: &str) -> String {
    let mut lines = stack.split('\n');
    let first = lines.next().filter(|l| !l.is_empty()).unwrap_or("Error");
    let error_html = escape_block(first);
    let stack_html: String = lines
        .map(|l| format!("<li>{}</li>", escape_block(l)))
        .collect();
    let body = js_replace(TEMPLATE, "{style}", STYLESHEET, false);
    let body = js_replace(&body, "{stack}", &stack_html, false);
    let body = js_replace(&body, "{title}", "Connect", false);
    let body = js_replace(&body, "{statusCode}", &status.to_string(), false);
    js_replace(&body, "{error}", &error_html, true)
}

/// `escapeHtmlBlock`: escape-html, double spaces as ` &nbsp;`, newlines as `<br>`.
fn escape_block(text: &str) -> String {
    super::finalhandler::escape_html(text)
        .replace("  ", " &nbsp;")
        .replace('\n', "<br>")
}

/// `text.replace(pattern, replacement)` (first match, or every one with `global`),
/// with the replacement's `$$`, `$&`, `` $` `` and `$'` patterns.
pub(crate) fn js_replace(text: &str, pattern: &str, replacement: &str, global: bool) -> String {
    let mut out = String::with_capacity(text.len() + replacement.len());
    let mut from = 0;
    while let Some(found) = text[from..].find(pattern) {
        let at = from + found;
        out.push_str(&text[from..at]);
        let end = at + pattern.len();
        let mut chars = replacement.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '$' {
                out.push(c);
                continue;
            }
            match chars.peek() {
                Some('$') => out.push('$'),
                Some('&') => out.push_str(pattern),
                Some('`') => out.push_str(&text[..at]),
                Some('\'') => out.push_str(&text[end..]),
                _ => {
                    out.push('$');
                    continue;
                }
            }
            chars.next();
        }
        from = end;
        if !global {
            break;
        }
    }
    out.push_str(&text[from..]);
    out
}

/// negotiator's `preferredMediaTypes(accept, ['text/html', 'application/json',
/// 'text/plain'])`, first choice; no `Accept` (or an empty one) means HTML, and
/// nothing acceptable means text (errorhandler's last branch).
fn negotiate(accept: Option<&str>) -> Kind {
    let Some(accept) = accept.filter(|a| !a.is_empty()) else {
        return Kind::Html;
    };
    let provided = [
        ("text", "html", Kind::Html),
        ("application", "json", Kind::Json),
        ("text", "plain", Kind::Text),
    ];
    // (type, subtype, has non-q params, q, index)
    let mut specs = Vec::new();
    for (index, item) in accept.split(',').enumerate() {
        let item = item.trim();
        let (essence, params) = item.split_once(';').unwrap_or((item, ""));
        let Some((t, s)) = essence.trim().split_once('/') else {
            continue;
        };
        if t.is_empty()
            || s.is_empty()
            || t.contains(char::is_whitespace)
            || s.contains(char::is_whitespace)
        {
            continue;
        }
        let mut q = 1.0;
        let mut other_params = Vec::new();
        for pair in params.split(';').filter(|p| !p.trim().is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = v.trim_matches('"');
            if k.trim().eq_ignore_ascii_case("q") {
                q = js_parse_float(v);
                break;
            }
            other_params.push(v.to_owned());
        }
        specs.push((
            t.to_ascii_lowercase(),
            s.to_ascii_lowercase(),
            other_params,
            q,
            index,
        ));
    }
    // Per provided type: the best (specificity, q, earliest) spec that matches.
    let mut chosen: Vec<(f64, u8, usize, usize, Kind)> = Vec::new();
    for (i, (pt, ps, kind)) in provided.iter().enumerate() {
        let mut best: Option<(u8, f64, usize)> = None;
        for (t, s, params, q, o) in &specs {
            let mut spec = 0u8;
            if t == pt {
                spec |= 4;
            } else if t != "*" {
                continue;
            }
            if s == ps {
                spec |= 2;
            } else if s != "*" {
                continue;
            }
            if !params.is_empty() {
                if params.iter().all(|v| v == "*" || v.is_empty()) {
                    spec |= 1;
                } else {
                    continue;
                }
            }
            let better = match best {
                None => true,
                Some((bs, bq, bo)) => {
                    (i32::from(bs) - i32::from(spec)) < 0
                        || (bs == spec && bq < *q)
                        || (bs == spec && bq == *q && bo > *o)
                }
            };
            if better {
                best = Some((spec, *q, *o));
            }
        }
        if let Some((s, q, o)) = best
            && q > 0.0
        {
            chosen.push((q, s, o, i, *kind));
        }
    }
    chosen.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.1.cmp(&a.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    chosen.first().map_or(Kind::Text, |c| c.4)
}

/// `parseFloat`: the longest leading decimal number, `NaN` without one.
fn js_parse_float(text: &str) -> f64 {
    let text = text.trim_start();
    let end = text
        .char_indices()
        .take_while(|(i, c)| {
            c.is_ascii_digit() || *c == '.' || (*i == 0 && (*c == '-' || *c == '+'))
        })
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .unwrap_or(0);
    (1..=end)
        .rev()
        .find_map(|n| text[..n].parse::<f64>().ok())
        .unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_picks_the_representation() {
        assert_eq!(negotiate(None), Kind::Html);
        assert_eq!(negotiate(Some("*/*")), Kind::Html);
        assert_eq!(negotiate(Some("application/json")), Kind::Json);
        assert_eq!(
            negotiate(Some("text/*;q=0.5, application/json")),
            Kind::Json
        );
        assert_eq!(negotiate(Some("text/plain")), Kind::Text);
        assert_eq!(negotiate(Some("image/png")), Kind::Text);
    }

    /// The real server's page for a strict-mode violation (`"str"` as a JSON body),
    /// captured with curl, its call-frame `<li>` items removed.
    #[test]
    fn the_html_page_is_the_real_servers_without_call_frames() {
        let request = super::super::HttpRequest::post("/plugins/sdk-probe/x")
            .body_raw("application/json", "\"str\"");
        let Err(super::super::BodyError::Page(error)) = super::super::body_parser::parse(&request)
        else {
            panic!("the body should be refused");
        };
        let r = page(&error, Some("*/*"), false);
        assert_eq!(
            r.body,
            include_str!("testdata/errorhandler-strict-violation.html")
        );
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    }

    #[test]
    fn the_html_page_has_the_error_twice() {
        let error = PageError::http(413, "too many parameters", vec![]);
        let r = page(&error, None, false);
        assert_eq!(r.status, 413);
        assert!(
            r.body
                .contains("<title>PayloadTooLargeError: too many parameters</title>")
        );
        assert!(
            r.body
                .contains("<h2><em>413</em> PayloadTooLargeError: too many parameters</h2>")
        );
        assert_eq!(
            js_replace("a{x}b", "{x}", "[$&|$`|$'|$$]", false),
            "a[{x}|a|b|$]b"
        );
    }
}
