//! Placeholders in a spec are recognised and pass validation.

use backstage_common::catalog::{Placeholder, PlaceholderKind, Rule, is_placeholder};
use serde_json::json;

use super::{accepted, fixture, refused_once, yaml_documents};

#[test]
fn the_three_shapes_are_recognised() {
    for (key, kind) in [
        ("$text", PlaceholderKind::Text),
        ("$json", PlaceholderKind::Json),
        ("$yaml", PlaceholderKind::Yaml),
    ] {
        let value = json!({ key: "./x" });
        let p = Placeholder::from_value(&value).unwrap();
        assert_eq!((p.kind, p.target), (kind, "./x"));
        assert_eq!(kind.key(), key);
    }
}

#[test]
fn other_shapes_are_not_placeholders() {
    for value in [
        json!({"$text": "./a", "other": "b"}),
        json!({"$ref": "#/x"}),
        json!({"$text": 1}),
        json!({}),
        json!("$text"),
        json!(["$text"]),
    ] {
        assert!(!is_placeholder(&value), "{value}");
    }
}

#[test]
fn entities_with_placeholders_validate() {
    for doc in yaml_documents(&fixture("placeholders.yaml")) {
        accepted(doc);
    }
}

#[test]
fn placeholders_stand_in_for_strings_arrays_and_objects() {
    let component = json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "c"},
        "spec": {"type": {"$text": "./type.txt"}, "lifecycle": "p", "owner": "o",
                 "providesApis": {"$yaml": "./apis.yaml"}, "consumesApis": ["a", {"$text": "./b.txt"}]}
    });
    accepted(component);
}

#[test]
fn a_malformed_placeholder_is_still_refused_where_a_string_belongs() {
    let api = json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "API", "metadata": {"name": "a"},
        "spec": {"type": "openapi", "lifecycle": "p", "owner": "o", "definition": {"$text": "./a", "$json": "./b"}}
    });
    let text = refused_once(api, "spec.definition", Rule::Type);
    assert!(
        text.contains("must be a string, but is an object"),
        "{text}"
    );
}

#[test]
fn typed_views_need_resolved_placeholders() {
    let docs = yaml_documents(&fixture("placeholders.yaml"));
    let api = accepted(docs[0].clone());
    let err = api.as_api().unwrap_err();
    assert!(err.to_string().contains("spec.definition"), "{err}");
}
