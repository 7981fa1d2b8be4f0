//! Entity endpoints: what the client sends and how it reads the answers.

use backstage_common::catalog::{Entity, EntityRef};
use backstage_plugin_catalog_common::api::{
    EntitiesByRefsRequest, EntityFacetsRequest, FullTextFilter, QueryEntitiesRequest,
    RefreshRequest, TotalItems, ValidateEntityRequest,
};
use backstage_plugin_catalog_common::{
    EntityFacetsParams, EntityFilter, EntityOrder, EntityPredicate, FilterSet, GetEntitiesParams,
    QueryEntitiesParams, ValidateEntityResult,
};
use serde_json::{Value, json};

use super::{MockCatalog, Reply, entity, error_body};

fn users_or_teams() -> EntityFilter {
    EntityFilter::new(
        FilterSet::new()
            .eq("kind", "user")
            .eq("metadata.namespace", "default"),
    )
    .or(FilterSet::new().eq("kind", "group").exists("spec.type"))
}

#[tokio::test]
async fn get_entities_unpaged() {
    let server = MockCatalog::start(vec![Reply::json(
        200,
        json!([entity("Component", "a"), entity("Component", "b")]),
    )])
    .await;
    let response = server
        .client()
        .get_entities::<Entity>(&GetEntitiesParams::default())
        .await
        .unwrap();
    assert_eq!(response.items.len(), 2);
    assert_eq!(response.items[1].metadata.name, "b");
    assert_eq!(response.next_after, None);
    let request = server.single();
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/api/catalog/entities");
    assert_eq!(request.query, None);
    assert_eq!(request.body, "");
    assert_eq!(request.authorization, None);
}

