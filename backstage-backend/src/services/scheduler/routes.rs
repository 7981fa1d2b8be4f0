//! The scheduler's HTTP API, mounted on each plugin's router (so it sits
//! behind the plugin's auth policy): `GET .backstage/scheduler/v1/tasks`,
//! `POST .backstage/scheduler/v1/tasks/{id}/trigger` and `.../cancel`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::SchedulerService;
use super::error::SchedulerError;
use crate::http::ApiError;

/// The routes, relative to the plugin's base path.
pub(crate) fn router(scheduler: Arc<dyn SchedulerService>) -> Router {
    Router::new()
        .route("/.backstage/scheduler/v1/tasks", get(list))
        .route("/.backstage/scheduler/v1/tasks/{id}/trigger", post(trigger))
        .route("/.backstage/scheduler/v1/tasks/{id}/cancel", post(cancel))
        .with_state(scheduler)
}

fn api_error(error: SchedulerError) -> ApiError {
    match &error {
        SchedulerError::NotFound { .. } => ApiError::not_found(error.to_string()),
        SchedulerError::Running { .. } => ApiError::conflict(error.to_string()),
        SchedulerError::ShuttingDown { .. } => ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailableError",
            error.to_string(),
        ),
        _ => ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "Error",
            error.to_string(),
        ),
    }
}

async fn list(State(scheduler): State<Arc<dyn SchedulerService>>) -> Result<Json<Value>, ApiError> {
    let tasks = scheduler.tasks().await.map_err(api_error)?;
    let tasks: Vec<Value> = tasks.iter().map(|task| task.to_json()).collect();
    Ok(Json(json!({ "tasks": tasks })))
}

async fn trigger(
    State(scheduler): State<Arc<dyn SchedulerService>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    scheduler.trigger(&id).await.map_err(api_error)?;
    Ok(Json(json!({})))
}

async fn cancel(
    State(scheduler): State<Arc<dyn SchedulerService>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let cancelled = scheduler.cancel(&id).await.map_err(api_error)?;
    Ok(Json(json!({ "cancelled": cancelled })))
}
