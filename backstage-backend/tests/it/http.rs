//! Routing, the error format, layers, panic isolation, metrics.

use axum::routing::{get, post};
use axum::{Json, Router};
use backstage_backend::http::ApiError;
use backstage_backend::services::{Access, ROOT_HTTP_ROUTER};
use backstage_backend::{Backend, BackendPlugin};
use serde_json::{Value, json};

use crate::support::{TEST_TOKEN, client, get_json, start, static_token};

fn items_plugin() -> BackendPlugin {
    BackendPlugin::builder("items").init(|ctx| async move {
        ctx.http_router().use_router(
            Router::new()
                .route("/items", get(|| async { Json(json!(["a", "b"])) }))
                .route(
                    "/missing",
                    get(|| async { Err::<String, _>(ApiError::not_found("no item named 'x'")) }),
                )
                .route(
                    "/panic",
                    get(|| async {
                        if true {
                            panic!("handler bug")
                        } else {
                            "unreachable"
                        }
                    }),
                )
                .route(
                    "/echo",
                    post(|body: String| async move { body.len().to_string() }),
                ),
        );
        ctx.http_router()
            .add_auth_policy("/", Access::Unauthenticated);
        let root = ctx.service(&ROOT_HTTP_ROUTER).await?;
        root.use_router("/", Router::new().fallback(|| async { "the app" }))?;
        root.use_router(
            "/docs",
            Router::new().route("/docs/intro", get(|| async { "docs" })),
        )?;
        Ok::<_, backstage_backend::BackendError>(())
    })
}

#[tokio::test]
async fn plugin_routes_live_under_api_plugin_id_and_root_mounts_elsewhere() {
    let backend = start(Backend::builder().add(items_plugin()), json!({})).await;
    let (status, body) = get_json(&backend, "/api/items/items", None).await;
    assert_eq!((status, body), (200, json!(["a", "b"])));
    let page = client()
        .get(format!("{}/some/page", backend.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.text().await.unwrap(), "the app");
    let docs = client()
        .get(format!("{}/docs/intro", backend.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.text().await.unwrap(), "docs");
    backend.stop().await;
}

#[tokio::test]
async fn errors_use_backstages_wire_format() {
    let backend = start(Backend::builder().add(items_plugin()), json!({})).await;
    let (status, body) = get_json(&backend, "/api/items/missing?x=1", None).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({
            "error": {"name": "NotFoundError", "message": "no item named 'x'"},
            "request": {"method": "GET", "url": "/api/items/missing?x=1"},
            "response": {"statusCode": 404}
        })
    );
    let (status, body) = get_json(&backend, "/api/nope/anything", None).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["name"], "NotFoundError");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no plugin 'nope'")
    );
    let (status, body) = get_json(&backend, "/api/items/no-such-route", None).await;
    assert_eq!(status, 404);
    assert_eq!(body["response"]["statusCode"], 404);
    backend.stop().await;
}

#[tokio::test]
async fn a_panicking_handler_answers_500_and_the_server_keeps_serving() {
    let backend = start(Backend::builder().add(items_plugin()), json!({})).await;
    let (status, body) = get_json(&backend, "/api/items/panic", None).await;
    assert_eq!(status, 500);
    assert_eq!(body["error"]["name"], "Error");
    assert!(
        !body.to_string().contains("handler bug"),
        "internals must not leak: {body}"
    );
    let (status, _) = get_json(&backend, "/api/items/items", None).await;
    assert_eq!(status, 200);
    backend.stop().await;
}

#[tokio::test]
async fn body_limit_answers_413_in_json() {
    let backend = start(
        Backend::builder().add(items_plugin()),
        json!({"backend": {"server": {"bodyLimit": 1024}}}),
    )
    .await;
    let ok = client()
        .post(format!("{}/api/items/echo", backend.url()))
        .body("x".repeat(1000))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.text().await.unwrap(), "1000");
    let response = client()
        .post(format!("{}/api/items/echo", backend.url()))
        .body("x".repeat(5000))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["name"], "PayloadTooLargeError");
    assert_eq!(body["response"]["statusCode"], 413);
    backend.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_per_plugin_and_route() {
    let backend = start(Backend::builder().add(items_plugin()), static_token()).await;
    for _ in 0..3 {
        get_json(&backend, "/api/items/items", Some(TEST_TOKEN)).await;
    }
    let text = client()
        .get(format!("{}/metrics", backend.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("backstage_http_requests_total")
                && l.contains("plugin=\"items\"")
                && l.contains("route=\"/api/items/items\"")
                && l.contains("status=\"200\"")
        })
        .unwrap_or_else(|| panic!("no counter for the items route in:\n{text}"));
    let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 3.0, "{line}");
    assert!(
        text.contains("backstage_http_request_duration_seconds"),
        "{text}"
    );
    backend.stop().await;
}

