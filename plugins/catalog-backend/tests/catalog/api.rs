//! The catalog plugin in a real backend, called over HTTP as Backstage's
//! clients call it — raw requests for status codes and headers, and
//! catalog-common's typed client for the round trip.

use std::path::Path;

use backstage_backend::backstage_core::config::Config;
use backstage_backend::{Backend, RunningBackend};
use backstage_common::catalog::EntityRef;
use backstage_plugin_catalog_backend::catalog_plugin;
use backstage_plugin_catalog_common::api::EntitiesQueryResponse;
use backstage_plugin_catalog_common::{CatalogClient, QueryEntitiesParams};
use serde_json::{Value, json};

const ENTITIES: &str = r#"
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-billing}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments, tags: [rust, money]}
spec: {type: service, lifecycle: production, owner: team-billing}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: Invoices, tags: [rust]}
spec: {type: service, lifecycle: experimental, owner: team-billing}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: billing-web}
spec: {type: website, lifecycle: production, owner: team-billing}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: payments-api}
spec: {type: openapi, lifecycle: production, owner: team-billing, definition: "openapi: 3.0.0"}
"#;

async fn start(dir: &Path) -> RunningBackend {
    let file = dir.join("entities.yaml");
    std::fs::write(&file, ENTITIES).unwrap();
    let config = Config::from_value(json!({
        "backend": {
            "listen": {"host": "127.0.0.1", "port": 0},
            "logger": {"level": "error"},
            "auth": {"dangerouslyDisableDefaultAuthPolicy": true},
            "database": {"client": "better-sqlite3", "connection": ":memory:"}
        },
        "catalog": {
            "processingInterval": false,
            "rules": [{"allow": ["Component", "API", "Group", "Location"]}],
            "locations": [{"type": "file", "target": file.display().to_string()}]
        }
    }));
    Backend::builder()
        .add(catalog_plugin())
        .config(config)
        .start()
        .await
        .unwrap()
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

async fn get(backend: &RunningBackend, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = http()
        .get(format!("{}/api/catalog{path}", backend.url()))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

async fn post(backend: &RunningBackend, path: &str, body: Value) -> (u16, Value) {
    let response = http()
        .post(format!("{}/api/catalog{path}", backend.url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn names(items: &Value) -> Vec<String> {
    let mut names: Vec<String> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["metadata"]["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn lookups_by_name_uid_and_refs() {
    let dir = tempfile::tempdir().unwrap();
    let backend = start(dir.path()).await;

    let (status, _, payments) = get(&backend, "/entities/by-name/component/default/PAYMENTS").await;
    assert_eq!(status, 200, "{payments}");
    assert_eq!(payments["metadata"]["name"], "payments");
    assert!(
        payments["relations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "ownedBy" && r["targetRef"] == "group:default/team-billing"),
        "{payments}"
    );
    let uid = payments["metadata"]["uid"].as_str().unwrap();
    let (status, _, same) = get(&backend, &format!("/entities/by-uid/{uid}")).await;
    assert_eq!(
        (status, &same["metadata"]["name"]),
        (200, &json!("payments"))
    );

    let (status, _, missing) = get(&backend, "/entities/by-name/component/default/nope").await;
    assert_eq!(status, 404);
    assert_eq!(missing["error"]["name"], "NotFoundError");
    assert_eq!(missing["response"]["statusCode"], 404);

    let (status, body) = post(
        &backend,
        "/entities/by-refs",
        json!({"entityRefs": ["component:default/invoices", "component:default/ghost", "api:payments-api"],
               "fields": ["kind", "metadata.name"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["items"],
        json!([
            {"kind": "Component", "metadata": {"name": "Invoices"}},
            null,
            {"kind": "API", "metadata": {"name": "payments-api"}}
        ])
    );

    // The typed client of catalog-common gets the same.
    let client = CatalogClient::new(&format!("{}/api/catalog", backend.url())).unwrap();
    let entity = client
        .get_entity_by_ref(&"component:default/payments".parse::<EntityRef>().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entity.metadata.name, "payments");
    backend.stop().await;
}

#[tokio::test]
async fn list_filters_fields_and_pages_with_link_headers() {
    let dir = tempfile::tempdir().unwrap();
    let backend = start(dir.path()).await;

    let (_, _, all) = get(&backend, "/entities").await;
    // Five entities from the file, plus the generated root Location.
    assert_eq!(all.as_array().unwrap().len(), 6, "{all}");

    let (_, _, services) = get(
        &backend,
        "/entities?filter=kind=component,spec.type=service",
    )
    .await;
    assert_eq!(names(&services), ["Invoices", "payments"]);
    let (_, _, either) = get(
        &backend,
        "/entities?filter=kind=api&filter=spec.type=website",
    )
    .await;
    assert_eq!(names(&either), ["billing-web", "payments-api"]);
    let (_, _, tagged) = get(&backend, "/entities?filter=metadata.tags=MONEY").await;
    assert_eq!(names(&tagged), ["payments"]);
    let (_, _, projected) = get(
        &backend,
        "/entities?filter=kind=group&fields=metadata.name,kind",
    )
    .await;
    assert_eq!(
        projected,
        json!([{"metadata": {"name": "team-billing"}, "kind": "Group"}])
    );

    // Pages of two, linked.
    let mut seen = Vec::new();
    let mut path =
        "/entities?filter=kind=component&filter=kind=api&order=asc:metadata.name&limit=2"
            .to_owned();
    loop {
        let (status, headers, page) = get(&backend, &path).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(names(&page));
        match headers.get("link") {
            Some(link) => {
                let link = link.to_str().unwrap();
                let url = link.trim_start_matches('<').split('>').next().unwrap();
                assert!(link.ends_with("rel=\"next\""), "{link}");
                path = url.trim_start_matches("/api/catalog").to_owned();
            }
            None => break,
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        ["Invoices", "billing-web", "payments", "payments-api"]
    );

    for bad in [
        "/entities?limit=0",
        "/entities?offset=-1",
        "/entities?after=%%%",
        "/entities?fields=metadata..name",
        "/entities?order=sideways:metadata.name",
    ] {
        let (status, _, body) = get(&backend, bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["name"], "InputError", "{bad}: {body}");
    }
    backend.stop().await;
}

#[tokio::test]
async fn queries_page_with_cursors_both_ways_and_facets_count() {
    let dir = tempfile::tempdir().unwrap();
    let backend = start(dir.path()).await;

    let (status, _, first) = get(
        &backend,
        "/entities/by-query?filter=kind=component&orderField=metadata.name,desc&limit=2",
    )
    .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["totalItems"], 3);
    let first_names: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(first_names, ["payments", "Invoices"]);
    let next = first["pageInfo"]["nextCursor"].as_str().unwrap();
    let (_, _, second) = get(
        &backend,
        &format!("/entities/by-query?cursor={next}&limit=2"),
    )
    .await;
    assert_eq!(names(&second["items"]), ["billing-web"]);
    assert!(second["pageInfo"].get("nextCursor").is_none(), "{second}");
    let prev = second["pageInfo"]["prevCursor"].as_str().unwrap();
    let (_, _, back) = get(
        &backend,
        &format!("/entities/by-query?cursor={prev}&limit=2"),
    )
    .await;
    assert_eq!(back["items"], first["items"]);

    let (status, body) = post(
        &backend,
        "/entities/by-query",
        json!({"query": {"$all": [{"kind": "component"}, {"$not": {"spec.lifecycle": "experimental"}}]},
               "orderBy": [{"field": "metadata.name", "order": "asc"}], "fields": ["metadata.name"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["items"],
        json!([{"metadata": {"name": "billing-web"}}, {"metadata": {"name": "payments"}}])
    );
    let (status, body) = post(
        &backend,
        "/entities/by-query",
        json!({"query": {"$nope": 1}}),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["name"]),
        (400, &json!("InputError")),
        "{body}"
    );

    let client = CatalogClient::new(&format!("{}/api/catalog", backend.url())).unwrap();
    let page: EntitiesQueryResponse<Value> = client
        .query_entities(&QueryEntitiesParams {
            filter: Some(
                backstage_plugin_catalog_common::EntityFilter::parse(["kind=api"])
                    .unwrap()
                    .unwrap(),
            ),
            ..QueryEntitiesParams::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);

    let (status, _, facets) = get(
        &backend,
        "/entity-facets?facet=kind&facet=spec.lifecycle&filter=kind=component",
    )
    .await;
    assert_eq!(status, 200, "{facets}");
    assert_eq!(
        facets["facets"]["kind"],
        json!([{"value": "Component", "count": 3}])
    );
    assert_eq!(
        facets["facets"]["spec.lifecycle"],
        json!([{"value": "production", "count": 2}, {"value": "experimental", "count": 1}])
    );
    let (status, body) = post(
        &backend,
        "/entity-facets",
        json!({"facets": ["spec.type"], "query": {"kind": "component"}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["facets"]["spec.type"],
        json!([{"value": "service", "count": 2}, {"value": "website", "count": 1}])
    );
    let (status, _, body) = get(&backend, "/entity-facets").await;
    assert_eq!(status, 400, "{body}");
    backend.stop().await;
}
