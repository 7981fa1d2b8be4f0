//! Misusing the extension macros does not compile (trybuild).

#[test]
fn macro_misuse_fails_to_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
