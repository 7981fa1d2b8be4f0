//! Request count and latency per plugin and route, recorded around each
//! plugin route.
//!
//! Looking a metric up in the recorder builds its labels and hashes its key,
//! so each layered route keeps the handles it has used, keyed by route,
//! method and status; a request that finds its handles only bumps them.

use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::response::Response;
use metrics::{Counter, Histogram};
use tower::{Layer, Service};

use super::after::{After, after};

/// At most this many (route, method, status) handles are kept per route;
/// beyond it (odd methods or statuses) requests look their metrics up.
const MAX_CACHED: usize = 32;

/// Records every request to the routes it is applied to (with
/// `Router::route_layer`, so that the matched route is known).
#[derive(Clone)]
pub(crate) struct RequestMetricsLayer {
    plugin: Arc<str>,
}

impl RequestMetricsLayer {
    pub(crate) fn new(plugin_id: &str) -> Self {
        Self {
            plugin: Arc::from(plugin_id),
        }
    }
}

impl<S> Layer<S> for RequestMetricsLayer {
    type Service = RequestMetrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestMetrics {
            inner,
            handles: Arc::new(Handles {
                plugin: Arc::clone(&self.plugin),
                cached: RwLock::new(Vec::new()),
            }),
        }
    }
}

/// The metric handles one route has used.
struct Handles {
    plugin: Arc<str>,
    cached: RwLock<Vec<Cached>>,
}

struct Cached {
    route: Box<str>,
    method: Method,
    status: u16,
    requests: Counter,
    duration: Histogram,
}

impl Handles {
    fn record(&self, route: &str, method: &Method, status: u16, seconds: f64) {
        if let Ok(cached) = self.cached.read()
            && let Some(hit) = cached
                .iter()
                .find(|c| c.status == status && c.method == *method && &*c.route == route)
        {
            hit.requests.increment(1);
            hit.duration.record(seconds);
            return;
        }
        let entry = self.register(route, method, status);
        entry.requests.increment(1);
        entry.duration.record(seconds);
        if let Ok(mut cached) = self.cached.write()
            && cached.len() < MAX_CACHED
            && !cached
                .iter()
                .any(|c| c.status == status && c.method == *method && &*c.route == route)
        {
            cached.push(entry);
        }
    }

    fn register(&self, route: &str, method: &Method, status: u16) -> Cached {
        let labels = [
            ("plugin", self.plugin.to_string()),
            ("route", route.to_owned()),
            ("method", method.to_string()),
            ("status", status.to_string()),
        ];
        Cached {
            route: route.into(),
            method: method.clone(),
            status,
            requests: metrics::counter!("backstage_http_requests_total", &labels),
            duration: metrics::histogram!("backstage_http_request_duration_seconds", &labels[..2]),
        }
    }
}

/// The service of [`RequestMetricsLayer`].
#[derive(Clone)]
pub(crate) struct RequestMetrics<S> {
    inner: S,
    handles: Arc<Handles>,
}

/// What a request's record needs once its response is there.
pub(crate) struct Pending {
    handles: Arc<Handles>,
    route: Option<MatchedPath>,
    method: Method,
    started: Instant,
}

type Finish<E> = fn((Result<Response, E>, Pending)) -> Result<Response, E>;

fn finish<E>((result, pending): (Result<Response, E>, Pending)) -> Result<Response, E> {
    if let Ok(response) = &result {
        let route = pending
            .route
            .as_ref()
            .map_or("unmatched", MatchedPath::as_str);
        pending.handles.record(
            route,
            &pending.method,
            response.status().as_u16(),
            pending.started.elapsed().as_secs_f64(),
        );
    }
    result
}

impl<S> Service<Request> for RequestMetrics<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = After<S::Future, Pending, Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let pending = Pending {
            handles: Arc::clone(&self.handles),
            route: request.extensions().get::<MatchedPath>().cloned(),
            method: request.method().clone(),
            started: Instant::now(),
        };
        let finish: Finish<S::Error> = finish;
        after(self.inner.call(request), pending, finish)
    }
}
