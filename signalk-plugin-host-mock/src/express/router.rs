//! How Express 4.22.3 gets a request to a plugin route: the plugin's router is mounted
//! with `app.use(['/skServer/plugins/<id>', '/plugins/<id>'], router)`
//! (`signalk-server/dist/wasm/loader/plugin-routes.js`, `setupWasmPluginRoutes` and
//! `backwardsCompat`), routes are matched with path-to-regexp 0.1.13 patterns
//! (`path-to-regexp/index.js`: case-insensitive, optional trailing slash, nothing
//! decoded or normalised) and the matched params decoded (`express/lib/router/layer.js`,
//! `decode_param`).
//!
//! Mounting (`express/lib/router/index.js`, `trim_prefix`) removes the mount path and
//! at most one following slash when another slash or the end follows it, so
//! `/plugins/<id>//api/x` reaches the router as `/api/x`; `..` and `;` are ordinary
//! characters to Express, so `/api/../api/x` or `/api/x;v=1` match no `/api/x` route.

use serde_json::{Map, Value};

use super::HttpRequest;
use super::qs::{self, QsOptions};

/// A request as the plugin's router sees it.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    /// Upper-case method.
    pub method: String,
    /// The pathname as the client sent it (`parseurl.original(req).pathname`), for
    /// finalhandler's 404 text.
    pub original_path: String,
    /// The pathname below the mount (`req.path` in the plugin's handlers), `None` when
    /// the request is not under this plugin's mount at all.
    pub path: Option<String>,
    /// The raw query string (`None` without a `?`).
    pub query: Option<String>,
    /// `req.headers`.
    pub headers: Vec<(String, String)>,
}

impl Incoming {
    /// The request for the plugin `id`. A target not under `/plugins/` or
    /// `/skServer/plugins/` is relative to the plugin. With an empty `id` (no host at
    /// hand), whatever plugin an absolute target names is taken as the mount.
    pub fn from_request(request: &HttpRequest, id: &str) -> Incoming {
        let target = request.target();
        let absolute = starts_with_ignore_case(target, "/plugins/")
            || starts_with_ignore_case(target, "/skServer/plugins/");
        let full = if absolute {
            target.to_owned()
        } else if target.starts_with('/') {
            format!("/plugins/{id}{target}")
        } else {
            format!("/plugins/{id}/{target}")
        };
        let (pathname, query) = match full.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (full, None),
        };
        let id = if id.is_empty() && absolute {
            mounted_id(&pathname)
        } else {
            id.to_owned()
        };
        let path = [format!("/skServer/plugins/{id}"), format!("/plugins/{id}")]
            .iter()
            .find_map(|mount| below_mount(&pathname, mount));
        Incoming {
            method: request.method().to_owned(),
            original_path: pathname,
            path,
            query,
            headers: request.wire_headers(),
        }
    }

    /// `req.query`: Express's extended query parser (`qs`, see [`QsOptions::QUERY`]).
    pub fn query_json(&self) -> Value {
        match &self.query {
            // Depth errors are impossible without strictDepth.
            Some(q) => {
                qs::parse(q, &QsOptions::QUERY).unwrap_or_else(|_| Value::Object(Map::new()))
            }
            None => Value::Object(Map::new()),
        }
    }

    /// `req.headers` as an object (a repeated name keeps its last value).
    pub fn headers_json(&self) -> Value {
        let mut map = Map::new();
        for (name, value) in &self.headers {
            map.insert(name.clone(), Value::from(value.as_str()));
        }
        Value::Object(map)
    }

    /// The request context the server hands a handler
    /// (`{method, path, query, params, body, headers}`, `plugin-routes.js`).
    pub fn context(&self, body: &Value, params: Map<String, Value>) -> Value {
        let mut map = Map::new();
        map.insert("method".into(), Value::from(self.method.as_str()));
        map.insert(
            "path".into(),
            Value::from(self.path.as_deref().unwrap_or(&self.original_path)),
        );
        map.insert("query".into(), self.query_json());
        map.insert("params".into(), Value::Object(params));
        map.insert("body".into(), body.clone());
        map.insert("headers".into(), self.headers_json());
        Value::Object(map)
    }
}

