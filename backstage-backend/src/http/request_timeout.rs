//! `backend.server.requestTimeout`: a request that takes longer is answered
//! 408 (which the error-bodies layer renders as a 503 in the wire format).
//!
//! The inner future is polled before the deadline, so a request that is
//! answered on its first poll never registers a timer.

use std::task::{Context, Poll};
use std::time::Duration;

use axum::http::{Response, StatusCode};
use futures_util::FutureExt;
use futures_util::future::Map;
use tokio::time::Timeout;
use tokio::time::error::Elapsed;
use tower::{Layer, Service};

/// Bounds how long the inner service may take to answer.
#[derive(Clone, Copy)]
pub(crate) struct RequestTimeoutLayer {
    limit: Duration,
}

impl RequestTimeoutLayer {
    pub(crate) fn new(limit: Duration) -> Self {
        Self { limit }
    }
}

impl<S> Layer<S> for RequestTimeoutLayer {
    type Service = RequestTimeout<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestTimeout {
            inner,
            limit: self.limit,
        }
    }
}

/// The service of [`RequestTimeoutLayer`].
#[derive(Clone)]
pub(crate) struct RequestTimeout<S> {
    inner: S,
    limit: Duration,
}

type Outcome<B, E> = Result<Response<B>, E>;

fn timed_out<B: Default, E>(outcome: Result<Outcome<B, E>, Elapsed>) -> Outcome<B, E> {
    outcome.unwrap_or_else(|_| {
        let mut response = Response::new(B::default());
        *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
        Ok(response)
    })
}

/// The future of [`RequestTimeout`].
pub(crate) type RequestTimeoutFuture<F, B, E> =
    Map<Timeout<F>, fn(Result<Outcome<B, E>, Elapsed>) -> Outcome<B, E>>;

impl<S, R, B> Service<R> for RequestTimeout<S>
where
    S: Service<R, Response = Response<B>>,
    B: Default,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = RequestTimeoutFuture<S::Future, B, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let timed_out: fn(_) -> _ = timed_out;
        tokio::time::timeout(self.limit, self.inner.call(request)).map(timed_out)
    }
}
