//! Startup errors name their culprit; boot-failure policies.

use axum::Router;
use axum::routing::get;
use backstage_backend::services::Access;
use backstage_backend::{Backend, BackendError, BackendModule, BackendPlugin};
use backstage_core::config::ConfigSchema;
use serde_json::json;

use crate::support::{get_json, start, start_err};

fn noop(id: &str) -> BackendPlugin {
    BackendPlugin::builder(id).init(|_| async { Ok::<_, BackendError>(()) })
}

#[tokio::test]
async fn duplicate_plugin_ids() {
    let err = start_err(
        Backend::builder().add(noop("catalog")).add(noop("catalog")),
        json!({}),
    )
    .await;
    assert!(
        err.starts_with("duplicate backend plugin id 'catalog'"),
        "{err}"
    );
}

#[tokio::test]
async fn invalid_plugin_ids() {
    let err = start_err(Backend::builder().add(noop("Catalog_1")), json!({})).await;
    assert!(
        err.contains("invalid backend plugin id 'Catalog_1'"),
        "{err}"
    );
}

#[tokio::test]
async fn duplicate_modules() {
    let module = || {
        BackendModule::builder("catalog", "github").init(|_| async { Ok::<_, BackendError>(()) })
    };
    let err = start_err(
        Backend::builder()
            .add(noop("catalog"))
            .add(module())
            .add(module()),
        json!({}),
    )
    .await;
    assert!(
        err.starts_with("duplicate backend module id 'catalog.github'"),
        "{err}"
    );
}

#[tokio::test]
async fn a_module_whose_plugin_is_not_installed() {
    let module =
        BackendModule::builder("catalog", "github").init(|_| async { Ok::<_, BackendError>(()) });
    let err = start_err(Backend::builder().add(module), json!({})).await;
    assert_eq!(
        err,
        "module 'github' extends plugin 'catalog', which is not installed; add the plugin to the backend or remove the module"
    );
}

#[tokio::test]
async fn every_config_schema_violation_at_once_before_any_plugin_starts() {
    let started = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = started.clone();
    let plugin = BackendPlugin::builder("todo")
        .config_schema(ConfigSchema::new(
            "todo",
            json!({"type": "object", "required": ["title"], "properties": {"title": {"type": "string"}}}),
        ))
        .init(move |_| async move {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok::<_, BackendError>(())
        });
    let err = start_err(
        Backend::builder().add(plugin),
        json!({"backend": {"listen": {"port": "not-a-port"}}, "todo": {}}),
    )
    .await;
    assert!(err.contains("(2 problems)"), "{err}");
    assert!(err.contains("config key 'backend.listen.port'"), "{err}");
    assert!(
        err.contains("config key 'todo.title': is required but not set (schema of 'todo')"),
        "{err}"
    );
    assert!(
        !started.load(std::sync::atomic::Ordering::SeqCst),
        "no plugin may start with invalid config"
    );
}

#[tokio::test]
async fn a_failing_plugin_aborts_startup_by_default() {
    let broken = BackendPlugin::builder("broken")
        .init(|_| async { Err::<(), _>(BackendError::other("database unreachable")) });
    let err = start_err(Backend::builder().add(broken).add(noop("fine")), json!({})).await;
    assert_eq!(
        err,
        "backend startup failed:\n  - plugin 'broken' failed to start: database unreachable"
    );
}

#[tokio::test]
async fn with_continue_a_failing_plugin_is_skipped_and_answers_503() {
    let broken = BackendPlugin::builder("broken")
        .init(|_| async { Err::<(), _>(BackendError::other("nope")) });
    let fine = BackendPlugin::builder("fine").init(|ctx| async move {
        ctx.http_router()
            .use_router(Router::new().route("/ok", get(|| async { "ok" })));
        ctx.http_router()
            .add_auth_policy("/", Access::Unauthenticated);
        Ok::<_, BackendError>(())
    });
    let backend = start(
        Backend::builder().add(broken).add(fine),
        json!({"backend": {"startup": {"plugins": {"broken": {"onPluginBootFailure": "continue"}}}}}),
    )
    .await;
    let (status, _) = get_json(&backend, "/.backstage/health/v1/readiness", None).await;
    assert_eq!(status, 200);
    let (status, body) = get_json(&backend, "/api/broken/x", None).await;
    assert_eq!(status, 503);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("failed to start"),
        "{body}"
    );
    let (status, _) = get_json(&backend, "/api/fine/ok", None).await;
    assert_eq!(status, 200);
    backend.stop().await;
}

#[tokio::test]
async fn module_failures_follow_their_own_policy() {
    let failing = || {
        BackendModule::builder("host", "flaky")
            .init(|_| async { Err::<(), _>(BackendError::other("flaked")) })
    };
    let err = start_err(
        Backend::builder().add(noop("host")).add(failing()),
        json!({}),
    )
    .await;
    assert!(
        err.contains("module 'flaky' of plugin 'host' failed to start: flaked"),
        "{err}"
    );
    let backend = start(
        Backend::builder().add(noop("host")).add(failing()),
        json!({"backend": {"startup": {"default": {"onPluginModuleBootFailure": "continue"}}}}),
    )
    .await;
    backend.stop().await;
}

#[tokio::test]
async fn a_taken_port_is_a_clear_error() {
    let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = blocker.local_addr().unwrap().port();
    let err = start_err(
        Backend::builder(),
        json!({"backend": {"listen": {"port": port}}}),
    )
    .await;
    assert!(
        err.starts_with(&format!(
            "cannot listen on 127.0.0.1:{port} (backend.listen)"
        )),
        "{err}"
    );
}
