//! Doc comments as schema text: the first paragraph is the `title`, the rest the
//! `description`. A paragraph's lines are joined with spaces (a summary wrapped over
//! two `///` lines is one title), paragraphs with a blank line.

/// `(title, description)` from the item's `#[doc = "..."]` attributes.
pub fn title_and_description(attrs: &[syn::Attribute]) -> (Option<String>, Option<String>) {
    let mut paragraphs: Vec<Vec<String>> = vec![Vec::new()];
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        let syn::Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) = &nv.value
        else {
            continue;
        };
        // `split`, not `lines`: an empty `///` line is `""`, which has no lines.
        for line in text.value().split('\n') {
            let line = line.trim();
            if line.is_empty() {
                if paragraphs.last().is_some_and(|p| !p.is_empty()) {
                    paragraphs.push(Vec::new());
                }
            } else {
                paragraphs
                    .last_mut()
                    .expect("starts with one paragraph")
                    .push(line.to_owned());
            }
        }
    }
    let mut joined = paragraphs
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.join(" "));
    let title = joined.next();
    let rest: Vec<String> = joined.collect();
    (title, (!rest.is_empty()).then(|| rest.join("\n\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(lines: &[&str]) -> Vec<syn::Attribute> {
        lines
            .iter()
            .map(|l| syn::parse_quote!(#[doc = #l]))
            .collect()
    }

    #[test]
    fn first_paragraph_is_the_title() {
        let (t, d) = title_and_description(&docs(&[
            " Alarm radius",
            " (m)",
            "",
            " Far.",
            " Very.",
            "",
            " Two.",
        ]));
        assert_eq!(t.as_deref(), Some("Alarm radius (m)"));
        assert_eq!(d.as_deref(), Some("Far. Very.\n\nTwo."));
        assert_eq!(title_and_description(&docs(&[])), (None, None));
        let (t, d) = title_and_description(&docs(&["", " Only"]));
        assert_eq!((t.as_deref(), d), (Some("Only"), None));
    }
}
