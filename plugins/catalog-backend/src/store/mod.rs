//! The catalog's storage and query layer: final entities and a lean filter
//! index, over the plugin's database (SQLite, PostgreSQL or MySQL).
//!
//! # Schema
//!
//! Four tables, created by [`MIGRATIONS`] (part `store` of the plugin's
//! database):
//!
//! | table | columns | keys |
//! |---|---|---|
//! | `catalog_entities` | `id` (small integer), `uid`, `entity_ref` (lowercased `kind:namespace/name`), `hash`, `entity` (the JSON text), `updated_at` (epoch ms) | primary key `id`; unique `uid`; unique `entity_ref` |
//! | `catalog_search_keys` | `id`, `search_key` (lowercased dot path) | primary key `id`; unique `search_key` |
//! | `catalog_search_values` | `id`, `lower_value`, `original_value` (`''` when equal to the lowercased text) | primary key `id`; unique `(lower_value, original_value)` |
//! | `catalog_search` | `key_id`, `value_id` (`0` = no value), `entity_id` | primary key `(key_id, value_id, entity_id)`; `WITHOUT ROWID` on SQLite, clustered on InnoDB |
//!
//! The index holds exactly catalog-common's
//! [search entries](backstage_plugin_catalog_common::search) of each entity
//! (lowercased keys and values, the 200-character rules, array elements,
//! `metadata.tags.java`-style keys, `relations.<type>`), so every SQL query
//! agrees with [`EntityPredicate::matches`].
//!
//! # Why it stays small
//!
//! Backstage's `search` table repeats the key text, the value text and the
//! original value, plus a UUID entity id, in every row, and indexes them
//! again: tens of millions of wide rows at a quarter million entities. Here
//! every distinct key and every distinct value is stored **once**, in a
//! dictionary, and a posting is three small integers. A posting is a single
//! B-tree entry (the table *is* its primary-key index: `WITHOUT ROWID` on
//! SQLite, InnoDB's clustered key), about 8–12 bytes on SQLite. The keys
//! that repeat on every entity (`kind`, `spec.type`, `spec.lifecycle`,
//! owners, tags, relation targets) cost one dictionary row for all entities.
//!
//! There is deliberately **no** per-entity index on the postings: an
//! update or delete recomputes the entity's old entries from its stored
//! JSON and touches exactly those primary keys (updates write only the
//! difference), so the index is one B-tree, not two. (If the flattening
//! rules ever change, [`CatalogStore::rebuild_index`] rewrites the index
//! from the stored entities.)
//!
//! The primary-key order `(key_id, value_id, entity_id)` serves every
//! filter: equality and `$in` are point ranges on `(key, value)`, `$exists`
//! is a range on `key`, `$hasPrefix` resolves the matching values through
//! the `(lower_value, …)` index first, and a facet is a `GROUP BY value_id`
//! over one key's range. Dictionary ids are resolved up front, so the SQL
//! that runs compares integers only. Dictionary rows are only ever added,
//! so the ids a committed transaction (or a query) read from the database
//! stay right for good: the store keeps a bounded set of them, and the
//! texts every write repeats (kinds, owners, systems, tags, keys) are not
//! looked up again and again.
//!
//! The benchmark `cargo bench -p backstage-plugin-catalog-backend --bench
//! store` prints row counts, sizes and query plans at 100,000 entities.
//!
//! # Use
//!
//! ```no_run
//! # async fn demo(db: std::sync::Arc<backstage_backend::services::database::PluginDatabase>)
//! # -> Result<(), Box<dyn std::error::Error>> {
//! use backstage_plugin_catalog_backend::store::{CatalogStore, EntityQuery};
//! use backstage_plugin_catalog_common::EntityPredicate;
//! use serde_json::json;
//!
//! let store = CatalogStore::new(db);
//! store.migrate().await?;
//! store.write_entity(&json!({
//!     "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
//!     "metadata": {"name": "web"}, "spec": {"type": "website"}
//! })).await?;
//! let page = store
//!     .query_entities(&EntityQuery::filtered(EntityPredicate::eq("spec.type", "website")))
//!     .await?;
//! assert_eq!(page.items.len(), 1);
//! # Ok(()) }
//! ```

