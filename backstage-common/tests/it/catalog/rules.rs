//! Every format rule, accepted and refused at its limits, through the
//! validator (the user-facing path) with the exact problem path and rule.

use backstage_common::catalog::Rule;
use serde_json::{Value, json};

use super::{accepted, component_with, refused, refused_once};

fn name_of(len: usize) -> String {
    // Starts and ends with a letter; valid at any length >= 1.
    "a".repeat(len)
}

/// A DNS subdomain of exactly `len` characters: labels of 9 letters + dots.
fn subdomain_of(len: usize) -> String {
    let mut s = String::new();
    while s.len() < len {
        if !s.is_empty() {
            s.push('.');
        }
        let room = len - s.len();
        let label = room.min(9);
        s.push_str(&"b".repeat(label));
    }
    // A trailing one-character label is fine; make sure we hit `len` exactly.
    assert_eq!(s.len(), len);
    assert!(!s.ends_with('.'));
    s
}

fn check(pointer: &str, path: &str, rule: Rule, good: &[Value], bad: &[Value]) {
    for value in good {
        accepted(component_with(pointer, value.clone()));
    }
    for value in bad {
        refused_once(component_with(pointer, value.clone()), path, rule);
    }
}

#[test]
fn api_version() {
    check(
        "/apiVersion",
        "apiVersion",
        Rule::ApiVersion,
        &[
            json!("backstage.io/v1alpha1"),
            json!("backstage.io/v1beta1"),
        ],
        &[
            json!(""),
            json!("backstage.io/"),
            json!("/v1alpha1"),
            json!("backstage.io/v1/alpha"),
            json!("Backstage.io/v1alpha1"),
            json!("backstage.io/v1-alpha1"),
        ],
    );
}

#[test]
fn api_version_limits_on_a_custom_kind() {
    let custom = |api_version: String| json!({"apiVersion": api_version, "kind": "Widget", "metadata": {"name": "w"}});
    accepted(custom(format!("example.com/{}", "v".repeat(63))));
    accepted(custom("v".repeat(63)));
    accepted(custom(format!("{}/v1", subdomain_of(253))));
    for bad in [
        format!("example.com/{}", "v".repeat(64)),
        "v".repeat(64),
        format!("{}/v1", subdomain_of(254)),
        "1.0".to_owned(),
    ] {
        let err = refused(custom(bad.clone()));
        assert!(
            err.has_problem_at("apiVersion") && err.problems.len() == 1,
            "{bad}: {err}"
        );
    }
}

#[test]
fn built_in_kinds_only_take_their_api_versions() {
    let text = refused_once(
        component_with("/apiVersion", json!("example.com/v1")),
        "apiVersion",
        Rule::ApiVersion,
    );
    assert!(
        text.contains("Component entities use apiVersion \"backstage.io/v1alpha1\" or \"backstage.io/v1beta1\""),
        "{text}"
    );
}

#[test]
fn kind() {
    let custom = |kind: &str| json!({"apiVersion": "example.com/v1", "kind": kind, "metadata": {"name": "w"}});
    for good in ["W", "Widget2", &format!("K{}", "k".repeat(62))] {
        accepted(custom(good));
    }
    for bad in [
        "",
        "2Widget",
        "My-Kind",
        "my_kind",
        "Kind!",
        &format!("K{}", "k".repeat(63)),
    ] {
        let err = refused(custom(bad));
        assert_eq!(err.problems.len(), 1, "{bad}: {err}");
        assert_eq!(
            (err.problems[0].path.as_str(), err.problems[0].rule),
            ("kind", Rule::Kind),
            "{err}"
        );
    }
}

#[test]
fn built_in_kind_with_wrong_case_is_pointed_out() {
    let text = refused_once(
        component_with("/kind", json!("component")),
        "kind",
        Rule::Kind,
    );
    assert!(text.contains("write \"Component\""), "{text}");
}

#[test]
fn entity_name() {
    check(
        "/metadata/name",
        "metadata.name",
        Rule::EntityName,
        &[
            json!("a"),
            json!("7"),
            json!("Ticket_Checkout.v2-x"),
            json!("a-_.b"),
            json!(name_of(63)),
        ],
        &[
            json!(""),
            json!(name_of(64)),
            json!("invalid component"),
            json!("-leading"),
            json!("trailing-"),
            json!(".hidden"),
            json!("trailing_"),
            json!("ticket/checkout"),
            json!("tïcket"),
            json!("ticket:checkout"),
        ],
    );
}

#[test]
fn too_long_values_say_how_long_they_are() {
    let text = refused_once(
        component_with("/metadata/name", json!(name_of(64))),
        "metadata.name",
        Rule::EntityName,
    );
    assert!(text.contains("(it has 64 characters)"), "{text}");
}

