//! Evaluating predicates against entities.

use backstage_plugin_catalog_common::EntityPredicate;
use backstage_plugin_catalog_common::search::search_entries;
use serde_json::{Value, json};

/// A component with tags, annotations, labels, links, relations and status.
pub(crate) fn component() -> Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {
            "name": "Ticket-Checkout",
            "uid": "0d4b3c2a-1111-4222-8333-944445555666",
            "title": "Ticket checkout",
            "tags": ["Java", "payments"],
            "labels": { "tier": "Gold" },
            "annotations": {
                "backstage.io/managed-by-location": "url:https://example.com/checkout/catalog-info.yaml",
                "backstage.io/orphan": "true"
            },
            "links": [{ "url": "https://runbooks.example.com/checkout", "type": "runbook" }]
        },
        "spec": {
            "type": "service",
            "lifecycle": "production",
            "owner": "team-payments",
            "replicas": 3,
            "public": false,
            "ports": [8080, 9090],
            "empty": {},
            "nothing": null
        },
        "relations": [
            { "type": "ownedBy", "targetRef": "group:default/team-payments" },
            { "type": "dependsOn", "targetRef": "resource:default/orders-db" },
            { "type": "dependsOn", "targetRef": "component:default/Ticket-Pricing" }
        ],
        "status": { "items": [{ "type": "backstage.io/catalog-processing", "level": "error", "message": "x" }] }
    })
}

