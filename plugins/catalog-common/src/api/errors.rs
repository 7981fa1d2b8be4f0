//! Backstage's error body, returned by every endpoint on failure:
//! `{"error": {"name", "message"}, "request": {"method", "url"},
//! "response": {"statusCode"}}`.

use backstage_common::catalog::JsonObject;
use serde::{Deserialize, Serialize};

/// An error response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The error.
    pub error: SerializedError,
    /// The request that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<ErrorRequest>,
    /// The status sent.
    pub response: ErrorResponseStatus,
}

/// `error` of an [`ErrorResponse`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SerializedError {
    /// The error class, e.g. `NotFoundError`, `InputError`.
    pub name: String,
    /// What went wrong.
    pub message: String,
    /// A stack trace (development servers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// An error code, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Any other keys, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// `request` of an [`ErrorResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorRequest {
    /// The HTTP method.
    pub method: String,
    /// The URL path and query, as received.
    pub url: String,
}

/// `response` of an [`ErrorResponse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponseStatus {
    /// The HTTP status code.
    pub status_code: u16,
}

impl ErrorResponse {
    /// An error body named `name` with the status Backstage uses for that
    /// name (see [`status_for_error_name`]).
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        let name = name.into();
        let status_code = status_for_error_name(&name);
        ErrorResponse {
            error: SerializedError {
                name,
                message: message.into(),
                stack: None,
                code: None,
                extra: JsonObject::new(),
            },
            request: None,
            response: ErrorResponseStatus { status_code },
        }
    }

    /// This body with the failed request's method and URL.
    pub fn with_request(mut self, method: impl Into<String>, url: impl Into<String>) -> Self {
        self.request = Some(ErrorRequest {
            method: method.into(),
            url: url.into(),
        });
        self
    }
}

/// The HTTP status Backstage answers an error of this name with:
/// `InputError` 400, `AuthenticationError` 401, `NotAllowedError` 403,
/// `NotFoundError` 404, `ConflictError` 409, `NotModifiedError` 304,
/// `NotImplementedError` 501, `ServiceUnavailableError` 503, anything
/// else 500.
pub fn status_for_error_name(name: &str) -> u16 {
    match name {
        "InputError" => 400,
        "AuthenticationError" => 401,
        "NotAllowedError" => 403,
        "NotFoundError" => 404,
        "ConflictError" => 409,
        "NotModifiedError" => 304,
        "NotImplementedError" => 501,
        "ServiceUnavailableError" => 503,
        _ => 500,
    }
}
