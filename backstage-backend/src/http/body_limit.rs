//! `backend.server.bodyLimit`: tower-http's request body limit (and axum's
//! own default limit turned off, so that the configured one applies), for
//! requests that have a body.
//!
//! A request whose body is known to be empty (a GET, usually) cannot exceed
//! any limit, so it skips both: no body wrapper, no extension, no boxing of
//! the response body.

use std::task::{Context, Poll};

use axum::body::{Body, HttpBody};
use axum::extract::{DefaultBodyLimit, Request};
use axum::response::Response;
use futures_util::FutureExt;
use futures_util::future::{Either, Map};
use tower::{Layer, Service};
use tower_http::limit::{RequestBodyLimitLayer, ResponseBody};

/// Limits request bodies to `limit` bytes.
#[derive(Clone, Copy)]
pub(crate) struct BodyLimitLayer {
    limit: usize,
}

impl BodyLimitLayer {
    pub(crate) fn new(limit: usize) -> Self {
        Self { limit }
    }
}

impl<S> Layer<S> for BodyLimitLayer {
    type Service = BodyLimit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        BodyLimit {
            inner,
            limit: self.limit,
        }
    }
}

/// The service of [`BodyLimitLayer`].
#[derive(Clone)]
pub(crate) struct BodyLimit<S> {
    inner: S,
    limit: usize,
}

type Limited<S> = <(RequestBodyLimitLayer, DefaultBodyLimit) as Layer<S>>::Service;

type LimitedResult<E> = Result<Response<ResponseBody<Body>>, E>;

fn boxed<E>(result: LimitedResult<E>) -> Result<Response, E> {
    result.map(|response| response.map(Body::new))
}

type Boxed<E> = fn(LimitedResult<E>) -> Result<Response, E>;

/// The future of [`BodyLimit`].
pub(crate) type BodyLimitFuture<S, E> = Either<
    Map<<Limited<S> as Service<Request>>::Future, Boxed<E>>,
    <S as Service<Request>>::Future,
>;

impl<S> Service<Request> for BodyLimit<S>
where
    S: Service<Request, Response = Response> + Clone,
    Limited<S>: Service<Request, Response = Response<ResponseBody<Body>>, Error = S::Error>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BodyLimitFuture<S, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.body().is_end_stream() {
            Either::Right(self.inner.call(request))
        } else {
            // The inner service that was polled ready goes into the limit
            // layers; a clone takes its place.
            let clone = self.inner.clone();
            let ready = std::mem::replace(&mut self.inner, clone);
            let mut limited = (
                RequestBodyLimitLayer::new(self.limit),
                DefaultBodyLimit::disable(),
            )
                .layer(ready);
            let boxed: Boxed<S::Error> = boxed;
            Either::Left(limited.call(request).map(boxed))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::body::Bytes;
    use axum::http::{StatusCode, header};
    use futures_util::future::BoxFuture;
    use tower::{BoxError, ServiceExt};

    use super::*;

    /// Reads the whole body (of any type); 413 when it cannot.
    #[derive(Clone)]
    struct Reading;

    impl<B> Service<axum::http::Request<B>> for Reading
    where
        B: HttpBody<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        type Response = Response;
        type Error = Infallible;
        type Future = BoxFuture<'static, Result<Response, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
            let body = Body::new(request.into_body());
            Box::pin(async move {
                let status = match axum::body::to_bytes(body, usize::MAX).await {
                    Ok(_) => StatusCode::OK,
                    Err(_) => StatusCode::PAYLOAD_TOO_LARGE,
                };
                let mut response = Response::new(Body::empty());
                *response.status_mut() = status;
                Ok(response)
            })
        }
    }

    async fn status(body: &'static str, content_length: bool) -> StatusCode {
        let mut request = Request::new(Body::from(body));
        if content_length {
            request
                .headers_mut()
                .insert(header::CONTENT_LENGTH, body.len().into());
        }
        let Ok(response) = BodyLimitLayer::new(5).layer(Reading).oneshot(request).await;
        response.status()
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused_however_they_come() {
        assert_eq!(status("", false).await, StatusCode::OK);
        assert_eq!(status("01234", true).await, StatusCode::OK);
        assert_eq!(
            status("0123456789", true).await,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            status("0123456789", false).await,
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }
}
