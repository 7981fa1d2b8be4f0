//! [`CacheManager`]: the backend's one store connection, handing out a
//! namespaced client per plugin.

use std::sync::Arc;

use backstage_common::config::Config;

use super::config::{CacheSettings, StoreSettings};
use super::guard::Guarded;
use super::memcache::MemcacheStore;
use super::memory::MemoryStore;
use super::redis::RedisStore;
use super::service::{CacheClient, CacheOptions};
use super::store::Store;
use crate::error::BackendError;

/// Holds the store of a backend (one connection or pool, shared by all
/// plugins) and makes each plugin's [`CacheClient`].
///
/// The backend makes one from `backend.cache` (the root service
/// [`CACHE_MANAGER`](super::CACHE_MANAGER)); tools and tests can make their
/// own:
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use backstage_backend::services::cache::{CacheManager, CacheService};
/// use backstage_backend::backstage_core::config::Config;
/// use serde_json::json;
///
/// let manager = CacheManager::from_config(&Config::from_value(json!({})))?;
/// let cache = manager.for_plugin("catalog");
/// cache.set("answer", json!(42), None).await;
/// assert_eq!(cache.get("answer").await, Some(json!(42)));
/// # Ok::<_, backstage_backend::BackendError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct CacheManager {
    store: Arc<Guarded>,
    default_options: CacheOptions,
}

impl CacheManager {
    /// Reads `backend.cache` and prepares the store. Connections are made on
    /// first use, so an unreachable store does not stop the backend (its
    /// calls are misses until it answers).
    pub fn from_config(config: &Config) -> Result<Self, BackendError> {
        let settings = CacheSettings::from_config(config)?;
        let store: Box<dyn Store> = match &settings.store {
            StoreSettings::Memory { max_bytes } => Box::new(MemoryStore::new(*max_bytes)),
            StoreSettings::Redis { url, use_sets } => Box::new(
                RedisStore::new(url, *use_sets, settings.timeout).map_err(|m| {
                    BackendError::ConfigValue(backstage_core::config::ConfigError::Invalid {
                        key: backstage_core::config::ConfigPath::parse_dotted(
                            "backend.cache.connection",
                        ),
                        message: m,
                    })
                })?,
            ),
            StoreSettings::Memcache(target) => Box::new(MemcacheStore::new(target.clone())),
        };
        Ok(Self {
            store: Arc::new(Guarded::new(store, settings.timeout)),
            default_options: CacheOptions {
                default_ttl: settings.default_ttl,
            },
        })
    }

    /// The client of namespace `plugin_id`, with `backend.cache.defaultTtl`.
    pub fn for_plugin(&self, plugin_id: &str) -> CacheClient {
        CacheClient::new(Arc::clone(&self.store), plugin_id, self.default_options)
    }

    /// The store's name: `memory`, `redis` or `memcache`.
    pub fn store_name(&self) -> &'static str {
        self.store.store_name()
    }
}
