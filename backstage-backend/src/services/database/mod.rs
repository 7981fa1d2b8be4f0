//! The database service: a logical database per plugin, over sqlx.
//!
//! Each plugin gets its own database (PostgreSQL `database` mode, MySQL),
//! its own schema (PostgreSQL `schema` mode), or its own SQLite file or
//! in-memory database, so plugins migrate and evolve apart. Queries go
//! through one `sqlx::AnyPool` per plugin; [`Dialect`] renders sea-query
//! statements for whichever database is configured, and hand-written SQL can
//! branch on it where the dialects differ.

mod config;
mod dialect;
mod error;
mod migrations;
mod plugin_database;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use backstage_common::config::Config;

pub use dialect::Dialect;
pub use error::DatabaseError;
pub use migrations::{Migration, Migrations};
pub use plugin_database::PluginDatabase;

use crate::service::{ServiceFactory, ServiceRef};
use crate::services::{ROOT_CONFIG, ROOT_LIFECYCLE};

/// Hands out each plugin's database; one per backend.
#[derive(Debug)]
pub struct DatabaseManager {
    config: Arc<Config>,
    instance: String,
}

impl DatabaseManager {
    /// A manager for the databases configured in `backend.database`.
    pub fn new(config: Arc<Config>) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let instance = format!(
            "{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        Self { config, instance }
    }

    /// The database of `plugin_id` (not connected until used).
    pub fn for_plugin(&self, plugin_id: &str) -> Result<PluginDatabase, DatabaseError> {
        let settings = config::resolve(&self.config, plugin_id, &self.instance)?;
        Ok(PluginDatabase::new(plugin_id, settings, &self.instance))
    }
}

/// The database manager (`core.databaseManager`).
pub const DATABASE_MANAGER: ServiceRef<DatabaseManager> = ServiceRef::root("core.databaseManager")
    .with_default(|| {
        ServiceFactory::new(&DATABASE_MANAGER, |ctx| async move {
            let config = ctx.get(&ROOT_CONFIG).await?;
            Ok(Arc::new(DatabaseManager::new(config)))
        })
    });

/// A plugin's database (`core.database`).
pub const DATABASE: ServiceRef<PluginDatabase> =
    ServiceRef::plugin("core.database").with_default(|| {
        ServiceFactory::new(&DATABASE, |ctx| async move {
            let manager = ctx.get(&DATABASE_MANAGER).await?;
            let plugin_id = ctx.plugin_id().unwrap_or_default().to_owned();
            let database = Arc::new(manager.for_plugin(&plugin_id)?);
            // Closed by the root lifecycle, after every plugin's shutdown
            // hooks: those (and the scheduler's) may still need it.
            let lifecycle = ctx.get(&ROOT_LIFECYCLE).await?;
            let closing = Arc::clone(&database);
            let hook = format!("close the database pool of plugin '{plugin_id}'");
            lifecycle.add_shutdown_hook(hook, move || async move {
                closing.close().await;
                Ok(())
            });
            Ok(database)
        })
    });