#[test]
fn namespace() {
    check(
        "/metadata/namespace",
        "metadata.namespace",
        Rule::Namespace,
        &[
            json!("default"),
            json!("a"),
            json!("box-office"),
            json!("a--b"),
            json!("0"),
            json!(name_of(63)),
        ],
        &[
            json!(""),
            json!(name_of(64)),
            json!("Box-Office"),
            json!("box_office"),
            json!("box.office"),
            json!("-box"),
            json!("box-"),
        ],
    );
}

fn check_map_key(field: &str, rule: Rule) {
    let pointer = format!("/metadata/{field}");
    let path = format!("metadata.{field}");
    let map = |key: &str| json!({ key: "v" });
    for good in [
        "tier".to_owned(),
        "example.com/tier".to_owned(),
        "Tier_2.x".to_owned(),
        format!("example.com/{}", name_of(63)),
        format!("{}/tier", subdomain_of(253)),
        name_of(63),
    ] {
        accepted(component_with(&pointer, map(&good)));
    }
    for bad in [
        "".to_owned(),
        "bad key!".to_owned(),
        "a/b/c".to_owned(),
        "/tier".to_owned(),
        "example.com/".to_owned(),
        "Example.com/tier".to_owned(),
        "example..com/tier".to_owned(),
        format!("example.com/{}", name_of(64)),
        format!("{}/tier", subdomain_of(254)),
        name_of(64),
    ] {
        let text = refused_once(component_with(&pointer, map(&bad)), &path, rule);
        assert!(
            text.contains(&format!("key {bad:?} is not valid")),
            "{text}"
        );
    }
}

#[test]
fn label_keys() {
    check_map_key("labels", Rule::LabelKey);
}

#[test]
fn annotation_keys() {
    check_map_key("annotations", Rule::AnnotationKey);
}

#[test]
fn label_values() {
    let labels = |v: &str| json!({ "tier": v });
    for good in ["", "critical", "Go1.15.3", &name_of(63)] {
        accepted(component_with("/metadata/labels", labels(good)));
    }
    for bad in ["go 1.15", "-critical", "critical-", &name_of(64), "a/b"] {
        refused_once(
            component_with("/metadata/labels", labels(bad)),
            "metadata.labels[\"tier\"]",
            Rule::LabelValue,
        );
    }
}

#[test]
fn annotation_values_are_any_string() {
    let value =
        json!({ "example.com/note": "Anything goes: spaces, ünïcode, / and \n newlines", "a": "" });
    accepted(component_with("/metadata/annotations", value));
}

#[test]
fn tags() {
    let tags = |t: &str| json!(["ok", t]);
    for good in [
        "rust",
        "c++",
        "c#",
        "lang:go",
        "front-end",
        "a-b-c",
        "7",
        &"t".repeat(63),
    ] {
        accepted(component_with("/metadata/tags", tags(good)));
    }
    for bad in [
        "",
        "Rust",
        "go 1.15.3",
        "front--end",
        "-rust",
        "rust-",
        "rust_lang",
        "a.b",
        &"t".repeat(64),
    ] {
        refused_once(
            component_with("/metadata/tags", tags(bad)),
            "metadata.tags[1]",
            Rule::Tag,
        );
    }
}

#[test]
fn all_metadata_problems_of_an_entity_come_together() {
    let err = refused(super::yaml_documents(&super::fixture("many-problems.yaml")).remove(0));
    let found: Vec<(&str, Rule)> = err
        .problems
        .iter()
        .map(|p| (p.path.as_str(), p.rule))
        .collect();
    assert_eq!(
        found,
        [
            ("metadata.name", Rule::EntityName),
            ("metadata.namespace", Rule::Namespace),
            ("metadata.title", Rule::NonEmpty),
            ("metadata.labels", Rule::LabelKey),
            ("metadata.labels[\"tier\"]", Rule::LabelValue),
            ("metadata.annotations", Rule::AnnotationKey),
            ("metadata.tags[0]", Rule::Tag),
            ("metadata.tags[1]", Rule::Tag),
            ("metadata.links[0].url", Rule::NonEmpty),
            ("spec.lifecycle", Rule::NonEmpty),
            ("spec.owner", Rule::Required),
            ("spec.providesApis", Rule::Type),
        ],
        "{err}"
    );
    // One line per problem, each naming the entity.
    let text = err.to_string();
    assert_eq!(text.lines().count(), found.len());
    assert!(
        text.lines()
            .all(|l| l.starts_with("component:box-office/ticket checkout!: ")),
        "{text}"
    );
}
