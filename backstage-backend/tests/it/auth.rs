//! The default-deny policy, open paths, static tokens, service tokens and the
//! disable flag.

use axum::routing::get;
use axum::{Extension, Json, Router};
use backstage_backend::services::{Access, Credentials};
use backstage_backend::{Backend, BackendPlugin};
use serde_json::json;

use crate::support::{TEST_TOKEN, client, get_json, start, static_token};

/// A plugin that tells who called it.
fn whoami(id: &'static str) -> BackendPlugin {
    BackendPlugin::builder(id).init(|ctx| async move {
        ctx.http_router().use_router(
            Router::new()
                .route(
                    "/whoami",
                    get(|Extension(c): Extension<Credentials>| async move {
                        Json(json!({"subject": c.service_subject()}))
                    }),
                )
                .route("/public/ping", get(|| async { "pong" })),
        );
        ctx.http_router()
            .add_auth_policy("/public", Access::Unauthenticated);
        Ok::<_, std::convert::Infallible>(())
    })
}

/// A plugin whose `/relay` calls plugin `whoami` with a service token.
fn caller() -> BackendPlugin {
    BackendPlugin::builder("caller").init(|ctx| async move {
        let target = format!("{}/whoami", ctx.discovery().base_url("whoami"));
        let token = ctx.auth().plugin_request_token("whoami")?;
        let wrong_audience = ctx.auth().plugin_request_token("other")?;
        ctx.http_router().use_router(Router::new().route(
            "/relay",
            get(move || {
                let (target, token, wrong_audience) = (target.clone(), token.clone(), wrong_audience.clone());
                async move {
                    let http = crate::support::client();
                    let good = http.get(&target).bearer_auth(&token).send().await.unwrap();
                    let good_status = good.status().as_u16();
                    let good_body: serde_json::Value = good.json().await.unwrap();
                    let bad = http.get(&target).bearer_auth(&wrong_audience).send().await.unwrap();
                    Json(json!({"status": good_status, "body": good_body, "wrongAudience": bad.status().as_u16()}))
                }
            }),
        ));
        ctx.http_router().add_auth_policy("/relay", Access::Unauthenticated);
        Ok::<_, backstage_backend::BackendError>(())
    })
}

#[tokio::test]
async fn routes_need_a_credential_by_default() {
    let backend = start(Backend::builder().add(whoami("whoami")), static_token()).await;
    let (status, body) = get_json(&backend, "/api/whoami/whoami", None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["name"], "AuthenticationError");
    assert_eq!(body["response"]["statusCode"], 401);
    let (status, body) = get_json(&backend, "/api/whoami/whoami", Some("not-a-valid-token")).await;
    assert_eq!(status, 401, "{body}");
    // Unknown paths are refused before they are looked up.
    let (status, _) = get_json(&backend, "/api/whoami/nothing-here", None).await;
    assert_eq!(status, 401);
    backend.stop().await;
}

#[tokio::test]
async fn open_paths_and_everything_below_them_need_no_credential() {
    let backend = start(Backend::builder().add(whoami("whoami")), static_token()).await;
    let response = client()
        .get(format!("{}/api/whoami/public/ping", backend.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await.unwrap(), "pong");
    // A sibling path sharing the prefix's letters is not open.
    let (status, _) = get_json(&backend, "/api/whoami/publicity", None).await;
    assert_eq!(status, 401);
    backend.stop().await;
}

#[tokio::test]
async fn static_tokens_authenticate_with_their_subject() {
    let backend = start(Backend::builder().add(whoami("whoami")), static_token()).await;
    let (status, body) = get_json(&backend, "/api/whoami/whoami", Some(TEST_TOKEN)).await;
    assert_eq!((status, body), (200, json!({"subject": "tester"})));
    backend.stop().await;
}

#[tokio::test]
async fn service_tokens_let_one_plugin_call_another() {
    let backend = start(
        Backend::builder().add(whoami("whoami")).add(caller()),
        json!({}),
    )
    .await;
    let (status, body) = get_json(&backend, "/api/caller/relay", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], 200);
    assert_eq!(body["body"], json!({"subject": "plugin:caller"}));
    assert_eq!(
        body["wrongAudience"], 401,
        "a token for another plugin is refused"
    );
    backend.stop().await;
}

#[tokio::test]
async fn service_tokens_from_another_backend_with_another_key_are_refused() {
    let keyed = json!({"backend": {"auth": {"keys": [{"secret": "first-secret-first-secret"}]}}});
    let first = start(
        Backend::builder().add(caller()).add(whoami("whoami")),
        keyed,
    )
    .await;
    let second = start(
        Backend::builder().add(whoami("whoami")),
        json!({"backend": {"auth": {"keys": [{"secret": "other-secret-other-secret"}]}}}),
    )
    .await;
    // Take a token the first backend issued and present it to the second.
    let token = {
        let authority = backstage_backend::services::auth::TokenAuthority::from_config(
            &crate::support::config(
                json!({"backend": {"auth": {"keys": [{"secret": "first-secret-first-secret"}]}}}),
            ),
        )
        .unwrap();
        authority.issue_service_token("caller", "whoami")
    };
    let (status, _) = get_json(&first, "/api/whoami/whoami", Some(&token)).await;
    assert_eq!(status, 200, "the same key verifies");
    let (status, _) = get_json(&second, "/api/whoami/whoami", Some(&token)).await;
    assert_eq!(status, 401, "another key does not");
    first.stop().await;
    second.stop().await;
}

#[tokio::test]
async fn the_disable_flag_opens_every_route() {
    let backend = start(
        Backend::builder().add(whoami("whoami")),
        json!({"backend": {"auth": {"dangerouslyDisableDefaultAuthPolicy": true}}}),
    )
    .await;
    let (status, body) = get_json(&backend, "/api/whoami/whoami", None).await;
    assert_eq!((status, body), (200, json!({"subject": null})));
    backend.stop().await;
}

#[tokio::test]
async fn malformed_static_tokens_stop_startup() {
    let err = Backend::builder()
        .add(whoami("whoami"))
        .config(crate::support::config(
            json!({"backend": {"auth": {"externalAccess": [
                {"type": "static", "options": {"token": "short", "subject": "x"}}
            ]}}}),
        ))
        .start()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("externalAccess[0].options.token must be at least 8 characters"),
        "{err}"
    );
}
