//! The root router: health, metrics, plugin APIs, app mounts, and the layers
//! every request passes through.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::error::{ApiError, complete_error_bodies};
use super::metrics;
use super::plugin_slots::PluginSlots;
use crate::services::{Health, HealthStatus, RootHttpRouter};

#[derive(Clone)]
pub(crate) struct RootState {
    pub(crate) slots: Arc<PluginSlots>,
    pub(crate) health: Arc<Health>,
    pub(crate) mounts: Arc<RootHttpRouter>,
}

/// Settings of the layers around every request.
pub(crate) struct LayerSettings {
    pub(crate) request_timeout: Duration,
    pub(crate) body_limit: usize,
    pub(crate) cors: Option<CorsLayer>,
}

fn health_response(status: HealthStatus) -> Response {
    match status.message {
        None => (StatusCode::OK, axum::Json(json!({"status": "ok"}))).into_response(),
        Some(message) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({"status": "error", "message": message})),
        )
            .into_response(),
    }
}

async fn readiness(State(state): State<RootState>) -> Response {
    health_response(state.health.readiness())
}

async fn liveness(State(state): State<RootState>) -> Response {
    health_response(state.health.liveness())
}

/// `/api/<pluginId>/...` goes to the plugin; anything else to the app's
/// mounts, or 404.
async fn fallback(State(state): State<RootState>, request: Request) -> Response {
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        let plugin = path
            .trim_start_matches("/api")
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        if plugin.is_empty() {
            return ApiError::not_found(
                "no plugin named in the path; plugin APIs live at /api/<pluginId>/...",
            )
            .into_response();
        }
        return Arc::clone(&state.slots).dispatch(&plugin, request).await;
    }
    match state.mounts.find(path) {
        Some(router) => match router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        None => ApiError::not_found(format!("nothing is served at {path}")).into_response(),
    }
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked; the request was answered with 500");
    ApiError::internal("the server could not complete the request").into_response()
}

/// The root router with every layer applied.
pub(crate) fn root_router(state: RootState, settings: LayerSettings) -> Router {
    let router = Router::new()
        .route("/.backstage/health/v1/readiness", get(readiness))
        .route("/.backstage/health/v1/liveness", get(liveness))
        .route("/metrics", get(metrics::render))
        // Plugin APIs are dispatched from the fallback, so that no path
        // parameters of the root router reach a plugin's extractors.
        .fallback(fallback)
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(settings.body_limit))
        .layer(DefaultBodyLimit::disable())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            settings.request_timeout,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(complete_error_bodies))
        .layer(CompressionLayer::new());
    let router = match settings.cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router.layer(TraceLayer::new_for_http())
}
