//! The read cache in front of the API: never an old answer after a write
//! through the same store, and other replicas' writes once the version is
//! read again (what `catalog.cache.maxStaleness` bounds).

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use backstage_plugin_catalog_backend::api::{self, ReadCache, ReadCacheConfig};
use backstage_plugin_catalog_backend::engine::Lineage;
use backstage_plugin_catalog_backend::processing::{CatalogRules, EntityValidator, builtin};
use backstage_plugin_catalog_backend::store::CatalogStore;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::support::on_every_database;

fn component(name: &str, description: &str) -> Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": name, "description": description},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}
    })
}

async fn call(app: &Router, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = Request::builder().method(method).uri(path);
    let body = match body {
        Some(body) => {
            request = request.header("content-type", "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    let response = app
        .clone()
        .oneshot(request.body(body).expect("request"))
        .await
        .expect("infallible");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn description(app: &Router, name: &str) -> String {
    let (status, body) = call(
        app,
        Method::GET,
        &format!("/entities/by-name/component/default/{name}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["metadata"]["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn cached_answers_follow_every_write_and_other_replicas_after_a_version_read() {
    on_every_database("rcache", async |store: CatalogStore, _server| {
        store.write_entity(&component("web", "v1")).await?;
        let db = Arc::clone(store.database());
        // Another replica: the same database, its own known version.
        let other = CatalogStore::new(Arc::clone(&db));
        other.refresh_version().await?;
        let cache = Arc::new(ReadCache::new(store.clone(), &ReadCacheConfig::default()));
        let app = api::with_read_cache(
            api::router(
                store.clone(),
                Lineage::new(Arc::clone(&db)),
                EntityValidator::new(builtin::processors(), CatalogRules::allow_all()),
            ),
            cache,
        );

        assert_eq!(description(&app, "web").await, "v1");
        assert_eq!(description(&app, "web").await, "v1");
        // A write through this store is seen at once.
        store.write_entity(&component("web", "v2")).await?;
        assert_eq!(description(&app, "web").await, "v2");

        // Another replica's write: this one answers from its cache until it
        // reads the version again (every maxStaleness), then it is current.
        other.write_entity(&component("web", "v3")).await?;
        assert_eq!(description(&app, "web").await, "v2");
        store.refresh_version().await?;
        assert_eq!(description(&app, "web").await, "v3");

        // A missing entity is not remembered as missing.
        let (status, _) = call(
            &app,
            Method::GET,
            "/entities/by-name/component/default/api",
            None,
        )
        .await;
        assert_eq!(status, 404);
        store.write_entity(&component("api", "new")).await?;
        assert_eq!(description(&app, "api").await, "new");

        // POST answers are keyed by their body.
        let by_query =
            |name: &str| json!({"query": {"metadata.name": name}, "fields": ["metadata.name"]});
        let (_, web) = call(
            &app,
            Method::POST,
            "/entities/by-query",
            Some(by_query("web")),
        )
        .await;
        let (_, api) = call(
            &app,
            Method::POST,
            "/entities/by-query",
            Some(by_query("api")),
        )
        .await;
        assert_eq!(web["items"][0]["metadata"]["name"], "web");
        assert_eq!(api["items"][0]["metadata"]["name"], "api");

        // Lists and facets follow a deletion.
        let (_, before) = call(
            &app,
            Method::GET,
            "/entity-facets?facet=metadata.name",
            None,
        )
        .await;
        assert_eq!(
            before["facets"]["metadata.name"].as_array().map(Vec::len),
            Some(2)
        );
        let (_, list) = call(&app, Method::GET, "/entities?fields=metadata.name", None).await;
        assert_eq!(list.as_array().map(Vec::len), Some(2));
        store.delete_by_ref("component:default/api").await?;
        let (_, after) = call(
            &app,
            Method::GET,
            "/entity-facets?facet=metadata.name",
            None,
        )
        .await;
        assert_eq!(
            after["facets"]["metadata.name"].as_array().map(Vec::len),
            Some(1)
        );
        let (_, list) = call(&app, Method::GET, "/entities?fields=metadata.name", None).await;
        assert_eq!(list.as_array().map(Vec::len), Some(1));
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn pages_stay_cached_while_many_lookups_fill_memory() {
    on_every_database("rcfill", async |store: CatalogStore, _server| {
        // 240 entities of about 2 KB each: their lookups alone are more
        // than the 384 KiB the lookups get of a 512 KiB cache.
        let filler = "x".repeat(2000);
        for i in 0..240 {
            store
                .write_entity(&component(&format!("c{i:03}"), &filler))
                .await?;
        }
        let db = Arc::clone(store.database());
        let other = CatalogStore::new(Arc::clone(&db));
        other.refresh_version().await?;
        let config = ReadCacheConfig {
            max_bytes: 512 * 1024,
            ..ReadCacheConfig::default()
        };
        let cache = Arc::new(ReadCache::new(store.clone(), &config));
        let app = api::with_read_cache(
            api::router(
                store.clone(),
                Lineage::new(Arc::clone(&db)),
                EntityValidator::new(builtin::processors(), CatalogRules::allow_all()),
            ),
            Arc::clone(&cache),
        );
        for _ in 0..2 {
            for i in 0..240 {
                assert_eq!(description(&app, &format!("c{i:03}")).await, filler);
            }
        }
        // A page of 10 (about 20 KB), asked for a few times.
        let page = "/entities/by-query?limit=10&orderField=metadata.name,asc\
                    &fields=metadata.name,metadata.description";
        for _ in 0..3 {
            let (status, body) = call(&app, Method::GET, page, None).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["items"][0]["metadata"]["description"], filler.as_str());
        }
        let usage = cache.usage().await;
        assert!(usage.lookups.answers > 0, "{usage:?}");
        assert!(usage.lookups.bytes <= 384 * 1024, "{usage:?}");
        assert_eq!(usage.lists.answers, 1, "the page was not kept: {usage:?}");

        // It is answered from the cache: another replica's change is not
        // seen until the version is read again.
        other.write_entity(&component("c000", "changed")).await?;
        let (_, body) = call(&app, Method::GET, page, None).await;
        assert_eq!(body["items"][0]["metadata"]["description"], filler.as_str());
        store.refresh_version().await?;
        let (_, body) = call(&app, Method::GET, page, None).await;
        assert_eq!(body["items"][0]["metadata"]["description"], "changed");
        Ok(())
    })
    .await;
}

#[test]
fn cache_settings_come_from_catalog_cache() {
    use backstage_backend::backstage_core::config::Config;
    let config = Config::from_value(json!({"catalog": {"cache": {
        "enabled": false, "maxBytes": 1048576, "maxStaleness": {"milliseconds": 250}
    }}}));
    let settings = ReadCacheConfig::from_config(&config).expect("valid");
    assert!(!settings.enabled);
    assert_eq!(settings.max_bytes, 1_048_576);
    assert_eq!(
        settings.max_staleness,
        std::time::Duration::from_millis(250)
    );
    assert_eq!(
        ReadCacheConfig::from_config(&Config::from_value(json!({}))).expect("defaults"),
        ReadCacheConfig::default()
    );
    let bad = Config::from_value(json!({"catalog": {"cache": {"maxBytes": "lots"}}}));
    let error = ReadCacheConfig::from_config(&bad)
        .expect_err("refused")
        .to_string();
    assert!(error.contains("catalog.cache.maxBytes"), "{error}");
}
