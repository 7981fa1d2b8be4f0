//! Location refs: `type:target`.

use backstage_common::catalog::{LocationRef, LocationRefError};

#[test]
fn splits_on_the_first_colon() {
    let loc: LocationRef = "url:https://git.example.com/a/b:c".parse().unwrap();
    assert_eq!(loc.location_type(), "url");
    assert_eq!(loc.target(), "https://git.example.com/a/b:c");
    assert_eq!(loc.to_string(), "url:https://git.example.com/a/b:c");
    let file: LocationRef = "file:./catalog-info.yaml".parse().unwrap();
    assert_eq!(
        (file.location_type(), file.target()),
        ("file", "./catalog-info.yaml")
    );
}

#[test]
fn blanks_around_parts_are_trimmed() {
    let loc = LocationRef::parse(" url : https://x.example.com ").unwrap();
    assert_eq!(loc.to_string(), "url:https://x.example.com");
}

#[test]
fn malformed_refs_say_what_is_wrong() {
    type IsExpected = fn(&LocationRefError) -> bool;
    let cases: [(&str, IsExpected, &str); 5] = [
        (
            "catalog-info.yaml",
            |e| matches!(e, LocationRefError::MissingType { .. }),
            "has no type",
        ),
        (
            ":./x.yaml",
            |e| matches!(e, LocationRefError::EmptyType { .. }),
            "empty type",
        ),
        (
            "url:",
            |e| matches!(e, LocationRefError::EmptyTarget { .. }),
            "empty target",
        ),
        (
            "url:   ",
            |e| matches!(e, LocationRefError::EmptyTarget { .. }),
            "empty target",
        ),
        (
            "https://x.example.com/c.yaml",
            |e| matches!(e, LocationRefError::BareUrl { .. }),
            "url:https://x.example.com/c.yaml",
        ),
    ];
    for (input, is_expected, needle) in cases {
        let err = LocationRef::parse(input).unwrap_err();
        assert!(is_expected(&err), "{input}: {err:?}");
        assert!(err.to_string().contains(needle), "{input}: {err}");
    }
}

#[test]
fn new_checks_parts_and_formats_back() {
    let loc = LocationRef::new("url", "https://x.example.com/c.yaml").unwrap();
    assert_eq!(LocationRef::parse(&loc.to_string()).unwrap(), loc);
    assert!(LocationRef::new("", "x").is_err());
    assert!(LocationRef::new("url", " ").is_err());
    assert!(matches!(
        LocationRef::new("a:b", "x"),
        Err(LocationRefError::ColonInType { .. })
    ));
}

#[test]
fn serde_uses_the_string_form() {
    let loc: LocationRef =
        serde_json::from_value(serde_json::json!("url:https://x.example.com")).unwrap();
    assert_eq!(
        serde_json::to_value(&loc).unwrap(),
        "url:https://x.example.com"
    );
    assert!(serde_json::from_value::<LocationRef>(serde_json::json!("nothing")).is_err());
}
