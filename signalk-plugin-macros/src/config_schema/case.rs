//! serde's `rename_all` rules, applied as serde applies them: to field names written in
//! `snake_case` and to variant names written in `PascalCase`.

/// One `rename_all` rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

impl Case {
    /// Every rule with its serde name, in the order messages list them.
    pub const ALL: [(&'static str, Case); 8] = [
        ("lowercase", Case::Lower),
        ("UPPERCASE", Case::Upper),
        ("PascalCase", Case::Pascal),
        ("camelCase", Case::Camel),
        ("snake_case", Case::Snake),
        ("SCREAMING_SNAKE_CASE", Case::ScreamingSnake),
        ("kebab-case", Case::Kebab),
        ("SCREAMING-KEBAB-CASE", Case::ScreamingKebab),
    ];

    /// The rule serde calls `name`.
    pub fn from_name(name: &str) -> Option<Case> {
        Case::ALL.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
    }

    /// A field name (`snake_case` in Rust) under this rule.
    pub fn field(self, name: &str) -> String {
        match self {
            Case::Lower | Case::Snake => name.to_owned(),
            Case::Upper | Case::ScreamingSnake => name.to_ascii_uppercase(),
            Case::Kebab => name.replace('_', "-"),
            Case::ScreamingKebab => name.to_ascii_uppercase().replace('_', "-"),
            Case::Pascal | Case::Camel => {
                let mut out = String::with_capacity(name.len());
                let mut upper_next = self == Case::Pascal;
                for c in name.chars() {
                    if c == '_' {
                        upper_next = true;
                    } else if upper_next {
                        out.push(c.to_ascii_uppercase());
                        upper_next = false;
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }

    /// A variant name (`PascalCase` in Rust) under this rule.
    pub fn variant(self, name: &str) -> String {
        let words = |sep: char, upper: bool| {
            let mut out = String::with_capacity(name.len() + 4);
            for (i, c) in name.char_indices() {
                if i > 0 && c.is_uppercase() {
                    out.push(sep);
                }
                if upper {
                    out.push(c.to_ascii_uppercase());
                } else {
                    out.push(c.to_ascii_lowercase());
                }
            }
            out
        };
        match self {
            Case::Pascal => name.to_owned(),
            Case::Lower => name.to_ascii_lowercase(),
            Case::Upper => name.to_ascii_uppercase(),
            Case::Camel => {
                let mut chars = name.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_lowercase().to_string() + chars.as_str()
                })
            }
            Case::Snake => words('_', false),
            Case::ScreamingSnake => words('_', true),
            Case::Kebab => words('-', false),
            Case::ScreamingKebab => words('-', true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_follow_serde() {
        let cases = [
            (Case::Lower, "max_radius"),
            (Case::Upper, "MAX_RADIUS"),
            (Case::Pascal, "MaxRadius"),
            (Case::Camel, "maxRadius"),
            (Case::Snake, "max_radius"),
            (Case::ScreamingSnake, "MAX_RADIUS"),
            (Case::Kebab, "max-radius"),
            (Case::ScreamingKebab, "MAX-RADIUS"),
        ];
        for (case, want) in cases {
            assert_eq!(case.field("max_radius"), want, "{case:?}");
        }
        assert_eq!(Case::Camel.field("a"), "a");
    }

    #[test]
    fn variants_follow_serde() {
        let cases = [
            (Case::Lower, "veryfast"),
            (Case::Upper, "VERYFAST"),
            (Case::Pascal, "VeryFast"),
            (Case::Camel, "veryFast"),
            (Case::Snake, "very_fast"),
            (Case::ScreamingSnake, "VERY_FAST"),
            (Case::Kebab, "very-fast"),
            (Case::ScreamingKebab, "VERY-FAST"),
        ];
        for (case, want) in cases {
            assert_eq!(case.variant("VeryFast"), want, "{case:?}");
        }
    }

    #[test]
    fn names_are_serdes() {
        for (name, case) in Case::ALL {
            assert_eq!(Case::from_name(name), Some(case));
        }
        assert_eq!(Case::from_name("camelcase"), None);
    }
}
