//! Reads the derive's input: serde's attributes (the ones that shape what is
//! deserialized) and `#[schema(...)]`. Titles come from `#[schema(title, description)]`
//! when either is given (the doc comment then stays Rust documentation), else from the
//! doc comment. A serde feature the schema cannot describe is
//! an error at its span, never a schema that says something else than serde does.

use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned as _;
use syn::{LitStr, Token};

use super::case::Case;
use super::docs::title_and_description;
use super::model::{Body, Container, DefaultFrom, Field, Rule, RuleKind, RuleValue, Spanned};
use crate::ctxt::Ctxt;

/// serde attributes that change only serialization, or nothing the schema states.
const IGNORED_CONTAINER: [&str; 6] = [
    "rename",
    "bound",
    "crate",
    "expecting",
    "into",
    "rename_all_fields",
];
const IGNORED_FIELD: [&str; 6] = [
    "alias",
    "skip_serializing",
    "skip_serializing_if",
    "serialize_with",
    "bound",
    "getter",
];
const IGNORED_VARIANT: [&str; 5] = [
    "alias",
    "skip_serializing",
    "serialize_with",
    "bound",
    "other",
];

/// Why a serde attribute cannot be described by the derived schema.
fn unsupported(key: &str) -> Option<&'static str> {
    Some(match key {
        "flatten" => {
            "`flatten` is not supported by ConfigSchema: write the members out, or nest the struct as a member"
        }
        "with" | "deserialize_with" => {
            "a custom deserializer is not supported by ConfigSchema: its input shape is unknown; implement `SchemaType` for a newtype instead"
        }
        "tag" | "content" | "untagged" => {
            "tagged and untagged enums are not supported by ConfigSchema: only enums of unit variants (a string)"
        }
        "transparent" => {
            "`transparent` is not supported by ConfigSchema: implement `SchemaType` for the wrapper by hand"
        }
        "from" | "try_from" => {
            "`from`/`try_from` is not supported by ConfigSchema: derive it on the type that is deserialized"
        }
        "remote" => "`remote` is not supported by ConfigSchema",
        "field_identifier" | "variant_identifier" => {
            "identifier enums are not supported by ConfigSchema"
        }
        "borrow" => {
            "borrowed members are not supported by ConfigSchema: a configuration owns its data"
        }
        _ => return None,
    })
}

/// Reads the input; what cannot be read is reported and `None` returned.
pub fn container(cx: &Ctxt, input: &syn::DeriveInput) -> Option<Container> {
    if !input.generics.params.is_empty() {
        cx.error(
            input.generics.span(),
            "ConfigSchema cannot be derived for a generic type: its schema text is built at compile time for one concrete type",
        );
        return None;
    }
    let mut rename_all = None;
    let mut deny_unknown_fields = false;
    let mut default = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let read = attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            match key.as_str() {
                "rename_all" => {
                    if let Some(rule) = deserialize_value(&meta)? {
                        rename_all = Some(Case::from_name(&rule.value()).ok_or_else(|| {
                            let names: Vec<&str> = Case::ALL.iter().map(|(n, _)| *n).collect();
                            syn::Error::new(
                                rule.span(),
                                format!(
                                    "unknown rename_all rule; serde knows {}",
                                    names.join(", ")
                                ),
                            )
                        })?);
                    }
                }
                "deny_unknown_fields" => deny_unknown_fields = true,
                "default" => default = Some(default_value(&meta)?),
                _ => other_key(&meta, &key, &IGNORED_CONTAINER)?,
            }
            Ok(())
        });
        if let Err(err) = read {
            cx.syn_error(err);
        }
    }
    let (mut title, mut description) = (None, None);
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("schema")) {
        let read = attr.parse_nested_meta(|meta| {
            match key_of(&meta).as_str() {
                "title" => title = Some(meta.value()?.parse::<LitStr>()?.value()),
                "description" => description = Some(meta.value()?.parse::<LitStr>()?.value()),
                _ => return Err(meta.error("on a type, #[schema] takes `title` and `description`")),
            }
            Ok(())
        });
        if let Err(err) = read {
            cx.syn_error(err);
        }
    }
    if title.is_none() && description.is_none() {
        (title, description) = title_and_description(&input.attrs);
    }
    let body = match &input.data {
        syn::Data::Struct(data) => {
            let syn::Fields::Named(named) = &data.fields else {
                cx.error(
                    input.ident.span(),
                    "ConfigSchema needs named fields: a configuration is a JSON object",
                );
                return None;
            };
            let fields = named
                .named
                .iter()
                .filter_map(|f| field(cx, f, rename_all, default.is_some()))
                .collect();
            Body::Struct {
                fields,
                deny_unknown_fields,
                default,
            }
        }
        syn::Data::Enum(data) => {
            if deny_unknown_fields || default.is_some() {
                cx.error(
                    input.ident.span(),
                    "`deny_unknown_fields` and `default` apply to structs",
                );
            }
            let names = data
                .variants
                .iter()
                .filter_map(|v| variant(cx, v, rename_all))
                .collect();
            Body::Enum { names }
        }
        syn::Data::Union(data) => {
            cx.error(
                data.union_token.span,
                "ConfigSchema cannot be derived for a union",
            );
            return None;
        }
    };
    Some(Container {
        ident: input.ident.clone(),
        title,
        description,
        body,
    })
}

