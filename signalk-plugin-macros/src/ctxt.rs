//! The macro's one error collector. Every stage reports into the same [`Ctxt`], so one
//! compile shows every mistake, each at its own span, in the order the stages found them.

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::Span;

/// Collects the errors of one macro invocation.
///
/// It must be consumed with [`Ctxt::check`]: dropping it unchecked is a bug in the
/// macro (errors would be lost) and panics, unless the thread is already panicking.
pub struct Ctxt {
    /// The errors so far, in the order they were found; `None` once checked.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    /// An empty collector.
    pub fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// Reports `message` at `span`.
    pub fn error(&self, span: Span, message: impl Display) {
        self.syn_error(syn::Error::new(span, message));
    }

    /// Reports an error syn produced, with its own span and message.
    pub fn syn_error(&self, err: syn::Error) {
        self.errors
            .borrow_mut()
            .as_mut()
            .expect("an error reported after Ctxt::check")
            .push(err);
    }

    /// Ends collection: every error reported, combined in order, or `Ok` if none was.
    pub fn check(self) -> syn::Result<()> {
        let errors = self.errors.borrow_mut().take().unwrap_or_default();
        let mut errors = errors.into_iter();
        let Some(mut all) = errors.next() else {
            return Ok(());
        };
        for err in errors {
            all.combine(err);
        }
        Err(all)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if self.errors.get_mut().is_some() && !std::thread::panicking() {
            panic!("Ctxt dropped without Ctxt::check: its errors would be lost");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_errors_check_ok() {
        assert!(Ctxt::new().check().is_ok());
    }

    #[test]
    fn errors_come_back_in_order() {
        let cx = Ctxt::new();
        cx.error(Span::call_site(), "first");
        cx.syn_error(syn::Error::new(Span::call_site(), "second"));
        let messages: Vec<String> = cx
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(messages, ["first", "second"]);
    }

    #[test]
    #[should_panic(expected = "without Ctxt::check")]
    fn unchecked_panics_on_drop() {
        let cx = Ctxt::new();
        cx.error(Span::call_site(), "lost");
    }
}
