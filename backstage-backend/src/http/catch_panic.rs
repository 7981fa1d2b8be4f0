//! Panic isolation: a handler that panics answers 500 (in the wire format,
//! through the error-bodies layer) and the server keeps serving.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::task::{Context, Poll};

use axum::http::{Response, StatusCode};
use futures_util::FutureExt;
use futures_util::future::{CatchUnwind, Either, Map, Ready, ready};
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

type Outcome<B, E> = Result<Response<B>, E>;

fn recover<B: Default, E>(
    outcome: Result<Outcome<B, E>, Box<dyn Any + Send + 'static>>,
) -> Outcome<B, E> {
    outcome.unwrap_or_else(|_| Ok(panicked()))
}

/// The future of [`CatchPanic`].
pub(crate) type CatchPanicFuture<F, B, E> = Either<
    Ready<Outcome<B, E>>,
    Map<
        CatchUnwind<AssertUnwindSafe<F>>,
        fn(Result<Outcome<B, E>, Box<dyn Any + Send + 'static>>) -> Outcome<B, E>,
    >,
>;

impl<S, R, B> Service<R> for CatchPanic<S>
where
    S: Service<R, Response = Response<B>>,
    B: Default,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = CatchPanicFuture<S::Future, B, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        match std::panic::catch_unwind(AssertUnwindSafe(|| self.inner.call(request))) {
            Ok(future) => {
                let recover: fn(_) -> _ = recover;
                Either::Right(AssertUnwindSafe(future).catch_unwind().map(recover))
            }
            Err(_) => Either::Left(ready(Ok(panicked()))),
        }
    }
}
