//! Response compression (gzip, for clients that accept it).
//!
//! tower-http's compression layer wraps every response body and evaluates its
//! predicate even when the request accepts no encoding. A request without
//! `Accept-Encoding` skips it here and gets the same headers: the response
//! carries `Vary: accept-encoding` when it would have been compressed for a
//! client that asked.

use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use futures_util::FutureExt;
use futures_util::future::{Either, Map};
use tower::{Layer, Service};
use tower_http::compression::{
    CompressionBody, CompressionLayer, DefaultPredicate, Predicate, ResponseFuture,
};

/// Compresses responses for clients that accept gzip.
#[derive(Clone, Copy, Default)]
pub(crate) struct CompressLayer;

impl<S> Layer<S> for CompressLayer {
    type Service = Compress<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Compress { inner }
    }
}

/// The service of [`CompressLayer`].
#[derive(Clone)]
pub(crate) struct Compress<S> {
    inner: S,
}

/// Whether a `Vary` value names `accept-encoding` (in any case).
fn names_accept_encoding(value: &HeaderValue) -> bool {
    let wanted = header::ACCEPT_ENCODING.as_str().as_bytes();
    value
        .as_bytes()
        .windows(wanted.len())
        .any(|window| window.eq_ignore_ascii_case(wanted))
}

/// The headers tower-http's layer gives a response it does not compress
/// because the client asked for no encoding.
fn uncompressed<E>(result: Result<Response, E>) -> Result<Response, E> {
    let mut response = result?;
    // The predicate first: for a small body it answers without a header
    // lookup.
    let compressible = DefaultPredicate::new().should_compress(&response)
        && !response.headers().contains_key(header::CONTENT_ENCODING)
        && !response.headers().contains_key(header::CONTENT_RANGE);
    if compressible
        && !response
            .headers()
            .get_all(header::VARY)
            .iter()
            .any(names_accept_encoding)
    {
        response.headers_mut().append(
            header::VARY,
            HeaderValue::from_static(header::ACCEPT_ENCODING.as_str()),
        );
    }
    Ok(response)
}

fn compressed<E>(result: Result<Response<CompressionBody<Body>>, E>) -> Result<Response, E> {
    result.map(|response| response.map(Body::new))
}

type Compressed<E> = fn(Result<Response<CompressionBody<Body>>, E>) -> Result<Response, E>;
type Uncompressed<E> = fn(Result<Response, E>) -> Result<Response, E>;

/// The future of [`Compress`].
pub(crate) type CompressFuture<F, E> =
    Either<Map<ResponseFuture<F, DefaultPredicate>, Compressed<E>>, Map<F, Uncompressed<E>>>;

impl<S> Service<Request> for Compress<S>
where
    S: Service<Request, Response = Response> + Clone,
{
    type Response = Response;
    type Error = S::Error;
    type Future = CompressFuture<S::Future, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.headers().contains_key(header::ACCEPT_ENCODING) {
            // The inner service that was polled ready goes into the
            // compression layer; a clone takes its place.
            let clone = self.inner.clone();
            let ready = std::mem::replace(&mut self.inner, clone);
            let compressed: Compressed<S::Error> = compressed;
            Either::Left(
                CompressionLayer::new()
                    .layer(ready)
                    .call(request)
                    .map(compressed),
            )
        } else {
            let uncompressed: Uncompressed<S::Error> = uncompressed;
            Either::Right(self.inner.call(request).map(uncompressed))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::body::{Bytes, HttpBody};
    use axum::http::HeaderMap;
    use tower::ServiceExt;

    use super::*;

    /// Answers with `size` bytes of `content_type`.
    fn answering(
        size: usize,
        content_type: &'static str,
    ) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send> + Clone {
        tower::service_fn(move |_: Request| async move {
            let mut response = Response::new(Body::from("x".repeat(size)));
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            Ok::<_, Infallible>(response)
        })
    }

    async fn headers_and_body<B>(
        service: impl Service<Request, Response = Response<B>, Error = Infallible>,
        accept_encoding: Option<&'static str>,
    ) -> (HeaderMap, Bytes)
    where
        B: HttpBody<Data = Bytes> + Send + 'static,
        B::Error: Into<tower::BoxError>,
    {
        let mut request = Request::new(Body::empty());
        if let Some(accepted) = accept_encoding {
            request
                .headers_mut()
                .insert(header::ACCEPT_ENCODING, HeaderValue::from_static(accepted));
        }
        let Ok(response) = service.oneshot(request).await;
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(Body::new(body), usize::MAX)
            .await
            .unwrap_or_default();
        (parts.headers, body)
    }

    #[tokio::test]
    async fn without_accept_encoding_the_answer_is_tower_https() {
        for (size, content_type) in [
            (4, "text/plain"),
            (4000, "text/plain"),
            (4000, "image/png"),
            (4000, "text/event-stream"),
        ] {
            let ours = headers_and_body(CompressLayer.layer(answering(size, content_type)), None);
            let theirs = headers_and_body(
                CompressionLayer::new().layer(answering(size, content_type)),
                None,
            );
            let (ours, theirs) = (ours.await, theirs.await);
            assert_eq!(ours, theirs, "{size} bytes of {content_type}");
        }
        let (headers, _) =
            headers_and_body(CompressLayer.layer(answering(4000, "text/plain")), None).await;
        assert_eq!(headers[header::VARY], "accept-encoding");
    }

    #[tokio::test]
    async fn with_accept_encoding_large_answers_are_gzipped() {
        let (headers, body) = headers_and_body(
            CompressLayer.layer(answering(4000, "text/plain")),
            Some("gzip"),
        )
        .await;
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
        assert!(body.len() < 4000 / 4, "{} bytes", body.len());
    }
}
