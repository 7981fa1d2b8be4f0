//! Compile-fail tests: misusing the backend macros gives a helpful error.

#[test]
fn misuse_of_backend_macros_is_explained() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
