//! Reading and writing predicates.

use backstage_plugin_catalog_common::{
    ElementCondition, EntityPredicate, FieldCondition, FieldPredicate, Primitive,
};
use serde_json::{Value, json};

fn parse(value: Value) -> EntityPredicate {
    EntityPredicate::from_value(&value).unwrap_or_else(|e| panic!("{value}: {e}"))
}

fn field(path: &str, condition: FieldCondition) -> FieldPredicate {
    FieldPredicate {
        path: path.to_owned(),
        condition,
    }
}

#[test]
fn reads_every_form() {
    let cases = [
        (
            json!({"kind": "Component"}),
            EntityPredicate::eq("kind", "Component"),
        ),
        (
            json!({"spec.replicas": 3}),
            EntityPredicate::eq("spec.replicas", 3i64),
        ),
        (
            json!({"spec.public": true}),
            EntityPredicate::eq("spec.public", true),
        ),
        (
            json!({"spec.type": {"$exists": false}}),
            EntityPredicate::field("spec.type", FieldCondition::Exists(false)),
        ),
        (
            json!({"spec.type": {"$in": ["service", 7, false]}}),
            EntityPredicate::field(
                "spec.type",
                FieldCondition::In(vec!["service".into(), 7i64.into(), false.into()]),
            ),
        ),
        (
            json!({"metadata.name": {"$hasPrefix": "web-"}}),
            EntityPredicate::has_prefix("metadata.name", "web-"),
        ),
        (
            json!({"metadata.tags": {"$contains": "java"}}),
            EntityPredicate::contains("metadata.tags", "java"),
        ),
        (
            json!({"relations.ownedBy": {"$contains": {"$in": ["group:default/a", "group:default/b"]}}}),
            EntityPredicate::field(
                "relations.ownedBy",
                FieldCondition::Contains(ElementCondition::In(vec![
                    "group:default/a".into(),
                    "group:default/b".into(),
                ])),
            ),
        ),
        (
            json!({"metadata.tags": {"$contains": {"$hasPrefix": "lang:"}}}),
            EntityPredicate::field(
                "metadata.tags",
                FieldCondition::Contains(ElementCondition::HasPrefix("lang:".into())),
            ),
        ),
        (
            json!({"kind": "component", "spec.type": "service"}),
            EntityPredicate::Fields(vec![
                field("kind", FieldCondition::Equals("component".into())),
                field("spec.type", FieldCondition::Equals("service".into())),
            ]),
        ),
        (json!({}), EntityPredicate::Fields(vec![])),
        (
            json!({"$all": [{"kind": "a"}, {"$any": [{"kind": "b"}, {"$not": {"kind": "c"}}]}]}),
            EntityPredicate::all([
                EntityPredicate::eq("kind", "a"),
                EntityPredicate::any([
                    EntityPredicate::eq("kind", "b"),
                    EntityPredicate::not(EntityPredicate::eq("kind", "c")),
                ]),
            ]),
        ),
        (json!({"$all": []}), EntityPredicate::All(vec![])),
        (json!({"$any": []}), EntityPredicate::Any(vec![])),
    ];
    for (json, expected) in cases {
        assert_eq!(parse(json.clone()), expected, "{json}");
    }
}

#[test]
fn writes_the_json_it_reads() {
    let cases = [
        json!({"kind": "Component"}),
        json!({"spec.replicas": 3, "spec.ratio": 0.5, "spec.public": true}),
        json!({"spec.type": {"$exists": true}}),
        json!({"spec.type": {"$in": ["a", 1, true]}}),
        json!({"metadata.name": {"$hasPrefix": "x"}}),
        json!({"metadata.tags": {"$contains": "java"}}),
        json!({"relations.ownedBy": {"$contains": {"$in": ["group:default/a"]}}}),
        json!({"metadata.tags": {"$contains": {"$hasPrefix": "lang"}}}),
        json!({"$all": [{"$any": [{"kind": "a"}]}, {"$not": {"$not": {"kind": "b"}}}]}),
        json!({"$any": []}),
        json!({}),
    ];
    for json in cases {
        let predicate = parse(json.clone());
        assert_eq!(predicate.to_value(), json);
        assert_eq!(serde_json::to_value(&predicate).unwrap(), json);
        let again: EntityPredicate = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(again, predicate);
        assert_eq!(predicate.to_string(), json.to_string());
    }
}

#[test]
fn keeps_field_order() {
    let predicate = parse(json!({"spec.type": "a", "kind": "b", "metadata.name": "c"}));
    let EntityPredicate::Fields(fields) = &predicate else {
        panic!("fields expected");
    };
    let paths: Vec<&str> = fields.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["spec.type", "kind", "metadata.name"]);
}

#[test]
fn built_duplicate_paths_are_written_without_losing_a_condition() {
    let predicate = EntityPredicate::Fields(vec![
        field("kind", FieldCondition::Equals("a".into())),
        field("kind", FieldCondition::Exists(true)),
    ]);
    let json = predicate.to_value();
    assert_eq!(
        json,
        json!({"$all": [{"kind": "a"}, {"kind": {"$exists": true}}]})
    );
}

#[test]
fn and_flattens_all() {
    let p = EntityPredicate::eq("kind", "a")
        .and(EntityPredicate::eq("kind", "b"))
        .and(EntityPredicate::exists("spec"));
    assert_eq!(
        p.to_value(),
        json!({"$all": [{"kind": "a"}, {"kind": "b"}, {"spec": {"$exists": true}}]})
    );
    let from_empty = EntityPredicate::All(vec![]).and(EntityPredicate::eq("kind", "a"));
    assert_eq!(
        from_empty.to_value(),
        json!({"$all": [{"$all": []}, {"kind": "a"}]})
    );
}

