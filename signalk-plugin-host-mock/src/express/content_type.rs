//! Media types the way the server's libraries read and write them: `content-type`
//! 1.0.5 (`content-type/index.js`, `parse` and `format`: what `res.send`'s
//! `setCharset` and body-parser's `getCharset` use) and `media-typer` 0.3.0
//! (`media-typer/index.js`, `parse`: what `type-is` 1.6.18 uses to decide whether a
//! body parser applies).

/// A parsed `Content-Type` (`content-type`'s `ContentType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MediaType {
    /// `type/subtype`, lower-case.
    pub essence: String,
    /// Parameters, names lower-case, in header order (`format` sorts them).
    pub parameters: Vec<(String, String)>,
}

/// `TypeError('invalid media type')` and friends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InvalidMediaType(pub &'static str);

impl std::fmt::Display for InvalidMediaType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+.^_`|~-".contains(c)
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_token_char)
}

/// The characters a quoted parameter value may hold, and those that may follow a
/// backslash, in one library's regular expression.
struct Quoting {
    plain: fn(char) -> bool,
    escaped: fn(char) -> bool,
}

const CONTENT_TYPE_QUOTING: Quoting = Quoting {
    plain: |c| matches!(c, '\u{0b}' | ' ' | '!' | '\u{23}'..='\u{5b}' | '\u{5d}'..='\u{7e}' | '\u{80}'..='\u{ff}'),
    escaped: |c| matches!(c, '\u{0b}' | '\u{20}'..='\u{ff}'),
};

const MEDIA_TYPER_QUOTING: Quoting = Quoting {
    plain: |c| matches!(c, ' ' | '!' | '\u{23}'..='\u{5b}' | '\u{5d}'..='\u{7e}' | '\u{80}'..='\u{ff}'),
    escaped: |c| matches!(c, '\u{20}'..='\u{7e}'),
};

/// The `; *name *= *("quoted"|token) *` sequence from `start` to the end of `header`,
/// each match required to start where the previous ended.
fn parameters(header: &str, quoting: &Quoting) -> Result<Vec<(String, String)>, InvalidMediaType> {
    const BAD: InvalidMediaType = InvalidMediaType("invalid parameter format");
    let mut out = Vec::new();
    let mut rest = header;
    while !rest.is_empty() {
        let after = rest.strip_prefix(';').ok_or(BAD)?.trim_start_matches(' ');
        let name_len = after.find(|c| !is_token_char(c)).unwrap_or(after.len());
        if name_len == 0 {
            return Err(BAD);
        }
        let name = after[..name_len].to_ascii_lowercase();
        let after = after[name_len..].trim_start_matches(' ');
        let after = after.strip_prefix('=').ok_or(BAD)?.trim_start_matches(' ');
        let (value, after) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next() {
                    Some((at, '"')) => break at,
                    Some((_, '\\')) => match chars.next() {
                        Some((_, c)) if (quoting.escaped)(c) => value.push(c),
                        _ => return Err(BAD),
                    },
                    Some((_, c)) if (quoting.plain)(c) => value.push(c),
                    _ => return Err(BAD),
                }
            };
            (value, &quoted[end + 1..])
        } else {
            let len = after.find(|c| !is_token_char(c)).unwrap_or(after.len());
            if len == 0 {
                return Err(BAD);
            }
            (after[..len].to_owned(), &after[len..])
        };
        out.retain(|(n, _): &(String, String)| *n != name);
        out.push((name, value));
        rest = after.trim_start_matches(' ');
    }
    Ok(out)
}

impl MediaType {
    /// `contentType.parse(header)`.
    ///
    /// # Errors
    ///
    /// `invalid media type` or `invalid parameter format`, as the library throws.
    pub fn parse(header: &str) -> Result<MediaType, InvalidMediaType> {
        let (essence, params) = match header.find(';') {
            Some(at) => (header[..at].trim(), &header[at..]),
            None => (header.trim(), ""),
        };
        let valid = essence
            .split_once('/')
            .is_some_and(|(t, s)| is_token(t) && is_token(s));
        if !valid {
            return Err(InvalidMediaType("invalid media type"));
        }
        Ok(MediaType {
            essence: essence.to_ascii_lowercase(),
            parameters: parameters(params, &CONTENT_TYPE_QUOTING)?,
        })
    }

    /// A parameter's value (`name` lower-case).
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `setCharset(type, 'utf-8')`: the charset set, then `contentType.format` (sorted
    /// parameters, quoted where not a token).
    pub fn with_charset_utf8(mut self) -> String {
        self.parameters.retain(|(n, _)| n != "charset");
        self.parameters.push(("charset".into(), "utf-8".into()));
        self.parameters.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = self.essence;
        for (name, value) in &self.parameters {
            out.push_str("; ");
            out.push_str(name);
            out.push('=');
            if is_token(value) {
                out.push_str(value);
            } else {
                out.push('"');
                for c in value.chars() {
                    if c == '\\' || c == '"' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
            }
        }
        out
    }
}

/// `type-is`'s view of a request's `Content-Type`: `type/subtype` lower-case as
/// `media-typer` normalises it, `None` where it fails to parse (then no body parser
/// applies and the body is ignored).
pub(crate) fn request_essence(header: Option<&str>) -> Option<String> {
    let header = header.filter(|h| !h.is_empty())?;
    let (essence, params) = match header.find(';') {
        Some(at) => (&header[..at], &header[at..]),
        None => (header, ""),
    };
    let lower = essence.trim_matches(' ').to_ascii_lowercase();
    let (t, s) = lower.split_once('/')?;
    let name_ok = |n: &str, extra: &str| {
        let mut chars = n.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
            && n.len() <= 127
            && chars.all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    };
    if !name_ok(t, "!#$&^_-") || !name_ok(s, "!#$&^_.+-") {
        return None;
    }
    parameters(params, &MEDIA_TYPER_QUOTING).ok()?;
    Some(lower)
}

/// `contentType.parse(req).parameters.charset`, lower-case, `None` when absent or when
/// the header does not parse (body-parser's `getCharset`).
pub(crate) fn parse(header: Option<&str>) -> Option<String> {
    let typed = MediaType::parse(header?).ok()?;
    typed
        .parameter("charset")
        .filter(|c| !c.is_empty())
        .map(str::to_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_is_set_and_parameters_sorted() {
        let t = MediaType::parse("Text/Plain; x=\"a b\"; Charset=latin1").unwrap();
        assert_eq!(
            t.with_charset_utf8(),
            "text/plain; charset=utf-8; x=\"a b\""
        );
        assert!(MediaType::parse("nonsense").is_err());
        assert!(MediaType::parse("text/plain; x").is_err());
    }

    #[test]
    fn request_types_normalise_like_media_typer() {
        let e = |h| request_essence(Some(h));
        assert_eq!(
            e("Application/JSON; charset=utf-8").as_deref(),
            Some("application/json")
        );
        assert_eq!(e("application/json;").as_deref(), None);
        assert_eq!(
            e("application/vnd+json").as_deref(),
            Some("application/vnd+json")
        );
        assert_eq!(
            parse(Some("application/json; charset=\"UTF-8\"")).as_deref(),
            Some("utf-8")
        );
    }
}