mod dict;
mod entries;
mod error;
mod query;
mod schema;
mod version;
mod write;

use std::sync::Arc;

use backstage_backend::services::database::{Dialect, PluginDatabase};
use sea_query::{Expr, ExprTrait, Query};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, AssertSqlSafe, Row};

pub use error::StoreError;
pub use query::{
    EntityPage, EntityQuery, FacetCount, FullTextQuery, MAX_LIMIT, PageEntity, PagePosition,
    SortPosition,
};
pub use schema::MIGRATIONS;
pub use write::{PreparedEntity, WriteKind, WriteResult};

use crate::statement_chunks::StatementChunks;
use schema::{ENTITIES, KEYS, POSTINGS, VALUES};

/// The catalog's final entities and their filter index, in the plugin's
/// database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct CatalogStore {
    db: Arc<PluginDatabase>,
    known: Arc<version::KnownVersion>,
    /// Dictionary ids kept across transactions.
    ids: Arc<dict::KnownIds>,
}

/// An entity as stored: its identity and its JSON text, ready to be spliced
/// into a response without re-parsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntity {
    /// `metadata.uid`.
    pub uid: String,
    /// The lowercased `kind:namespace/name`.
    pub entity_ref: String,
    /// `metadata.etag` (the hash of the content).
    pub etag: String,
    /// The entity's JSON.
    pub json: String,
}

impl CatalogStore {
    /// A store over `db`; call [`migrate`](Self::migrate) before using it.
    pub fn new(db: Arc<PluginDatabase>) -> Self {
        Self {
            db,
            known: Arc::default(),
            ids: Arc::default(),
        }
    }

