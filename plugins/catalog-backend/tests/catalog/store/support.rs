//! Running one test body against a fresh, migrated store on every
//! configured database (see the catalog tests' shared `support` module for
//! which databases, their prefixes and their cleanup).

use backstage_plugin_catalog_backend::store::CatalogStore;

use crate::support::{Database, databases, drop_database, unique_prefix};

/// Runs `body` with a fresh, migrated store on every configured database.
pub(crate) async fn on_every_database<F>(test: &str, body: F)
where
    F: AsyncFn(CatalogStore, &Database) -> anyhow::Result<()>,
{
    for database in databases() {
        let prefix = unique_prefix(test);
        let db = database.catalog_database(&prefix);
        let store = CatalogStore::new(std::sync::Arc::clone(&db));
        let outcome = match store.migrate().await {
            Ok(()) => body(store, &database).await,
            Err(e) => Err(e.into()),
        };
        db.close().await;
        drop_database(&database, &prefix).await;
        if let Err(e) = outcome {
            panic!("{test} on {}: {e:#}", database.name);
        }
    }
}
