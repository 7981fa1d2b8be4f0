//! Request logging: tower-http's `TraceLayer` for HTTP, which opens a DEBUG
//! span per request, logs its start and end at DEBUG, and logs a 5xx answer
//! as an ERROR event (`tower_http::trace::on_failure`: "response failed",
//! with the classification and the latency in milliseconds).
//!
//! While no DEBUG event can be enabled (the global level filter is above
//! DEBUG, as in production), that ERROR event is all `TraceLayer` can emit,
//! yet it still reads the clock several times per request and wraps the
//! response body. Then this layer emits the same event itself and leaves the
//! body alone. The level is checked per request (one atomic load), so a
//! subscriber that lowers the level later gets the full `TraceLayer` again.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use futures_util::FutureExt;
use futures_util::future::{Either, Map};
use tower::{Layer, Service};
use tower_http::classify::{NeverClassifyEos, ServerErrorsFailureClass};
use tower_http::trace::{
    DefaultOnBodyChunk, DefaultOnEos, DefaultOnFailure, HttpMakeClassifier, ResponseBody,
    TraceLayer,
};

/// Logs requests as tower-http's `TraceLayer::new_for_http()` does.
#[derive(Clone, Copy, Default)]
pub(crate) struct RequestLogLayer;

impl<S> Layer<S> for RequestLogLayer {
    type Service = RequestLog<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestLog { inner }
    }
}

/// The service of [`RequestLogLayer`].
#[derive(Clone)]
pub(crate) struct RequestLog<S> {
    inner: S,
}

type Traced<S> = <TraceLayer<HttpMakeClassifier> as Layer<S>>::Service;
type TracedFuture<S> = <Traced<S> as Service<Request>>::Future;

/// The body tower-http's layer gives a response.
type TracedBody = ResponseBody<
    Body,
    NeverClassifyEos<ServerErrorsFailureClass>,
    DefaultOnBodyChunk,
    DefaultOnEos,
    DefaultOnFailure,
>;

type Traced200 = Result<axum::http::Response<TracedBody>, Infallible>;

fn boxed(result: Traced200) -> Result<Response, Infallible> {
    result.map(|response| response.map(Body::new))
}

/// The future of [`RequestLog`]: tower-http's, or the failure log alone.
pub(crate) type RequestLogFuture<S> = Either<
    Map<TracedFuture<S>, fn(Traced200) -> Result<Response, Infallible>>,
    FailureLogFuture<<S as Service<Request>>::Future>,
>;

impl<S> Service<Request> for RequestLog<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone,
    S::Future: Unpin,
    Traced<S>: Service<Request, Response = axum::http::Response<TracedBody>, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = RequestLogFuture<S>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if tracing::level_enabled!(tracing::Level::DEBUG) {
            // The inner service that was polled ready goes into the trace
            // layer; a clone takes its place.
            let clone = self.inner.clone();
            let ready = std::mem::replace(&mut self.inner, clone);
            let boxed: fn(Traced200) -> Result<Response, Infallible> = boxed;
            Either::Left(
                TraceLayer::new_for_http()
                    .layer(ready)
                    .call(request)
                    .map(boxed),
            )
        } else {
            Either::Right(FailureLogFuture {
                started: Instant::now(),
                inner: self.inner.call(request),
            })
        }
    }
}

/// The future of the light path: the inner answer, and the ERROR event
/// tower-http logs for a 5xx.
pub(crate) struct FailureLogFuture<F> {
    inner: F,
    started: Instant,
}

impl<F> Future for FailureLogFuture<F>
where
    F: Future<Output = Result<Response, Infallible>> + Unpin,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let result = ready!(Pin::new(&mut this.inner).poll(cx));
        if let Ok(response) = &result
            && response.status().is_server_error()
        {
            log_failure(response.status(), this.started.elapsed());
        }
        Poll::Ready(result)
    }
}

/// tower-http's `DefaultOnFailure` event for a 5xx answer.
fn log_failure(status: StatusCode, latency: Duration) {
    tracing::error!(
        target: "tower_http::trace::on_failure",
        classification = %format_args!("Status code: {status}"),
        latency = %format_args!("{} ms", latency.as_millis()),
        "response failed"
    );
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use tower::ServiceExt;

    use super::*;

    /// Collects what a subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            if let Ok(mut captured) = self.0.lock() {
                captured.extend_from_slice(bytes);
            }
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            self.0
                .lock()
                .map(|captured| String::from_utf8_lossy(&captured).into_owned())
                .unwrap_or_default()
        }
    }

    fn answering(
        status: StatusCode,
    ) -> impl Service<Request, Response = Response, Error = Infallible, Future: Unpin> + Clone {
        tower::service_fn(move |_: Request| {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = status;
            std::future::ready(Ok::<_, Infallible>(response))
        })
    }

    /// What a subscriber at `level` writes while `service` answers.
    async fn logged<S>(level: tracing::Level, service: S) -> String
    where
        S: Service<Request, Error = Infallible>,
    {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(level)
            .with_ansi(false)
            .without_time()
            .with_writer(move || writer.clone())
            .finish();
        let _default = tracing::subscriber::set_default(subscriber);
        let _ = service.oneshot(Request::new(Body::empty())).await;
        captured.text()
    }

    #[tokio::test]
    async fn without_debug_the_log_is_tower_https() {
        for status in [
            StatusCode::OK,
            StatusCode::NOT_FOUND,
            StatusCode::BAD_GATEWAY,
        ] {
            let ours = logged(
                tracing::Level::ERROR,
                RequestLogLayer.layer(answering(status)),
            )
            .await;
            let theirs = logged(
                tracing::Level::ERROR,
                TraceLayer::new_for_http().layer(answering(status)),
            )
            .await;
            assert_eq!(ours, theirs, "{status}");
        }
        let failed = logged(
            tracing::Level::ERROR,
            RequestLogLayer.layer(answering(StatusCode::BAD_GATEWAY)),
        )
        .await;
        assert!(
            failed.contains("ERROR tower_http::trace::on_failure: response failed classification=Status code: 502 Bad Gateway latency=0 ms"),
            "{failed}"
        );
    }

    #[tokio::test]
    async fn with_debug_tower_http_logs_everything() {
        let logged = logged(
            tracing::Level::DEBUG,
            RequestLogLayer.layer(answering(StatusCode::OK)),
        )
        .await;
        assert!(logged.contains("started processing request"), "{logged}");
        assert!(logged.contains("finished processing request"), "{logged}");
    }
}
