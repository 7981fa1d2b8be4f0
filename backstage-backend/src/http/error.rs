//! Errors over HTTP, in Backstage's wire format.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error a handler returns; rendered as
/// `{"error":{"name","message"},"request":{"method","url"},"response":{"statusCode"}}`.
///
/// ```
/// use backstage_backend::http::ApiError;
/// use axum::http::StatusCode;
///
/// let err = ApiError::not_found("no entity named 'x'");
/// assert_eq!(err.status(), StatusCode::NOT_FOUND);
/// assert_eq!(err.name(), "NotFoundError");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    name: String,
    message: String,
}

impl ApiError {
    /// An error with any status and name.
    pub fn new(status: StatusCode, name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            name: name.into(),
            message: message.into(),
        }
    }

    /// 400 `InputError`: the request is malformed.
    pub fn input(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InputError", message)
    }

    /// 401 `AuthenticationError`: no or a bad credential.
    pub fn authentication(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "AuthenticationError", message)
    }

    /// 403 `NotAllowedError`.
    pub fn not_allowed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "NotAllowedError", message)
    }

    /// 404 `NotFoundError`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFoundError", message)
    }

    /// 409 `ConflictError`.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "ConflictError", message)
    }

    /// 413 `PayloadTooLargeError`.
    pub fn payload_too_large(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLargeError",
            message,
        )
    }

    /// 503 `ServiceUnavailableError`.
    pub fn service_unavailable(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailableError",
            message,
        )
    }

    /// 500 `Error`: something broke on the server. The message should not
    /// reveal internals.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Error", message)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The error name, e.g. `NotFoundError`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl std::error::Error for ApiError {}

#[derive(Serialize)]
struct WireError<'a> {
    error: WireErrorInner<'a>,
    request: WireRequest<'a>,
    response: WireResponse,
}

#[derive(Serialize)]
struct WireErrorInner<'a> {
    name: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct WireRequest<'a> {
    method: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireResponse {
    status_code: u16,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // The body is completed with the request by `ErrorBodiesLayer`;
        // until then the error travels as an extension.
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// The Backstage error name for a status.
pub(crate) fn name_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST
        | StatusCode::UNPROCESSABLE_ENTITY
        | StatusCode::UNSUPPORTED_MEDIA_TYPE => "InputError",
        StatusCode::UNAUTHORIZED => "AuthenticationError",
        StatusCode::FORBIDDEN => "NotAllowedError",
        StatusCode::NOT_FOUND => "NotFoundError",
        StatusCode::CONFLICT => "ConflictError",
        StatusCode::PAYLOAD_TOO_LARGE => "PayloadTooLargeError",
        StatusCode::SERVICE_UNAVAILABLE => "ServiceUnavailableError",
        _ => "Error",
    }
}

impl ApiError {
    /// The error in the wire format, for a request with `method` and `url`
    /// (path and query).
    pub(crate) fn to_wire_response(&self, method: &str, url: &str) -> Response {
        let body = WireError {
            error: WireErrorInner {
                name: &self.name,
                message: &self.message,
            },
            request: WireRequest { method, url },
            response: WireResponse {
                status_code: self.status.as_u16(),
            },
        };
        let mut rendered = (
            self.status,
            serde_json::to_string(&body).unwrap_or_default(),
        )
            .into_response();
        rendered.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        rendered
    }
}
