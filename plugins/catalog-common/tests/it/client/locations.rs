//! Location endpoints.

use backstage_common::catalog::EntityRef;
use backstage_plugin_catalog_common::api::{
    AnalyzeLocationRequest, LocationInput, LocationsQueryRequest, OnConflict,
};
use backstage_plugin_catalog_common::{AddLocationOptions, EntityPredicate};
use serde_json::json;

use super::{MockCatalog, Reply, entity, error_body};

fn location(id: &str) -> serde_json::Value {
    json!({"id": id, "type": "url", "target": format!("https://example.com/{id}.yaml"), "entityRef": format!("location:default/generated-{id}")})
}

#[tokio::test]
async fn crud() {
    let server = MockCatalog::start(vec![
        Reply::json(200, json!([{"data": location("l1")}, {"data": location("l2")}])),
        Reply::json(200, location("l1")),
        Reply::json(404, error_body("NotFoundError", "Found no location with ID x", 404, "GET", "/locations/x")),
        Reply::json(201, json!({"location": location("l3"), "entities": []})),
        Reply::json(
            201,
            json!({"location": location("l4"), "entities": [entity("Component", "a")], "exists": true}),
        ),
        Reply::json(200, location("l3")),
        Reply::empty(204),
        Reply::json(200, location("l1")),
        Reply::json(404, error_body("NotFoundError", "no location", 404, "GET", "/locations/by-entity/component/default/b")),
    ])
    .await;
    let client = server.client();

    let all = client.get_locations().await.unwrap();
    assert_eq!(
        all.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        ["l1", "l2"]
    );
    assert_eq!(
        client.get_location_by_id("l1").await.unwrap().unwrap().id,
        "l1"
    );
    assert_eq!(client.get_location_by_id("x").await.unwrap(), None);

    let input = LocationInput::url("https://example.com/l3.yaml");
    let created = client
        .add_location(&input, AddLocationOptions::default())
        .await
        .unwrap();
    assert_eq!(created.location.id, "l3");
    assert_eq!(created.exists, None);
    let dry = client
        .add_location(
            &LocationInput::url("https://example.com/l4.yaml"),
            AddLocationOptions {
                dry_run: true,
                on_conflict: Some(OnConflict::Refresh),
            },
        )
        .await
        .unwrap();
    assert_eq!(dry.exists, Some(true));
    assert_eq!(dry.entities[0].metadata.name, "a");

    let updated = client
        .update_location("l3", &LocationInput::new("file", "/srv/catalog.yaml"))
        .await
        .unwrap();
    assert_eq!(updated.id, "l3");
    client.delete_location("l3").await.unwrap();

    let a: EntityRef = "component:default/a".parse().unwrap();
    assert_eq!(
        client.get_location_by_entity(&a).await.unwrap().unwrap().id,
        "l1"
    );
    let b: EntityRef = "component:default/b".parse().unwrap();
    assert_eq!(client.get_location_by_entity(&b).await.unwrap(), None);

    let requests = server.requests();
    let lines: Vec<String> = requests
        .iter()
        .map(|r| match &r.query {
            Some(q) => format!("{} {}?{q}", r.method, r.path),
            None => format!("{} {}", r.method, r.path),
        })
        .collect();
    assert_eq!(
        lines,
        [
            "GET /api/catalog/locations",
            "GET /api/catalog/locations/l1",
            "GET /api/catalog/locations/x",
            "POST /api/catalog/locations",
            "POST /api/catalog/locations?dryRun=true&onConflict=refresh",
            "PUT /api/catalog/locations/l3",
            "DELETE /api/catalog/locations/l3",
            "GET /api/catalog/locations/by-entity/component/default/a",
            "GET /api/catalog/locations/by-entity/component/default/b",
        ]
    );
    assert_eq!(
        requests[3].json(),
        json!({"type": "url", "target": "https://example.com/l3.yaml"})
    );
    assert_eq!(
        requests[5].json(),
        json!({"type": "file", "target": "/srv/catalog.yaml"})
    );
    assert_eq!(requests[6].body, "");
}

#[tokio::test]
async fn conflict_is_a_typed_error() {
    let server = MockCatalog::start(vec![Reply::json(
        409,
        error_body(
            "ConflictError",
            "Location url:https://e.com/a.yaml already exists",
            409,
            "POST",
            "/locations",
        ),
    )])
    .await;
    let err = server
        .client()
        .add_location(
            &LocationInput::url("https://e.com/a.yaml"),
            AddLocationOptions::default(),
        )
        .await
        .unwrap_err();
    let api = err.api_error().unwrap();
    assert!(api.is_conflict());
    assert_eq!(api.name, "ConflictError");
    assert_eq!(
        api.message,
        "Location url:https://e.com/a.yaml already exists"
    );
}

#[tokio::test]
async fn query_and_analyze() {
    let server = MockCatalog::start(vec![
        Reply::json(
            200,
            json!({"items": [location("l1")], "totalItems": 5, "pageInfo": {"nextCursor": "n"}}),
        ),
        Reply::json(
            200,
            json!({"existingEntityFiles": [], "generateEntities": []}),
        ),
    ])
    .await;
    let client = server.client();
    let page = client
        .query_locations(&LocationsQueryRequest {
            cursor: None,
            limit: Some(1),
            query: Some(EntityPredicate::eq("type", "url")),
        })
        .await
        .unwrap();
    assert_eq!(page.total_items, 5);
    assert_eq!(page.page_info.next_cursor.as_deref(), Some("n"));
    let analysis = client
        .analyze_location(&AnalyzeLocationRequest {
            location: LocationInput::url("https://github.com/org/repo"),
            catalog_file_name: Some("catalog.yaml".into()),
        })
        .await
        .unwrap();
    assert!(analysis.generate_entities.is_empty());
    let requests = server.requests();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/api/catalog/locations/by-query")
    );
    assert_eq!(
        requests[0].json(),
        json!({"limit": 1, "query": {"type": "url"}})
    );
    assert_eq!(
        (requests[1].method.as_str(), requests[1].path.as_str()),
        ("POST", "/api/catalog/analyze-location")
    );
    assert_eq!(
        requests[1].json(),
        json!({"location": {"type": "url", "target": "https://github.com/org/repo"}, "catalogFileName": "catalog.yaml"})
    );
}
