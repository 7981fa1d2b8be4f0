//! The core services every backend provides, each with a default factory an
//! integrator may replace.
//!
//! | ref | id | scope |
//! |---|---|---|
//! | [`ROOT_CONFIG`] | `core.rootConfig` | root |
//! | [`ROOT_LOGGER`] / [`LOGGER`] | `core.rootLogger` / `core.logger` | root / plugin |
//! | [`ROOT_HTTP_ROUTER`] / [`HTTP_ROUTER`] | `core.rootHttpRouter` / `core.httpRouter` | root / plugin |
//! | [`ROOT_LIFECYCLE`] / [`LIFECYCLE`] | `core.rootLifecycle` / `core.lifecycle` | root / plugin |
//! | [`DISCOVERY`] | `core.discovery` | root |
//! | [`AUTH`] | `core.auth` | plugin |
//! | [`ROOT_HEALTH`] | `core.rootHealth` | root |
//! | [`PLUGIN_METADATA`] | `core.pluginMetadata` | plugin |
//! | [`CACHE`] / [`cache::CACHE_MANAGER`] | `core.cache` / `core.cache.manager` | plugin / root |
//! | [`database::DATABASE`] / [`database::DATABASE_MANAGER`] | `core.database` / `core.databaseManager` | plugin / root |
//! | [`SCHEDULER`] | `core.scheduler` | plugin |
//! | [`URL_READER`] | `core.urlReader` | plugin |

pub mod auth;
pub mod cache;
mod config;
pub mod database;
mod discovery;
mod health;
mod http_router;
mod lifecycle;
mod logger;
mod plugin_metadata;
pub mod scheduler;
pub mod url_reader;

pub use auth::{AUTH, AuthService, Credentials};
pub use cache::{CACHE, CacheService};
pub use config::ROOT_CONFIG;
pub use discovery::{DISCOVERY, DiscoveryService, HostDiscovery};
pub use health::{Health, HealthStatus, ROOT_HEALTH};
pub use http_router::{
    Access, AuthPolicy, HTTP_ROUTER, HttpRouter, ROOT_HTTP_ROUTER, RootHttpRouter,
};
pub use lifecycle::{LIFECYCLE, Lifecycle, ROOT_LIFECYCLE};
pub(crate) use logger::init_tracing;
pub use logger::{LOGGER, Logger, ROOT_LOGGER};
pub use plugin_metadata::{PLUGIN_METADATA, PluginMetadata};
pub use scheduler::{SCHEDULER, SchedulerService};
pub use url_reader::{URL_READER, UrlReaderService};
