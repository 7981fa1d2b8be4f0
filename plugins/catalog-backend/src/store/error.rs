//! The store's error type.

use backstage_backend::services::database::DatabaseError;
use thiserror::Error;

/// What went wrong in the catalog store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The caller's input cannot be stored or queried (an entity without a
    /// kind, a bad limit, ...): a 400 `InputError` over HTTP.
    #[error("{0}")]
    Input(String),
    /// The entity's uid belongs to another entity already: a 409
    /// `ConflictError` over HTTP.
    #[error("{0}")]
    Conflict(String),
    /// The plugin's database could not be reached.
    #[error(transparent)]
    Database(#[from] DatabaseError),
    /// A query failed.
    #[error("catalog store: {context} failed: {source}")]
    Query {
        /// What the store was doing.
        context: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// Stored data could not be read back (a corrupt row).
    #[error("catalog store: stored data is unreadable: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether the caller's input was at fault (HTTP 400).
    pub fn is_input_error(&self) -> bool {
        matches!(self, StoreError::Input(_))
    }

    pub(crate) fn query(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |source| StoreError::Query { context, source }
    }

    /// Whether retrying the whole transaction may succeed: a concurrent
    /// writer took the same new id or ref, or the database chose this
    /// transaction as a deadlock victim.
    pub(crate) fn is_retryable(&self) -> bool {
        let StoreError::Query { source, .. } = self else {
            return false;
        };
        let Some(db) = source.as_database_error() else {
            return false;
        };
        if db.is_unique_violation() {
            return true;
        }
        matches!(
            db.code().as_deref(),
            Some("40001" | "40P01" | "1213" | "1205" | "5" | "6" | "517")
        )
    }
}
