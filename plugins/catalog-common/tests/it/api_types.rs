//! The API types read and write the spec's JSON.

use backstage_common::catalog::Entity;
use backstage_plugin_catalog_common::api::{
    AnalyzeFieldState, AnalyzeLocationResponse, CreateLocationResponse, EntitiesBatchResponse,
    EntitiesByRefsRequest, EntitiesQueryResponse, EntityAncestryResponse, EntityFacetsRequest,
    EntityFacetsResponse, ErrorResponse, FullTextFilter, Location, LocationEnvelope, LocationInput,
    LocationsQueryRequest, LocationsQueryResponse, OnConflict, QueryEntitiesRequest,
    RefreshRequest, TotalItems, ValidateEntityErrorResponse, ValidateEntityRequest,
    status_for_error_name,
};
use backstage_plugin_catalog_common::{EntityOrder, EntityPredicate};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::predicate_matches::component;

/// Reads `json` as `T` and writes it back unchanged.
fn round_trip<T: Serialize + DeserializeOwned>(json: Value) -> T {
    let value: T = serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{json}: {e}"));
    assert_eq!(serde_json::to_value(&value).unwrap(), json);
    value
}

fn small_entity(name: &str) -> Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": name, "namespace": "default", "uid": "u-1", "etag": "e-1"},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"},
        "relations": [{"type": "ownedBy", "targetRef": "group:default/team-a"}]
    })
}

#[test]
fn query_responses() {
    let response: EntitiesQueryResponse = round_trip(json!({
        "items": [small_entity("a"), small_entity("b")],
        "totalItems": 7,
        "pageInfo": {"nextCursor": "n", "prevCursor": "p"}
    }));
    assert_eq!(response.items[1].metadata.name, "b");
    assert_eq!(response.page_info.next_cursor.as_deref(), Some("n"));
    let empty: EntitiesQueryResponse =
        round_trip(json!({"items": [], "totalItems": 0, "pageInfo": {}}));
    assert!(empty.page_info.prev_cursor.is_none());
    // Projections are not entities; a Value item type takes them.
    let projected: EntitiesQueryResponse<Value> = round_trip(
        json!({"items": [{"metadata": {"name": "a"}}], "totalItems": 1, "pageInfo": {}}),
    );
    assert_eq!(projected.items[0]["metadata"]["name"], "a");
    assert!(
        serde_json::from_value::<EntitiesQueryResponse>(
            json!({"items": [{"metadata": {"name": "a"}}], "totalItems": 1, "pageInfo": {}})
        )
        .is_err()
    );
}

#[test]
fn query_request_body() {
    let request: QueryEntitiesRequest = round_trip(json!({
        "query": {"$all": [{"kind": "component"}, {"spec.type": {"$in": ["service"]}}]},
        "limit": 20,
        "offset": 40,
        "orderBy": [{"field": "metadata.name", "order": "desc"}],
        "fullTextFilter": {"term": "check", "fields": ["metadata.name"]},
        "fields": ["metadata.name", "kind"],
        "totalItems": "exclude"
    }));
    assert_eq!(
        request.order_by,
        Some(vec![EntityOrder::desc("metadata.name")])
    );
    assert_eq!(request.total_items, Some(TotalItems::Exclude));
    round_trip::<QueryEntitiesRequest>(json!({}));
    round_trip::<QueryEntitiesRequest>(json!({"cursor": "abc", "limit": 5}));
    // fullTextFilter.term may be left out.
    let request: QueryEntitiesRequest =
        serde_json::from_value(json!({"fullTextFilter": {}})).unwrap();
    assert_eq!(request.full_text_filter, Some(FullTextFilter::default()));
    // A bad predicate is refused with its message.
    let err =
        serde_json::from_value::<QueryEntitiesRequest>(json!({"query": {"kind": {"$like": "a"}}}))
            .unwrap_err();
    assert!(err.to_string().contains("unknown operator $like"), "{err}");
    let err =
        serde_json::from_value::<QueryEntitiesRequest>(json!({"totalItems": "some"})).unwrap_err();
    assert!(err.to_string().contains("unknown variant"), "{err}");
    // The next page keeps limit and fields only.
    let next = request_with_everything().with_cursor("c2");
    assert_eq!(
        serde_json::to_value(&next).unwrap(),
        json!({"cursor": "c2", "limit": 10, "fields": ["kind"]})
    );
}

