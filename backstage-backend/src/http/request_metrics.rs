//! Request count and latency per plugin and route, recorded around each
//! plugin route.
//!
//! Looking a metric up in the recorder builds its labels and hashes its key,
//! so each layered route keeps the handles it has used: per method, the
//! latency histogram, and per status, the request counter. The handles sit in
//! write-once slots, so a request that finds its handles reads them without a
//! lock.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, ready};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::response::Response;
use metrics::{Counter, Histogram};
use tower::{Layer, Service};

/// (route, method) pairs whose handles one layered route keeps; a route sees
/// one, or a few with `any()`.
const ROUTE_SLOTS: usize = 4;
/// Statuses whose counters one (route, method) keeps. Requests beyond these
/// (odd methods or statuses) look their metrics up in the recorder.
const STATUS_SLOTS: usize = 16;

const REQUESTS: &str = "backstage_http_requests_total";
const DURATION: &str = "backstage_http_request_duration_seconds";

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
                routes: std::array::from_fn(|_| OnceLock::new()),
            }),
        }
    }
}

/// The metric handles one layered route has used.
struct Handles {
    plugin: Arc<str>,
    routes: [OnceLock<RouteHandles>; ROUTE_SLOTS],
}

/// The handles of one route and method.
struct RouteHandles {
    route: Box<str>,
    method: Method,
    duration: Histogram,
    requests: [OnceLock<(u16, Counter)>; STATUS_SLOTS],
}

fn labels(plugin: &str, route: &str, method: &Method, status: u16) -> [(&'static str, String); 4] {
    [
        ("plugin", plugin.to_owned()),
        ("route", route.to_owned()),
        ("method", method.to_string()),
        ("status", status.to_string()),
    ]
}

impl Handles {
    /// The slot of (route, method), taking a free one if needed; `None` when
    /// all are taken by others.
    fn slot(&self, route: &str, method: &Method) -> Option<usize> {
        self.routes.iter().position(|slot| {
            let handles = slot.get_or_init(|| RouteHandles {
                route: route.into(),
                method: method.clone(),
                duration: metrics::histogram!(
                    DURATION,
                    "plugin" => self.plugin.to_string(),
                    "route" => route.to_owned(),
                ),
                requests: std::array::from_fn(|_| OnceLock::new()),
            });
            &*handles.route == route && handles.method == *method
        })
    }

    fn record(&self, target: &Target, status: u16, seconds: f64) {
        match target {
            Target::Slot(index) => {
                if let Some(route) = self.routes.get(*index).and_then(OnceLock::get) {
                    route.record(&self.plugin, status, seconds);
                }
            }
            Target::Unkept { route, method } => {
                let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
                let labels = labels(&self.plugin, route, method, status);
                metrics::counter!(REQUESTS, &labels).increment(1);
                metrics::histogram!(DURATION, &labels[..2]).record(seconds);
            }
        }
    }
}

impl RouteHandles {
    fn record(&self, plugin: &str, status: u16, seconds: f64) {
        self.duration.record(seconds);
        let kept = self.requests.iter().find_map(|slot| {
            let (kept, counter) = slot.get_or_init(|| {
                let labels = labels(plugin, &self.route, &self.method, status);
                (status, metrics::counter!(REQUESTS, &labels))
            });
            (*kept == status).then_some(counter)
        });
        match kept {
            Some(counter) => counter.increment(1),
            None => {
                let labels = labels(plugin, &self.route, &self.method, status);
                metrics::counter!(REQUESTS, &labels).increment(1);
            }
        }
    }
}

/// Where a request's record goes.
enum Target {
    /// The kept handles of its route and method.
    Slot(usize),
    /// Looked up in the recorder (every slot is taken by other pairs).
    Unkept {
        route: Option<MatchedPath>,
        method: Method,
    },
}

/// The service of [`RequestMetricsLayer`].
#[derive(Clone)]
pub(crate) struct RequestMetrics<S> {
    inner: S,
    handles: Arc<Handles>,
}

/// What a request's record needs once its response is there.
struct Pending {
    handles: Arc<Handles>,
    target: Target,
    started: Instant,
}

/// The future of [`RequestMetrics`]: the inner answer, recorded.
pub(crate) struct RecordedFuture<F> {
    inner: F,
    pending: Option<Pending>,
}

impl<F, E> Future for RecordedFuture<F>
where
    F: Future<Output = Result<Response, E>> + Unpin,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let result = ready!(Pin::new(&mut this.inner).poll(cx));
        if let (Ok(response), Some(pending)) = (&result, this.pending.take()) {
            pending.handles.record(
                &pending.target,
                response.status().as_u16(),
                pending.started.elapsed().as_secs_f64(),
            );
        }
        Poll::Ready(result)
    }
}

impl<S> Service<Request> for RequestMetrics<S>
where
    S: Service<Request, Response = Response>,
    S::Future: Unpin,
{
    type Response = Response;
    type Error = S::Error;
    type Future = RecordedFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let route = request.extensions().get::<MatchedPath>();
        let method = request.method();
        let target = match self
            .handles
            .slot(route.map_or("unmatched", MatchedPath::as_str), method)
        {
            Some(index) => Target::Slot(index),
            None => Target::Unkept {
                route: route.cloned(),
                method: method.clone(),
            },
        };
        let pending = Pending {
            handles: Arc::clone(&self.handles),
            target,
            started: Instant::now(),
        };
        RecordedFuture {
            inner: self.inner.call(request),
            pending: Some(pending),
        }
    }
}
