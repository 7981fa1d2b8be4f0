//! Entity refs: parsing, defaults, formatting, case-insensitive identity.

use std::collections::{BTreeSet, HashSet};

use backstage_common::catalog::{CompoundEntityRef, EntityRef, EntityRefError, RefContext};
use serde_json::json;

fn parse(s: &str) -> Result<EntityRef, EntityRefError> {
    EntityRef::parse(s, &RefContext::new())
}

fn parts(r: &EntityRef) -> (&str, &str, &str) {
    (r.kind(), r.namespace(), r.name())
}

#[test]
fn full_ref() {
    let r = parse("component:box-office/ticket-checkout").unwrap();
    assert_eq!(parts(&r), ("component", "box-office", "ticket-checkout"));
}

#[test]
fn missing_namespace_takes_the_context_default_or_default() {
    assert_eq!(
        parts(&parse("component:x").unwrap()),
        ("component", "default", "x")
    );
    let ctx = RefContext::new().with_default_namespace("box-office");
    assert_eq!(
        parts(&EntityRef::parse("component:x", &ctx).unwrap()),
        ("component", "box-office", "x")
    );
    // An explicit namespace wins over the default.
    assert_eq!(
        parts(&EntityRef::parse("component:ops/x", &ctx).unwrap()),
        ("component", "ops", "x")
    );
}

#[test]
fn missing_kind_takes_the_context_default_or_is_an_error() {
    let ctx = RefContext::new().with_default_kind("Group");
    assert_eq!(
        parts(&EntityRef::parse("payments", &ctx).unwrap()),
        ("Group", "default", "payments")
    );
    assert_eq!(
        parts(&EntityRef::parse("ops/payments", &ctx).unwrap()),
        ("Group", "ops", "payments")
    );
    assert_eq!(
        parts(&EntityRef::parse("user:ana", &ctx).unwrap()),
        ("user", "default", "ana")
    );
    let err = parse("ops/payments").unwrap_err();
    assert_eq!(
        err,
        EntityRefError::MissingKind {
            input: "ops/payments".into()
        }
    );
    assert!(err.to_string().contains("names no kind"), "{err}");
    assert!(
        err.to_string().contains("\"component:ops/payments\""),
        "{err}"
    );
}

#[test]
fn empty_parts_say_which_part_is_wrong() {
    let ctx = RefContext::new().with_default_kind("Component");
    for (input, needle) in [
        ("", "entity ref is empty"),
        (":x", "empty kind"),
        (":ns/x", "empty kind"),
        ("component:", "empty name"),
        ("component:ns/", "empty name"),
        ("ns/", "empty name"),
        ("/x", "empty namespace"),
        ("component:/x", "empty namespace"),
    ] {
        let err = EntityRef::parse(input, &ctx).unwrap_err();
        assert!(err.to_string().contains(needle), "{input:?}: {err}");
        assert!(
            err.to_string().contains("[<kind>:][<namespace>/]<name>"),
            "{err}"
        );
    }
}

#[test]
fn extra_separators_belong_to_the_name() {
    // The first ":" is the kind separator unless a "/" comes first; the
    // first "/" after it ends the namespace; the rest is the name.
    assert_eq!(parts(&parse("a:b/c/d").unwrap()), ("a", "b", "c/d"));
    assert_eq!(parts(&parse("a:b:c").unwrap()), ("a", "default", "b:c"));
    assert_eq!(parts(&parse("a:b:c/d").unwrap()), ("a", "b:c", "d"));
    let ctx = RefContext::new().with_default_kind("k");
    assert_eq!(
        parts(&EntityRef::parse("ns/a:b", &ctx).unwrap()),
        ("k", "ns", "a:b")
    );
    assert_eq!(
        parts(&EntityRef::parse("ns/a/b", &ctx).unwrap()),
        ("k", "ns", "a/b")
    );
}

#[test]
fn nothing_is_trimmed() {
    assert_eq!(
        parts(&parse(" component:x ").unwrap()),
        (" component", "default", "x ")
    );
}

#[test]
fn canonical_string_is_lowercased_and_casing_is_kept() {
    let r = parse("Component:Box-Office/TicketCheckout").unwrap();
    assert_eq!(r.to_string(), "component:box-office/ticketcheckout");
    assert_eq!(r.to_canonical_string(), r.to_string());
    assert_eq!(parts(&r), ("Component", "Box-Office", "TicketCheckout"));
    assert!(r.is_kind("COMPONENT"));
    assert!(!r.is_kind("API"));
}

#[test]
fn comparison_hashing_and_ordering_ignore_case() {
    let a = parse("Component:default/Ticket").unwrap();
    let b = parse("component:DEFAULT/ticket").unwrap();
    let c = parse("component:default/tickets").unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
    assert!(a < c);
    assert_eq!(HashSet::from([a.clone(), b.clone()]).len(), 1);
    assert_eq!(BTreeSet::from([a, b, c]).len(), 2);
    // Part boundaries matter: kind "ab" + name "c" is not kind "a" + name "bc".
    assert_ne!(
        EntityRef::new("ab", "x", "c").unwrap(),
        EntityRef::new("a", "x", "bc").unwrap()
    );
}

#[test]
fn non_ascii_case_is_folded_too() {
    assert_eq!(
        parse("k:default/ÉCOLE").unwrap(),
        parse("k:default/école").unwrap()
    );
    assert_eq!(
        parse("k:default/ÉCOLE").unwrap().to_string(),
        "k:default/école"
    );
}

#[test]
fn new_refuses_parts_that_would_not_read_back() {
    for (kind, ns, name, part) in [
        ("", "default", "x", "kind"),
        ("a:b", "default", "x", "kind"),
        ("a/b", "default", "x", "kind"),
        ("k", "", "x", "namespace"),
        ("k", "a/b", "x", "namespace"),
        ("k", "default", "", "name"),
    ] {
        match EntityRef::new(kind, ns, name) {
            Err(EntityRefError::InvalidPart { part: p, .. }) => assert_eq!(p, part),
            other => panic!("{kind:?} {ns:?} {name:?}: {other:?}"),
        }
    }
    let r = EntityRef::new("k", "a:b", "c/d:e").unwrap();
    assert_eq!(parse(&r.to_string()).unwrap(), r);
}

#[test]
fn from_str_needs_a_kind() {
    assert!("x".parse::<EntityRef>().is_err());
    assert_eq!(
        "api:x".parse::<EntityRef>().unwrap().to_string(),
        "api:default/x"
    );
}

#[test]
fn serde_string_and_compound_forms() {
    let r: EntityRef = serde_json::from_value(json!("Group:ops/Payments")).unwrap();
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!("group:ops/payments")
    );
    let compound: EntityRef =
        serde_json::from_value(json!({"kind": "Group", "namespace": "ops", "name": "Payments"}))
            .unwrap();
    assert_eq!(compound, r);
    let no_ns: EntityRef = serde_json::from_value(json!({"kind": "Group", "name": "p"})).unwrap();
    assert_eq!(no_ns.namespace(), "default");
    assert!(serde_json::from_value::<EntityRef>(json!({"kind": "Group"})).is_err());
    assert!(serde_json::from_value::<EntityRef>(json!("payments")).is_err());
    let c: CompoundEntityRef = r.to_compound();
    assert_eq!(
        (c.kind.as_str(), c.namespace.as_str(), c.name.as_str()),
        ("Group", "ops", "Payments")
    );
    assert_eq!(EntityRef::try_from(c).unwrap(), r);
}