#[test]
fn refuses_bad_queries_naming_the_part() {
    // (query, location, words the message must contain)
    let cases: Vec<(Value, &str, &[&str])> = vec![
        (
            json!("component"),
            "query",
            &["must be a JSON object", "a string \"component\""],
        ),
        (json!(null), "query", &["must be a JSON object", "null"]),
        (
            json!([{"kind": "a"}]),
            "query",
            &["must be a JSON object", "an array"],
        ),
        (
            json!({"$all": [{"kind": "a"}], "kind": "b"}),
            "query",
            &[
                "$all must be the only key",
                "kind",
                "wrap the conditions in $all",
            ],
        ),
        (
            json!({"$all": {"kind": "a"}}),
            "query.$all",
            &["takes an array of predicates"],
        ),
        (
            json!({"$any": "x"}),
            "query.$any",
            &["takes an array of predicates"],
        ),
        (
            json!({"$all": [{"kind": "a"}, 5]}),
            "query.$all[1]",
            &["must be a JSON object", "a number 5"],
        ),
        (
            json!({"$not": [{"kind": "a"}]}),
            "query.$not",
            &["must be a JSON object", "an array"],
        ),
        (
            json!({"$not": {"$nor": []}}),
            "query.$not[\"$nor\"]",
            &["unknown operator $nor"],
        ),
        (
            json!({"$or": []}),
            "query[\"$or\"]",
            &["unknown operator $or", "$all, $any or $not"],
        ),
        (json!({"": "a"}), "query[\"\"]", &["field path is empty"]),
        (
            json!({"kind": null}),
            "query[\"kind\"]",
            &["expected a string, number or boolean", "null"],
        ),
        (
            json!({"kind": ["a", "b"]}),
            "query[\"kind\"]",
            &["an array", "write {\"$in\": [...]}"],
        ),
        (
            json!({"spec": {"type": "service"}}),
            "query[\"spec\"]",
            &["one operator", "dot path such as \"spec.owner\""],
        ),
        (
            json!({"kind": {}}),
            "query[\"kind\"]",
            &["condition object is empty"],
        ),
        (
            json!({"kind": {"$in": ["a"], "$exists": true}}),
            "query[\"kind\"]",
            &["exactly one operator", "$in, $exists", "$all"],
        ),
        (
            json!({"kind": {"$eq": "a"}}),
            "query[\"kind\"]",
            &["unknown operator $eq"],
        ),
        (
            json!({"kind": {"$exists": "yes"}}),
            "query[\"kind\"].$exists",
            &["true or false", "a string \"yes\""],
        ),
        (
            json!({"kind": {"$in": "a"}}),
            "query[\"kind\"].$in",
            &["takes an array"],
        ),
        (
            json!({"kind": {"$in": ["a", {"b": 1}]}}),
            "query[\"kind\"].$in[1]",
            &["must be strings, numbers or booleans", "an object"],
        ),
        (
            json!({"kind": {"$in": [null]}}),
            "query[\"kind\"].$in[0]",
            &["null"],
        ),
        (
            json!({"kind": {"$hasPrefix": 1}}),
            "query[\"kind\"].$hasPrefix",
            &["takes a string", "a number 1"],
        ),
        (
            json!({"metadata.links": {"$contains": {"type": "runbook"}}}),
            "query[\"metadata.links\"].$contains",
            &["one operator"],
        ),
        (
            json!({"metadata.links": {"$contains": {"$exists": true}}}),
            "query[\"metadata.links\"].$contains",
            &["not $exists", "metadata.links.type"],
        ),
        (
            json!({"metadata.tags": {"$contains": null}}),
            "query[\"metadata.tags\"].$contains",
            &["$contains takes"],
        ),
        (
            json!({"metadata.tags": {"$contains": {"$in": "a"}}}),
            "query[\"metadata.tags\"].$contains.$in",
            &["takes an array"],
        ),
        (
            json!({"$all": [{"$any": [{"kind": {"$in": [[1]]}}]}]}),
            "query.$all[0].$any[0][\"kind\"].$in[0]",
            &["an array"],
        ),
    ];
    for (json, location, words) in cases {
        let err = EntityPredicate::from_value(&json).expect_err(&json.to_string());
        assert_eq!(err.location, location, "{json}: {err}");
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("invalid query at {location}: ")),
            "{text}"
        );
        for word in words {
            assert!(text.contains(word), "{json}: {text:?} lacks {word:?}");
        }
    }
}

#[test]
fn serde_errors_carry_the_message() {
    let err =
        serde_json::from_str::<EntityPredicate>(r#"{"kind": {"$regex": "a.*"}}"#).unwrap_err();
    assert!(err.to_string().contains("unknown operator $regex"), "{err}");
}

#[test]
fn primitives_compare_as_text() {
    assert_eq!(Primitive::from("MiXed").match_text(), "mixed");
    assert_eq!(Primitive::from(7i64).match_text(), "7");
    assert_eq!(Primitive::from(7u64).match_text(), "7");
    assert_eq!(Primitive::from(true).match_text(), "true");
    assert_eq!(Primitive::from(String::from("X")).to_value(), json!("X"));
}
