//! Relation types and the relations a spec implies.

use backstage_common::catalog::kinds::BuiltinKind;
use backstage_common::catalog::{Entity, RelationType, Rule, ref_field, spec_relations};
use serde_json::{Value, json};

use super::{accepted, fixture, yaml_documents};

fn relations_of(value: Value) -> Vec<String> {
    spec_relations(&accepted(value))
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn every_relation_type_has_an_inverse_pair() {
    for t in RelationType::ALL {
        assert_ne!(t.inverse(), t);
        assert_eq!(t.inverse().inverse(), t);
        assert_eq!(t.as_str().parse::<RelationType>().unwrap(), t);
        assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
    }
    let pairs = [
        ("ownedBy", "ownerOf"),
        ("consumesApi", "apiConsumedBy"),
        ("providesApi", "apiProvidedBy"),
        ("dependsOn", "dependencyOf"),
        ("parentOf", "childOf"),
        ("memberOf", "hasMember"),
        ("partOf", "hasPart"),
    ];
    for (a, b) in pairs {
        assert_eq!(a.parse::<RelationType>().unwrap().inverse().as_str(), b);
    }
    assert!("likes".parse::<RelationType>().is_err());
}

#[test]
fn default_kinds_per_field() {
    let cases = [
        (BuiltinKind::Component, "owner", Some("Group")),
        (BuiltinKind::Component, "system", Some("System")),
        (BuiltinKind::Component, "subcomponentOf", Some("Component")),
        (BuiltinKind::Component, "providesApis", Some("API")),
        (BuiltinKind::Component, "consumesApis", Some("API")),
        (BuiltinKind::Component, "dependsOn", None),
        (BuiltinKind::Resource, "dependencyOf", None),
        (BuiltinKind::System, "domain", Some("Domain")),
        (BuiltinKind::Domain, "subdomainOf", Some("Domain")),
        (BuiltinKind::User, "memberOf", Some("Group")),
        (BuiltinKind::Group, "parent", Some("Group")),
        (BuiltinKind::Group, "children", Some("Group")),
        (BuiltinKind::Group, "members", Some("User")),
    ];
    for (kind, field, default_kind) in cases {
        assert_eq!(
            ref_field(kind, field).unwrap().default_kind,
            default_kind,
            "{kind:?}.{field}"
        );
    }
    assert!(ref_field(BuiltinKind::Component, "lifecycle").is_none());
}

#[test]
fn component_relations_in_order_with_sorted_arrays() {
    let docs = yaml_documents(&fixture("typical-component.yaml"));
    let rels = relations_of(docs[0].clone());
    assert_eq!(
        rels,
        [
            "component:default/ticket-checkout ownedBy group:default/payments",
            "component:default/ticket-checkout providesApi api:default/checkout-api",
            "component:default/ticket-checkout consumesApi api:inventory/seat-map-api",
            "component:default/ticket-checkout consumesApi api:default/pricing-api",
            "component:default/ticket-checkout dependsOn component:default/fraud-screen",
            "component:default/ticket-checkout dependsOn resource:default/checkout-db",
            "component:default/ticket-checkout partOf system:default/box-office",
        ]
    );
}

#[test]
fn targets_default_to_the_source_namespace_not_default() {
    let rels = relations_of(json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": "seat-picker", "namespace": "front-of-house"},
        "spec": {"type": "website", "lifecycle": "p", "owner": "ushers",
                 "system": "default/box-office", "consumesApis": ["API:Inventory/Seat-Map"]}
    }));
    assert_eq!(
        rels,
        [
            "component:front-of-house/seat-picker ownedBy group:front-of-house/ushers",
            "component:front-of-house/seat-picker consumesApi api:inventory/seat-map",
            "component:front-of-house/seat-picker partOf system:default/box-office",
        ]
    );
}

#[test]
fn reverse_relations_point_back() {
    let entity = accepted(json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "User",
        "metadata": {"name": "ana", "namespace": "staff"},
        "spec": {"memberOf": ["payments", "group:default/everyone"]}
    }));
    let rels = spec_relations(&entity).unwrap();
    let reversed: Vec<String> = rels.iter().map(|r| r.reverse().to_string()).collect();
    assert_eq!(
        reversed,
        [
            "group:default/everyone hasMember user:staff/ana",
            "group:staff/payments hasMember user:staff/ana"
        ]
    );
    let stored = rels[0].to_entity_relation();
    assert_eq!(
        (stored.relation_type.as_str(), stored.target_ref.as_str()),
        ("memberOf", "group:default/everyone")
    );
}

#[test]
fn group_system_domain_resource_and_api_relations() {
    let docs: Vec<Entity> = yaml_documents(&fixture("all-kinds.yaml"))
        .into_iter()
        .map(accepted)
        .collect();
    let all: Vec<String> = docs
        .iter()
        .flat_map(|e| spec_relations(e).unwrap())
        .map(|r| r.to_string())
        .collect();
    for expected in [
        "component:default/seat-picker partOf component:default/box-office-web",
        "api:inventory/seat-map-api ownedBy group:inventory/inventory-team",
        "resource:default/checkout-db dependencyOf component:default/ticket-checkout",
        "resource:default/checkout-db partOf system:default/box-office",
        "system:default/box-office partOf domain:default/ticketing",
        "domain:default/ticketing ownedBy group:default/venue-org",
        "domain:default/ticketing partOf domain:default/live-events",
        "group:default/payments childOf group:default/venue-org",
        "group:default/payments hasMember user:default/ana.silva",
        "group:default/payments hasMember user:default/jo.okafor",
    ] {
        assert!(
            all.contains(&expected.to_owned()),
            "missing {expected} in {all:#?}"
        );
    }
    // Location, Template, Environment and custom kinds imply nothing.
    for name in ["venue-catalog", "rust-service", "staging", "new-seat-map"] {
        let e = docs.iter().find(|e| e.metadata.name == name).unwrap();
        assert!(spec_relations(e).unwrap().is_empty(), "{name}");
    }
}

#[test]
fn depends_on_needs_a_kind() {
    let entity = accepted(json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Resource",
        "metadata": {"name": "db"},
        "spec": {"type": "database", "owner": "o", "dependsOn": ["resource:disk", "network"], "dependencyOf": ["component:"]}
    }));
    let err = spec_relations(&entity).unwrap_err();
    let paths: Vec<_> = err
        .problems
        .iter()
        .map(|p| (p.path.as_str(), p.rule))
        .collect();
    assert_eq!(
        paths,
        [
            ("spec.dependsOn[1]", Rule::EntityRef),
            ("spec.dependencyOf[0]", Rule::EntityRef)
        ]
    );
    let text = err.to_string();
    assert!(
        text.contains("resource:default/db: spec.dependsOn[1] is not a usable entity ref"),
        "{text}"
    );
    assert!(text.contains("names no kind"), "{text}");
    assert!(text.contains("empty name"), "{text}");
}
