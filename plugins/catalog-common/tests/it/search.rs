//! The search entries of an entity.

use backstage_plugin_catalog_common::search::{SearchEntry, cased_search_entries, search_entries};
use serde_json::json;

fn entry(key: &str, value: Option<&str>) -> SearchEntry {
    SearchEntry::new(key, value)
}

#[test]
fn flattens_like_the_spec_example() {
    // The example of the spec's `filter` description.
    let entries = search_entries(&json!({ "a": { "b": ["c", { "d": 1 }], "e": 7 } }));
    assert_eq!(
        entries,
        vec![
            entry("a", None),
            entry("a.b", None),
            entry("a.b", Some("c")),
            entry("a.b.c", Some("true")),
            entry("a.b.d", Some("1")),
            entry("a.e", Some("7")),
            entry("metadata.namespace", Some("default")),
        ]
    );
}

#[test]
fn lowercases_skips_and_dedupes() {
    let entries = search_entries(&json!({
        "Kind": "User",
        "metadata": { "Name": "Jo", "namespace": "Ops", "tags": ["A", "a"] },
        "spec": { "memberOf": [["nested"]], "flag": true, "none": null },
        "relations": [
            { "type": "memberOf", "targetRef": "group:ops/Admins" },
            { "type": "memberOf", "targetRef": "group:ops/admins" },
            { "type": "broken" },
            "not an object"
        ],
        "status": { "items": [] },
        "attachments": { "x": 1 }
    }));
    let expected = vec![
        entry("kind", Some("user")),
        entry("metadata", None),
        entry("metadata.name", Some("jo")),
        entry("metadata.namespace", Some("ops")),
        entry("metadata.tags", None),
        entry("metadata.tags", Some("a")),
        entry("metadata.tags.a", Some("true")),
        entry("spec", None),
        entry("spec.memberof", None),
        entry("spec.memberof", Some("nested")),
        entry("spec.memberof.nested", Some("true")),
        entry("spec.flag", Some("true")),
        entry("spec.none", None),
        entry("relations", None),
        entry("relations.memberof", Some("group:ops/admins")),
    ];
    assert_eq!(entries, expected);
}

#[test]
fn non_objects_have_no_entries() {
    assert!(search_entries(&json!("x")).is_empty());
    assert!(search_entries(&json!([1, 2])).is_empty());
}

#[test]
fn every_example_entity_is_searchable() {
    // Backstage's example entities, read at test time when present.
    let dir = std::path::Path::new("/work/shared/reference/catalog-examples/components");
    let Ok(files) = std::fs::read_dir(dir) else {
        return;
    };
    for file in files {
        let path = file.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&text).unwrap();
        for doc in docs {
            let entries = search_entries(&doc);
            assert!(
                entries.contains(&entry("kind", Some("component"))),
                "{}",
                path.display()
            );
            assert!(entries.iter().all(|e| e.key == e.key.to_lowercase()));
        }
    }
}

#[test]
fn cased_entries_are_the_search_entries_with_their_original_text() {
    let entity = json!({
        "kind": "Component",
        "metadata": {"name": "Web", "tags": ["Java", "java", "Go"], "n": 7.0, "ok": true, "x": null},
        "relations": [{"type": "ownedBy", "targetRef": "group:default/Team-A"}],
        "status": {"items": []}
    });
    let cased = cased_search_entries(&entity);
    let lowered: Vec<SearchEntry> = cased
        .iter()
        .map(|e| SearchEntry {
            key: e.key.clone(),
            value: e.value.as_ref().map(|(lower, _)| lower.clone()),
        })
        .collect();
    assert_eq!(lowered, search_entries(&entity));
    let value_of = |key: &str| {
        cased
            .iter()
            .find(|e| e.key == key && e.value.is_some())
            .and_then(|e| e.value.clone())
    };
    // The first casing of a value wins; "java" is not a second entry.
    assert_eq!(
        value_of("metadata.tags"),
        Some(("java".into(), "Java".into()))
    );
    assert_eq!(
        value_of("metadata.name"),
        Some(("web".into(), "Web".into()))
    );
    assert_eq!(value_of("metadata.n"), Some(("7".into(), "7".into())));
    assert_eq!(
        value_of("relations.ownedby"),
        Some(("group:default/team-a".into(), "group:default/Team-A".into()))
    );
    assert_eq!(
        value_of("metadata.tags.java"),
        Some(("true".into(), "true".into()))
    );
}
