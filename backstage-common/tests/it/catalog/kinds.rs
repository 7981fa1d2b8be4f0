//! Built-in kinds: required spec fields, field types, typed views, schemas;
//! kinds without a typed view.

use backstage_common::catalog::kinds::{
    ApiSpec, BuiltinKind, ComponentSpec, GroupSpec, LocationPresence, UserSpec,
};
use backstage_common::catalog::{Entity, KindViewError, Rule};
use serde_json::{Value, json};

use super::{accepted, fixture, refused_once, with, without, yaml_documents};

fn entity(kind: &str, spec: Value) -> Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": kind,
        "metadata": { "name": "x" },
        "spec": spec
    })
}

/// Minimal valid specs per kind, with their required fields.
fn minimal() -> Vec<(&'static str, Value, &'static [&'static str])> {
    vec![
        (
            "Component",
            json!({"type": "service", "lifecycle": "production", "owner": "o"}),
            &["type", "lifecycle", "owner"],
        ),
        (
            "API",
            json!({"type": "openapi", "lifecycle": "production", "owner": "o", "definition": "openapi: 3.0.0"}),
            &["type", "lifecycle", "owner", "definition"],
        ),
        (
            "API",
            json!({"type": "mcp-server", "lifecycle": "production", "owner": "o", "remotes": [{"type": "sse", "url": "https://m.example.com"}]}),
            &["lifecycle", "owner", "remotes"],
        ),
        (
            "Resource",
            json!({"type": "database", "owner": "o"}),
            &["type", "owner"],
        ),
        ("System", json!({"owner": "o"}), &["owner"]),
        ("Domain", json!({"owner": "o"}), &["owner"]),
        (
            "Group",
            json!({"type": "team", "children": []}),
            &["type", "children"],
        ),
        ("User", json!({"memberOf": []}), &["memberOf"]),
        ("Location", json!({}), &[]),
        (
            "AiResource",
            json!({"type": "skill", "lifecycle": "production", "owner": "o"}),
            &["type", "lifecycle", "owner"],
        ),
        (
            "AiResource",
            json!({"type": "rule", "lifecycle": "production", "owner": "o", "category": "c", "rationale": "r"}),
            &["lifecycle", "owner", "category", "rationale"],
        ),
        (
            "AiResource",
            json!({"type": "plugin", "lifecycle": "production", "owner": "o", "skills": []}),
            &["lifecycle", "owner", "skills"],
        ),
        (
            "AiResource",
            json!({"type": "marketplace", "lifecycle": "production", "owner": "o", "plugins": ["p"]}),
            &["lifecycle", "owner", "plugins"],
        ),
    ]
}

#[test]
fn minimal_specs_are_accepted_in_both_api_versions() {
    for (kind, spec, _) in minimal() {
        accepted(entity(kind, spec.clone()));
        if kind != "AiResource" {
            accepted(with(
                entity(kind, spec),
                "/apiVersion",
                json!("backstage.io/v1beta1"),
            ));
        }
    }
}

#[test]
fn ai_resources_take_v1alpha1_only() {
    let (_, spec, _) = minimal().remove(9);
    let value = with(
        entity("AiResource", spec),
        "/apiVersion",
        json!("backstage.io/v1beta1"),
    );
    refused_once(value, "apiVersion", Rule::ApiVersion);
}

#[test]
fn each_required_spec_field_is_required() {
    for (kind, spec, required) in minimal() {
        for field in required {
            let value = without(entity(kind, spec.clone()), &format!("/spec/{field}"));
            let text = refused_once(value, &format!("spec.{field}"), Rule::Required);
            assert!(text.contains("is required but missing"), "{text}");
        }
    }
}

#[test]
fn required_string_fields_must_be_non_empty_strings() {
    for (kind, spec, required) in minimal() {
        for field in required
            .iter()
            .filter(|f| spec[**f].is_string() && **f != "type")
        {
            let path = format!("spec.{field}");
            refused_once(
                with(
                    entity(kind, spec.clone()),
                    &format!("/spec/{field}"),
                    json!(""),
                ),
                &path,
                Rule::NonEmpty,
            );
            refused_once(
                with(
                    entity(kind, spec.clone()),
                    &format!("/spec/{field}"),
                    json!(7),
                ),
                &path,
                Rule::Type,
            );
        }
    }
}

#[test]
fn built_in_kinds_need_a_spec() {
    for kind in BuiltinKind::ALL {
        let value = json!({"apiVersion": "backstage.io/v1alpha1", "kind": kind.as_str(), "metadata": {"name": "x"}});
        let text = refused_once(value, "spec", Rule::Required);
        assert!(
            text.contains(&format!("{} entities need a spec", kind.as_str())),
            "{text}"
        );
    }
}

#[test]
fn group_children_and_user_member_of_may_be_empty_but_not_absent() {
    accepted(entity("Group", json!({"type": "team", "children": []})));
    let text = refused_once(
        entity("Group", json!({"type": "team"})),
        "spec.children",
        Rule::Required,
    );
    assert!(text.contains("may be empty ([])"), "{text}");
    accepted(entity("User", json!({"memberOf": []})));
    refused_once(entity("User", json!({})), "spec.memberOf", Rule::Required);
}

#[test]
fn api_needs_a_definition_unless_it_is_an_mcp_server() {
    let text = refused_once(
        entity(
            "API",
            json!({"type": "openapi", "lifecycle": "production", "owner": "o"}),
        ),
        "spec.definition",
        Rule::Required,
    );
    assert!(text.contains("mcp-server"), "{text}");
    refused_once(
        entity(
            "API",
            json!({"type": "mcp-server", "lifecycle": "production", "owner": "o", "definition": "x"}),
        ),
        "spec.remotes",
        Rule::Required,
    );
    refused_once(
        entity(
            "API",
            json!({"type": "mcp-server", "lifecycle": "p", "owner": "o", "remotes": []}),
        ),
        "spec.remotes",
        Rule::MinItems,
    );
    refused_once(
        entity(
            "API",
            json!({"type": "mcp-server", "lifecycle": "p", "owner": "o", "remotes": [{"type": "sse"}]}),
        ),
        "spec.remotes[0].url",
        Rule::Required,
    );
}

#[test]
fn optional_fields_are_type_checked() {
    let component = |field: &str, value: Value| {
        with(
            entity(
                "Component",
                json!({"type": "service", "lifecycle": "production", "owner": "o"}),
            ),
            &format!("/spec/{field}"),
            value,
        )
    };
    accepted(component("system", json!("box-office")));
    refused_once(
        component("system", json!("")),
        "spec.system",
        Rule::NonEmpty,
    );
    refused_once(
        component("subcomponentOf", json!(["a"])),
        "spec.subcomponentOf",
        Rule::Type,
    );
    accepted(component("dependsOn", json!(["resource:db"])));
    refused_once(
        component("dependsOn", json!("resource:db")),
        "spec.dependsOn",
        Rule::Type,
    );
    refused_once(
        component("consumesApis", json!(["a", ""])),
        "spec.consumesApis[1]",
        Rule::NonEmpty,
    );
    refused_once(
        component("providesApis", json!(["a", 3])),
        "spec.providesApis[1]",
        Rule::Type,
    );

    let group = |profile: Value| {
        entity(
            "Group",
            json!({"type": "team", "children": [], "profile": profile}),
        )
    };
    accepted(group(json!({"displayName": "Payments"})));
    refused_once(group(json!("Payments")), "spec.profile", Rule::Type);
    refused_once(
        group(json!({"email": ""})),
        "spec.profile.email",
        Rule::NonEmpty,
    );

    let location = |presence: Value| entity("Location", json!({"presence": presence}));
    accepted(location(json!("optional")));
    accepted(location(json!("required")));
    refused_once(location(json!("maybe")), "spec.presence", Rule::OneOf);
    refused_once(location(json!(true)), "spec.presence", Rule::Type);
}

#[test]
fn ai_skill_compatibility_is_at_most_500_characters() {
    let skill = |c: String| {
        entity(
            "AiResource",
            json!({"type": "skill", "lifecycle": "p", "owner": "o", "compatibility": c}),
        )
    };
    accepted(skill("x".repeat(500)));
    refused_once(
        skill("x".repeat(501)),
        "spec.compatibility",
        Rule::MaxLength,
    );
}

#[test]
fn unknown_spec_keys_are_allowed_on_built_in_kinds() {
    accepted(entity(
        "System",
        json!({"owner": "o", "x-cost": {"monthly": 12}}),
    ));
}

#[test]
fn kinds_without_typed_views_follow_envelope_and_metadata_rules_only() {
    let docs = yaml_documents(&fixture("all-kinds.yaml"));
    for doc in &docs {
        accepted(doc.clone());
    }
    // A custom kind may have any spec, or none; its metadata is still checked.
    let custom = json!({"apiVersion": "example.com/v1", "kind": "FeatureFlag", "metadata": {"name": "f"}, "spec": {"rollout": 25}});
    accepted(custom.clone());
    let text = refused_once(
        with(custom, "/metadata/name", json!("new flag")),
        "metadata.name",
        Rule::EntityName,
    );
    assert!(
        text.starts_with("featureflag:default/new flag: metadata.name \"new flag\" is not valid"),
        "{text}"
    );
    // Template and Environment without the fields their own schemas want.
    accepted(
        json!({"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": {"name": "t"}, "spec": {}}),
    );
    accepted(
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Environment", "metadata": {"name": "e"}}),
    );
}

#[test]
fn typed_views_read_every_built_in_kind() {
    let docs: Vec<Entity> = yaml_documents(&fixture("all-kinds.yaml"))
        .into_iter()
        .map(|d| accepted(d))
        .collect();
    let by_name = |name: &str| docs.iter().find(|e| e.metadata.name == name).unwrap();

    let component = by_name("seat-picker").as_component().unwrap();
    assert_eq!(
        component.spec.subcomponent_of.as_deref(),
        Some("box-office-web")
    );
    let api = by_name("seat-map-api").as_api().unwrap();
    assert!(
        api.spec
            .definition
            .as_deref()
            .unwrap()
            .starts_with("openapi: 3.0.0")
    );
    let mcp = by_name("venue-assistant").as_api().unwrap();
    assert!(mcp.spec.is_mcp_server());
    assert_eq!(mcp.spec.remotes[0].url, "https://mcp.example.com/venues");
    assert_eq!(
        by_name("checkout-db")
            .as_resource()
            .unwrap()
            .spec
            .dependency_of,
        ["component:ticket-checkout"]
    );
    assert_eq!(
        by_name("box-office")
            .as_system()
            .unwrap()
            .spec
            .domain
            .as_deref(),
        Some("ticketing")
    );
    assert_eq!(
        by_name("ticketing")
            .as_domain()
            .unwrap()
            .spec
            .domain_type
            .as_deref(),
        Some("product-area")
    );
    let group = by_name("payments").as_group().unwrap();
    assert_eq!(
        group.spec.profile.unwrap().display_name.as_deref(),
        Some("Payments")
    );
    assert!(group.spec.children.is_empty());
    assert!(
        by_name("ana.silva")
            .as_user()
            .unwrap()
            .spec
            .member_of
            .is_empty()
    );
    let location = by_name("venue-catalog").as_location().unwrap();
    assert_eq!(location.spec.presence, Some(LocationPresence::Optional));
    assert_eq!(location.spec.all_targets().count(), 1);
}

#[test]
fn typed_view_of_the_wrong_kind_or_a_bad_spec_is_an_error() {
    let group = accepted(entity("Group", json!({"type": "team", "children": []})));
    let err = group.as_component().unwrap_err();
    assert!(matches!(err, KindViewError::WrongKind { .. }));
    assert_eq!(
        err.to_string(),
        "group:default/x is a Group, not a Component"
    );

    let bad =
        Entity::from_value(entity("Group", json!({"type": "team", "children": "none"}))).unwrap();
    match bad.as_group().unwrap_err() {
        KindViewError::Spec { path, .. } => assert_eq!(path, "spec.children"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn typed_views_keep_unknown_spec_keys_and_convert_back() {
    let value = entity(
        "Component",
        json!({"type": "service", "lifecycle": "p", "owner": "o", "x-tier": 1}),
    );
    let entity = accepted(value.clone());
    let view = entity.as_kind::<ComponentSpec>().unwrap();
    assert_eq!(view.spec.extra["x-tier"], 1);
    let back: Entity = view.into();
    assert_eq!(back, entity);
}

#[test]
fn typed_specs_have_json_schemas_with_their_required_fields() {
    let required = |schema: schemars::Schema| -> Vec<String> {
        let v = serde_json::to_value(schema).unwrap();
        let mut r: Vec<String> = serde_json::from_value(v["required"].clone()).unwrap_or_default();
        r.sort();
        r
    };
    assert_eq!(
        required(schemars::schema_for!(ComponentSpec)),
        ["lifecycle", "owner", "type"]
    );
    assert_eq!(
        required(schemars::schema_for!(GroupSpec)),
        ["children", "type"]
    );
    assert_eq!(required(schemars::schema_for!(UserSpec)), ["memberOf"]);
    assert_eq!(
        required(schemars::schema_for!(ApiSpec)),
        ["lifecycle", "owner", "type"]
    );
    let schema = serde_json::to_value(schemars::schema_for!(ComponentSpec)).unwrap();
    assert_eq!(schema["properties"]["owner"]["minLength"], 1);
    assert_eq!(
        required(schemars::schema_for!(Entity)),
        ["apiVersion", "kind", "metadata"]
    );
}
