//! `/api/<pluginId>/...`: routes requests to plugins, pausing requests for a
//! plugin that is still starting.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;
use tower::ServiceExt;

use super::error::ApiError;

/// Where a plugin is in its life.
#[derive(Clone)]
pub(crate) enum SlotState {
    Starting,
    Ready(Router),
    Failed,
    Stopping,
}

/// One slot per installed plugin.
pub(crate) struct PluginSlots {
    slots: HashMap<String, watch::Sender<SlotState>>,
    pause: Duration,
}

impl PluginSlots {
    pub(crate) fn new(plugin_ids: impl IntoIterator<Item = String>, pause: Duration) -> Self {
        Self {
            slots: plugin_ids
                .into_iter()
                .map(|id| (id, watch::channel(SlotState::Starting).0))
                .collect(),
            pause,
        }
    }

    pub(crate) fn set(&self, plugin_id: &str, state: SlotState) {
        if let Some(slot) = self.slots.get(plugin_id) {
            slot.send_replace(state);
        }
    }

    pub(crate) fn stop_all(&self) {
        for slot in self.slots.values() {
            slot.send_replace(SlotState::Stopping);
        }
    }

    /// Serves a request under `/api/<plugin_id>`.
    pub(crate) async fn dispatch(
        self: Arc<Self>,
        plugin_id: &str,
        mut request: Request,
    ) -> Response {
        // The plugin's router matches again; metrics want its route only.
        request
            .extensions_mut()
            .remove::<axum::extract::MatchedPath>();
        // `/api/<id>/` is the plugin's root, as `/api/<id>` is.
        if request.uri().path().strip_suffix('/') == Some(&format!("/api/{plugin_id}")) {
            let query = request
                .uri()
                .query()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            if let Ok(uri) = format!("/api/{plugin_id}{query}").parse() {
                *request.uri_mut() = uri;
            }
        }
        let Some(slot) = self.slots.get(plugin_id) else {
            return ApiError::not_found(format!(
                "no plugin '{plugin_id}' is installed in this backend"
            ))
            .into_response();
        };
        let mut receiver = slot.subscribe();
        let state = {
            let waited = tokio::time::timeout(
                self.pause,
                receiver.wait_for(|s| !matches!(s, SlotState::Starting)),
            )
            .await;
            match waited {
                Ok(Ok(state)) => state.clone(),
                _ => {
                    return ApiError::service_unavailable(format!(
                        "plugin '{plugin_id}' has not started up yet; try again shortly"
                    ))
                    .into_response();
                }
            }
        };
        match state {
            SlotState::Ready(router) => match router.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            },
            SlotState::Failed => ApiError::service_unavailable(format!(
                "plugin '{plugin_id}' failed to start; see the backend's log"
            ))
            .into_response(),
            SlotState::Stopping => {
                ApiError::service_unavailable("Service is shutting down").into_response()
            }
            SlotState::Starting => ApiError::service_unavailable(format!(
                "plugin '{plugin_id}' has not started up yet; try again shortly"
            ))
            .into_response(),
        }
    }
}
