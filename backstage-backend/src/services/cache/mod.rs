//! The cache service: a namespace per plugin in a shared store, JSON values
//! with a TTL, and a store outage that is never the plugin's problem.
//!
//! Stores (`backend.cache.store`): `memory` (default), `redis` (also
//! `valkey`) and `memcache`. See the book's chapter "Caching".
//!
//! ```
//! use backstage_backend::BackendPlugin;
//! use backstage_backend::services::cache::{CACHE, CacheServiceExt};
//! use std::time::Duration;
//!
//! let plugin = BackendPlugin::builder("weather").init(|ctx| async move {
//!     let cache = ctx.service(&CACHE).await?;
//!     if cache.get_json::<f64>("oslo").await.is_none() {
//!         cache.set_json("oslo", &4.5, Some(Duration::from_secs(600))).await?;
//!     }
//!     Ok::<_, backstage_backend::BoxError>(())
//! });
//! ```

mod config;
mod guard;
mod key;
mod manager;
mod memcache;
mod memory;
mod redis;
mod service;
mod store;

use std::sync::Arc;

pub(crate) use config::schema;
pub use manager::CacheManager;
pub use service::{CacheClient, CacheOptions, CacheService, CacheServiceExt};

use crate::service::{ServiceFactory, ServiceRef};

/// The backend's cache manager (`core.cache.manager`, root scope): reads
/// `backend.cache` and holds the one store connection all plugins share.
pub const CACHE_MANAGER: ServiceRef<CacheManager> = ServiceRef::root("core.cache.manager")
    .with_default(|| {
        ServiceFactory::new(&CACHE_MANAGER, |ctx| async move {
            let config = ctx.get(&crate::services::ROOT_CONFIG).await?;
            Ok(Arc::new(CacheManager::from_config(&config)?))
        })
    });

/// A plugin's cache (`core.cache`, plugin scope), namespaced by plugin id.
pub const CACHE: ServiceRef<dyn CacheService> =
    ServiceRef::plugin("core.cache").with_default(|| {
        ServiceFactory::new(&CACHE, |ctx| async move {
            let manager = ctx.get(&CACHE_MANAGER).await?;
            let plugin = ctx.plugin_id().unwrap_or("root");
            Ok(Arc::new(manager.for_plugin(plugin)) as Arc<dyn CacheService>)
        })
    });
