//! What the derive read from a type: names after serde's renames, what serde defaults,
//! the schema's text pieces (JSON, validated here) and the rules to check at start.

use proc_macro2::Span;

/// Where serde takes the value of an absent member from.
pub enum DefaultFrom {
    /// `#[serde(default)]`: `Default::default()` (of the field's type, or of the struct).
    Trait,
    /// `#[serde(default = "path")]`: a function.
    Function(syn::ExprPath),
}

/// A type deriving `ConfigSchema`.
pub struct Container {
    pub ident: syn::Ident,
    pub title: Option<String>,
    pub description: Option<String>,
    pub body: Body,
}

/// A struct with named fields, or an enum of unit variants.
pub enum Body {
    Struct {
        fields: Vec<Field>,
        deny_unknown_fields: bool,
        /// `#[serde(default)]` on the struct: every absent member comes from the struct's default.
        default: Option<DefaultFrom>,
    },
    Enum {
        /// The JSON names of the variants serde accepts.
        names: Vec<String>,
    },
}

/// A struct field.
pub struct Field {
    pub ident: syn::Ident,
    pub ty: syn::Type,
    /// The JSON name.
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    /// `#[serde(default ...)]` on the field.
    pub default: Option<DefaultFrom>,
    /// The schema's `default`, as JSON text.
    pub schema_default: Option<Spanned<String>>,
    /// Range, length and count rules, in the order written.
    pub rules: Vec<Rule>,
}

/// A value with the span it was written at.
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A rule of `#[schema(...)]` that is both a schema keyword and a check at start.
pub struct Rule {
    pub kind: RuleKind,
    pub value: RuleValue,
    pub span: Span,
}

/// The rules, each with its `#[schema]` key, JSON Schema keyword and check function.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    Minimum,
    Maximum,
    ExclusiveMinimum,
    ExclusiveMaximum,
    MinLength,
    MaxLength,
    MinItems,
    MaxItems,
}

impl RuleKind {
    /// Every rule with its attribute key.
    pub const ALL: [(&'static str, RuleKind); 8] = [
        ("minimum", RuleKind::Minimum),
        ("maximum", RuleKind::Maximum),
        ("exclusive_minimum", RuleKind::ExclusiveMinimum),
        ("exclusive_maximum", RuleKind::ExclusiveMaximum),
        ("min_length", RuleKind::MinLength),
        ("max_length", RuleKind::MaxLength),
        ("min_items", RuleKind::MinItems),
        ("max_items", RuleKind::MaxItems),
    ];

    /// The key written in `#[schema(...)]`, which is also the check function's name.
    pub fn key(self) -> &'static str {
        RuleKind::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(key, _)| *key)
            .expect("every kind is listed")
    }

    /// The JSON Schema keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            RuleKind::Minimum => "minimum",
            RuleKind::Maximum => "maximum",
            RuleKind::ExclusiveMinimum => "exclusiveMinimum",
            RuleKind::ExclusiveMaximum => "exclusiveMaximum",
            RuleKind::MinLength => "minLength",
            RuleKind::MaxLength => "maxLength",
            RuleKind::MinItems => "minItems",
            RuleKind::MaxItems => "maxItems",
        }
    }

    /// Whether the bound is a number (else a count).
    pub fn is_number(self) -> bool {
        matches!(
            self,
            RuleKind::Minimum
                | RuleKind::Maximum
                | RuleKind::ExclusiveMinimum
                | RuleKind::ExclusiveMaximum
        )
    }
}

/// A rule's bound.
pub enum RuleValue {
    Int(i128),
    Float(f64),
    Count(usize),
}

impl RuleValue {
    /// As JSON text.
    pub fn json(&self) -> String {
        match self {
            RuleValue::Int(n) => n.to_string(),
            RuleValue::Count(n) => n.to_string(),
            RuleValue::Float(x) => serde_json::Number::from_f64(*x)
                .expect("bounds are checked to be finite")
                .to_string(),
        }
    }

    /// As `f64`, to compare bounds with each other.
    #[allow(clippy::cast_precision_loss)]
    pub fn as_f64(&self) -> f64 {
        match self {
            RuleValue::Int(n) => *n as f64,
            RuleValue::Float(x) => *x,
            RuleValue::Count(n) => *n as f64,
        }
    }
}
