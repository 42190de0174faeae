//! [`SchemaType`] for the standard types a configuration is made of.
//!
//! Integers carry their type's range as `minimum`/`maximum` where both ends are exact
//! JavaScript numbers (up to 32 bits), so the Admin UI refuses what the parser would
//! refuse; 64- and 128-bit types and `usize` get only `minimum: 0` when unsigned (their
//! upper ends are not exact in JavaScript, and `usize` differs between the native and
//! the wasm32 build, which must agree on the schema).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use super::rules::RuleError;
use super::{Node, Part, SchemaType};

const TYPE: &str = "\"type\"";

macro_rules! leaf {
    ($($t:ty => $node:expr;)*) => {$(
        impl SchemaType for $t {
            const NODE: Node = $node;
        }
    )*};
}

/// An integer with no bounds but its sign.
const UNSIGNED: Node = Node::new(&[
    (TYPE, Part::Json("\"integer\"")),
    ("\"minimum\"", Part::Json("0")),
]);
/// An integer with no bounds.
const SIGNED: Node = Node::new(&[(TYPE, Part::Json("\"integer\""))]);

leaf! {
    bool => Node::new(&[(TYPE, Part::Json("\"boolean\""))]);
    u8 => Node::new(&[(TYPE, Part::Json("\"integer\"")), ("\"minimum\"", Part::Json("0")), ("\"maximum\"", Part::Json("255"))]);
    u16 => Node::new(&[(TYPE, Part::Json("\"integer\"")), ("\"minimum\"", Part::Json("0")), ("\"maximum\"", Part::Json("65535"))]);
    u32 => Node::new(&[(TYPE, Part::Json("\"integer\"")), ("\"minimum\"", Part::Json("0")), ("\"maximum\"", Part::Json("4294967295"))]);
    i8 => Node::new(&[(TYPE, Part::Json("\"integer\"")), ("\"minimum\"", Part::Json("-128")), ("\"maximum\"", Part::Json("127"))]);
    i16 => Node::new(&[(TYPE, Part::Json("\"integer\"")), ("\"minimum\"", Part::Json("-32768")), ("\"maximum\"", Part::Json("32767"))]);
    i32 => Node::new(&[(TYPE, Part::Json("\"integer\"")), ("\"minimum\"", Part::Json("-2147483648")), ("\"maximum\"", Part::Json("2147483647"))]);
    u64 => UNSIGNED;
    u128 => UNSIGNED;
    usize => UNSIGNED;
    i64 => SIGNED;
    i128 => SIGNED;
    isize => SIGNED;
    f32 => Node::new(&[(TYPE, Part::Json("\"number\""))]);
    f64 => Node::new(&[(TYPE, Part::Json("\"number\""))]);
    String => Node::new(&[(TYPE, Part::Json("\"string\""))]);
    Box<str> => Node::new(&[(TYPE, Part::Json("\"string\""))]);
    char => Node::new(&[(TYPE, Part::Json("\"string\"")), ("\"minLength\"", Part::Json("1")), ("\"maxLength\"", Part::Json("1"))]);
    // Any JSON value: no constraint.
    crate::RawJson => Node::new(&[]);
    serde_json::Value => Node::new(&[]);
    // Any object, as `NoConfig` accepts.
    crate::NoConfig => Node::new(&[(TYPE, Part::Json("\"object\"")), ("\"properties\"", Part::Json("{}"))]);
}

/// An absent member is `None`: not required. The schema is `T`'s.
impl<T: SchemaType> SchemaType for Option<T> {
    const NODE: Node = Node::extending(&[], &T::NODE);
    const OPTIONAL: bool = true;
    fn check_rules(&self) -> Result<(), RuleError> {
        self.as_ref().map_or(Ok(()), SchemaType::check_rules)
    }
}

impl<T: SchemaType> SchemaType for Box<T> {
    const NODE: Node = Node::extending(&[], &T::NODE);
    const OPTIONAL: bool = T::OPTIONAL;
    fn check_rules(&self) -> Result<(), RuleError> {
        T::check_rules(self)
    }
}

fn each<'a, T: SchemaType + 'a>(items: impl IntoIterator<Item = &'a T>) -> Result<(), RuleError> {
    for (i, item) in items.into_iter().enumerate() {
        item.check_rules().map_err(|e| e.at_index(i))?;
    }
    Ok(())
}

macro_rules! sequence {
    ($($t:ident $(: $unique:literal)?;)*) => {$(
        impl<T: SchemaType> SchemaType for $t<T> {
            const NODE: Node = Node::new(&[
                (TYPE, Part::Json("\"array\"")),
                ("\"items\"", Part::Node(&T::NODE)),
                $(("\"uniqueItems\"", Part::Json($unique)),)?
            ]);
            fn check_rules(&self) -> Result<(), RuleError> {
                each(self)
            }
        }
    )*};
}
sequence! {
    Vec;
    VecDeque;
    BTreeSet: "true";
}

impl<T: SchemaType, S> SchemaType for HashSet<T, S> {
    const NODE: Node = <BTreeSet<T> as SchemaType>::NODE;
    fn check_rules(&self) -> Result<(), RuleError> {
        each(self)
    }
}

impl<T: SchemaType, const N: usize> SchemaType for [T; N] {
    const NODE: Node = Node::new(&[
        (TYPE, Part::Json("\"array\"")),
        ("\"items\"", Part::Node(&T::NODE)),
        ("\"minItems\"", Part::Count(N)),
        ("\"maxItems\"", Part::Count(N)),
    ]);
    fn check_rules(&self) -> Result<(), RuleError> {
        each(self)
    }
}

/// Maps with string keys: an object whose members all follow `V`'s schema.
impl<V: SchemaType> SchemaType for BTreeMap<String, V> {
    const NODE: Node = Node::new(&[
        (TYPE, Part::Json("\"object\"")),
        ("\"additionalProperties\"", Part::Node(&V::NODE)),
    ]);
    fn check_rules(&self) -> Result<(), RuleError> {
        for (key, value) in self {
            value.check_rules().map_err(|e| e.at_member(key))?;
        }
        Ok(())
    }
}

impl<V: SchemaType, S> SchemaType for HashMap<String, V, S> {
    const NODE: Node = <BTreeMap<String, V> as SchemaType>::NODE;
    fn check_rules(&self) -> Result<(), RuleError> {
        for (key, value) in self {
            value.check_rules().map_err(|e| e.at_member(key))?;
        }
        Ok(())
    }
}
