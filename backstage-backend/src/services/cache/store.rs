//! What a cache store implements. Stores see a namespace (the plugin's,
//! already encoded as a key segment) and the caller's key; they report
//! failures, and the guard around them turns failures into misses.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

/// A store operation failed: the store is unreachable, slow or refused the
/// command. The guard logs it (rate-limited) and degrades.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct StoreError(pub(crate) String);

impl StoreError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl From<redis::RedisError> for StoreError {
    fn from(error: redis::RedisError) -> Self {
        Self(error.to_string())
    }
}

impl From<async_memcached::Error> for StoreError {
    fn from(error: async_memcached::Error) -> Self {
        Self(error.to_string())
    }
}

/// A place to keep cached values, shared by every plugin of a backend.
#[async_trait]
pub(crate) trait Store: Send + Sync + 'static {
    /// The store's name for messages: `memory`, `redis`, `memcache`.
    fn name(&self) -> &'static str;

    /// The value of `key` in namespace `ns`, if present and not expired.
    async fn get(&self, ns: &str, key: &str) -> Result<Option<Value>, StoreError>;

    /// Stores `value`; `ttl` is `None` for no expiry, otherwise non-zero.
    async fn set(
        &self,
        ns: &str,
        key: &str,
        value: Value,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError>;

    /// Removes `key` (no error when absent).
    async fn delete(&self, ns: &str, key: &str) -> Result<(), StoreError>;

    /// Removes every key of namespace `ns`, and only those.
    async fn clear(&self, ns: &str) -> Result<(), StoreError>;

    /// Forgets connections after a failure, so the next call starts afresh.
    fn reset(&self) {}
}

/// Parses a stored value; a value that is not JSON (written by something
/// else, or truncated) is a miss.
pub(crate) fn decode(bytes: &[u8]) -> Option<Value> {
    match serde_json::from_slice(bytes) {
        Ok(value) => Some(value),
        Err(error) => {
            tracing::debug!(%error, "cache: a stored value is not JSON; treating it as a miss");
            None
        }
    }
}