fn request_with_everything() -> QueryEntitiesRequest {
    QueryEntitiesRequest {
        query: Some(EntityPredicate::eq("kind", "api")),
        cursor: None,
        limit: Some(10),
        offset: Some(3),
        order_by: Some(vec![EntityOrder::asc("kind")]),
        full_text_filter: Some(FullTextFilter {
            term: "x".into(),
            fields: None,
        }),
        fields: Some(vec!["kind".into()]),
        total_items: Some(TotalItems::Include),
    }
}

#[test]
fn by_refs() {
    let request: EntitiesByRefsRequest = round_trip(json!({
        "entityRefs": ["component:default/a", "api:default/b"],
        "fields": ["metadata.name"],
        "query": {"kind": "component"}
    }));
    assert_eq!(request.entity_refs.len(), 2);
    round_trip::<EntitiesByRefsRequest>(json!({"entityRefs": []}));
    let response: EntitiesBatchResponse = round_trip(json!({"items": [small_entity("a"), null]}));
    assert!(response.items[0].is_some());
    assert!(response.items[1].is_none());
}

#[test]
fn ancestry_and_refresh() {
    let location = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {"name": "generated-abc", "namespace": "default"},
        "spec": {"type": "url", "target": "https://example.com/all.yaml"}
    });
    let response: EntityAncestryResponse = round_trip(json!({
        "rootEntityRef": "component:default/a",
        "items": [
            {"entity": small_entity("a"), "parentEntityRefs": ["location:default/generated-abc"]},
            {"entity": location, "parentEntityRefs": []}
        ]
    }));
    assert_eq!(response.items.len(), 2);
    round_trip::<RefreshRequest>(json!({"entityRef": "component:default/a"}));
    round_trip::<RefreshRequest>(
        json!({"entityRef": "component:default/a", "authorizationToken": "t"}),
    );
    // The spec closes this body.
    assert!(
        serde_json::from_value::<RefreshRequest>(json!({"entityRef": "a", "extra": 1})).is_err()
    );
}

#[test]
fn facets() {
    let response: EntityFacetsResponse = round_trip(json!({
        "facets": {
            "spec.type": [{"value": "service", "count": 3}, {"value": "website", "count": 1}],
            "kind": [{"value": "Component", "count": 4}]
        }
    }));
    // The request's facet order is kept.
    let keys: Vec<&String> = response.facets.keys().collect();
    assert_eq!(keys, ["spec.type", "kind"]);
    round_trip::<EntityFacetsRequest>(json!({"facets": ["kind"], "query": {"kind": "api"}}));
    round_trip::<EntityFacetsRequest>(json!({"facets": []}));
}

#[test]
fn locations() {
    let location: Location = round_trip(json!({
        "id": "b6f1c8a4-0000-4000-8000-000000000001",
        "type": "url",
        "target": "https://example.com/catalog-info.yaml",
        "entityRef": "location:default/generated-1"
    }));
    assert_eq!(location.location_type, "url");
    round_trip::<Location>(json!({"id": "1", "type": "file", "target": "/x.yaml"}));
    let list: Vec<LocationEnvelope> =
        round_trip(json!([{"data": {"id": "1", "type": "file", "target": "/x.yaml"}}]));
    assert_eq!(list[0].data.id, "1");
    let created: CreateLocationResponse = round_trip(json!({
        "location": {"id": "1", "type": "url", "target": "https://e.com/a.yaml", "entityRef": "location:default/g"},
        "entities": [small_entity("a")],
        "exists": false
    }));
    assert_eq!(created.entities.len(), 1);
    round_trip::<CreateLocationResponse>(json!({
        "location": {"id": "1", "type": "url", "target": "t"}, "entities": []
    }));
    assert_eq!(
        serde_json::to_value(LocationInput::url("https://e.com/a.yaml")).unwrap(),
        json!({"type": "url", "target": "https://e.com/a.yaml"})
    );
    round_trip::<LocationsQueryRequest>(
        json!({"cursor": "c", "limit": 2, "query": {"type": "url"}}),
    );
    round_trip::<LocationsQueryResponse>(json!({
        "items": [{"id": "1", "type": "url", "target": "t"}], "totalItems": 1, "pageInfo": {"nextCursor": "n"}
    }));
    assert_eq!(OnConflict::default().as_str(), "reject");
    assert_eq!(
        serde_json::to_value(OnConflict::Refresh).unwrap(),
        json!("refresh")
    );
}

