//! The pages Express answers when no route handles a request or a middleware fails:
//! finalhandler 1.3.2 (`finalhandler/index.js`, `createHtmlDocument`, `send`), with
//! the 404 text `Cannot <METHOD> <pathname>` (the client's whole pathname, through
//! `encodeurl`) and reason phrases from `statuses` 2.0.2 (`statuses/codes.json`).
//!
//! signalk-server runs Express without `NODE_ENV`, so finalhandler is in development
//! mode and an error page shows the error's `stack`: its first line is
//! `<name>: <message>` and the lines after it are the JavaScript call stack, with file
//! paths of the server's installation. The mock host writes the first line only.

use super::HttpResponse;

/// A failure that finalhandler turns into a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageError {
    /// `err.status`.
    pub status: u16,
    /// The error's class name: `SyntaxError`, `URIError`, or `http-errors`' name for
    /// the status (`BadRequestError`, `PayloadTooLargeError`, ...).
    pub name: String,
    /// `err.message`.
    pub message: String,
    /// `err.stack` without its call frames: `<name>: <message>`, unless the code that
    /// threw rewrote it.
    pub stack: String,
    /// The error's other enumerable properties, in the order `for…in` lists them (what
    /// errorhandler's JSON shows after `message` and `stack`).
    pub props: Vec<(String, serde_json::Value)>,
}

impl PageError {
    /// An `http-errors` error (`createError(status, message, props)`): named after the
    /// status; `props` are its own properties, then come `status`, `statusCode` and
    /// `expose` from its class.
    pub fn http(
        status: u16,
        message: impl Into<String>,
        props: Vec<(&str, serde_json::Value)>,
    ) -> PageError {
        let mut all: Vec<(String, serde_json::Value)> =
            props.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        all.push(("status".into(), status.into()));
        all.push(("statusCode".into(), status.into()));
        all.push(("expose".into(), (status < 500).into()));
        let name = http_error_name(status);
        let message = message.into();
        PageError {
            status,
            stack: format!("{name}: {message}"),
            name,
            message,
            props: all,
        }
    }

    /// The error's stack as the mock host shows it (without call frames).
    pub fn headline(&self) -> String {
        self.stack.clone()
    }
}

/// `http-errors`' class name for a status: the reason phrase in UpperCamelCase without
/// punctuation, `Error` appended unless it ends so.
fn http_error_name(status: u16) -> String {
    let reason = reason(status).unwrap_or("Unknown");
    let mut name: String = reason
        .split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<String>()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if !name.ends_with("Error") {
        name.push_str("Error");
    }
    name
}

/// finalhandler's answer to a request no route took.
pub(crate) fn not_found(method: &str, pathname: &str, head: bool) -> HttpResponse {
    page(
        404,
        &format!("Cannot {method} {}", encode_url(pathname)),
        head,
    )
}

/// finalhandler's answer to `next(err)`.
pub(crate) fn error_page(error: &PageError, head: bool) -> HttpResponse {
    page(error.status, &error.headline(), head)
}

/// `send`: the HTML document with its security and content headers.
fn page(status: u16, message: &str, head: bool) -> HttpResponse {
    let body = html_document(message);
    let mut response = HttpResponse::empty(status);
    response.set_header("content-security-policy", "default-src 'none'".into());
    response.set_header("x-content-type-options", "nosniff".into());
    response.set_header("content-type", "text/html; charset=utf-8".into());
    response.set_header("content-length", body.len().to_string());
    if !head {
        response.body = body;
    }
    response
}

/// `createHtmlDocument`: the message HTML-escaped, newlines as `<br>`, double spaces
/// as ` &nbsp;`.
pub(crate) fn html_document(message: &str) -> String {
    let escaped = escape_html(message)
        .replace('\n', "<br>")
        .replace("  ", " &nbsp;");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>{escaped}</pre>\n</body>\n</html>\n"
    )
}

/// `escape-html` 1.0.3 (errorhandler's pages use it too).
pub(super) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// `encodeurl` 2.0.3: percent-encodes what may not appear in a URL, leaving valid
/// escapes (and the reserved characters) alone; `%` not starting an escape becomes `%25`.
pub(crate) fn encode_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let bytes = url.as_bytes();
    for (at, c) in url.char_indices() {
        let keep = match c {
            '%' => {
                bytes.get(at + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(at + 2).is_some_and(u8::is_ascii_hexdigit)
            }
            '\u{21}'
            | '\u{23}'..='\u{3b}'
            | '\u{3d}'
            | '\u{3f}'..='\u{5f}'
            | '\u{61}'..='\u{7a}'
            | '\u{7c}'
            | '\u{7e}' => true,
            _ => false,
        };
        if keep {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// `statuses.message[status]`.
pub(crate) fn reason(status: u16) -> Option<&'static str> {
    Some(match status {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a Teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        509 => "Bandwidth Limit Exceeded",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real server's 404 page for this path, captured with curl.
    #[test]
    fn the_404_page_is_the_real_servers() {
        let r = not_found("GET", "/plugins/sdk-probe/nope%20%3Cx%3E%C3%A9", false);
        assert_eq!(r.body, include_str!("testdata/finalhandler-404.html"));
        assert_eq!(r.header("content-length"), Some("177"));
    }

    #[test]
    fn not_found_pages_name_the_whole_path() {
        let r = not_found("GET", "/plugins/p/nope <x>", false);
        assert_eq!(r.status, 404);
        assert!(
            r.body
                .contains("<pre>Cannot GET /plugins/p/nope%20%3Cx%3E</pre>"),
            "{}",
            r.body
        );
        assert_eq!(
            r.header("content-length"),
            Some(r.body.len().to_string().as_str())
        );
        assert_eq!(encode_url("/a%zz%41é"), "/a%25zz%41%C3%A9");
        assert_eq!(http_error_name(413), "PayloadTooLargeError");
        assert_eq!(http_error_name(400), "BadRequestError");
        assert_eq!(http_error_name(500), "InternalServerError");
    }
}
