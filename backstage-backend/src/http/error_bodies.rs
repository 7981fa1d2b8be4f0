//! The layer that gives error responses their body in Backstage's wire
//! format, with the request's method and URL.
//!
//! A successful response passes through untouched: the layer keeps the
//! request's method and URI (no allocation for the standard methods; the URI
//! shares its bytes) and looks at the response's status and extensions.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::Response;
use futures_util::future::BoxFuture;
use tower::{Layer, Service};

use super::error::{ApiError, name_for};

/// How much of a plain-text error body becomes the message.
const MAX_PLAIN_TEXT: usize = 4096;

/// Renders the body of a response that carries an [`ApiError`], adding the
/// request's method and URL. Also turns the plain-text answers of framework
/// layers (body limit, timeout) and of axum's own rejections under `/api`
/// into the wire format.
#[derive(Clone, Copy, Default)]
pub(crate) struct ErrorBodiesLayer;

impl<S> Layer<S> for ErrorBodiesLayer {
    type Service = ErrorBodies<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ErrorBodies { inner }
    }
}

/// The service of [`ErrorBodiesLayer`].
#[derive(Clone)]
pub(crate) struct ErrorBodies<S> {
    inner: S,
}

/// The request an error body names.
struct RequestLine {
    method: Method,
    uri: Uri,
}

impl RequestLine {
    fn url(&self) -> &str {
        self.uri
            .path_and_query()
            .map_or_else(|| self.uri.path(), |pq| pq.as_str())
    }

    fn render(&self, error: &ApiError, original: &Response) -> Response {
        let mut rendered = error.to_wire_response(self.method.as_str(), self.url());
        for (name, value) in original.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                rendered.headers_mut().insert(name.clone(), value.clone());
            }
        }
        rendered
    }
}

/// What a response needs.
enum Completion {
    /// Nothing: a success, or an error that already has a JSON body.
    None,
    /// A body for this error.
    Render(ApiError),
    /// A body made from its own plain-text body.
    FromPlainText,
}

fn completion(response: &mut Response, request: &RequestLine) -> Completion {
    if let Some(error) = response.extensions_mut().remove::<ApiError>() {
        return Completion::Render(error);
    }
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Completion::None;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    match status {
        _ if is_json => Completion::None,
        StatusCode::PAYLOAD_TOO_LARGE => Completion::Render(ApiError::payload_too_large(
            "the request body is larger than backend.server.bodyLimit allows",
        )),
        StatusCode::REQUEST_TIMEOUT => Completion::Render(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailableError",
            "the request took longer than backend.server.requestTimeout",
        )),
        // Plain-text errors under /api (axum's own rejections: a bad JSON
        // body, a path parameter that does not parse...) get the wire format
        // too, with their text as the message.
        _ if request.uri.path().starts_with("/api/") => Completion::FromPlainText,
        _ => Completion::None,
    }
}

async fn from_plain_text(response: Response, request: RequestLine) -> Response {
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_PLAIN_TEXT)
        .await
        .unwrap_or_default();
    let message = String::from_utf8_lossy(&text).trim().to_owned();
    let error = ApiError::new(parts.status, name_for(parts.status), message);
    request.render(&error, &Response::from_parts(parts, Body::empty()))
}

/// The future of [`ErrorBodies`]: the inner answer, completed.
pub(crate) struct ErrorBodiesFuture<F> {
    inner: F,
    /// Until the inner answer is there.
    request: Option<RequestLine>,
    /// A plain-text error whose body is being read.
    reading: Option<BoxFuture<'static, Response>>,
}

impl<F, E> Future for ErrorBodiesFuture<F>
where
    F: Future<Output = Result<Response, E>> + Unpin,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(reading) = &mut this.reading {
            return reading.as_mut().poll(cx).map(Ok);
        }
        let mut response = match ready!(Pin::new(&mut this.inner).poll(cx)) {
            Ok(response) => response,
            Err(e) => return Poll::Ready(Err(e)),
        };
        let Some(request) = this.request.take() else {
            return Poll::Ready(Ok(response));
        };
        match completion(&mut response, &request) {
            Completion::None => Poll::Ready(Ok(response)),
            Completion::Render(error) => Poll::Ready(Ok(request.render(&error, &response))),
            Completion::FromPlainText => {
                let reading = this
                    .reading
                    .insert(Box::pin(from_plain_text(response, request)));
                reading.as_mut().poll(cx).map(Ok)
            }
        }
    }
}

impl<S> Service<Request> for ErrorBodies<S>
where
    S: Service<Request, Response = Response>,
    S::Future: Unpin,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ErrorBodiesFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let line = RequestLine {
            method: request.method().clone(),
            uri: request.uri().clone(),
        };
        ErrorBodiesFuture {
            inner: self.inner.call(request),
            request: Some(line),
            reading: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::response::IntoResponse;
    use serde_json::{Value, json};
    use tower::ServiceExt;

    use super::*;

    async fn answer(uri: &str, response: fn() -> Response) -> (StatusCode, axum::body::Bytes) {
        let inner = tower::service_fn(move |_: Request| {
            std::future::ready(Ok::<_, Infallible>(response()))
        });
        let request = axum::http::Request::post(uri)
            .body(Body::empty())
            .unwrap_or_default();
        let Ok(response) = ErrorBodiesLayer.layer(inner).oneshot(request).await;
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        (status, body)
    }

    fn json(body: &[u8]) -> Value {
        serde_json::from_slice(body).unwrap_or_default()
    }

    #[tokio::test]
    async fn successes_pass_untouched() {
        let (status, body) = answer("/api/x/y", || "pong".into_response()).await;
        assert_eq!((status, body.as_ref()), (StatusCode::OK, b"pong".as_ref()));
    }

    #[tokio::test]
    async fn api_errors_get_the_wire_format_with_the_request() {
        let (status, body) = answer("/api/x/y?z=1", || {
            ApiError::not_found("no y").into_response()
        })
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            json(&body),
            json!({
                "error": {"name": "NotFoundError", "message": "no y"},
                "request": {"method": "POST", "url": "/api/x/y?z=1"},
                "response": {"statusCode": 404}
            })
        );
    }

    #[tokio::test]
    async fn framework_answers_are_completed() {
        let (status, body) =
            answer("/anything", || StatusCode::REQUEST_TIMEOUT.into_response()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(json(&body)["error"]["name"], "ServiceUnavailableError");
        let (status, body) = answer("/api/x/y", || {
            (StatusCode::BAD_REQUEST, "bad path").into_response()
        })
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(json(&body)["error"]["message"], "bad path");
        let (status, body) = answer("/page", || {
            (StatusCode::BAD_REQUEST, "bad page").into_response()
        })
        .await;
        assert_eq!(
            (status, body.as_ref()),
            (StatusCode::BAD_REQUEST, b"bad page".as_ref())
        );
    }
}
