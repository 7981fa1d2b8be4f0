//! The [`CacheService`] a plugin uses, and the namespaced client behind it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::guard::Guarded;
use super::key::namespace_segment;

/// Options for [`CacheService::with_options`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheOptions {
    /// The TTL of values set without one; `None` means they do not expire.
    pub default_ttl: Option<Duration>,
}

/// A plugin's cache: JSON values under string keys, with a TTL, in a
/// namespace of the plugin's own.
///
/// A cache is an optimisation, so these calls never fail and never wait
/// longer than `backend.cache.timeout`: when the store is unreachable, `get`
/// is a miss and writes are dropped (a warning is logged, at most one per
/// interval).
#[async_trait]
pub trait CacheService: Send + Sync + std::fmt::Debug {
    /// The value of `key`, or `None` when absent, expired or unreachable.
    async fn get(&self, key: &str) -> Option<Value>;

    /// Stores `value` under `key` for `ttl` (millisecond granularity), or
    /// for the client's default TTL when `ttl` is `None`. A zero TTL stores
    /// nothing and removes the key.
    async fn set(&self, key: &str, value: Value, ttl: Option<Duration>);

    /// Removes `key`.
    async fn delete(&self, key: &str);

    /// Removes every key of this plugin's namespace (and no other plugin's).
    async fn clear(&self);

    /// A client of the same namespace with other options.
    fn with_options(&self, options: CacheOptions) -> Arc<dyn CacheService>;
}

/// Typed helpers over [`CacheService`].
#[async_trait]
pub trait CacheServiceExt: CacheService {
    /// The value of `key` as a `T`; a value of another shape (written by an
    /// older version of the plugin, say) is a miss.
    async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let value = self.get(key).await?;
        match serde_json::from_value(value) {
            Ok(typed) => Some(typed),
            Err(error) => {
                tracing::debug!(key, %error, "cache: stored value has another shape; a miss");
                None
            }
        }
    }

    /// Stores `value` as JSON; fails only when `value` cannot be serialized.
    async fn set_json<T: Serialize + Sync + ?Sized>(
        &self,
        key: &str,
        value: &T,
        ttl: Option<Duration>,
    ) -> Result<(), serde_json::Error> {
        let value = serde_json::to_value(value)?;
        self.set(key, value, ttl).await;
        Ok(())
    }
}

impl<S: CacheService + ?Sized> CacheServiceExt for S {}

/// The default [`CacheService`]: one plugin's namespace in the backend's
/// shared store.
#[derive(Clone)]
pub struct CacheClient {
    store: Arc<Guarded>,
    /// The plugin id, as given.
    namespace: Arc<str>,
    /// The namespace as a key segment.
    segment: Arc<str>,
    options: CacheOptions,
}

impl std::fmt::Debug for CacheClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheClient")
            .field("store", &self.store.store_name())
            .field("namespace", &self.namespace)
            .field("options", &self.options)
            .finish()
    }
}

impl CacheClient {
    pub(crate) fn new(store: Arc<Guarded>, namespace: &str, options: CacheOptions) -> Self {
        Self {
            store,
            namespace: Arc::from(namespace),
            segment: Arc::from(namespace_segment(namespace)),
            options,
        }
    }

    /// The namespace (the plugin id).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The store's name: `memory`, `redis` or `memcache`.
    pub fn store_name(&self) -> &'static str {
        self.store.store_name()
    }
}

#[async_trait]
impl CacheService for CacheClient {
    async fn get(&self, key: &str) -> Option<Value> {
        self.store.get(&self.segment, key).await
    }

    async fn set(&self, key: &str, value: Value, ttl: Option<Duration>) {
        match ttl.or(self.options.default_ttl) {
            Some(ttl) if ttl.is_zero() => self.store.delete(&self.segment, key).await,
            ttl => self.store.set(&self.segment, key, value, ttl).await,
        }
    }

    async fn delete(&self, key: &str) {
        self.store.delete(&self.segment, key).await;
    }

    async fn clear(&self) {
        self.store.clear(&self.segment).await;
    }

    fn with_options(&self, options: CacheOptions) -> Arc<dyn CacheService> {
        Arc::new(Self {
            options,
            ..self.clone()
        })
    }
}