/// The plugin id an absolute `/plugins/<id>/...` pathname names.
fn mounted_id(pathname: &str) -> String {
    let rest = if starts_with_ignore_case(pathname, "/skServer/plugins/") {
        &pathname["/skServer/plugins/".len()..]
    } else {
        &pathname["/plugins/".len()..]
    };
    rest.split('/').next().unwrap_or_default().to_owned()
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The mount's `^<mount>\/?(?=\/|$)` (case-insensitive) and `trim_prefix`: the rest
/// of the pathname, `/` when nothing is left.
fn below_mount(pathname: &str, mount: &str) -> Option<String> {
    if !starts_with_ignore_case(pathname, mount) {
        return None;
    }
    let rest = &pathname[mount.len()..];
    let rest = if rest.is_empty() || rest == "/" {
        ""
    } else if let Some(after) = rest.strip_prefix("//") {
        // The optional slash is taken, since a slash follows it.
        return Some(format!("/{after}"));
    } else if rest.starts_with('/') {
        rest
    } else {
        return None;
    };
    Some(if rest.is_empty() {
        "/".to_owned()
    } else {
        rest.to_owned()
    })
}

/// One piece of a compiled route path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// Text matched case-insensitively.
    Literal(String),
    /// `/:name` (`(?:\/([^\/]+?))`), `?` when optional.
    Param { name: String, optional: bool },
    /// `*` (`(.*)`), named by its position among unnamed groups.
    Star(usize),
}

/// A route path compiled the way path-to-regexp 0.1.13 does for the forms plugins
/// use: literal text, `/:name`, `/:name?` and `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RoutePattern {
    tokens: Vec<Token>,
}

/// A route path with regular-expression syntax the port does not cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unsupported(pub char);

/// A param that `decodeURIComponent` refuses: Express answers 400 with
/// `URIError: Failed to decode param '<raw>'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadParam(pub String);

impl RoutePattern {
    /// Compiles `path`.
    ///
    /// # Errors
    ///
    /// [`Unsupported`] naming the first character the port does not handle (groups,
    /// escapes, regex quantifiers, a `:name` not after a slash).
    pub fn compile(path: &str) -> Result<RoutePattern, Unsupported> {
        let mut tokens = Vec::new();
        let mut literal = String::new();
        let mut stars = 0;
        let chars: Vec<char> = path.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '/' if chars.get(i + 1) == Some(&':') => {
                    let name: String = chars[i + 2..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                        .collect();
                    if name.is_empty() {
                        return Err(Unsupported(':'));
                    }
                    i += 2 + name.len();
                    let optional = chars.get(i) == Some(&'?');
                    if optional {
                        i += 1;
                    }
                    if matches!(chars.get(i), Some('(' | '*')) {
                        return Err(Unsupported(chars[i]));
                    }
                    if !literal.is_empty() {
                        tokens.push(Token::Literal(std::mem::take(&mut literal)));
                    }
                    tokens.push(Token::Param { name, optional });
                    continue;
                }
                '*' => {
                    if !literal.is_empty() {
                        tokens.push(Token::Literal(std::mem::take(&mut literal)));
                    }
                    tokens.push(Token::Star(stars));
                    stars += 1;
                }
                ':' | '(' | ')' | '\\' | '?' | '+' | '[' | ']' | '{' | '}' | '^' | '$' | '|' => {
                    return Err(Unsupported(c));
                }
                _ => literal.push(c),
            }
            i += 1;
        }
        // `\/?` is appended, or `?` alone when the path already ends with a slash.
        if literal.ends_with('/') {
            literal.pop();
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal));
        }
        Ok(RoutePattern { tokens })
    }

    /// `req.params` when `path` matches, decoded.
    ///
    /// # Errors
    ///
    /// [`BadParam`] for a matched param `decodeURIComponent` refuses.
    pub fn matches(&self, path: &str) -> Option<Result<Map<String, Value>, BadParam>> {
        let mut captures = Vec::new();
        if !match_from(&self.tokens, path, &mut captures) {
            return None;
        }
        let mut params = Map::new();
        for (token, raw) in self
            .tokens
            .iter()
            .filter(|t| !matches!(t, Token::Literal(_)))
            .zip(captures)
        {
            let name = match token {
                Token::Param { name, .. } => name.clone(),
                Token::Star(n) => n.to_string(),
                Token::Literal(_) => continue,
            };
            let Some(raw) = raw else { continue };
            let value = if raw.is_empty() {
                raw
            } else {
                match qs::decode_uri_component(&raw) {
                    Some(v) => v,
                    None => return Some(Err(BadParam(raw))),
                }
            };
            params.insert(name, Value::from(value));
        }
        Some(Ok(params))
    }
}

