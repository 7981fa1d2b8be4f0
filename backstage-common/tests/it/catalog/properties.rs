//! Properties: accepted entities round-trip; formatted refs parse back.

use backstage_common::catalog::{Entity, EntityRef, RefContext};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z$][a-zA-Z0-9]{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Names that are mostly valid, sometimes not (too long, bad characters).
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?",
        1 => "[A-Za-z0-9]{60,66}",
        1 => "[ -~]{0,8}",
    ]
}

fn entity_value() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![
        Just("Component".to_owned()),
        Just("Group".to_owned()),
        Just("Location".to_owned()),
        "[A-Z][a-zA-Z0-9]{0,8}",
    ];
    let meta_extra = prop::collection::btree_map("x-[a-z]{1,5}", json_value(), 0..3);
    let spec_extra = prop::collection::btree_map("[a-z][a-zA-Z]{0,6}", json_value(), 0..4);
    (
        kind,
        name(),
        prop::option::of("[a-z0-9]{1,5}(-[a-z0-9]{1,5})?"),
        prop::collection::btree_map(
            "([a-z]{1,5}\\.[a-z]{2,3}/)?[a-z]{1,8}",
            "[a-z0-9]{0,6}",
            0..3,
        ),
        prop::collection::btree_map("([a-z]{1,5}\\.[a-z]{2,3}/)?[a-z]{1,8}", ".{0,10}", 0..3),
        prop::collection::vec("[a-z0-9+#:]{1,6}(-[a-z0-9]{1,4})?", 0..3),
        prop::collection::vec(
            (
                "https://[a-z]{1,8}\\.example\\.com",
                prop::option::of("[A-Za-z ]{1,10}"),
            ),
            0..2,
        ),
        (meta_extra, spec_extra, prop::option::of(".{0,10}")),
    )
        .prop_map(
            |(
                kind,
                name,
                namespace,
                labels,
                annotations,
                tags,
                links,
                (meta_extra, spec_extra, description),
            )| {
                let mut metadata = Map::new();
                metadata.insert("name".into(), json!(name));
                if let Some(ns) = namespace {
                    metadata.insert("namespace".into(), json!(ns));
                }
                if let Some(d) = description {
                    metadata.insert("description".into(), json!(d));
                }
                if !labels.is_empty() {
                    metadata.insert("labels".into(), json!(labels));
                }
                if !annotations.is_empty() {
                    metadata.insert("annotations".into(), json!(annotations));
                }
                if !tags.is_empty() {
                    metadata.insert("tags".into(), json!(tags));
                }
                if !links.is_empty() {
                    let links: Vec<Value> = links
                        .into_iter()
                        .map(|(url, title)| match title {
                            Some(t) => json!({"url": url, "title": t}),
                            None => json!({"url": url}),
                        })
                        .collect();
                    metadata.insert("links".into(), Value::Array(links));
                }
                metadata.extend(meta_extra);
                let mut spec: Map<String, Value> = spec_extra.into_iter().collect();
                match kind.as_str() {
                    "Component" => {
                        spec.insert("type".into(), json!("service"));
                        spec.insert("lifecycle".into(), json!("production"));
                        spec.insert("owner".into(), json!("team-a"));
                    }
                    "Group" => {
                        spec.insert("type".into(), json!("team"));
                        spec.insert("children".into(), json!([]));
                    }
                    _ => {}
                }
                json!({
                    "apiVersion": "backstage.io/v1alpha1",
                    "kind": kind,
                    "metadata": metadata,
                    "spec": spec,
                })
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn accepted_entities_serialize_and_reparse_to_an_equal_entity(value in entity_value()) {
        if let Ok(entity) = Entity::from_value_validated(value) {
            let text = serde_json::to_string(&entity).unwrap();
            let reparsed = Entity::from_value_validated(serde_json::from_str(&text).unwrap()).unwrap();
            prop_assert_eq!(&reparsed, &entity);
            let via_serde: Entity = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&via_serde, &entity);
            prop_assert_eq!(reparsed.entity_ref(), entity.entity_ref());
        }
    }

    #[test]
    fn formatted_refs_parse_back_to_the_same_ref(
        kind in "[^:/]{1,8}",
        namespace in "[^/]{1,8}",
        name in ".{1,12}",
    ) {
        let r = EntityRef::new(kind, namespace, name).unwrap();
        let text = r.to_string();
        let back = EntityRef::parse(&text, &RefContext::new()).unwrap();
        prop_assert_eq!(&back, &r);
        prop_assert_eq!(back.to_string(), text);
    }

    #[test]
    fn whatever_parses_formats_and_parses_back(input in ".{0,16}") {
        let ctx = RefContext::new().with_default_kind("Component").with_default_namespace("ops");
        if let Ok(r) = EntityRef::parse(&input, &ctx) {
            let back = EntityRef::parse(&r.to_string(), &RefContext::new()).unwrap();
            prop_assert_eq!(&back, &r);
        }
    }
}

#[test]
fn the_entity_generator_produces_accepted_and_refused_entities() {
    // Guards the property above against a generator that never yields an
    // accepted entity (which would make it vacuous).
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = entity_value();
    let (mut ok, mut bad) = (0, 0);
    for _ in 0..200 {
        let value = strategy.new_tree(&mut runner).unwrap().current();
        match Entity::from_value_validated(value) {
            Ok(_) => ok += 1,
            Err(_) => bad += 1,
        }
    }
    assert!(ok >= 50 && bad >= 10, "accepted {ok}, refused {bad}");
}
