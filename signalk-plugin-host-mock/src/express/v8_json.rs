//! `JSON.parse` as Node 22 (V8 12.4) does it, for body-parser: the value, with V8's own
//! key order (integer-like keys first, ascending; a repeated key keeps its first place
//! and its last value), numbers as doubles, and on bad input the exact `SyntaxError`
//! message V8 writes (its `JsonParser`: which message for which token, the position in
//! UTF-16 units with line and column, and the 10-character context around the
//! offending character in sources of 21 characters or more).
//!
//! Iterative, so input nesting cannot exhaust the stack; values nested deeper than
//! [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) are refused instead of built.

use serde_json::{Map, Number, Value};

use super::js_value::array_index;

/// Why a text is not a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// The `SyntaxError` message V8 throws.
    Syntax(String),
    /// Deeper than the mock host builds.
    TooDeep,
}

/// Sources shorter than this are quoted whole in "Unexpected token" messages.
const MIN_LENGTH_FOR_CONTEXT: usize = 21;
/// Characters quoted on each side of the offending one in longer sources.
const CONTEXT: usize = 10;

enum Frame {
    Array(Vec<Value>),
    Object(Vec<(String, Value)>, String),
}

struct Parser<'a> {
    src: &'a [u16],
    pos: usize,
}

/// `JSON.parse(text)`.
///
/// # Errors
///
/// [`JsonError::Syntax`] with V8's message, [`JsonError::TooDeep`] past
/// [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) levels.
pub(crate) fn parse(text: &str) -> Result<Value, JsonError> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut p = Parser {
        src: &units,
        pos: 0,
    };
    let value = p.parse_all()?;
    Ok(crate::js::round_trip(value))
}

fn is_ws(u: u16) -> bool {
    matches!(u, 0x20 | 0x09 | 0x0a | 0x0d)
}