#[tokio::test]
async fn root_mounts_cannot_take_reserved_paths() {
    let plugin = BackendPlugin::builder("grabby").init(|ctx| async move {
        let root = ctx.service(&ROOT_HTTP_ROUTER).await?;
        let err = root.use_router("/api/x", Router::new()).unwrap_err();
        assert!(err.to_string().contains("reserved"), "{err}");
        root.use_router("/ui", Router::new())?;
        let err = root.use_router("/ui/", Router::new()).unwrap_err();
        assert!(err.to_string().contains("already mounted"), "{err}");
        Ok::<_, backstage_backend::BackendError>(())
    });
    let backend = start(Backend::builder().add(plugin), json!({})).await;
    backend.stop().await;
}

#[tokio::test]
async fn a_plugin_root_route_answers_with_and_without_a_trailing_slash() {
    let plugin = BackendPlugin::builder("rooted").init(|ctx| async move {
        ctx.http_router()
            .use_router(Router::new().route("/", get(|| async { "root" })));
        ctx.http_router()
            .add_auth_policy("/", Access::Unauthenticated);
        Ok::<_, std::convert::Infallible>(())
    });
    let backend = start(Backend::builder().add(plugin), json!({})).await;
    for path in ["/api/rooted", "/api/rooted/", "/api/rooted?x=1"] {
        let response = client()
            .get(format!("{}{path}", backend.url()))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        assert_eq!((status, body.as_str()), (200, "root"), "{path}");
    }
    backend.stop().await;
}

#[tokio::test]
async fn cors_follows_backend_cors() {
    let backend = start(
        Backend::builder().add(items_plugin()),
        json!({"backend": {"cors": {"origin": ["http://localhost:3000"], "methods": ["GET", "POST"], "credentials": true}}}),
    )
    .await;
    let allowed = client()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/items/items", backend.url()),
        )
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "http://localhost:3000"
    );
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-credentials")
            .unwrap(),
        "true"
    );
    let other = client()
        .get(format!("{}/api/items/items", backend.url()))
        .header("Origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    backend.stop().await;
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_asks() {
    let backend = start(Backend::builder().add(items_plugin()), json!({})).await;
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let response = raw
        .get(format!("{}/api/items/big", backend.url()))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers().get("content-encoding").unwrap(), "gzip");
    let compressed = response.bytes().await.unwrap().len();
    assert!(
        compressed < 8000 / 4,
        "{compressed} bytes for an 8000-byte repetitive body"
    );
    backend.stop().await;
}

#[tokio::test]
async fn path_parameters_and_rejections_behave_inside_plugins() {
    let plugin = BackendPlugin::builder("params").init(|ctx| async move {
        ctx.http_router().use_router(
            Router::new()
                .route(
                    "/items/{id}",
                    get(
                        |axum::extract::Path(id): axum::extract::Path<u32>| async move {
                            format!("item {id}")
                        },
                    ),
                )
                .route("/json", post(|Json(v): Json<Value>| async move { Json(v) })),
        );
        ctx.http_router()
            .add_auth_policy("/", Access::Unauthenticated);
        Ok::<_, std::convert::Infallible>(())
    });
    let backend = start(Backend::builder().add(plugin), json!({})).await;
    let ok = client()
        .get(format!("{}/api/params/items/7", backend.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.text().await.unwrap(), "item 7");
    let (status, body) = get_json(&backend, "/api/params/items/seven", None).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["name"], "InputError", "{body}");
    assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    let bad = client()
        .post(format!("{}/api/params/json", backend.url()))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["name"], "InputError");
    assert_eq!(body["request"]["url"], "/api/params/json");
    backend.stop().await;
}

#[tokio::test]
async fn cors_credentials_with_any_origin_is_a_config_error() {
    let err = crate::support::start_err(
        Backend::builder(),
        json!({"backend": {"cors": {"origin": "*", "credentials": true}}}),
    )
    .await;
    assert!(
        err.contains("credentials: true cannot be combined with origin '*'"),
        "{err}"
    );
}
