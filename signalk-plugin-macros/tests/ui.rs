//! Compile-time behaviour of `#[plugin]`: what it accepts (`ui/pass`, which also run) and
//! the error, with its span, for each mistake it rejects (`ui/fail`, checked against the
//! `.stderr` files next to them). Regenerate those with `TRYBUILD=overwrite` after a
//! deliberate change to a message, and review the diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
