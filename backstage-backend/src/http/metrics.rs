//! The process-wide Prometheus recorder and `GET /metrics`.

use std::sync::OnceLock;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The process-wide recorder (metrics are per process, like the registry of
/// any Prometheus client); `None` when the app installed its own recorder.
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .install_recorder()
                .map_err(|e| tracing::warn!("metrics disabled: {e}"))
                .ok()?;
            spawn_upkeep(handle.clone());
            Some(handle)
        })
        .as_ref()
}

/// How often recorded histogram samples are folded into their summaries.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// Histogram samples queue up until the recorder's upkeep folds them in
/// (rendering `/metrics` does it too); without a scraper they would grow
/// without bound, so a thread does it periodically for the whole process.
fn spawn_upkeep(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new()
        .name("backstage-metrics-upkeep".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_INTERVAL);
                handle.run_upkeep();
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("metrics upkeep thread did not start: {e}");
    }
}

/// Installs the recorder; called when a backend starts.
pub(crate) fn init() {
    let _ = handle();
}

/// `GET /metrics`.
pub(crate) async fn render() -> Response {
    match handle() {
        Some(handle) => {
            let mut response = handle.render().into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            response
        }
        None => (
            StatusCode::NOT_FOUND,
            "metrics are handled by the app's own recorder",
        )
            .into_response(),
    }
}
