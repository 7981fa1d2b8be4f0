//! Panic isolation: a handler that panics answers 500 (in the wire format,
//! through the error-bodies layer) and the server keeps serving.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::http::{Response, StatusCode};
use tower::{Layer, Service};

use super::error::ApiError;

/// Catches panics of the inner service, in `call` and while its future runs.
#[derive(Clone, Copy, Default)]
pub(crate) struct CatchPanicLayer;

impl<S> Layer<S> for CatchPanicLayer {
    type Service = CatchPanic<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CatchPanic { inner }
    }
}

/// The service of [`CatchPanicLayer`].
#[derive(Clone)]
pub(crate) struct CatchPanic<S> {
    inner: S,
}

/// An empty 500 that carries its [`ApiError`], for the error-bodies layer to
/// render.
fn panicked<B: Default>() -> Response<B> {
    tracing::error!("a request handler panicked; the request was answered with 500");
    let mut response = Response::new(B::default());
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.extensions_mut().insert(ApiError::internal(
        "the server could not complete the request",
    ));
    response
}

/// The future of [`CatchPanic`]: the inner future, or a 500 if it (or the
/// inner service's `call`) panicked.
pub(crate) struct CatchPanicFuture<F> {
    /// `None` once the inner service or future panicked.
    inner: Option<F>,
}

impl<F, B, E> Future for CatchPanicFuture<F>
where
    F: Future<Output = Result<Response<B>, E>> + Unpin,
    B: Default,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let Some(inner) = &mut this.inner else {
            return Poll::Ready(Ok(panicked()));
        };
        match std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(polled) => polled,
            Err(_) => {
                this.inner = None;
                Poll::Ready(Ok(panicked()))
            }
        }
    }
}

impl<S, R, B> Service<R> for CatchPanic<S>
where
    S: Service<R, Response = Response<B>>,
    S::Future: Unpin,
    B: Default,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = CatchPanicFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let inner = std::panic::catch_unwind(AssertUnwindSafe(|| self.inner.call(request))).ok();
        CatchPanicFuture { inner }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::body::Body;
    use futures_util::future::BoxFuture;
    use tower::ServiceExt;

    use super::*;

    type Answer = BoxFuture<'static, Result<Response<Body>, Infallible>>;

    async fn status(
        service: impl Service<(), Response = Response<Body>, Error = Infallible, Future: Unpin>,
    ) -> (StatusCode, bool) {
        let Ok(response) = CatchPanicLayer.layer(service).oneshot(()).await;
        let carries_error = response.extensions().get::<ApiError>().is_some();
        (response.status(), carries_error)
    }

    fn fails_while_answering(_: ()) -> Answer {
        Box::pin(async { panic!("handler bug") })
    }

    fn fails_when_called(_: ()) -> Answer {
        panic!("service bug")
    }

    fn answers(_: ()) -> Answer {
        Box::pin(async { Ok(Response::new(Body::empty())) })
    }

    #[tokio::test]
    async fn panics_become_500s_that_carry_their_error() {
        assert_eq!(
            status(tower::service_fn(answers)).await,
            (StatusCode::OK, false)
        );
        assert_eq!(
            status(tower::service_fn(fails_while_answering)).await,
            (StatusCode::INTERNAL_SERVER_ERROR, true)
        );
        assert_eq!(
            status(tower::service_fn(fails_when_called)).await,
            (StatusCode::INTERNAL_SERVER_ERROR, true)
        );
    }
}
