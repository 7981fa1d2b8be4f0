//! `#[backend_plugin]` and `#[backend_module]` make working features.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::get;
use backstage_backend::prelude::*;
use backstage_backend::{backend_module, backend_plugin};
use serde_json::json;

use crate::support::{get_json, start};

/// Where modules add greetings.
#[derive(Default)]
struct Greetings(Mutex<Vec<String>>);

const GREETINGS: ExtensionPointRef<Greetings> = ExtensionPointRef::new("greeter.greetings");

fn greeter_plugin() -> BackendPlugin {
    let greetings = Arc::new(Greetings::default());
    BackendPlugin::builder("greeter")
        .extension_point(&GREETINGS, greetings.clone())
        .init(move |ctx| async move {
            let all = greetings.0.lock().unwrap().join(" ");
            ctx.http_router()
                .use_router(Router::new().route("/", get(move || async move { all })));
            ctx.http_router()
                .add_auth_policy("/", Access::Unauthenticated);
            Ok::<_, BackendError>(())
        })
}

/// Says hello in French.
#[backend_module(plugin = "greeter", id = "french")]
async fn french(ctx: ModuleContext) -> Result<(), BackendError> {
    ctx.extension_point(&GREETINGS)?
        .0
        .lock()
        .unwrap()
        .push("bonjour".to_owned());
    Ok(())
}

/// Answers pings.
#[backend_plugin(id = "pinger")]
pub async fn pinger(ctx: PluginContext) -> Result<(), BackendError> {
    ctx.http_router()
        .use_router(Router::new().route("/ping", get(|| async { "pong" })));
    ctx.http_router()
        .add_auth_policy("/ping", Access::Unauthenticated);
    Ok(())
}

#[tokio::test]
async fn macro_made_features_start_and_serve() {
    let plugin = pinger();
    assert_eq!(plugin.id(), "pinger");
    let module = french();
    assert_eq!(module.id(), "greeter.french");
    let backend = start(
        Backend::builder()
            .add(plugin)
            .add(greeter_plugin())
            .add(module),
        json!({}),
    )
    .await;
    let response = crate::support::client()
        .get(format!("{}/api/pinger/ping", backend.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "pong");
    let greeting = crate::support::client()
        .get(format!("{}/api/greeter", backend.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(greeting.text().await.unwrap(), "bonjour");
    let (status, _) = get_json(&backend, "/api/pinger/other", None).await;
    assert_eq!(status, 401);
    backend.stop().await;
}

#[test]
fn the_doc_comment_becomes_the_description() {
    use backstage_core::feature::Feature;
    assert_eq!(
        pinger().metadata().description.as_deref(),
        Some("Answers pings.")
    );
    assert_eq!(pinger().metadata().package, "backstage-backend");
}

/// Registered for discovery; only `discover_features()` picks it up.
#[backend_plugin(id = "discovered")]
async fn discovered(ctx: PluginContext) -> Result<(), BackendError> {
    ctx.http_router()
        .use_router(Router::new().route("/here", get(|| async { "found me" })));
    ctx.http_router()
        .add_auth_policy("/", Access::Unauthenticated);
    Ok(())
}

backstage_backend::backstage_core::register_feature!(discovered());

#[tokio::test]
async fn discovery_is_opt_in() {
    let without = start(Backend::builder(), json!({})).await;
    let (status, _) = get_json(&without, "/api/discovered/here", None).await;
    assert_eq!(status, 404, "not added, not discovered");
    without.stop().await;

    let with = start(Backend::builder().discover_features(), json!({})).await;
    let response = crate::support::client()
        .get(format!("{}/api/discovered/here", with.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "found me");
    with.stop().await;
}