fn q(json: Value) -> EntityPredicate {
    EntityPredicate::from_value(&json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn check(entity: &Value, cases: &[(Value, bool)]) {
    let entries = search_entries(entity);
    for (query, expected) in cases {
        let predicate = q(query.clone());
        assert_eq!(predicate.matches(entity), *expected, "{query}");
        assert_eq!(
            predicate.matches_entries(&entries),
            *expected,
            "{query} (entries)"
        );
    }
}

#[test]
fn equality_is_case_insensitive_in_keys_and_values() {
    check(
        &component(),
        &[
            (json!({"kind": "Component"}), true),
            (json!({"kind": "component"}), true),
            (json!({"KIND": "COMPONENT"}), true),
            (json!({"Metadata.Name": "ticket-checkout"}), true),
            (json!({"metadata.labels.TIER": "gold"}), true),
            (json!({"kind": "api"}), false),
            (json!({"kind": "componen"}), false),
            (json!({"spec.owner": "team-payments"}), true),
            (json!({"metadata.title": "TICKET CHECKOUT"}), true),
        ],
    );
}

#[test]
fn numbers_and_booleans_compare_as_text() {
    check(
        &component(),
        &[
            (json!({"spec.replicas": 3}), true),
            (json!({"spec.replicas": "3"}), true),
            (json!({"spec.replicas": 4}), false),
            (json!({"spec.public": false}), true),
            (json!({"spec.public": "FALSE"}), true),
            (json!({"spec.public": true}), false),
            (json!({"spec.ports": 9090}), true),
            (json!({"spec.ports": {"$in": [1, "8080"]}}), true),
            (json!({"spec.nothing": "null"}), false),
            (json!({"spec.replicas": 3.0}), true),
            (json!({"spec.replicas": "3.0"}), false),
            (json!({"spec.ratio": 0.5}), false),
        ],
    );
}

#[test]
fn integral_floats_equal_integers() {
    let entity = json!({"kind": "Component", "spec": {"ratio": 0.5, "size": 2.0}});
    check(
        &entity,
        &[
            (json!({"spec.ratio": 0.5}), true),
            (json!({"spec.ratio": "0.5"}), true),
            (json!({"spec.size": 2}), true),
            (json!({"spec.size": "2"}), true),
            (json!({"spec.size": 2.0}), true),
        ],
    );
}

#[test]
fn exists_covers_leaves_objects_arrays_and_nulls() {
    check(
        &component(),
        &[
            (json!({"spec.type": {"$exists": true}}), true),
            (json!({"spec.system": {"$exists": true}}), false),
            (json!({"spec.system": {"$exists": false}}), true),
            (json!({"spec.type": {"$exists": false}}), false),
            (json!({"metadata.annotations": {"$exists": true}}), true),
            (json!({"metadata": {"$exists": true}}), true),
            (json!({"metadata.tags": {"$exists": true}}), true),
            (json!({"spec.empty": {"$exists": true}}), true),
            (json!({"spec.nothing": {"$exists": true}}), true),
            (
                json!({"metadata.annotations.backstage.io/orphan": {"$exists": true}}),
                true,
            ),
            // A dotted key is one key, not a path through "backstage".
            (
                json!({"metadata.annotations.backstage": {"$exists": true}}),
                false,
            ),
            (json!({"metadata.links.type": {"$exists": true}}), true),
            (json!({"metadata.links.title": {"$exists": true}}), false),
        ],
    );
}

#[test]
fn arrays_match_by_any_element() {
    check(
        &component(),
        &[
            (json!({"metadata.tags": "java"}), true),
            (json!({"metadata.tags": "PAYMENTS"}), true),
            (json!({"metadata.tags": "python"}), false),
            (
                json!({"metadata.tags": {"$in": ["python", "payments"]}}),
                true,
            ),
            (json!({"metadata.tags": {"$contains": "Java"}}), true),
            (json!({"metadata.tags": {"$contains": "go"}}), false),
            (
                json!({"metadata.tags": {"$contains": {"$in": ["go", "java"]}}}),
                true,
            ),
            (
                json!({"metadata.tags": {"$contains": {"$hasPrefix": "pay"}}}),
                true,
            ),
            (json!({"metadata.tags": {"$hasPrefix": "JA"}}), true),
            (json!({"metadata.links.type": "RUNBOOK"}), true),
            (
                json!({"metadata.links.url": {"$hasPrefix": "https://runbooks."}}),
                true,
            ),
        ],
    );
}

#[test]
fn string_elements_are_keys_too() {
    check(
        &component(),
        &[
            (json!({"metadata.tags.java": true}), true),
            (json!({"metadata.tags.java": "true"}), true),
            (json!({"metadata.tags.JAVA": {"$exists": true}}), true),
            (json!({"metadata.tags.python": {"$exists": true}}), false),
            (json!({"metadata.tags.payments": {"$exists": false}}), false),
            // Numbers in arrays are values, not keys.
            (json!({"spec.ports.8080": {"$exists": true}}), false),
        ],
    );
}

#[test]
fn relations_match_by_type_and_target() {
    check(
        &component(),
        &[
            (
                json!({"relations.ownedBy": "group:default/team-payments"}),
                true,
            ),
            (
                json!({"relations.ownedby": "GROUP:DEFAULT/TEAM-PAYMENTS"}),
                true,
            ),
            (json!({"relations.ownedBy": "group:default/other"}), false),
            (
                json!({"relations.dependsOn": "resource:default/orders-db"}),
                true,
            ),
            (
                json!({"relations.dependsOn": "component:default/ticket-pricing"}),
                true,
            ),
            (
                json!({"relations.dependsOn": {"$contains": "resource:default/orders-db"}}),
                true,
            ),
            (
                json!({"relations.dependsOn": {"$contains": {"$in": ["x:y/z", "component:default/ticket-pricing"]}}}),
                true,
            ),
            (
                json!({"relations.dependsOn": {"$hasPrefix": "resource:"}}),
                true,
            ),
            (json!({"relations.dependsOn": {"$exists": true}}), true),
            (json!({"relations.partOf": {"$exists": true}}), false),
            (json!({"relations": {"$exists": true}}), true),
            // The raw relation objects are not searchable paths.
            (json!({"relations.type": "ownedBy"}), false),
            (json!({"relations.targetRef": {"$exists": true}}), false),
        ],
    );
}

#[test]
fn namespace_defaults_to_default_and_status_is_not_searchable() {
    check(
        &component(),
        &[
            (json!({"metadata.namespace": "default"}), true),
            (json!({"metadata.namespace": {"$exists": true}}), true),
            (json!({"metadata.namespace": "prod"}), false),
            (json!({"status": {"$exists": true}}), false),
            (json!({"status.items.level": "error"}), false),
        ],
    );
    let mut in_prod = component();
    in_prod["metadata"]["namespace"] = json!("Prod");
    check(
        &in_prod,
        &[
            (json!({"metadata.namespace": "prod"}), true),
            (json!({"metadata.namespace": "default"}), false),
        ],
    );
}

#[test]
fn in_and_has_prefix() {
    check(
        &component(),
        &[
            (json!({"spec.type": {"$in": ["website", "SERVICE"]}}), true),
            (json!({"spec.type": {"$in": ["website"]}}), false),
            (json!({"spec.type": {"$in": []}}), false),
            (json!({"metadata.name": {"$hasPrefix": "ticket-"}}), true),
            (json!({"metadata.name": {"$hasPrefix": "TICKET-C"}}), true),
            (json!({"metadata.name": {"$hasPrefix": "checkout"}}), false),
            (json!({"metadata.name": {"$hasPrefix": ""}}), true),
            (json!({"spec.system": {"$hasPrefix": ""}}), false),
            (json!({"spec.nothing": {"$hasPrefix": ""}}), false),
            (json!({"spec.replicas": {"$hasPrefix": "3"}}), true),
        ],
    );
}

#[test]
fn logic_nests() {
    check(
        &component(),
        &[
            (json!({"kind": "component", "spec.type": "service"}), true),
            (json!({"kind": "component", "spec.type": "website"}), false),
            (json!({}), true),
            (
                json!({"$all": [{"kind": "component"}, {"spec.type": "service"}]}),
                true,
            ),
            (
                json!({"$all": [{"kind": "component"}, {"spec.type": "website"}]}),
                false,
            ),
            (
                json!({"$any": [{"kind": "api"}, {"spec.type": "service"}]}),
                true,
            ),
            (
                json!({"$any": [{"kind": "api"}, {"spec.type": "website"}]}),
                false,
            ),
            (json!({"$not": {"kind": "api"}}), true),
            (json!({"$not": {"kind": "component"}}), false),
            (json!({"$not": {"$not": {"kind": "component"}}}), true),
            (json!({"$not": {"spec.system": {"$exists": true}}}), true),
            (
                json!({"$all": [
                    {"$any": [{"kind": "api"}, {"metadata.tags": "java"}]},
                    {"$not": {"$any": [{"spec.lifecycle": "experimental"}, {"spec.lifecycle": "deprecated"}]}},
                    {"relations.ownedBy": "group:default/team-payments"}
                ]}),
                true,
            ),
            (
                json!({"$all": [
                    {"$any": [{"kind": "api"}, {"metadata.tags": "java"}]},
                    {"$not": {"$any": [{"spec.lifecycle": "production"}]}}
                ]}),
                false,
            ),
            // $not of a multi-field object: not (both hold).
            (
                json!({"$not": {"kind": "component", "spec.type": "website"}}),
                true,
            ),
            // Empty lists match nothing, as in Backstage's catalog.
            (json!({"$all": []}), false),
            (json!({"$any": []}), false),
            (json!({"$not": {"$all": []}}), true),
        ],
    );
}

#[test]
fn long_values_exist_but_never_equal() {
    let long = "x".repeat(201);
    let mut entity = json!({
        "kind": "Component",
        "metadata": { "name": "a", "description": long },
        "spec": {}
    });
    entity["spec"]["k".repeat(201)] = json!("v");
    check(
        &entity,
        &[
            (json!({"metadata.description": {"$exists": true}}), true),
            (json!({"metadata.description": long}), false),
            (json!({"metadata.description": {"$hasPrefix": "x"}}), false),
            (
                EntityPredicate::exists(format!("spec.{}", "k".repeat(201))).to_value(),
                false,
            ),
        ],
    );
    let exactly_200 =
        json!({"kind": "Component", "metadata": {"name": "a", "description": "y".repeat(200)}});
    check(
        &exactly_200,
        &[(json!({"metadata.description": "Y".repeat(200)}), true)],
    );
}

#[test]
fn non_objects_match_only_negations_and_empty_field_sets() {
    for value in [json!(null), json!("kind"), json!([{"kind": "a"}])] {
        assert!(!EntityPredicate::eq("kind", "a").matches(&value));
        assert!(EntityPredicate::not(EntityPredicate::eq("kind", "a")).matches(&value));
        assert!(EntityPredicate::Fields(vec![]).matches(&value));
    }
}

#[test]
fn builders_match_like_parsed_json() {
    let entity = component();
    assert!(EntityPredicate::eq("kind", "component").matches(&entity));
    assert!(EntityPredicate::exists("metadata.tags.java").matches(&entity));
    assert!(EntityPredicate::is_in("spec.type", ["website", "service"]).matches(&entity));
    assert!(EntityPredicate::has_prefix("metadata.name", "ticket").matches(&entity));
    assert!(
        EntityPredicate::contains("relations.ownedBy", "group:default/team-payments")
            .matches(&entity)
    );
    assert!(
        EntityPredicate::eq("kind", "component")
            .and(EntityPredicate::not(EntityPredicate::eq(
                "spec.lifecycle",
                "experimental"
            )))
            .matches(&entity)
    );
}