/// The key of a nested meta as written (`rename_all`).
fn key_of(meta: &ParseNestedMeta<'_>) -> String {
    meta.path
        .get_ident()
        .map_or_else(String::new, |i| i.unraw().to_string())
}

/// An unsupported key is an error naming why; a known harmless one is skipped with its
/// value; anything else is an error (a serde attribute the derive does not know might
/// change what is deserialized).
fn other_key(meta: &ParseNestedMeta<'_>, key: &str, ignored: &[&str]) -> syn::Result<()> {
    if let Some(why) = unsupported(key) {
        return Err(meta.error(why));
    }
    if ignored.contains(&key) {
        return skip_value(meta);
    }
    Err(meta.error(format!(
        "ConfigSchema does not know the serde attribute `{key}`"
    )))
}

/// Consumes `= value` or `(...)` after a key.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip_value(&inner))?;
    }
    Ok(())
}

/// `key = "x"`, or `key(deserialize = "x")`: the name used when deserializing.
fn deserialize_value(meta: &ParseNestedMeta<'_>) -> syn::Result<Option<LitStr>> {
    if meta.input.peek(Token![=]) {
        return Ok(Some(meta.value()?.parse()?));
    }
    let mut found = None;
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("deserialize") {
            found = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident("serialize") {
            inner.value()?.parse::<LitStr>()?;
        } else {
            return Err(inner.error("expected `serialize` or `deserialize`"));
        }
        Ok(())
    })?;
    Ok(found)
}

/// `default` or `default = "path"`.
fn default_value(meta: &ParseNestedMeta<'_>) -> syn::Result<DefaultFrom> {
    if meta.input.peek(Token![=]) {
        let path: LitStr = meta.value()?.parse()?;
        Ok(DefaultFrom::Function(path.parse()?))
    } else {
        Ok(DefaultFrom::Trait)
    }
}

