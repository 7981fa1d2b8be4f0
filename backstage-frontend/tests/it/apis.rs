//! Utility APIs: registry, dependencies, overrides, config visibility,
//! discovery and fetch.

use std::sync::Arc;

use axum::Json;
use axum::http::HeaderMap;
use axum::routing::get;
use backstage_core::config::ConfigSchema;
use backstage_frontend::apis::{CONFIG_API, DISCOVERY_API, DiscoveryApi, FETCH_API};
use backstage_frontend::app::AppError;
use backstage_frontend::{
    ApiFactory, ApiRef, App, FrontendPlugin, create_api_extension, create_page_extension,
};
use maud::html;
use serde_json::{Value, json};

use super::support::*;

trait Greeter: Send + Sync {
    fn greet(&self) -> String;
}
struct Fixed(&'static str);
impl Greeter for Fixed {
    fn greet(&self) -> String {
        self.0.to_owned()
    }
}
const GREETER: ApiRef<dyn Greeter> = ApiRef::new("test.greeter");
const LOUD: ApiRef<dyn Greeter> = ApiRef::new("test.loud");

struct Loud(Arc<dyn Greeter>);
impl Greeter for Loud {
    fn greet(&self) -> String {
        self.0.greet().to_uppercase()
    }
}

fn greeter_plugin() -> FrontendPlugin {
    FrontendPlugin::new("greeter")
        .extension(create_api_extension! {
            api: LOUD,
            deps: [GREETER],
            factory: |apis| {
                let inner = apis.require(GREETER).map_err(|e| e.to_string())?;
                Ok(Arc::new(Loud(inner)) as Arc<dyn Greeter>)
            },
        })
        .extension(create_api_extension! {
            api: GREETER,
            factory: |_apis| Ok(Arc::new(Fixed("hello")) as Arc<dyn Greeter>),
        })
}

#[test]
fn apis_are_built_in_dependency_order_and_typed() {
    let app = App::builder().plugin(greeter_plugin()).build().unwrap();
    assert_eq!(app.apis().get(LOUD).unwrap().greet(), "HELLO");
    for core in ["core.config", "core.discovery", "core.fetch"] {
        assert!(app.apis().ids().contains(&core), "{core}");
    }
    assert!(
        app.apis()
            .get(ApiRef::<dyn Greeter>::new("test.nobody"))
            .is_none()
    );
    let Err(missing) = app
        .apis()
        .require(ApiRef::<dyn Greeter>::new("test.nobody"))
    else {
        panic!("found")
    };
    assert!(
        missing
            .to_string()
            .contains("utility API 'test.nobody' is not available")
    );
}

#[test]
fn app_level_apis_replace_plugin_ones() {
    let app = App::builder()
        .plugin(greeter_plugin())
        .api(ApiFactory::instance(
            GREETER,
            Arc::new(Fixed("hej")) as Arc<dyn Greeter>,
        ))
        .build()
        .unwrap();
    assert_eq!(app.apis().get(LOUD).unwrap().greet(), "HEJ");
}

#[test]
fn missing_dependencies_cycles_and_duplicates_are_errors() {
    let only_loud = FrontendPlugin::new("greeter").extension(create_api_extension! {
        api: LOUD,
        deps: [GREETER],
        factory: |_apis| Ok(Arc::new(Fixed("x")) as Arc<dyn Greeter>),
    });
    let (err, text) = build_err(App::builder().plugin(only_loud));
    assert!(matches!(err, AppError::MissingApiDependency { .. }));
    assert!(
        text.contains(
            "utility API 'test.loud' (from extension 'api:test.loud') depends on 'test.greeter'"
        ),
        "{text}"
    );

    let cyclic = FrontendPlugin::new("greeter")
        .extension(create_api_extension! { api: LOUD, deps: [GREETER], factory: |_apis| Ok(Arc::new(Fixed("x")) as Arc<dyn Greeter>) })
        .extension(create_api_extension! { api: GREETER, deps: [LOUD], factory: |_apis| Ok(Arc::new(Fixed("x")) as Arc<dyn Greeter>) });
    let (err, text) = build_err(App::builder().plugin(cyclic));
    assert!(matches!(err, AppError::ApiCycle { .. }), "{text}");
    assert!(
        text.contains("test.loud -> test.greeter -> test.loud"),
        "{text}"
    );

    let dup = FrontendPlugin::new("other").extension(create_api_extension! {
        api: GREETER,
        factory: |_apis| Ok(Arc::new(Fixed("x")) as Arc<dyn Greeter>),
    });
    let (err, text) = build_err(App::builder().plugin(greeter_plugin()).plugin(dup));
    assert!(matches!(err, AppError::DuplicateExtension { .. }), "{text}");
    assert!(
        text.contains("duplicate extension id 'api:test.greeter'"),
        "{text}"
    );

    let failing = FrontendPlugin::new("greeter").extension(create_api_extension! {
        api: GREETER,
        factory: |_apis| Err("no greeting configured; set greeter.text".to_owned()),
    });
    let (_, text) = build_err(App::builder().plugin(failing));
    assert!(
        text.contains("utility API 'test.greeter' could not be built: no greeting configured"),
        "{text}"
    );
}

fn secrets_config() -> Value {
    json!({
        "app": {"title": "Portal", "backendAuth": {"token": "s3cr3t-token"}},
        "backend": {"baseUrl": "http://localhost:7007", "database": {"connection": "postgres://u:dbpass@h/db"}},
        "example": {"greeting": "hi", "apiKey": "k3y"}
    })
}

fn example_plugin() -> FrontendPlugin {
    FrontendPlugin::new("example")
        .config_schema(ConfigSchema::new(
            "example",
            json!({"type": "object", "properties": {
                "greeting": {"type": "string", "visibility": "frontend"},
                "apiKey": {"type": "string", "visibility": "secret"}
            }}),
        ))
        .extension(create_page_extension! {
            path: "/config",
            title: "Config",
            render: |req| async move {
                let config = req.api(CONFIG_API)?;
                Ok(html! { pre #config { (serde_json::to_string(config.as_value()).unwrap_or_default()) } })
            },
        })
}

#[test]
fn the_config_api_holds_only_frontend_visible_values() {
    let app = App::builder()
        .config(config(secrets_config()))
        .plugin(example_plugin())
        .build()
        .unwrap();
    let visible = app.apis().get(CONFIG_API).unwrap();
    assert_eq!(
        visible.as_value(),
        &json!({"app": {"title": "Portal"}, "backend": {"baseUrl": "http://localhost:7007"}, "example": {"greeting": "hi"}})
    );
}

#[tokio::test]
async fn no_secret_or_backend_value_reaches_a_page() {
    let app = App::builder()
        .config(config(secrets_config()))
        .plugin(example_plugin())
        .build()
        .unwrap();
    let (status, page) = app.render_path("/config", vec![]).await;
    let page = page.into_string();
    assert_eq!(status, 200);
    assert!(page.contains("Portal") && page.contains("hi"), "{page}");
    for secret in ["s3cr3t-token", "dbpass", "k3y", "database"] {
        assert!(!page.contains(secret), "{secret} leaked into the page");
    }
}

#[test]
fn config_that_breaks_a_plugin_schema_is_an_error() {
    let (err, text) = build_err(
        App::builder()
            .config(config(json!({"example": {"greeting": 5}})))
            .plugin(example_plugin()),
    );
    assert!(matches!(err, AppError::Config(_)), "{text}");
    assert!(text.contains("example.greeting"), "{text}");
}

#[test]
fn discovery_uses_base_url_and_endpoint_overrides() {
    let app = App::builder()
        .config(config(json!({
            "backend": {"baseUrl": "http://backend:7007/"},
            "discovery": {"endpoints": [
                {"target": {"internal": "http://lh-internal:3003/api/{{pluginId}}", "external": "https://lh.example.com"}, "plugins": ["lighthouse"]}
            ]}
        })))
        .build()
        .unwrap();
    let discovery: Arc<dyn DiscoveryApi> = app.apis().get(DISCOVERY_API).unwrap();
    assert_eq!(
        discovery.base_url("catalog").unwrap(),
        "http://backend:7007/api/catalog"
    );
    assert_eq!(
        discovery.base_url("lighthouse").unwrap(),
        "http://lh-internal:3003/api/lighthouse"
    );

    let app = App::builder().build().unwrap();
    let err = app
        .apis()
        .get(DISCOVERY_API)
        .unwrap()
        .base_url("catalog")
        .unwrap_err();
    assert!(err.to_string().contains("set backend.baseUrl"), "{err}");
}

/// A stand-in backend: `/api/catalog/whoami` echoes the Authorization header.
async fn fake_backend() -> String {
    let router = axum::Router::new()
        .route(
            "/api/catalog/whoami",
            get(|headers: HeaderMap| async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("none")
                    .to_owned();
                Json(json!({ "authorization": auth }))
            }),
        )
        .route(
            "/api/catalog/broken",
            get(|| async { (axum::http::StatusCode::BAD_GATEWAY, "upstream down") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    format!("http://{addr}")
}

#[tokio::test]
async fn fetch_calls_plugin_backends_with_the_app_credential() {
    let base = fake_backend().await;
    let app = App::builder()
        .config(config(
            json!({"backend": {"baseUrl": base}, "app": {"backendAuth": {"token": "tok-123"}}}),
        ))
        .build()
        .unwrap();
    let fetch = app.apis().get(FETCH_API).unwrap();
    let answer: Value = fetch.get_json("catalog", "/whoami", None).await.unwrap();
    assert_eq!(answer["authorization"], "Bearer tok-123");

    let user = backstage_frontend::UserIdentity {
        user_entity_ref: "user:default/ada".into(),
        token: Some("user-tok".into()),
    };
    let answer: Value = fetch
        .get_json("catalog", "whoami", Some(&user))
        .await
        .unwrap();
    assert_eq!(answer["authorization"], "Bearer user-tok");

    let err = fetch
        .get_json::<Value>("catalog", "/broken", None)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("/api/catalog/broken answered 502"),
        "{err}"
    );

    // A request to another URL carries no credential.
    let other: Value = fetch
        .request(reqwest::Method::GET, &format!("{base}/api/catalog/whoami"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(other["authorization"], "none");

    let app = App::builder()
        .config(config(json!({"backend": {"baseUrl": base}})))
        .build()
        .unwrap();
    let answer: Value = app
        .apis()
        .get(FETCH_API)
        .unwrap()
        .get_json("catalog", "/whoami", None)
        .await
        .unwrap();
    assert_eq!(answer["authorization"], "none");
}
