//! The envelope: shape, unknown keys, round trips, all problems together.

use backstage_common::catalog::{Entity, Rule, StatusLevel, validate_entity};
use serde_json::json;

use super::{accepted, component, component_with, refused, refused_once, with, without};

#[test]
fn unknown_metadata_and_spec_keys_survive_a_round_trip() {
    let value = with(
        component_with("/metadata/x-release-train", json!({"day": "friday"})),
        "/spec/deploymentRegion",
        json!("eu-west-1"),
    );
    let entity = accepted(value.clone());
    assert_eq!(
        entity.metadata.extra["x-release-train"],
        json!({"day": "friday"})
    );
    let back = serde_json::to_value(&entity).unwrap();
    assert_eq!(back, value);
    let reparsed: Entity = serde_json::from_value(back).unwrap();
    assert_eq!(reparsed, entity);
}

#[test]
fn full_envelope_round_trips_through_json_text() {
    let value = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {
            "name": "ticket-checkout", "namespace": "box-office",
            "uid": "4f9a2c1e-0000-4000-8000-000000000001", "etag": "abc123",
            "title": "Ticket checkout", "description": "",
            "labels": {"tier": "critical", "empty": ""},
            "annotations": {"backstage.io/orphan": "true"},
            "tags": ["rust"],
            "links": [{"url": "https://x.example.com", "title": "X", "icon": "web", "type": "docs", "extra": 1}]
        },
        "spec": {"type": "service", "lifecycle": "production", "owner": "payments"},
        "relations": [{"type": "ownedBy", "targetRef": "group:box-office/payments"}],
        "status": {"items": [{"type": "backstage.io/catalog-processing", "level": "warning", "message": "slow"}]}
    });
    let entity = accepted(value.clone());
    assert_eq!(
        entity.status.as_ref().unwrap().items.as_ref().unwrap()[0].level,
        StatusLevel::Warning
    );
    let text = serde_json::to_string(&entity).unwrap();
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, value);
}

#[test]
fn each_foreign_root_key_is_refused_by_name() {
    let value = with(
        with(component(), "/owner", json!("payments")),
        "/extra",
        json!(1),
    );
    let err = refused(value);
    let paths: Vec<_> = err.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["owner", "extra"]);
    assert!(
        err.problems
            .iter()
            .all(|p| p.rule == Rule::ForeignRootField)
    );
    assert!(err.to_string().contains(
        "component:default/ticket-checkout: owner is not allowed at the root of an entity"
    ));
}

#[test]
fn serde_deserialization_refuses_foreign_root_keys_too() {
    let value = with(component(), "/owner", json!("payments"));
    let err = serde_json::from_value::<Entity>(value).unwrap_err();
    assert!(
        err.to_string().contains("owner is not allowed at the root"),
        "{err}"
    );
}

#[test]
fn missing_required_envelope_fields_are_named() {
    for (pointer, path) in [
        ("/apiVersion", "apiVersion"),
        ("/kind", "kind"),
        ("/metadata", "metadata"),
        ("/metadata/name", "metadata.name"),
    ] {
        let err = refused(without(component(), pointer));
        assert!(err.has_problem_at(path), "{pointer}: {err}");
        assert!(err.has_rule(Rule::Required), "{err}");
    }
}

#[test]
fn missing_name_shows_in_the_entity_label() {
    let err = refused(without(component(), "/metadata/name"));
    assert!(
        err.to_string()
            .starts_with("component:default/<no name>: metadata.name is required"),
        "{err}"
    );
}

#[test]
fn spec_is_optional_for_unknown_kinds() {
    let value =
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}});
    let entity = accepted(value);
    assert!(entity.spec.is_none());
}

#[test]
fn wrong_types_are_reported_with_paths() {
    for (pointer, value, path) in [
        ("/apiVersion", json!(1), "apiVersion"),
        ("/kind", json!(["Component"]), "kind"),
        ("/metadata/name", json!(42), "metadata.name"),
        ("/metadata/namespace", json!(null), "metadata.namespace"),
        ("/metadata/title", json!(5), "metadata.title"),
        (
            "/metadata/description",
            json!({"text": "x"}),
            "metadata.description",
        ),
        ("/metadata/labels", json!(["a"]), "metadata.labels"),
        (
            "/metadata/labels",
            json!({"tier": 3}),
            "metadata.labels[\"tier\"]",
        ),
        (
            "/metadata/annotations",
            json!({"a": true}),
            "metadata.annotations[\"a\"]",
        ),
        ("/metadata/tags", json!("rust"), "metadata.tags"),
        ("/metadata/tags", json!(["ok", 7]), "metadata.tags[1]"),
        (
            "/metadata/links",
            json!([{"title": "no url"}]),
            "metadata.links[0].url",
        ),
        ("/metadata/links", json!(["https://x"]), "metadata.links[0]"),
        (
            "/metadata/links",
            json!([{"url": 1}]),
            "metadata.links[0].url",
        ),
        ("/spec", json!("service"), "spec"),
        ("/relations", json!({}), "relations"),
        ("/relations", json!([{"type": "ownedBy"}]), "relations[0]"),
        ("/status", json!([]), "status"),
        (
            "/status",
            json!({"items": [{"type": "x", "level": "fatal", "message": "m"}]}),
            "status",
        ),
    ] {
        let err = refused(component_with(pointer, value.clone()));
        assert!(err.has_problem_at(path), "{pointer}={value}: {err}");
    }
}

