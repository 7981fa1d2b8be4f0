//! Errors of the read API, in Backstage's wire format.

use backstage_backend::http::ApiError;

use crate::store::StoreError;

/// A store error as an HTTP error: bad input is a 400, a uid conflict a
/// 409, anything else a 500 that says what failed.
pub(crate) fn from_store(error: StoreError) -> ApiError {
    match &error {
        StoreError::Input(message) => ApiError::input(message.clone()),
        StoreError::Conflict(message) => ApiError::conflict(message.clone()),
        _ => {
            tracing::error!("catalog read failed: {error}");
            ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "Error",
                error.to_string(),
            )
        }
    }
}

/// A 400 for a malformed request parameter.
pub(crate) fn input(what: &str, error: impl std::fmt::Display) -> ApiError {
    ApiError::input(format!("invalid {what}: {error}"))
}