fn field(
    cx: &Ctxt,
    f: &syn::Field,
    rename_all: Option<Case>,
    struct_default: bool,
) -> Option<Field> {
    let ident = f.ident.clone()?;
    let rust_name = ident.unraw().to_string();
    let mut name = rename_all.map_or_else(|| rust_name.clone(), |case| case.field(&rust_name));
    let mut skip = false;
    let mut default = None;
    for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let read = attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            match key.as_str() {
                "rename" => {
                    if let Some(renamed) = deserialize_value(&meta)? {
                        name = renamed.value();
                    }
                }
                "default" => default = Some(default_value(&meta)?),
                "skip" | "skip_deserializing" => skip = true,
                _ => other_key(&meta, &key, &IGNORED_FIELD)?,
            }
            Ok(())
        });
        if let Err(err) = read {
            cx.syn_error(err);
        }
    }
    let (mut title, mut description) = (None, None);
    let mut schema_default = None;
    let mut rules: Vec<Rule> = Vec::new();
    let mut schema_attr = None;
    for attr in f.attrs.iter().filter(|a| a.path().is_ident("schema")) {
        schema_attr = Some(attr.span());
        let read = attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            match key.as_str() {
                "title" => title = Some(meta.value()?.parse::<LitStr>()?.value()),
                "description" => description = Some(meta.value()?.parse::<LitStr>()?.value()),
                "default" => {
                    let expr: syn::Expr = meta.value()?.parse()?;
                    schema_default = Some(Spanned {
                        value: literal_json(&expr)?,
                        span: meta.path.span(),
                    });
                }
                "default_json" => {
                    let text: LitStr = meta.value()?.parse()?;
                    let value: serde_json::Value = serde_json::from_str(&text.value())
                        .map_err(|e| syn::Error::new(text.span(), format!("`default_json` is not JSON: {e}")))?;
                    schema_default = Some(Spanned {
                        value: value.to_string(),
                        span: meta.path.span(),
                    });
                }
                "pattern" => {
                    return Err(meta.error(
                        "`pattern` is not supported: checking it at start would need a regular expression engine in every plugin",
                    ));
                }
                _ => {
                    let Some(kind) = RuleKind::ALL.iter().find(|(k, _)| *k == key).map(|(_, k)| *k) else {
                        let keys: Vec<&str> = RuleKind::ALL.iter().map(|(k, _)| *k).collect();
                        return Err(meta.error(format!(
                            "unknown #[schema] key `{key}`; on a field it takes `title`, `description`, `default`, `default_json`, {}",
                            keys.join(", ")
                        )));
                    };
                    if rules.iter().any(|r| r.kind == kind) {
                        return Err(meta.error(format!("`{key}` is given twice")));
                    }
                    let span = meta.path.span();
                    let expr: syn::Expr = meta.value()?.parse()?;
                    rules.push(Rule {
                        kind,
                        value: rule_value(kind, &expr)?,
                        span,
                    });
                }
            }
            Ok(())
        });
        if let Err(err) = read {
            cx.syn_error(err);
        }
    }
    if skip {
        if let Some(span) = schema_attr {
            cx.error(span, "serde skips this member: it is not in the schema, so #[schema] has nothing to describe");
        }
        return None;
    }
    if title.is_none() && description.is_none() {
        (title, description) = title_and_description(&f.attrs);
    }
    bounds_in_order(cx, &rules);
    if schema_default.is_none() && matches!(default, Some(DefaultFrom::Trait)) {
        schema_default = primitive_default(&f.ty).map(|value| Spanned {
            value: value.to_owned(),
            span: ident.span(),
        });
    }
    if let Some(d) = &schema_default
        && default.is_none()
        && !struct_default
    {
        cx.error(
            d.span,
            "the schema would state a default serde does not apply: add #[serde(default)] or #[serde(default = \"...\")]",
        );
    }
    Some(Field {
        ident,
        ty: f.ty.clone(),
        name,
        title,
        description,
        default,
        schema_default,
        rules,
    })
}

/// A lower bound above its upper bound can never be met.
fn bounds_in_order(cx: &Ctxt, rules: &[Rule]) {
    let find = |kinds: &[RuleKind]| rules.iter().find(|r| kinds.contains(&r.kind));
    let pairs = [
        (
            find(&[RuleKind::Minimum, RuleKind::ExclusiveMinimum]),
            find(&[RuleKind::Maximum, RuleKind::ExclusiveMaximum]),
        ),
        (find(&[RuleKind::MinLength]), find(&[RuleKind::MaxLength])),
        (find(&[RuleKind::MinItems]), find(&[RuleKind::MaxItems])),
    ];
    for (low, high) in pairs {
        if let (Some(low), Some(high)) = (low, high)
            && low.value.as_f64() > high.value.as_f64()
        {
            cx.error(
                low.span,
                format!(
                    "`{}` is above `{}`: no value can meet both",
                    low.kind.key(),
                    high.kind.key()
                ),
            );
        }
    }
}