    /// Creates or updates the store's tables: [`MIGRATIONS`], recorded as
    /// the database part `store` (a migrations table of its own, so the
    /// plugin's other tables migrate apart).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.db.migrate_part("store", &MIGRATIONS).await?;
        self.refresh_version().await?;
        Ok(())
    }

    /// The database the store is in.
    pub fn database(&self) -> &Arc<PluginDatabase> {
        &self.db
    }

    /// The database's dialect.
    pub fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    pub(crate) async fn pool(&self) -> Result<&AnyPool, StoreError> {
        Ok(self.db.pool().await?)
    }

    /// The entity with this ref (`kind:namespace/name`, any case).
    pub async fn entity_by_ref(
        &self,
        entity_ref: &str,
    ) -> Result<Option<StoredEntity>, StoreError> {
        let refs = [entity_ref.to_owned()];
        Ok(self.entities_by_refs(&refs).await?.pop().flatten())
    }

    /// The entity with this `metadata.uid`.
    pub async fn entity_by_uid(&self, uid: &str) -> Result<Option<StoredEntity>, StoreError> {
        let select = Query::select()
            .columns(["uid", "entity_ref", "hash", "entity"])
            .from(ENTITIES)
            .and_where(Expr::col("uid").eq(uid))
            .to_owned();
        let (sql, values) = self.dialect().build(&select);
        let row = sqlx::query_with(AssertSqlSafe(sql), values)
            .fetch_optional(self.pool().await?)
            .await
            .map_err(StoreError::query("reading an entity by uid"))?;
        row.as_ref().map(stored_entity).transpose()
    }

    /// The entities with these refs, in the order asked, `None` where there
    /// is none. Refs compare case-insensitively.
    pub async fn entities_by_refs(
        &self,
        entity_refs: &[String],
    ) -> Result<Vec<Option<StoredEntity>>, StoreError> {
        let wanted: Vec<String> = entity_refs.iter().map(|r| lowercase(r)).collect();
        let mut found = std::collections::HashMap::new();
        let pool = self.pool().await?;
        let mut unique: Vec<&String> = wanted.iter().collect();
        unique.sort();
        unique.dedup();
        for chunk in unique.statement_chunks(500) {
            let select = Query::select()
                .columns(["uid", "entity_ref", "hash", "entity"])
                .from(ENTITIES)
                .and_where(Expr::col("entity_ref").is_in(chunk.iter().map(|r| r.as_str())))
                .to_owned();
            let (sql, values) = self.dialect().build(&select);
            let rows = sqlx::query_with(AssertSqlSafe(sql), values)
                .fetch_all(pool)
                .await
                .map_err(StoreError::query("reading entities by ref"))?;
            for row in &rows {
                let entity = stored_entity(row)?;
                found.insert(entity.entity_ref.clone(), entity);
            }
        }
        Ok(wanted.iter().map(|r| found.get(r).cloned()).collect())
    }

    /// The row counts of the store's tables (for monitoring and the
    /// benchmark).
    pub async fn index_stats(&self) -> Result<IndexStats, StoreError> {
        let pool = self.pool().await?;
        let mut counts = [0u64; 4];
        for (slot, table) in counts.iter_mut().zip([ENTITIES, KEYS, VALUES, POSTINGS]) {
            let select = Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(table)
                .to_owned();
            let (sql, values) = self.dialect().build(&select);
            let n: i64 = sqlx::query_scalar_with(AssertSqlSafe(sql), values)
                .fetch_one(pool)
                .await
                .map_err(StoreError::query("counting index rows"))?;
            *slot = u64::try_from(n).unwrap_or(0);
        }
        let [entities, keys, values, postings] = counts;
        Ok(IndexStats {
            entities,
            keys,
            values,
            postings,
        })
    }

    /// How many entities are stored.
    pub async fn entity_count(&self) -> Result<u64, StoreError> {
        let select = Query::select()
            .expr(Expr::col("id").count())
            .from(ENTITIES)
            .to_owned();
        let (sql, values) = self.dialect().build(&select);
        let n: i64 = sqlx::query_scalar_with(AssertSqlSafe(sql), values)
            .fetch_one(self.pool().await?)
            .await
            .map_err(StoreError::query("counting entities"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Row counts of the store's tables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IndexStats {
    /// Rows of `catalog_entities`.
    pub entities: u64,
    /// Rows of the key dictionary.
    pub keys: u64,
    /// Rows of the value dictionary.
    pub values: u64,
    /// Postings (index rows).
    pub postings: u64,
}

fn stored_entity(row: &AnyRow) -> Result<StoredEntity, StoreError> {
    Ok(StoredEntity {
        uid: text(row, 0)?,
        entity_ref: text(row, 1)?,
        etag: text(row, 2)?,
        json: text(row, 3)?,
    })
}

/// Lowercases the way entity refs are compared.
pub(crate) fn lowercase(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// A text column (MySQL sends the VARBINARY dictionaries as bytes).
pub(crate) fn text(row: &AnyRow, index: usize) -> Result<String, StoreError> {
    match row.try_get::<String, _>(index) {
        Ok(text) => Ok(text),
        Err(first) => {
            let bytes: Vec<u8> = row
                .try_get(index)
                .map_err(|_| StoreError::Corrupt(format!("column {index}: {first}")))?;
            String::from_utf8(bytes)
                .map_err(|e| StoreError::Corrupt(format!("column {index} is not UTF-8: {e}")))
        }
    }
}

/// A nullable text column.
pub(crate) fn opt_text(row: &AnyRow, index: usize) -> Result<Option<String>, StoreError> {
    match row.try_get::<Option<String>, _>(index) {
        Ok(text) => Ok(text),
        Err(first) => {
            let bytes: Option<Vec<u8>> = row
                .try_get(index)
                .map_err(|_| StoreError::Corrupt(format!("column {index}: {first}")))?;
            bytes
                .map(String::from_utf8)
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("column {index} is not UTF-8: {e}")))
        }
    }
}