#[test]
fn a_non_object_is_refused() {
    let err = Entity::from_value(json!(["not", "an", "entity"])).unwrap_err();
    assert_eq!(err.problems[0].rule, Rule::NotAnObject);
    assert!(err.to_string().contains("must be an object"), "{err}");
}

#[test]
fn from_value_checks_shape_only_and_validate_checks_formats() {
    let value = component_with("/metadata/name", json!("Bad Name!"));
    let entity = Entity::from_value(value).unwrap();
    let err = validate_entity(&entity).unwrap_err();
    assert_eq!(
        err.to_string().lines().next().unwrap(),
        "component:default/bad name!: metadata.name \"Bad Name!\" is not valid: expected 1-63 \
         characters of a-z, A-Z, 0-9, \"-\", \"_\" and \".\", starting and ending with a letter \
         or digit, such as \"my-service\""
    );
}

#[test]
fn shape_and_format_problems_are_reported_together() {
    let value = with(
        component_with("/metadata/name", json!("Bad Name!")),
        "/owner",
        json!("x"),
    );
    let value = with(value, "/metadata/title", json!(3));
    let err = refused(value);
    assert!(err.has_rule(Rule::ForeignRootField), "{err}");
    assert!(err.has_rule(Rule::Type), "{err}");
    assert!(err.has_rule(Rule::EntityName), "{err}");
    assert_eq!(err.to_string().lines().count(), 3);
}

#[test]
fn title_must_not_be_empty_but_description_may() {
    refused_once(
        component_with("/metadata/title", json!("")),
        "metadata.title",
        Rule::NonEmpty,
    );
    accepted(component_with("/metadata/description", json!("")));
}

#[test]
fn uid_and_etag_must_not_be_empty() {
    refused_once(
        component_with("/metadata/uid", json!("")),
        "metadata.uid",
        Rule::NonEmpty,
    );
    refused_once(
        component_with("/metadata/etag", json!("")),
        "metadata.etag",
        Rule::NonEmpty,
    );
}

#[test]
fn links_need_a_non_empty_url_and_non_empty_optional_fields() {
    accepted(component_with(
        "/metadata/links",
        json!([{"url": "https://a.example.com"}]),
    ));
    refused_once(
        component_with("/metadata/links", json!([{"url": ""}])),
        "metadata.links[0].url",
        Rule::NonEmpty,
    );
    for field in ["title", "icon", "type"] {
        let link = json!({"url": "https://a.example.com", field: ""});
        refused_once(
            component_with("/metadata/links", json!([link])),
            &format!("metadata.links[0].{field}"),
            Rule::NonEmpty,
        );
    }
}

#[test]
fn relations_need_a_word_type_and_a_target() {
    accepted(component_with(
        "/relations",
        json!([{"type": "owned_By2", "targetRef": "group:default/a"}]),
    ));
    refused_once(
        component_with(
            "/relations",
            json!([{"type": "owned-by", "targetRef": "group:default/a"}]),
        ),
        "relations[0].type",
        Rule::RelationType,
    );
    refused_once(
        component_with("/relations", json!([{"type": "ownedBy", "targetRef": ""}])),
        "relations[0].targetRef",
        Rule::NonEmpty,
    );
    let err = refused(component_with(
        "/relations",
        json!([{"type": "ownedBy", "targetRef": "group:default/a", "note": "x"}]),
    ));
    assert!(err.has_problem_at("relations[0]"), "{err}");
}

#[test]
fn entity_ref_uses_the_default_namespace() {
    let entity = accepted(component());
    assert_eq!(
        entity.entity_ref().to_string(),
        "component:default/ticket-checkout"
    );
    assert_eq!(entity.namespace(), "default");
    let entity = accepted(component_with("/metadata/namespace", json!("box-office")));
    assert_eq!(
        entity.entity_ref().to_string(),
        "component:box-office/ticket-checkout"
    );
}

#[test]
fn entity_ref_is_lowercased_but_the_entity_keeps_its_casing() {
    let entity = accepted(component_with("/metadata/name", json!("TicketCheckout")));
    assert_eq!(
        entity.entity_ref().to_string(),
        "component:default/ticketcheckout"
    );
    assert_eq!(entity.entity_ref().name(), "TicketCheckout");
    assert_eq!(entity.to_value()["metadata"]["name"], "TicketCheckout");
}