/// The default of `#[serde(default)]` for types whose `Default` is known: the schema
/// states it without being told (the generated test checks it all the same).
fn primitive_default(ty: &syn::Type) -> Option<&'static str> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    if path.qself.is_some() || path.path.segments.len() != 1 {
        return None;
    }
    let segment = &path.path.segments[0];
    if !segment.arguments.is_empty() {
        return None;
    }
    Some(match segment.ident.to_string().as_str() {
        "bool" => "false",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128"
        | "isize" | "f32" | "f64" => "0",
        "String" => "\"\"",
        _ => return None,
    })
}

/// A number literal, perhaps negative: `(is it an integer, its value)`.
fn number(expr: &syn::Expr) -> syn::Result<RuleValue> {
    let (negative, lit) = match expr {
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => (true, &**expr),
        other => (false, other),
    };
    let syn::Expr::Lit(syn::ExprLit { lit, .. }) = lit else {
        return Err(syn::Error::new(expr.span(), "expected a number literal"));
    };
    let value = match lit {
        syn::Lit::Int(int) => RuleValue::Int(int.base10_parse::<i128>()?),
        syn::Lit::Float(float) => {
            let x = float.base10_parse::<f64>()?;
            if !x.is_finite() {
                return Err(syn::Error::new(float.span(), "the number must be finite"));
            }
            RuleValue::Float(x)
        }
        _ => return Err(syn::Error::new(lit.span(), "expected a number literal")),
    };
    Ok(match (negative, value) {
        (true, RuleValue::Int(n)) => RuleValue::Int(-n),
        (true, RuleValue::Float(x)) => RuleValue::Float(-x),
        (_, value) => value,
    })
}

fn rule_value(kind: RuleKind, expr: &syn::Expr) -> syn::Result<RuleValue> {
    if kind.is_number() {
        return number(expr);
    }
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) => Ok(RuleValue::Count(int.base10_parse::<usize>()?)),
        _ => Err(syn::Error::new(
            expr.span(),
            format!(
                "`{}` takes a count: a non-negative integer literal",
                kind.key()
            ),
        )),
    }
}

/// `#[schema(default = ...)]`: a number, string or bool literal as JSON text.
fn literal_json(expr: &syn::Expr) -> syn::Result<String> {
    if let syn::Expr::Lit(syn::ExprLit { lit, .. }) = expr {
        match lit {
            syn::Lit::Str(s) => return Ok(serde_json::Value::String(s.value()).to_string()),
            syn::Lit::Bool(b) => return Ok(b.value.to_string()),
            _ => {}
        }
    }
    number(expr).map(|n| n.json()).map_err(|_| {
        syn::Error::new(
            expr.span(),
            "`default` takes a literal (number, string or bool); write other values as `default_json = \"...\"`",
        )
    })
}

fn variant(cx: &Ctxt, v: &syn::Variant, rename_all: Option<Case>) -> Option<String> {
    if !matches!(v.fields, syn::Fields::Unit) {
        cx.error(
            v.fields.span(),
            "ConfigSchema supports enums of unit variants only (a string with `enum`): this variant has data",
        );
        return None;
    }
    let rust_name = v.ident.unraw().to_string();
    let mut name = rename_all.map_or_else(|| rust_name.clone(), |case| case.variant(&rust_name));
    let mut skip = false;
    for attr in &v.attrs {
        if attr.path().is_ident("schema") {
            cx.error(attr.span(), "#[schema] is not supported on enum variants");
        }
    }
    for attr in v.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let read = attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            match key.as_str() {
                "rename" => {
                    if let Some(renamed) = deserialize_value(&meta)? {
                        name = renamed.value();
                    }
                }
                "skip" | "skip_deserializing" => skip = true,
                _ => other_key(&meta, &key, &IGNORED_VARIANT)?,
            }
            Ok(())
        });
        if let Err(err) = read {
            cx.syn_error(err);
        }
    }
    (!skip).then_some(name)
}