#[test]
fn analyze_location() {
    let response: AnalyzeLocationResponse = round_trip(json!({
        "existingEntityFiles": [{
            "location": {"type": "url", "target": "https://e.com/catalog-info.yaml"},
            "isRegistered": false,
            "entity": small_entity("a")
        }],
        "generateEntities": [{
            "entity": {"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "b"}},
            "fields": [
                {"field": "spec.owner", "state": "needsUserInput", "value": null, "description": "Who owns it?"},
                {"field": "spec.type", "state": "analysisSuggestedValue", "value": "service", "description": "d"}
            ]
        }]
    }));
    assert_eq!(
        response.generate_entities[0].fields[0].state,
        AnalyzeFieldState::NeedsUserInput
    );
}

#[test]
fn validate_entity() {
    let request: ValidateEntityRequest = round_trip(json!({
        "location": "url:https://e.com/catalog-info.yaml",
        "entity": {"kind": "Component", "metadata": {}}
    }));
    assert_eq!(request.entity["kind"], "Component");
    let errors: ValidateEntityErrorResponse = round_trip(json!({
        "errors": [{"name": "InputError", "message": "metadata.name is required", "cause": {"x": 1}}]
    }));
    assert_eq!(errors.errors[0].extra["cause"], json!({"x": 1}));
}

#[test]
fn error_body() {
    let body: ErrorResponse = round_trip(json!({
        "error": {"name": "NotFoundError", "message": "No entity with uid x", "stack": "at ...", "code": "E1", "cause": {}},
        "request": {"method": "GET", "url": "/entities/by-uid/x"},
        "response": {"statusCode": 404}
    }));
    assert_eq!(body.response.status_code, 404);
    round_trip::<ErrorResponse>(
        json!({"error": {"name": "Error", "message": "m"}, "response": {"statusCode": 500}}),
    );
    assert_eq!(
        serde_json::to_value(
            ErrorResponse::new("InputError", "bad filter")
                .with_request("GET", "/entities?filter==x")
        )
        .unwrap(),
        json!({
            "error": {"name": "InputError", "message": "bad filter"},
            "request": {"method": "GET", "url": "/entities?filter==x"},
            "response": {"statusCode": 400}
        })
    );
    let statuses = [
        ("InputError", 400),
        ("AuthenticationError", 401),
        ("NotAllowedError", 403),
        ("NotFoundError", 404),
        ("ConflictError", 409),
        ("NotModifiedError", 304),
        ("NotImplementedError", 501),
        ("ServiceUnavailableError", 503),
        ("TypeError", 500),
    ];
    for (name, status) in statuses {
        assert_eq!(status_for_error_name(name), status, "{name}");
    }
}

/// The entity model's serde form against catalog JSON: values survive,
/// but empty arrays and maps are left out and keys come in canonical
/// order. This is why list responses are generic over the item type.
#[test]
fn entity_serde_keeps_values_but_drops_empty_collections() {
    // Everything non-empty survives unchanged.
    let full = component();
    let entity: Entity = serde_json::from_value(full.clone()).unwrap();
    assert_eq!(serde_json::to_value(&entity).unwrap(), full);

    // Empty collections, which stitched Backstage entities often have, do not.
    let mut with_empties = small_entity("a");
    with_empties["relations"] = json!([]);
    with_empties["metadata"]["tags"] = json!([]);
    with_empties["metadata"]["annotations"] = json!({});
    let entity: Entity = serde_json::from_value(with_empties.clone()).unwrap();
    let written = serde_json::to_value(&entity).unwrap();
    assert_ne!(written, with_empties);
    assert_eq!(written.get("relations"), None);
    assert_eq!(written["metadata"].get("tags"), None);
    assert_eq!(written["metadata"].get("annotations"), None);

    // Backstage's example entities (read at test time when present).
    let mut checked = 0;
    for path in yaml_files(std::path::Path::new(
        "/work/shared/reference/catalog-examples",
    )) {
        let text = std::fs::read_to_string(&path).unwrap();
        let docs: Vec<Value> = serde_saphyr::from_multiple(&text).unwrap();
        for doc in docs {
            let Ok(entity) = serde_json::from_value::<Entity>(doc.clone()) else {
                continue;
            };
            assert_eq!(
                serde_json::to_value(&entity).unwrap(),
                doc,
                "{}",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked > 40 || !std::path::Path::new("/work/shared/reference").exists(),
        "{checked}"
    );
}

/// Every `.yaml` file under `dir`, recursively; none when it is missing.
pub(crate) fn yaml_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(yaml_files(&path));
        } else if path.extension().and_then(|e| e.to_str()) == Some("yaml") {
            out.push(path);
        }
    }
    out.sort();
    out
}