#[tokio::test]
async fn get_entities_with_every_parameter() {
    let link = "<http://localhost:7007/api/catalog/entities?filter=kind=user,metadata.namespace=default&limit=2&after=eyJsaW1pdCI6Miwib2Zmc2V0IjoyfQ%3D%3D>; rel=\"next\"";
    let server = MockCatalog::start(vec![
        Reply::json(
            200,
            json!([{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]),
        )
        .header("link", link),
    ])
    .await;
    let params = GetEntitiesParams {
        filter: Some(users_or_teams()),
        fields: vec!["metadata.name".into(), "spec.type".into()],
        order: vec![EntityOrder::asc("metadata.name"), EntityOrder::desc("kind")],
        offset: Some(0),
        limit: Some(2),
        after: Some("eyJsaW1pdCI6Miwib2Zmc2V0IjowfQ==".into()),
    };
    let response = server
        .client()
        .with_token("s3cret")
        .get_entities::<Value>(&params)
        .await
        .unwrap();
    assert_eq!(response.items[0], json!({"metadata": {"name": "a"}}));
    assert_eq!(
        response.next_after.as_deref(),
        Some("eyJsaW1pdCI6Miwib2Zmc2V0IjoyfQ==")
    );
    let request = server.single();
    assert_eq!(request.path, "/api/catalog/entities");
    assert_eq!(
        request.query.as_deref(),
        Some(
            "filter=kind=user,metadata.namespace=default&filter=kind=group,spec.type\
             &fields=metadata.name,spec.type&order=asc:metadata.name&order=desc:kind\
             &offset=0&limit=2&after=eyJsaW1pdCI6Miwib2Zmc2V0IjowfQ=="
        )
    );
    assert_eq!(request.authorization.as_deref(), Some("Bearer s3cret"));
}

#[tokio::test]
async fn query_values_are_percent_encoded_where_needed() {
    let server = MockCatalog::start(vec![Reply::json(200, json!([]))]).await;
    let filter = EntityFilter::new(
        FilterSet::new()
            .eq("metadata.tags", "c++")
            .eq("metadata.title", "R&D team #1 ü")
            .eq("metadata.annotations.backstage.io/orphan", "100%"),
    );
    server
        .client()
        .get_entities::<Value>(&GetEntitiesParams {
            filter: Some(filter),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        server.single().query.as_deref(),
        Some(
            "filter=metadata.tags=c%2B%2B,metadata.title=R%26D%20team%20%231%20%C3%BC,\
             metadata.annotations.backstage.io/orphan=100%25"
        )
    );
}

#[tokio::test]
async fn get_entities_refuses_filters_it_cannot_write() {
    let server = MockCatalog::start(vec![]).await;
    let err = server
        .client()
        .get_entities::<Value>(&GetEntitiesParams {
            filter: Some(EntityFilter::new(FilterSet::new().eq("spec.type", "a,b"))),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("a value contains ','"), "{err}");
    let err = server
        .client()
        .get_entities::<Value>(&GetEntitiesParams {
            fields: vec!["metadata..name".into()],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("empty part"), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn single_entity_lookups() {
    let server = MockCatalog::start(vec![
        Reply::json(200, entity("Component", "web")),
        Reply::json(
            404,
            error_body(
                "NotFoundError",
                "No entity named 'nope'",
                404,
                "GET",
                "/entities/by-name/component/default/nope",
            ),
        ),
        Reply::json(200, entity("Component", "web")),
        Reply::json(
            404,
            error_body(
                "NotFoundError",
                "No entity with uid x",
                404,
                "GET",
                "/entities/by-uid/x",
            ),
        ),
        Reply::empty(204),
    ])
    .await;
    let client = server.client();
    let web: EntityRef = "Component:default/web".parse().unwrap();
    let found = client.get_entity_by_ref(&web).await.unwrap().unwrap();
    assert_eq!(found.metadata.name, "web");
    let nope: EntityRef = "component:default/nope".parse().unwrap();
    assert_eq!(client.get_entity_by_ref(&nope).await.unwrap(), None);
    assert!(client.get_entity_by_uid("uid-web").await.unwrap().is_some());
    assert_eq!(client.get_entity_by_uid("x").await.unwrap(), None);
    client.delete_entity_by_uid("uid web/1").await.unwrap();

    let requests = server.requests();
    let lines: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        lines,
        [
            "GET /api/catalog/entities/by-name/Component/default/web",
            "GET /api/catalog/entities/by-name/component/default/nope",
            "GET /api/catalog/entities/by-uid/uid-web",
            "GET /api/catalog/entities/by-uid/x",
            "DELETE /api/catalog/entities/by-uid/uid%20web%2F1",
        ]
    );
}

#[tokio::test]
async fn by_refs() {
    let server = MockCatalog::start(vec![
        Reply::json(200, json!({"items": [entity("Component", "a"), null]})),
        Reply::json(200, json!({"items": [{"metadata": {"name": "a"}}]})),
    ])
    .await;
    let client = server.client();
    let request = EntitiesByRefsRequest {
        entity_refs: vec![
            "component:default/a".into(),
            "component:default/gone".into(),
        ],
        fields: None,
        query: None,
    };
    let response = client
        .get_entities_by_refs::<Entity>(&request, None)
        .await
        .unwrap();
    assert_eq!(response.items.len(), 2);
    assert!(response.items[1].is_none());

    let projected = EntitiesByRefsRequest {
        entity_refs: vec!["component:default/a".into()],
        fields: Some(vec!["metadata.name".into()]),
        query: Some(EntityPredicate::eq("kind", "component")),
    };
    let filter = EntityFilter::new(FilterSet::new().eq("kind", "component"));
    let response = client
        .get_entities_by_refs::<Value>(&projected, Some(&filter))
        .await
        .unwrap();
    assert_eq!(response.items[0], Some(json!({"metadata": {"name": "a"}})));

    let requests = server.requests();
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/api/catalog/entities/by-refs");
    assert_eq!(requests[0].query, None);
    assert_eq!(
        requests[0].content_type.as_deref(),
        Some("application/json")
    );
    assert_eq!(
        requests[0].json(),
        json!({"entityRefs": ["component:default/a", "component:default/gone"]})
    );
    assert_eq!(requests[1].query.as_deref(), Some("filter=kind=component"));
    assert_eq!(
        requests[1].json(),
        json!({"entityRefs": ["component:default/a"], "fields": ["metadata.name"], "query": {"kind": "component"}})
    );
}

#[tokio::test]
async fn query_entities_get_with_cursor_paging() {
    let server = MockCatalog::start(vec![
        Reply::json(
            200,
            json!({"items": [entity("User", "a")], "totalItems": 2, "pageInfo": {"nextCursor": "c2"}}),
        ),
        Reply::json(
            200,
            json!({"items": [entity("User", "b")], "totalItems": 2, "pageInfo": {"prevCursor": "c1"}}),
        ),
    ])
    .await;
    let client = server.client();
    let params = QueryEntitiesParams {
        filter: Some(users_or_teams()),
        fields: vec!["kind".into(), "metadata.name".into()],
        limit: Some(1),
        offset: Some(0),
        order_fields: vec![EntityOrder::desc("metadata.name")],
        cursor: None,
        full_text_filter: Some(FullTextFilter {
            term: "jo do".into(),
            fields: Some(vec!["metadata.name".into(), "spec.profile.email".into()]),
        }),
        total_items: Some(TotalItems::Exclude),
    };
    let first = client.query_entities::<Entity>(&params).await.unwrap();
    assert_eq!(first.total_items, 2);
    let cursor = first.page_info.next_cursor.unwrap();
    let second = client
        .query_entities::<Entity>(&params.with_cursor(cursor))
        .await
        .unwrap();
    assert_eq!(second.items[0].metadata.name, "b");
    assert_eq!(second.page_info.next_cursor, None);
    assert_eq!(second.page_info.prev_cursor.as_deref(), Some("c1"));

    let requests = server.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.method == "GET" && r.path == "/api/catalog/entities/by-query")
    );
    assert_eq!(
        requests[0].query.as_deref(),
        Some(
            "filter=kind=user,metadata.namespace=default&filter=kind=group,spec.type\
             &fields=kind,metadata.name&limit=1&offset=0&orderField=metadata.name,desc\
             &fullTextFilterTerm=jo%20do&fullTextFilterFields=metadata.name,spec.profile.email\
             &totalItems=exclude"
        )
    );
    assert_eq!(
        requests[1].query.as_deref(),
        Some("fields=kind,metadata.name&limit=1&cursor=c2&totalItems=exclude")
    );
}

#[tokio::test]
async fn query_entities_post_and_all_pages() {
    let page = |names: &[&str], next: Option<&str>| {
        let items: Vec<Value> = names.iter().map(|n| entity("Component", n)).collect();
        let page_info = match next {
            Some(c) => json!({"nextCursor": c}),
            None => json!({}),
        };
        Reply::json(
            200,
            json!({"items": items, "totalItems": 3, "pageInfo": page_info}),
        )
    };
    let server = MockCatalog::start(vec![
        page(&["a"], Some("c2")),
        page(&["a", "b"], Some("c2")),
        page(&["c"], None),
    ])
    .await;
    let client = server.client();
    let request = QueryEntitiesRequest {
        query: Some(EntityPredicate::all([
            EntityPredicate::eq("kind", "component"),
            EntityPredicate::not(EntityPredicate::eq("spec.lifecycle", "experimental")),
        ])),
        limit: Some(2),
        order_by: Some(vec![EntityOrder::asc("metadata.name")]),
        fields: Some(vec!["metadata".into()]),
        ..Default::default()
    };
    let one = client
        .query_entities_by_predicate::<Entity>(&request)
        .await
        .unwrap();
    assert_eq!(one.page_info.next_cursor.as_deref(), Some("c2"));
    let all = client.query_all_entities::<Entity>(&request).await.unwrap();
    let names: Vec<&str> = all.iter().map(|e| e.metadata.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);

    let requests = server.requests();
    assert!(requests.iter().all(|r| r.method == "POST"
        && r.path == "/api/catalog/entities/by-query"
        && r.query.is_none()));
    let first_body = json!({
        "query": {"$all": [{"kind": "component"}, {"$not": {"spec.lifecycle": "experimental"}}]},
        "limit": 2,
        "orderBy": [{"field": "metadata.name", "order": "asc"}],
        "fields": ["metadata"]
    });
    assert_eq!(requests[0].json(), first_body);
    assert_eq!(requests[1].json(), first_body);
    assert_eq!(
        requests[2].json(),
        json!({"cursor": "c2", "limit": 2, "fields": ["metadata"]})
    );
}

#[tokio::test]
async fn ancestry() {
    let server = MockCatalog::start(vec![Reply::json(
        200,
        json!({
            "rootEntityRef": "component:default/a",
            "items": [{"entity": entity("Component", "a"), "parentEntityRefs": ["location:default/l"]}]
        }),
    )])
    .await;
    let r: EntityRef = "component:default/a".parse().unwrap();
    let ancestry = server.client().get_entity_ancestry(&r).await.unwrap();
    assert_eq!(ancestry.root_entity_ref, "component:default/a");
    assert_eq!(ancestry.items[0].parent_entity_refs, ["location:default/l"]);
    let request = server.single();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        (
            "GET",
            "/api/catalog/entities/by-name/component/default/a/ancestry"
        )
    );
}

#[tokio::test]
async fn facets_get_and_post() {
    let body = json!({"facets": {"kind": [{"value": "Component", "count": 3}], "spec.type": []}});
    let server =
        MockCatalog::start(vec![Reply::json(200, body.clone()), Reply::json(200, body)]).await;
    let client = server.client();
    let got = client
        .get_entity_facets(&EntityFacetsParams {
            facets: vec!["kind".into(), "spec.type".into()],
            filter: Some(EntityFilter::new(
                FilterSet::new().eq("metadata.namespace", "default"),
            )),
        })
        .await
        .unwrap();
    assert_eq!(got.facets["kind"][0].count, 3);
    let posted = client
        .query_entity_facets(&EntityFacetsRequest {
            facets: vec!["kind".into()],
            query: Some(EntityPredicate::has_prefix("metadata.name", "web")),
        })
        .await
        .unwrap();
    assert_eq!(posted, got);
    let requests = server.requests();
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/api/catalog/entity-facets");
    assert_eq!(
        requests[0].query.as_deref(),
        Some("facet=kind&facet=spec.type&filter=metadata.namespace=default")
    );
    assert_eq!(requests[1].method, "POST");
    assert_eq!(requests[1].path, "/api/catalog/entity-facets");
    assert_eq!(
        requests[1].json(),
        json!({"facets": ["kind"], "query": {"metadata.name": {"$hasPrefix": "web"}}})
    );
    // At least one facet is required.
    let err = client
        .get_entity_facets(&EntityFacetsParams::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at least one facet"), "{err}");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn refresh() {
    let server = MockCatalog::start(vec![Reply::empty(200)]).await;
    server
        .client()
        .refresh_entity(&RefreshRequest {
            entity_ref: "component:default/a".into(),
            authorization_token: Some("scm-token".into()),
        })
        .await
        .unwrap();
    let request = server.single();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/api/catalog/refresh")
    );
    assert_eq!(
        request.json(),
        json!({"entityRef": "component:default/a", "authorizationToken": "scm-token"})
    );
}

#[tokio::test]
async fn validate_entity() {
    let server = MockCatalog::start(vec![
        Reply::empty(200),
        Reply::json(
            400,
            json!({"errors": [{"name": "InputError", "message": "metadata.name: required"}]}),
        ),
        Reply::json(
            400,
            error_body(
                "InputError",
                "location must be type:target",
                400,
                "POST",
                "/validate-entity",
            ),
        ),
    ])
    .await;
    let client = server.client();
    let request = ValidateEntityRequest {
        location: "url:https://example.com/catalog-info.yaml".into(),
        entity: json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {}})
            .as_object()
            .unwrap()
            .clone(),
    };
    assert_eq!(
        client.validate_entity(&request).await.unwrap(),
        ValidateEntityResult::Valid
    );
    let ValidateEntityResult::Invalid(errors) = client.validate_entity(&request).await.unwrap()
    else {
        panic!("invalid expected");
    };
    assert_eq!(errors[0].message, "metadata.name: required");
    let err = client.validate_entity(&request).await.unwrap_err();
    assert_eq!(err.api_error().unwrap().name, "InputError");

    let requests = server.requests();
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/api/catalog/validate-entity");
    assert_eq!(
        requests[0].json(),
        json!({
            "location": "url:https://example.com/catalog-info.yaml",
            "entity": {"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {}}
        })
    );
}
