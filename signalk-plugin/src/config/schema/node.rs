//! The schema of a type as a tree of constants, and the `const fn` writer that turns
//! the tree into JSON text at compile time.
//!
//! Why a tree and not text: a generic impl (`Vec<T>`) cannot build a `&'static str`
//! from `T`'s text on stable Rust (the length of the result would be a generic
//! constant), but it can build a constant that *refers* to `T`'s tree. Only a concrete
//! type (the one `#[derive(ConfigSchema)]` is on) turns its tree into text, once, with
//! [`text_len`] and [`write_text`].

/// A JSON Schema object: its own members, then those of a schema it extends.
///
/// A field's schema is its keywords (`title`, `minimum`, ...) extending its type's
/// schema; a keyword the field gives replaces the type's (a field's `title` wins over
/// the nested struct's). Keys are JSON string texts, quotes included (`"\"type\""`),
/// written by the derive, so the writer copies them as they are.
///
/// ```
/// use signalk_plugin::config::schema::{Node, Part};
/// const NUMBER: Node = Node::new(&[("\"type\"", Part::Json("\"number\""))]);
/// const SPEED: Node = Node::extending(&[("\"title\"", Part::Json("\"Speed\""))], &NUMBER);
/// assert_eq!(signalk_plugin::config::schema::text_len(&SPEED), r#"{"type":"number","title":"Speed"}"#.len());
/// ```
#[derive(Debug)]
pub struct Node {
    /// Members written after the base's, replacing base members of the same key.
    pub own: &'static [(&'static str, Part)],
    /// The schema these members extend.
    pub base: Option<&'static Node>,
}

impl Node {
    /// A schema with these members only.
    ///
    /// ```
    /// use signalk_plugin::config::schema::{text_len, Node, Part};
    /// const ANY: Node = Node::new(&[]);
    /// assert_eq!(text_len(&ANY), 2); // {}
    /// ```
    #[must_use]
    pub const fn new(own: &'static [(&'static str, Part)]) -> Self {
        Node { own, base: None }
    }

    /// `base`'s members, with `own` added or replacing base members of the same key.
    ///
    /// ```
    /// use signalk_plugin::config::schema::{text_len, Node, Part, SchemaType};
    /// // u8's own `maximum` (255) is replaced, not repeated.
    /// const PERCENT: Node = Node::extending(&[("\"maximum\"", Part::Json("100"))], &<u8 as SchemaType>::NODE);
    /// assert_eq!(text_len(&PERCENT), r#"{"type":"integer","minimum":0,"maximum":100}"#.len());
    /// ```
    #[must_use]
    pub const fn extending(own: &'static [(&'static str, Part)], base: &'static Node) -> Self {
        Node {
            own,
            base: Some(base),
        }
    }
}

/// The value of one schema member.
///
/// ```
/// use signalk_plugin::config::schema::{Node, Part};
/// // {"required":["a"]}: members whose flag is false are left out, and a list
/// // left empty leaves out the whole `required` member.
/// const N: Node = Node::new(&[("\"required\"", Part::Required(&[("\"a\"", true), ("\"b\"", false)]))]);
/// assert_eq!(signalk_plugin::config::schema::text_len(&N), r#"{"required":["a"]}"#.len());
/// ```
#[derive(Debug)]
pub enum Part {
    /// JSON text written as it is (the derive validated it).
    Json(&'static str),
    /// A nested schema (`items`, `additionalProperties`).
    Node(&'static Node),
    /// `properties`: each member's JSON name (a JSON string text) and schema.
    Properties(&'static [(&'static str, Node)]),
    /// `required`: the names whose flag is true; the member is left out when none is.
    Required(&'static [(&'static str, bool)]),
    /// A count, written as a JSON integer (`[T; N]`'s `minItems`).
    Count(usize),
}

/// Where the writer puts text: into `buf` as far as it reaches, counting every byte,
/// so one walk measures (`buf` empty) and another writes.
struct Sink<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Sink<'_> {
    const fn put(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if self.len < self.buf.len() {
                self.buf[self.len] = bytes[i];
            }
            self.len += 1;
            i += 1;
        }
    }

    /// `n` in decimal.
    const fn count(&mut self, n: usize) {
        let mut digits = [0u8; 20];
        let (mut n, mut at) = (n, digits.len());
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let (_, used) = digits.split_at(at);
        match core::str::from_utf8(used) {
            Ok(text) => self.put(text),
            Err(_) => panic!("decimal digits are UTF-8"),
        }
    }
}

