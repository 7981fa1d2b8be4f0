//! `/api/<pluginId>/...`: routes requests to plugins, pausing requests for a
//! plugin that is still starting.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Either, Ready, ready};
use tokio::sync::watch;
use tower::{Service, ServiceExt};

use super::auth_policy::RequireCredentials;
use super::error::ApiError;

/// A started plugin's API: its router behind its auth policy.
pub(crate) type PluginApi = RequireCredentials<Router>;

/// Where a plugin is in its life.
#[derive(Clone)]
pub(crate) enum SlotState {
    Starting,
    Ready(PluginApi),
    Failed,
    Stopping,
}

/// One slot per installed plugin.
pub(crate) struct PluginSlots {
    slots: HashMap<String, Slot>,
    pause: Duration,
}

/// Where one plugin is. A started plugin's API is also kept in a write-once
/// cell, so that serving it reads two atomics rather than taking the
/// channel's lock.
struct Slot {
    state: watch::Sender<SlotState>,
    ready: OnceLock<PluginApi>,
    stopping: AtomicBool,
}

impl Slot {
    fn ready(&self) -> Option<&PluginApi> {
        if self.stopping.load(Ordering::Acquire) {
            return None;
        }
        self.ready.get()
    }
}

/// The future of [`PluginSlots::dispatch`]: a started plugin's own future,
/// an immediate answer, or a wait for a plugin that is starting.
pub(crate) type DispatchFuture = Either<
    <PluginApi as Service<Request>>::Future,
    Either<Ready<Result<Response, Infallible>>, BoxFuture<'static, Result<Response, Infallible>>>,
>;

fn answer(response: Response) -> DispatchFuture {
    Either::Right(Either::Left(ready(Ok(response))))
}

/// The plugin id of an `/api/...` path: `/api/<id>/...`.
fn plugin_id(path: &str) -> &str {
    let rest = path
        .strip_prefix("/api")
        .unwrap_or(path)
        .trim_start_matches('/');
    rest.split_once('/').map_or(rest, |(id, _)| id)
}

/// `/api/<id>/` is the plugin's root, as `/api/<id>` is: the URI without
/// the trailing slash, when `uri` is that.
fn without_root_slash(uri: &Uri, plugin_id: &str) -> Option<Uri> {
    let path = uri.path();
    let trimmed = path.strip_suffix('/')?;
    if trimmed.strip_prefix("/api/") != Some(plugin_id) {
        return None;
    }
    let rewritten = match uri.query() {
        Some(query) => format!("{trimmed}?{query}"),
        None => trimmed.to_owned(),
    };
    rewritten.parse().ok()
}

impl PluginSlots {
    pub(crate) fn new(plugin_ids: impl IntoIterator<Item = String>, pause: Duration) -> Self {
        Self {
            slots: plugin_ids
                .into_iter()
                .map(|id| {
                    let slot = Slot {
                        state: watch::channel(SlotState::Starting).0,
                        ready: OnceLock::new(),
                        stopping: AtomicBool::new(false),
                    };
                    (id, slot)
                })
                .collect(),
            pause,
        }
    }

    pub(crate) fn set(&self, plugin_id: &str, state: SlotState) {
        if let Some(slot) = self.slots.get(plugin_id) {
            match &state {
                // A plugin starts once.
                SlotState::Ready(api) => {
                    let _ = slot.ready.set(api.clone());
                }
                SlotState::Stopping => slot.stopping.store(true, Ordering::Release),
                SlotState::Starting | SlotState::Failed => {}
            }
            slot.state.send_replace(state);
        }
    }

    pub(crate) fn stop_all(&self) {
        for slot in self.slots.values() {
            slot.stopping.store(true, Ordering::Release);
            slot.state.send_replace(SlotState::Stopping);
        }
    }

    /// Serves a request under `/api` (the path is `/api` or starts with
    /// `/api/`). A started plugin is called directly; only a request for a
    /// plugin that is not ready allocates.
    pub(crate) fn dispatch(&self, mut request: Request) -> DispatchFuture {
        let id = plugin_id(request.uri().path());
        if id.is_empty() {
            return answer(
                ApiError::not_found(
                    "no plugin named in the path; plugin APIs live at /api/<pluginId>/...",
                )
                .into_response(),
            );
        }
        let Some(slot) = self.slots.get(id) else {
            return answer(
                ApiError::not_found(format!("no plugin '{id}' is installed in this backend"))
                    .into_response(),
            );
        };
        let rewritten = without_root_slash(request.uri(), id);
        match slot.ready() {
            Some(api) => {
                if let Some(uri) = rewritten {
                    *request.uri_mut() = uri;
                }
                Either::Left(api.call_shared(request))
            }
            None => {
                let id = id.to_owned();
                if let Some(uri) = rewritten {
                    *request.uri_mut() = uri;
                }
                let waiting = wait_then_serve(slot.state.subscribe(), self.pause, id, request);
                Either::Right(Either::Right(waiting.map(Ok).boxed()))
            }
        }
    }
}

/// Waits (up to the startup pause) for a plugin that is starting, then
/// serves the request or answers 503.
async fn wait_then_serve(
    mut receiver: watch::Receiver<SlotState>,
    pause: Duration,
    plugin_id: String,
    request: Request,
) -> Response {
    let state = match tokio::time::timeout(
        pause,
        receiver.wait_for(|s| !matches!(s, SlotState::Starting)),
    )
    .await
    {
        Ok(Ok(state)) => state.clone(),
        _ => SlotState::Starting,
    };
    match state {
        SlotState::Ready(api) => match api.oneshot(request).await {
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
