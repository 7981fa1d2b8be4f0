//! What can go wrong when calling the catalog.

use std::fmt;

use thiserror::Error;

use crate::api::ErrorResponse;
use crate::fields::FieldsError;
use crate::filter::FilterError;

/// An error of [`CatalogClient`](super::CatalogClient).
#[derive(Debug, Error)]
pub enum CatalogClientError {
    /// The base URL given to the client cannot be used.
    #[error("invalid catalog base URL {url:?}: {reason}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client for the catalog: {0}")]
    HttpClient(#[source] reqwest::Error),
    /// The request cannot be expressed (e.g. a filter value with a comma).
    #[error("invalid catalog request: {0}")]
    InvalidRequest(String),
    /// The catalog could not be reached, or the connection broke.
    #[error("{method} {url} failed: {source}")]
    Transport {
        /// The HTTP method.
        method: String,
        /// The full URL.
        url: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The catalog answered with an error status.
    #[error(transparent)]
    Api(Box<CatalogApiError>),
    /// Following `nextCursor` did not end after this many pages; the
    /// catalog is probably handing out a cursor loop.
    #[error("gave up after {pages} pages of entities: the catalog keeps handing out next cursors")]
    TooManyPages {
        /// How many pages were read.
        pages: usize,
    },
    /// The catalog answered with a success status but a body that is not
    /// what the spec promises.
    #[error("cannot read the catalog's {status} answer to {method} {url}: {reason}")]
    Decode {
        /// The HTTP method.
        method: String,
        /// The full URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// What did not fit.
        reason: String,
    },
}

impl From<FilterError> for CatalogClientError {
    fn from(error: FilterError) -> Self {
        CatalogClientError::InvalidRequest(error.to_string())
    }
}

impl From<FieldsError> for CatalogClientError {
    fn from(error: FieldsError) -> Self {
        CatalogClientError::InvalidRequest(error.to_string())
    }
}

impl CatalogClientError {
    /// The API error, when the catalog answered with an error status.
    pub fn api_error(&self) -> Option<&CatalogApiError> {
        match self {
            CatalogClientError::Api(error) => Some(error),
            _ => None,
        }
    }

    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            CatalogClientError::Api(error) => Some(error.status),
            CatalogClientError::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// An error status from the catalog, with Backstage's error name and
/// message (e.g. `InputError`, `NotFoundError`, `ConflictError`).
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogApiError {
    /// The HTTP method of the request.
    pub method: String,
    /// The full URL of the request.
    pub url: String,
    /// The HTTP status.
    pub status: u16,
    /// The error name from the body, or `Error` when the body was not a
    /// Backstage error.
    pub name: String,
    /// The message from the body, or a description of the status and body.
    pub message: String,
    /// The body, when it was a Backstage error body.
    pub body: Option<ErrorResponse>,
}

impl CatalogApiError {
    /// Builds the error from a response's status and body.
    pub(crate) fn from_response(
        method: &str,
        url: &str,
        status: u16,
        reason: &str,
        body: &[u8],
    ) -> Self {
        let parsed = serde_json::from_slice::<ErrorResponse>(body).ok();
        let (name, message) = match &parsed {
            Some(body) => (body.error.name.clone(), body.error.message.clone()),
            None => {
                let text = String::from_utf8_lossy(body);
                let text: String = text.trim().chars().take(200).collect();
                let message = if text.is_empty() {
                    format!("request failed with status {status} {reason}")
                } else {
                    format!("request failed with status {status} {reason}: {text}")
                };
                ("Error".to_owned(), message)
            }
        };
        CatalogApiError {
            method: method.to_owned(),
            url: url.to_owned(),
            status,
            name,
            message,
            body: parsed,
        }
    }

    /// Whether the catalog said 404 Not Found.
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }

    /// Whether the catalog said 409 Conflict (e.g. a location registered
    /// twice).
    pub fn is_conflict(&self) -> bool {
        self.status == 409
    }
}

impl fmt::Display for CatalogApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the catalog answered {} {} with {} {}: {}",
            self.method, self.url, self.status, self.name, self.message
        )
    }
}

impl std::error::Error for CatalogApiError {}