/// The keys of the members already written or still to be written by outer layers: a
/// base member with one of these keys is replaced, so it is skipped.
struct Shadow<'a> {
    keys: &'a [(&'static str, Part)],
    outer: Option<&'a Shadow<'a>>,
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn shadowed(key: &str, shadow: Option<&Shadow<'_>>) -> bool {
    let Some(shadow) = shadow else {
        return false;
    };
    let mut i = 0;
    while i < shadow.keys.len() {
        if same(shadow.keys[i].0, key) {
            return true;
        }
        i += 1;
    }
    shadowed(key, shadow.outer)
}

const fn any_required(names: &[(&str, bool)]) -> bool {
    let mut i = 0;
    while i < names.len() {
        if names[i].1 {
            return true;
        }
        i += 1;
    }
    false
}

/// Writes `node`'s members (base first), skipping keys an outer layer writes; returns
/// whether nothing was written yet (for the commas).
const fn members(out: &mut Sink<'_>, node: &Node, outer: Option<&Shadow<'_>>, empty: bool) -> bool {
    let mut empty = empty;
    if let Some(base) = node.base {
        let shadow = Shadow {
            keys: node.own,
            outer,
        };
        empty = members(out, base, Some(&shadow), empty);
    }
    let mut i = 0;
    while i < node.own.len() {
        let (key, value) = (node.own[i].0, &node.own[i].1);
        i += 1;
        if shadowed(key, outer) {
            continue;
        }
        if let Part::Required(names) = value
            && !any_required(names)
        {
            continue;
        }
        if !empty {
            out.put(",");
        }
        empty = false;
        out.put(key);
        out.put(":");
        part(out, value);
    }
    empty
}

const fn object(out: &mut Sink<'_>, node: &Node) {
    out.put("{");
    members(out, node, None, true);
    out.put("}");
}

const fn part(out: &mut Sink<'_>, value: &Part) {
    match value {
        Part::Json(text) => out.put(text),
        Part::Node(node) => object(out, node),
        Part::Count(n) => out.count(*n),
        Part::Properties(properties) => {
            out.put("{");
            let mut i = 0;
            while i < properties.len() {
                if i > 0 {
                    out.put(",");
                }
                out.put(properties[i].0);
                out.put(":");
                object(out, &properties[i].1);
                i += 1;
            }
            out.put("}");
        }
        Part::Required(names) => {
            out.put("[");
            let (mut i, mut first) = (0, true);
            while i < names.len() {
                if names[i].1 {
                    if !first {
                        out.put(",");
                    }
                    first = false;
                    out.put(names[i].0);
                }
                i += 1;
            }
            out.put("]");
        }
    }
}

/// The length in bytes of `node` as JSON text.
///
/// ```
/// use signalk_plugin::config::schema::{text_len, SchemaType};
/// assert_eq!(text_len(&<bool as SchemaType>::NODE), r#"{"type":"boolean"}"#.len());
/// ```
#[must_use]
pub const fn text_len(node: &Node) -> usize {
    let mut sink = Sink {
        buf: &mut [],
        len: 0,
    };
    object(&mut sink, node);
    sink.len
}

/// `node` as JSON text, in an array of exactly [`text_len`] bytes.
///
/// ```
/// use signalk_plugin::config::schema::{text_len, write_text, SchemaType};
/// const LEN: usize = text_len(&<Vec<u8> as SchemaType>::NODE);
/// const TEXT: [u8; LEN] = write_text(&<Vec<u8> as SchemaType>::NODE);
/// assert_eq!(
///     std::str::from_utf8(&TEXT).unwrap(),
///     r#"{"type":"array","items":{"type":"integer","minimum":0,"maximum":255}}"#
/// );
/// ```
///
/// # Panics
/// At compile time, if `N` is not the text's length.
#[must_use]
pub const fn write_text<const N: usize>(node: &Node) -> [u8; N] {
    let mut buf = [0u8; N];
    let mut sink = Sink {
        buf: &mut buf,
        len: 0,
    };
    object(&mut sink, node);
    assert!(sink.len == N, "write_text: N is not the schema's length");
    buf
}

/// [`write_text`] at run time, for tests that go through many types.
#[cfg(test)]
pub(crate) fn text(node: &Node) -> String {
    let mut buf = vec![0u8; text_len(node)];
    let mut sink = Sink {
        buf: &mut buf,
        len: 0,
    };
    object(&mut sink, node);
    String::from_utf8(buf).expect("the writer writes UTF-8")
}
