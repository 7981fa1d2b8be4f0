//! Field projection.

use backstage_plugin_catalog_common::{FieldPathError, FieldSelection, FieldsError};
use serde_json::{Value, json};

use crate::predicate_matches::component;

fn project(fields: &[&str], entity: &Value) -> Value {
    FieldSelection::parse(fields)
        .unwrap()
        .expect("paths")
        .apply(entity)
}

#[test]
fn keeps_only_the_selected_subtrees() {
    let entity = component();
    let cases = [
        (vec!["kind"], json!({"kind": "Component"})),
        (
            vec!["metadata.name,spec.type"],
            json!({"metadata": {"name": "Ticket-Checkout"}, "spec": {"type": "service"}}),
        ),
        // Repeated parameters add up; whitespace and empty items are ignored.
        (
            vec![" kind ,", "metadata.namespace", "metadata.name"],
            json!({"kind": "Component", "metadata": {"name": "Ticket-Checkout"}}),
        ),
        // Whole subtrees, and a subtree plus a path inside it.
        (vec!["spec.ports"], json!({"spec": {"ports": [8080, 9090]}})),
        (
            vec!["metadata.labels", "metadata.labels.tier"],
            json!({"metadata": {"labels": {"tier": "Gold"}}}),
        ),
        (
            vec!["metadata.labels.tier", "metadata.labels"],
            json!({"metadata": {"labels": {"tier": "Gold"}}}),
        ),
        (
            vec!["relations"],
            json!({"relations": component()["relations"].clone()}),
        ),
        // Keys with dots.
        (
            vec!["metadata.annotations.backstage.io/orphan"],
            json!({"metadata": {"annotations": {"backstage.io/orphan": "true"}}}),
        ),
        // Nulls and empty objects are values like any other.
        (
            vec!["spec.nothing,spec.empty"],
            json!({"spec": {"nothing": null, "empty": {}}}),
        ),
        // Paths that reach nothing add nothing.
        (
            vec!["spec.system", "metadata.name.first", "metadata.tags.0"],
            json!({}),
        ),
    ];
    for (fields, expected) in cases {
        assert_eq!(project(&fields, &entity), expected, "{fields:?}");
    }
}

#[test]
fn output_follows_the_order_of_the_paths() {
    let projected = project(&["spec.type,kind,metadata.name"], &component());
    let keys: Vec<&String> = projected.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["spec", "kind", "metadata"]);
    assert_eq!(
        serde_json::to_string(&projected).unwrap(),
        r#"{"spec":{"type":"service"},"kind":"Component","metadata":{"name":"Ticket-Checkout"}}"#
    );
}

#[test]
fn prefers_the_plain_key_over_a_dotted_one() {
    let entity = json!({"metadata": {"annotations": {"a": {"b": 1}, "a.b": 2}}});
    assert_eq!(
        project(&["metadata.annotations.a.b"], &entity),
        json!({"metadata": {"annotations": {"a": {"b": 1}}}})
    );
    let only_dotted = json!({"metadata": {"annotations": {"a": "x", "a.b": 2}}});
    assert_eq!(
        project(&["metadata.annotations.a.b"], &only_dotted),
        json!({"metadata": {"annotations": {"a.b": 2}}})
    );
}

#[test]
fn non_objects_project_to_empty_objects() {
    assert_eq!(project(&["kind"], &json!([1])), json!({}));
}

#[test]
fn nothing_selected_means_whole_entities() {
    assert_eq!(FieldSelection::parse(Vec::<&str>::new()).unwrap(), None);
    assert_eq!(FieldSelection::parse(["", " , ,"]).unwrap(), None);
    assert_eq!(
        FieldSelection::from_paths(Vec::<String>::new()).unwrap(),
        None
    );
}

#[test]
fn refuses_invalid_paths_with_a_reason() {
    let cases = [
        (
            vec!["metadata..name"],
            FieldPathError::EmptyPart("metadata..name".into()),
            "empty part",
        ),
        (
            vec![".name"],
            FieldPathError::EmptyPart(".name".into()),
            "empty part",
        ),
        (
            vec!["kind,spec."],
            FieldPathError::EmptyPart("spec.".into()),
            "empty part",
        ),
        (
            vec!["metadata.tags[0]"],
            FieldPathError::ArrayIndex("metadata.tags[0]".into()),
            "array indexing",
        ),
        (
            vec!["relations]"],
            FieldPathError::ArrayIndex("relations]".into()),
            "array indexing",
        ),
    ];
    for (input, expected, words) in cases {
        let err = FieldSelection::parse(&input).unwrap_err();
        assert_eq!(err, FieldsError(expected), "{input:?}");
        let text = err.to_string();
        assert!(text.starts_with("invalid fields: "), "{text}");
        assert!(text.contains(words), "{text}");
    }
}

#[test]
fn json_lists_hold_one_path_per_item() {
    let selection = FieldSelection::from_paths(["kind", " metadata.name "])
        .unwrap()
        .unwrap();
    assert_eq!(selection.paths(), ["kind", "metadata.name"]);
    assert_eq!(selection.to_query_value(), "kind,metadata.name");
    let err = FieldSelection::from_paths(["kind,metadata.name"]).unwrap_err();
    assert_eq!(
        err,
        FieldsError(FieldPathError::Comma("kind,metadata.name".into()))
    );
    assert!(err.to_string().contains("one path per list item"));
    let err = FieldSelection::from_paths(["kind", " "]).unwrap_err();
    assert_eq!(err, FieldsError(FieldPathError::Empty));
}