impl Parser<'_> {
    fn peek(&self) -> Option<u16> {
        self.src.get(self.pos).copied()
    }

    fn skip_ws(&mut self) -> Option<u16> {
        while self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
        self.peek()
    }

    /// "… in JSON at position N (line L column C)".
    fn at(&self, what: &str, pos: usize) -> JsonError {
        self.located(&format!("{what} in JSON"), pos)
    }

    /// "… at position N (line L column C)".
    fn located(&self, what: &str, pos: usize) -> JsonError {
        let mut line = 1;
        let mut line_start = 0;
        let mut i = 0;
        while i < pos.min(self.src.len()) {
            match self.src[i] {
                0x0d => {
                    if self.src.get(i + 1) == Some(&0x0a) && i + 1 < pos {
                        i += 1;
                    }
                    line += 1;
                    line_start = i + 1;
                }
                0x0a => {
                    line += 1;
                    line_start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        JsonError::Syntax(format!(
            "{what} at position {pos} (line {line} column {})",
            pos - line_start + 1
        ))
    }

    /// V8's report for an unexpected character at the cursor (or the end).
    fn unexpected(&self) -> JsonError {
        let pos = self.pos;
        let Some(unit) = self.peek() else {
            return JsonError::Syntax("Unexpected end of JSON input".into());
        };
        if unit == u16::from(b'"') {
            return self.at("Unexpected string", pos);
        }
        if unit == u16::from(b'-') || (0x30..=0x39).contains(&unit) {
            return self.at("Unexpected number", pos);
        }
        let whole = String::from_utf16_lossy(self.src);
        if matches!(
            whole.as_str(),
            "NaN" | "Infinity" | "undefined" | "[object Object]"
        ) {
            return JsonError::Syntax(format!("\"{whole}\" is not valid JSON"));
        }
        let token = String::from_utf16_lossy(&[unit]);
        let len = self.src.len();
        let text = |from: usize, to: usize| String::from_utf16_lossy(&self.src[from..to.min(len)]);
        let message = if len < MIN_LENGTH_FOR_CONTEXT {
            format!("Unexpected token '{token}', \"{whole}\" is not valid JSON")
        } else if pos < CONTEXT {
            format!(
                "Unexpected token '{token}', \"{}\"... is not valid JSON",
                text(0, pos + CONTEXT)
            )
        } else if pos < len - CONTEXT {
            format!(
                "Unexpected token '{token}', ...\"{}\"... is not valid JSON",
                text(pos - CONTEXT, pos + CONTEXT)
            )
        } else {
            format!(
                "Unexpected token '{token}', ...\"{}\" is not valid JSON",
                text(pos - CONTEXT, len)
            )
        };
        JsonError::Syntax(message)
    }

    fn parse_all(&mut self) -> Result<Value, JsonError> {
        let mut stack: Vec<Frame> = Vec::new();
        'value: loop {
            let mut value = match self.skip_ws() {
                Some(0x22) => Value::String(self.string()?),
                Some(u) if u == u16::from(b'-') || (0x30..=0x39).contains(&u) => self.number()?,
                Some(0x7b) => {
                    self.pos += 1;
                    if self.skip_ws() == Some(0x7d) {
                        self.pos += 1;
                        Value::Object(Map::new())
                    } else {
                        let key = self.key("Expected property name or '}'")?;
                        stack.push(Frame::Object(Vec::new(), key));
                        self.check_depth(&stack)?;
                        continue 'value;
                    }
                }
                Some(0x5b) => {
                    self.pos += 1;
                    if self.skip_ws() == Some(0x5d) {
                        self.pos += 1;
                        Value::Array(Vec::new())
                    } else {
                        stack.push(Frame::Array(Vec::new()));
                        self.check_depth(&stack)?;
                        continue 'value;
                    }
                }
                Some(0x74) => self.literal("true", Value::Bool(true))?,
                Some(0x66) => self.literal("false", Value::Bool(false))?,
                Some(0x6e) => self.literal("null", Value::Null)?,
                _ => return Err(self.unexpected()),
            };
            // Close every container the value completes.
            loop {
                match stack.pop() {
                    None => {
                        if self.skip_ws().is_some() {
                            return Err(self.located(
                                "Unexpected non-whitespace character after JSON",
                                self.pos,
                            ));
                        }
                        return Ok(value);
                    }
                    Some(Frame::Array(mut items)) => {
                        items.push(value);
                        match self.skip_ws() {
                            Some(0x2c) => {
                                self.pos += 1;
                                stack.push(Frame::Array(items));
                                continue 'value;
                            }
                            Some(0x5d) => {
                                self.pos += 1;
                                value = Value::Array(items);
                            }
                            _ => {
                                return Err(
                                    self.at("Expected ',' or ']' after array element", self.pos)
                                );
                            }
                        }
                    }
                    Some(Frame::Object(mut entries, key)) => {
                        match entries.iter_mut().find(|(k, _)| *k == key) {
                            Some(slot) => slot.1 = value,
                            None => entries.push((key, value)),
                        }
                        match self.skip_ws() {
                            Some(0x2c) => {
                                self.pos += 1;
                                let key = self.key("Expected double-quoted property name")?;
                                stack.push(Frame::Object(entries, key));
                                continue 'value;
                            }
                            Some(0x7d) => {
                                self.pos += 1;
                                value = Value::Object(ordered(entries));
                            }
                            _ => {
                                return Err(
                                    self.at("Expected ',' or '}' after property value", self.pos)
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    fn check_depth(&self, stack: &[Frame]) -> Result<(), JsonError> {
        if stack.len() > crate::MAX_JSON_DEPTH {
            return Err(JsonError::TooDeep);
        }
        Ok(())
    }

    /// A property name and its colon.
    fn key(&mut self, expected: &str) -> Result<String, JsonError> {
        if self.skip_ws() != Some(0x22) {
            return Err(self.at(expected, self.pos));
        }
        let key = self.string()?;
        if self.skip_ws() != Some(0x3a) {
            return Err(self.at("Expected ':' after property name", self.pos));
        }
        self.pos += 1;
        Ok(key)
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        for expected in word.encode_utf16() {
            if self.peek() != Some(expected) {
                return Err(self.unexpected());
            }
            self.pos += 1;
        }
        Ok(value)
    }

    /// A string at the cursor (on its opening quote).
    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out: Vec<u16> = Vec::new();
        loop {
            let Some(unit) = self.peek() else {
                return Err(self.at("Unterminated string", self.pos));
            };
            match unit {
                0x22 => {
                    self.pos += 1;
                    // A lone surrogate (from `\ud800`) has no UTF-8 form: U+FFFD.
                    return Ok(String::from_utf16_lossy(&out));
                }
                0x5c => {
                    self.pos += 1;
                    let Some(escape) = self.peek() else {
                        return Err(JsonError::Syntax("Unexpected end of JSON input".into()));
                    };
                    let plain = match escape {
                        0x22 | 0x5c | 0x2f => Some(escape),
                        0x62 => Some(0x08),
                        0x66 => Some(0x0c),
                        0x6e => Some(0x0a),
                        0x72 => Some(0x0d),
                        0x74 => Some(0x09),
                        0x75 => None,
                        _ => return Err(self.at("Bad escaped character", self.pos)),
                    };
                    self.pos += 1;
                    match plain {
                        Some(u) => out.push(u),
                        None => {
                            let mut code = 0u16;
                            for _ in 0..4 {
                                let digit = self
                                    .peek()
                                    .and_then(|u| char::from_u32(u32::from(u)))
                                    .and_then(|c| c.to_digit(16));
                                let Some(digit) = digit else {
                                    return Err(self.at("Bad Unicode escape", self.pos));
                                };
                                #[allow(clippy::cast_possible_truncation)]
                                let digit = digit as u16;
                                code = code * 16 + digit;
                                self.pos += 1;
                            }
                            out.push(code);
                        }
                    }
                }
                u if u < 0x20 => {
                    return Err(self.at("Bad control character in string literal", self.pos));
                }
                u => {
                    out.push(u);
                    self.pos += 1;
                }
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|u| (0x30..=0x39).contains(&u)) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A number at the cursor, as a double.
    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        if self.peek() == Some(u16::from(b'-')) {
            self.pos += 1;
            if !self.peek().is_some_and(|u| (0x30..=0x39).contains(&u)) {
                return Err(self.at("No number after minus sign", self.pos));
            }
        }
        if self.peek() == Some(u16::from(b'0')) {
            self.pos += 1;
            if self.peek().is_some_and(|u| (0x30..=0x39).contains(&u)) {
                return Err(self.at("Unexpected number", self.pos));
            }
        } else {
            self.digits();
        }
        if self.peek() == Some(u16::from(b'.')) {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.at("Unterminated fractional number", self.pos));
            }
        }
        if matches!(self.peek(), Some(0x65 | 0x45)) {
            self.pos += 1;
            if matches!(self.peek(), Some(0x2b | 0x2d)) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.at("Exponent part is missing a number", self.pos));
            }
        }
        let text = String::from_utf16_lossy(&self.src[start..self.pos]);
        let n: f64 = text.parse().unwrap_or(f64::NAN);
        // JSON.stringify writes a non-finite double as null.
        Ok(Number::from_f64(n).map_or(Value::Null, Value::Number))
    }
}

/// The entries in V8's order: array-index keys first, ascending, then the rest as
/// inserted.
fn ordered(entries: Vec<(String, Value)>) -> Map<String, Value> {
    let (mut indexed, named): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|(k, _)| array_index(k).is_some());
    indexed.sort_by_key(|(k, _)| array_index(k));
    indexed.into_iter().chain(named).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        match parse(text) {
            Err(JsonError::Syntax(m)) => m,
            other => panic!("{other:?}"),
        }
    }

    // Messages as Node 22 prints them for these inputs.
    #[test]
    fn syntax_errors_read_like_v8() {
        assert_eq!(
            message("[1,]"),
            "Unexpected token ']', \"[1,]\" is not valid JSON"
        );
        assert_eq!(
            message("{\"a\":1,}"),
            "Expected double-quoted property name in JSON at position 7 (line 1 column 8)"
        );
        assert_eq!(
            message("[\r\n1\r\n x]"),
            "Expected ',' or ']' after array element in JSON at position 7 (line 3 column 2)"
        );
        assert_eq!(message("tru"), "Unexpected end of JSON input");
        assert_eq!(
            message("[01]"),
            "Unexpected number in JSON at position 2 (line 1 column 3)"
        );
        assert_eq!(
            message("abcdefghijklmnopqrstuvwxyz"),
            "Unexpected token 'a', \"abcdefghij\"... is not valid JSON"
        );
        assert_eq!(
            message("[object Object]"),
            "\"[object Object]\" is not valid JSON"
        );
    }

    #[test]
    fn values_come_out_as_javascript_has_them() {
        let v = parse(r#"{"b":1,"2":2,"a":[1e400,-0,1.50],"b":3,"1":4}"#).unwrap();
        assert_eq!(v.to_string(), r#"{"1":4,"2":2,"b":3,"a":[null,0,1.5]}"#);
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(parse(&deep), Err(JsonError::TooDeep));
    }
}
