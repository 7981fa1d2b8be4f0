//! Who emitted whom: the parent links of the processing engine, read for
//! the ancestry endpoint.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use backstage_backend::services::database::PluginDatabase;
use sea_query::{Expr, ExprTrait, Query};
use sqlx::{AssertSqlSafe, Row};

use super::EngineError;
use super::batch::CHUNK;
use super::schema::REFERENCES;
use super::state::key_of;
use crate::statement_chunks::StatementChunks;

/// One entity of an ancestry and the entities whose processing emitted it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AncestryLink {
    /// The entity's ref, lowercased.
    pub entity_ref: String,
    /// The refs of its parents (lowercased, sorted, no duplicates). Empty
    /// for a root, which came from config or a provider rather than from
    /// another entity.
    pub parent_refs: Vec<String>,
}

/// Read-only access to the engine's parent links. Cheap to clone.
///
/// Every entity emitted while processing another (the entities a `Location`
/// entity read from its targets) is linked to that parent; the roots — the
/// `Location` entities of `catalog.locations`, and entities of providers —
/// are linked to their source instead, which is not an entity.
#[derive(Clone, Debug)]
pub struct Lineage {
    db: Arc<PluginDatabase>,
}

impl Lineage {
    /// Reads the links of the engine whose tables are in `db` (migrated by
    /// [`ProcessingEngine::migrate`](super::ProcessingEngine::migrate)).
    pub fn new(db: Arc<PluginDatabase>) -> Self {
        Self { db }
    }

    /// `entity_ref` (any case) and all of its ancestors, transitively up to
    /// the roots: the entity first, then its ancestors breadth first, each
    /// once, with its own parents. An entity the engine does not know comes
    /// back alone, without parents. Links that loop back are followed only
    /// once, so a cycle ends the walk instead of running forever.
    pub async fn ancestry(&self, entity_ref: &str) -> Result<Vec<AncestryLink>, EngineError> {
        let root = key_of(entity_ref);
        let mut seen = HashSet::from([root.clone()]);
        let mut links = Vec::new();
        let mut frontier = vec![root];
        while !frontier.is_empty() {
            let parents = self.parents_of(&frontier).await?;
            let mut next = Vec::new();
            for entity_ref in frontier {
                let parent_refs: Vec<String> = parents
                    .get(&entity_ref)
                    .map(|set| set.iter().cloned().collect())
                    .unwrap_or_default();
                for parent in &parent_refs {
                    if seen.insert(parent.clone()) {
                        next.push(parent.clone());
                    }
                }
                links.push(AncestryLink {
                    entity_ref,
                    parent_refs,
                });
            }
            frontier = next;
        }
        Ok(links)
    }

    /// The parent entities of each of `targets` (lowercased refs).
    async fn parents_of(
        &self,
        targets: &[String],
    ) -> Result<BTreeMap<String, BTreeSet<String>>, EngineError> {
        let dialect = self.db.dialect();
        let pool = self.db.pool().await?;
        let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for chunk in targets.statement_chunks(CHUNK) {
            let select = Query::select()
                .columns(["target_entity_ref", "source_entity_ref"])
                .from(REFERENCES)
                .and_where(Expr::col("source_entity_ref").is_not_null())
                .and_where(Expr::col("target_entity_ref").is_in(chunk.iter().map(String::as_str)))
                .to_owned();
            let (sql, values) = dialect.build(&select);
            let query = sqlx::query_with(AssertSqlSafe(sql), values);
            for row in query.fetch_all(pool).await? {
                let target: String = row.try_get(0)?;
                let source: String = row.try_get(1)?;
                parents.entry(target).or_default().insert(source);
            }
        }
        Ok(parents)
    }
}
