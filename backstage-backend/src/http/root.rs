//! The root router: health, metrics, plugin APIs, app mounts, and the layers
//! every request passes through.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::future::RouteFuture;
use axum::routing::get;
use futures_util::future::Either;
use serde_json::json;
use tower::{BoxError, Service, ServiceBuilder, ServiceExt};
use tower_http::cors::CorsLayer;

use super::body_limit::BodyLimitLayer;
use super::catch_panic::CatchPanicLayer;
use super::compression::CompressLayer;
use super::cors::MaybeCorsLayer;
use super::error::ApiError;
use super::error_bodies::ErrorBodiesLayer;
use super::metrics;
use super::plugin_slots::{DispatchFuture, PluginSlots};
use super::request_log::RequestLogLayer;
use super::request_timeout::RequestTimeoutLayer;
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

/// Paths that are not plugin APIs: the app's mounts, or 404.
async fn fallback(State(state): State<RootState>, request: Request) -> Response {
    let path = request.uri().path();
    match state.mounts.find(path) {
        Some(router) => match router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        None => ApiError::not_found(format!("nothing is served at {path}")).into_response(),
    }
}

fn is_plugin_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// `/api/<pluginId>/...` goes to the plugin (straight from here, so that no
/// path parameters of the root router reach a plugin's extractors); anything
/// else to the root router (health, metrics, the app's mounts).
///
/// The whole service is cloned for every request, so what it holds sits
/// behind one `Arc`.
#[derive(Clone)]
struct Dispatch {
    targets: Arc<Targets>,
}

struct Targets {
    slots: Arc<PluginSlots>,
    router: Router,
}

impl<B> Service<axum::http::Request<B>> for Dispatch
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<DispatchFuture, RouteFuture<Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        let request = request.map(Body::new);
        if is_plugin_api(request.uri().path()) {
            Either::Left(self.targets.slots.dispatch(request))
        } else {
            Either::Right(self.targets.router.clone().call(request))
        }
    }
}

/// The service that answers every request: the root router and plugin
/// dispatch inside the layers every request passes through. The layers wrap
/// the whole service once (rather than each route), so a request passes each
/// of them once without boxing or cloning along the way.
pub(crate) fn root_service(
    state: RootState,
    settings: LayerSettings,
) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
+ Clone
+ Send
+ 'static {
    let slots = Arc::clone(&state.slots);
    let router = Router::new()
        .route("/.backstage/health/v1/readiness", get(readiness))
        .route("/.backstage/health/v1/liveness", get(liveness))
        .route("/metrics", get(metrics::render))
        .fallback(fallback)
        .with_state(state);
    ServiceBuilder::new()
        .layer(RequestLogLayer)
        .layer(MaybeCorsLayer::new(settings.cors))
        .layer(CompressLayer)
        .layer(ErrorBodiesLayer)
        .layer(BodyLimitLayer::new(settings.body_limit))
        .layer(RequestTimeoutLayer::new(settings.request_timeout))
        .layer(CatchPanicLayer)
        .service(Dispatch {
            targets: Arc::new(Targets { slots, router }),
        })
}
