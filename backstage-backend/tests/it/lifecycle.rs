//! Readiness, paused requests, lifecycle hooks and graceful shutdown.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use backstage_backend::services::Access;
use backstage_backend::{Backend, BackendError, BackendPlugin};
use serde_json::json;
use tokio::sync::Notify;

use crate::support::{client, config};

/// A plugin whose init waits until `release` is notified.
fn slow_plugin(release: Arc<Notify>) -> BackendPlugin {
    BackendPlugin::builder("slow").init(move |ctx| async move {
        release.notified().await;
        ctx.http_router()
            .use_router(Router::new().route("/hello", get(|| async { "hello" })));
        ctx.http_router()
            .add_auth_policy("/", Access::Unauthenticated);
        Ok::<_, BackendError>(())
    })
}

async fn wait_for_port(port_file: &Arc<Mutex<Option<u16>>>) -> u16 {
    for _ in 0..200 {
        if let Some(port) = *port_file.lock().unwrap() {
            return port;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the backend never bound its port");
}

/// Starts a backend in the background; the plugin `probe` reports the bound
/// port as soon as the server listens (it starts instantly).
fn spawn_backend(
    release: Arc<Notify>,
    extra: serde_json::Value,
) -> (
    Arc<Mutex<Option<u16>>>,
    tokio::task::JoinHandle<backstage_backend::RunningBackend>,
) {
    let port: Arc<Mutex<Option<u16>>> = Arc::default();
    let report = port.clone();
    let probe = BackendPlugin::builder("probe").init(move |ctx| async move {
        let url = ctx.discovery().base_url("probe");
        let port = url
            .split(':')
            .nth(2)
            .and_then(|p| p.split('/').next())
            .and_then(|p| p.parse().ok());
        *report.lock().unwrap() = port;
        Ok::<_, BackendError>(())
    });
    let handle = tokio::spawn(async move {
        Backend::builder()
            .add(slow_plugin(release))
            .add(probe)
            .config(config(extra))
            .start()
            .await
            .unwrap()
    });
    (port, handle)
}

#[tokio::test]
async fn readiness_is_503_until_every_plugin_started_then_200() {
    let release = Arc::new(Notify::new());
    let (port, handle) = spawn_backend(release.clone(), json!({}));
    let port = wait_for_port(&port).await;
    let url = format!("http://127.0.0.1:{port}/.backstage/health/v1/readiness");
    let response = client().get(&url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"status": "error", "message": "Backend has not started yet"})
    );
    let live = client()
        .get(format!(
            "http://127.0.0.1:{port}/.backstage/health/v1/liveness"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status().as_u16(), 200);

    release.notify_one();
    let backend = handle.await.unwrap();
    let response = client().get(&url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        json!({"status": "ok"})
    );
    backend.stop().await;
}

#[tokio::test]
async fn a_request_for_a_starting_plugin_waits_for_it() {
    let release = Arc::new(Notify::new());
    let (port, handle) = spawn_backend(release.clone(), json!({}));
    let port = wait_for_port(&port).await;
    let pending = tokio::spawn(async move {
        client()
            .get(format!("http://127.0.0.1:{port}/api/slow/hello"))
            .send()
            .await
            .unwrap()
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !pending.is_finished(),
        "the request must wait while the plugin starts"
    );
    release.notify_one();
    let response = pending.await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await.unwrap(), "hello");
    handle.await.unwrap().stop().await;
}

#[tokio::test]
async fn a_request_for_a_plugin_that_does_not_start_in_time_gets_503() {
    let release = Arc::new(Notify::new());
    let (port, handle) = spawn_backend(
        release.clone(),
        json!({"backend": {"lifecycle": {"startupRequestPauseTimeout": "200ms"}}}),
    );
    let port = wait_for_port(&port).await;
    let response = client()
        .get(format!("http://127.0.0.1:{port}/api/slow/hello"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["name"], "ServiceUnavailableError");
    release.notify_one();
    handle.await.unwrap().stop().await;
}

#[tokio::test]
async fn graceful_shutdown_lets_a_slow_request_finish_then_runs_hooks() {
    let events: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = events.clone();
    let plugin = BackendPlugin::builder("slowpoke").init(move |ctx| async move {
        let started = log.clone();
        ctx.lifecycle()
            .add_startup_hook("note start", move || async move {
                started.lock().unwrap().push("startup hook".to_owned());
                Ok(())
            });
        let stopped = log.clone();
        ctx.lifecycle()
            .add_shutdown_hook("note stop", move || async move {
                stopped.lock().unwrap().push("shutdown hook".to_owned());
                Ok(())
            });
        let handled = log.clone();
        ctx.http_router().use_router(Router::new().route(
            "/slow",
            get(move || {
                let handled = handled.clone();
                async move {
                    tokio::time::sleep(Duration::from_millis(700)).await;
                    handled.lock().unwrap().push("slow request done".to_owned());
                    "finally"
                }
            }),
        ));
        ctx.http_router()
            .add_auth_policy("/", Access::Unauthenticated);
        Ok::<_, BackendError>(())
    });
    let backend = Backend::builder()
        .add(plugin)
        .config(config(json!({})))
        .start()
        .await
        .unwrap();
    let url = backend.url();
    let in_flight = tokio::spawn(async move {
        client()
            .get(format!("{url}/api/slowpoke/slow"))
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let url = backend.url();
    let stopping = tokio::spawn(backend.stop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let readiness = client()
        .get(format!("{url}/.backstage/health/v1/readiness"))
        .send()
        .await;
    // A new request is refused (503 while draining, or the listener is closed).
    if let Ok(response) = readiness {
        assert_eq!(response.status().as_u16(), 503);
    }
    let response = in_flight.await.unwrap().unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await.unwrap(), "finally");
    stopping.await.unwrap();
    assert_eq!(
        *events.lock().unwrap(),
        ["startup hook", "slow request done", "shutdown hook"]
    );
}
