//! `backend.server.requestTimeout`: a request that takes longer is answered
//! 408 (which the error-bodies layer renders as a 503 in the wire format).
//!
//! The timer is made only when the request is not answered on its first
//! poll: most requests never touch the runtime's timer (nor its shared
//! handle), and a slow one gets a timer for the rest of its deadline.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::http::{Response, StatusCode};
use tokio::time::{Instant, Sleep};
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

impl<S, R, B> Service<R> for RequestTimeout<S>
where
    S: Service<R, Response = Response<B>>,
    S::Future: Unpin,
    B: Default,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = RequestTimeoutFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        RequestTimeoutFuture {
            deadline: Instant::now() + self.limit,
            inner: self.inner.call(request),
            timer: None,
        }
    }
}

/// The future of [`RequestTimeout`].
pub(crate) struct RequestTimeoutFuture<F> {
    inner: F,
    deadline: Instant,
    timer: Option<Pin<Box<Sleep>>>,
}

impl<F, B, E> Future for RequestTimeoutFuture<F>
where
    F: Future<Output = Result<Response<B>, E>> + Unpin,
    B: Default,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Poll::Ready(answer) = Pin::new(&mut this.inner).poll(cx) {
            return Poll::Ready(answer);
        }
        let deadline = this.deadline;
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => {
                let mut response = Response::new(B::default());
                *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
                Poll::Ready(Ok(response))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::body::Body;
    use futures_util::future::BoxFuture;
    use tower::ServiceExt;

    use super::*;

    /// Answers 200 after `delay`.
    fn answering_after(
        delay: Duration,
    ) -> impl Service<(), Response = Response<Body>, Error = Infallible, Future: Unpin> {
        tower::service_fn(
            move |()| -> BoxFuture<'static, Result<Response<Body>, Infallible>> {
                Box::pin(async move {
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    Ok(Response::new(Body::empty()))
                })
            },
        )
    }

    async fn status(delay: Duration) -> StatusCode {
        let Ok(response) = RequestTimeoutLayer::new(Duration::from_millis(200))
            .layer(answering_after(delay))
            .oneshot(())
            .await;
        response.status()
    }

    #[tokio::test]
    async fn answers_within_the_limit_pass_and_late_ones_are_408() {
        assert_eq!(status(Duration::ZERO).await, StatusCode::OK);
        assert_eq!(status(Duration::from_millis(20)).await, StatusCode::OK);
        let started = std::time::Instant::now();
        assert_eq!(
            status(Duration::from_secs(30)).await,
            StatusCode::REQUEST_TIMEOUT
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