/// Backtracking match of `tokens` against `rest` then `\/?$`; `captures` gets one
/// entry per param or star (`None`: an optional param that took nothing).
fn match_from(tokens: &[Token], rest: &str, captures: &mut Vec<Option<String>>) -> bool {
    let Some((token, others)) = tokens.split_first() else {
        return rest.is_empty() || rest == "/";
    };
    match token {
        Token::Literal(text) => match strip_prefix_ignore_case(rest, text) {
            Some(after) => match_from(others, after, captures),
            None => false,
        },
        Token::Param { optional, .. } => {
            if let Some(after_slash) = rest.strip_prefix('/') {
                // Lazy: the shortest capture that lets the rest match.
                let limit = after_slash.find('/').unwrap_or(after_slash.len());
                for end in after_slash[..limit]
                    .char_indices()
                    .map(|(i, c)| i + c.len_utf8())
                {
                    captures.push(Some(after_slash[..end].to_owned()));
                    if match_from(others, &after_slash[end..], captures) {
                        return true;
                    }
                    captures.pop();
                }
            }
            if *optional {
                captures.push(None);
                if match_from(others, rest, captures) {
                    return true;
                }
                captures.pop();
            }
            false
        }
        Token::Star(_) => {
            // Greedy: the longest capture that lets the rest match.
            let ends: Vec<usize> = rest
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(rest.len()))
                .collect();
            for &end in ends.iter().rev() {
                captures.push(Some(rest[..end].to_owned()));
                if match_from(others, &rest[end..], captures) {
                    return true;
                }
                captures.pop();
            }
            false
        }
    }
}

/// `text` after `prefix`, compared the way a JS `i` regex does for these characters.
fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let mut rest = text.char_indices();
    for p in prefix.chars() {
        let (_, t) = rest.next()?;
        if !t.to_lowercase().eq(p.to_lowercase()) {
            return None;
        }
    }
    Some(rest.next().map_or("", |(i, _)| &text[i..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pattern: &str, path: &str) -> Option<Value> {
        RoutePattern::compile(pattern)
            .unwrap()
            .matches(path)
            .map(|r| Value::Object(r.unwrap()))
    }

    #[test]
    fn paths_match_like_path_to_regexp() {
        assert_eq!(
            params("/api/status", "/api/status/"),
            Some(serde_json::json!({}))
        );
        assert!(params("/api/status", "/API/Status").is_some());
        assert!(params("/api/status", "/api/status//").is_none());
        assert!(params("/api/status", "/api/status;x").is_none());
        assert!(params("/api/x", "/api/../api/x").is_none());
        assert_eq!(
            params("/api/items/:id", "/api/items/4%202").unwrap()["id"],
            "4 2"
        );
        assert!(params("/api/items/:id", "/api/items").is_none());
        assert_eq!(
            params("/api/items/:id?", "/api/items"),
            Some(serde_json::json!({}))
        );
        assert_eq!(
            params("/files/*", "/files/a/b.txt").unwrap()["0"],
            "a/b.txt"
        );
        assert_eq!(
            RoutePattern::compile("/x/:id").unwrap().matches("/x/%zz"),
            Some(Err(BadParam("%zz".into())))
        );
        assert_eq!(RoutePattern::compile("/a(b)?"), Err(Unsupported('(')));
    }

    #[test]
    fn the_mount_takes_one_extra_slash() {
        assert_eq!(
            below_mount("/plugins/p//api/x", "/plugins/p").as_deref(),
            Some("/api/x")
        );
        assert_eq!(
            below_mount("/plugins/p", "/plugins/p").as_deref(),
            Some("/")
        );
        assert_eq!(
            below_mount("/Plugins/P/", "/plugins/p").as_deref(),
            Some("/")
        );
        assert_eq!(below_mount("/plugins/px", "/plugins/p"), None);
    }
}
