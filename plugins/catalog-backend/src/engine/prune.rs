//! Deleting entities from the engine and the store: entities left without
//! any reference (orphans, or what a removed location or provider owned),
//! transitively down to their children, and single entities deleted
//! through the API.

use std::collections::BTreeSet;
use std::sync::Arc;

use backstage_backend::services::database::{Dialect, PluginDatabase};
use sea_query::{Expr, ExprTrait, Query};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::EngineError;
use super::batch::{CHUNK, execute, fetch_strings};
use super::schema::{CONFLICTS, REFERENCES, REFRESH_KEYS, RELATIONS, STATE};
use crate::statement_chunks::StatementChunks;
use crate::store::CatalogStore;

/// Of `refs`, those some reference (from an entity or a source) points at.
pub(crate) async fn referenced(
    conn: &mut AnyConnection,
    dialect: Dialect,
    refs: &[String],
) -> Result<BTreeSet<String>, EngineError> {
    let mut out = BTreeSet::new();
    for chunk in refs.statement_chunks(CHUNK) {
        let select = Query::select()
            .distinct()
            .column("target_entity_ref")
            .from(REFERENCES)
            .and_where(Expr::col("target_entity_ref").is_in(chunk.iter().map(String::as_str)))
            .to_owned();
        out.extend(fetch_strings(conn, dialect, &select).await?);
    }
    Ok(out)
}

/// What deleting some entities' engine rows left to do.
#[derive(Debug, Default)]
struct Removed {
    /// Their children (the entities they referenced).
    children: BTreeSet<String>,
    /// Sources of relations they had emitted, to stitch again.
    restitch: BTreeSet<String>,
}

/// Deletes the engine's rows of `refs` (state, the references and
/// relations they emitted, their conflicts) inside `conn`'s transaction.
/// Entities that emitted one of them but were refused because another
/// location owned it are made due, with their result hash cleared, so they
/// claim it now.
async fn remove_rows(
    conn: &mut AnyConnection,
    dialect: Dialect,
    refs: &[String],
) -> Result<Removed, EngineError> {
    let mut removed = Removed::default();
    for chunk in refs.statement_chunks(CHUNK) {
        let keys = || chunk.iter().map(String::as_str);
        let children = Query::select()
            .column("target_entity_ref")
            .from(REFERENCES)
            .and_where(Expr::col("source_entity_ref").is_in(keys()))
            .to_owned();
        removed
            .children
            .extend(fetch_strings(conn, dialect, &children).await?);
        let sources = Query::select()
            .distinct()
            .column("source_entity_ref")
            .from(RELATIONS)
            .and_where(Expr::col("originating_entity_ref").is_in(keys()))
            .to_owned();
        removed
            .restitch
            .extend(fetch_strings(conn, dialect, &sources).await?);
        let claimants = Query::select()
            .distinct()
            .column("parent_entity_ref")
            .from(CONFLICTS)
            .and_where(Expr::col("entity_ref").is_in(keys()))
            .to_owned();
        let claimants = fetch_strings(conn, dialect, &claimants).await?;
        for statement in [
            Query::delete()
                .from_table(REFERENCES)
                .and_where(Expr::col("source_entity_ref").is_in(keys()))
                .to_owned(),
            Query::delete()
                .from_table(RELATIONS)
                .and_where(Expr::col("originating_entity_ref").is_in(keys()))
                .to_owned(),
            Query::delete()
                .from_table(CONFLICTS)
                .and_where(
                    Expr::col("entity_ref")
                        .is_in(keys())
                        .or(Expr::col("parent_entity_ref").is_in(keys())),
                )
                .to_owned(),
            Query::delete()
                .from_table(REFRESH_KEYS)
                .and_where(Expr::col("entity_ref").is_in(keys()))
                .to_owned(),
            Query::delete()
                .from_table(STATE)
                .and_where(Expr::col("entity_ref").is_in(keys()))
                .to_owned(),
        ] {
            execute(conn, dialect, &statement).await?;
        }
        reprocess(conn, dialect, &claimants).await?;
    }
    for entity_ref in refs {
        removed.restitch.remove(entity_ref);
        removed.children.remove(entity_ref);
    }
    Ok(removed)
}

/// Makes `refs` due now, with their result hash cleared so that even an
/// unchanged result is written again (and re-emits its children).
pub(crate) async fn reprocess(
    conn: &mut AnyConnection,
    dialect: Dialect,
    refs: &[String],
) -> Result<(), EngineError> {
    for chunk in refs.statement_chunks(CHUNK) {
        let update = Query::update()
            .table(STATE)
            .value("result_hash", Option::<String>::None)
            .value("next_update_at", 0i64)
            .and_where(Expr::col("entity_ref").is_in(chunk.iter().map(String::as_str)))
            .to_owned();
        execute(conn, dialect, &update).await?;
    }
    Ok(())
}

/// Deletes every entity of `candidates` that nothing references any more,
/// then their children left unreferenced by that, and so on (Backstage's
/// eager pruning); stitches the entities whose relations pointed back at
/// deleted ones. Returns the refs deleted.
pub(crate) async fn prune(
    db: &Arc<PluginDatabase>,
    store: &CatalogStore,
    candidates: Vec<String>,
) -> Result<Vec<String>, EngineError> {
    let dialect = db.dialect();
    let pool = db.pool().await?;
    let mut deleted = Vec::new();
    let mut restitch = BTreeSet::new();
    let mut candidates = candidates;
    while !candidates.is_empty() {
        let mut tx = pool.begin().await?;
        let kept = referenced(&mut tx, dialect, &candidates).await?;
        let orphans: Vec<String> = candidates
            .into_iter()
            .filter(|c| !kept.contains(c))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let removed = remove_rows(&mut tx, dialect, &orphans).await?;
        tx.commit().await?;
        for entity_ref in &orphans {
            store.delete_by_ref(entity_ref).await?;
        }
        restitch.extend(removed.restitch);
        candidates = removed.children.into_iter().collect();
        deleted.extend(orphans);
    }
    for entity_ref in &deleted {
        restitch.remove(entity_ref);
    }
    super::stitch::stitch(db, store, &restitch).await?;
    Ok(deleted)
}

/// Every entity nothing references (an orphan).
pub(crate) async fn orphans(db: &PluginDatabase) -> Result<Vec<String>, EngineError> {
    let sql = format!(
        "SELECT s.entity_ref FROM {STATE} s WHERE NOT EXISTS \
         (SELECT 1 FROM {REFERENCES} r WHERE r.target_entity_ref = s.entity_ref)"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .fetch_all(db.pool().await?)
        .await?;
    rows.iter()
        .map(|row| row.try_get(0).map_err(EngineError::from))
        .collect()
}

/// Deletes one entity (`DELETE /entities/by-uid`): its engine rows and its
/// stored form. The entities that emitted it are reprocessed now, so if
/// they still emit it, it comes back (with a new uid); its children lose
/// this parent and are stitched again (an orphan is annotated as one).
pub(crate) async fn delete_entity(
    db: &Arc<PluginDatabase>,
    store: &CatalogStore,
    entity_ref: &str,
) -> Result<(), EngineError> {
    let dialect = db.dialect();
    let pool = db.pool().await?;
    let mut tx = pool.begin().await?;
    let parents = Query::select()
        .distinct()
        .column("source_entity_ref")
        .from(REFERENCES)
        .and_where(Expr::col("target_entity_ref").eq(entity_ref))
        .and_where(Expr::col("source_entity_ref").is_not_null())
        .to_owned();
    let parents = fetch_strings(&mut tx, dialect, &parents).await?;
    let removed = remove_rows(&mut tx, dialect, &[entity_ref.to_owned()]).await?;
    reprocess(&mut tx, dialect, &parents).await?;
    tx.commit().await?;
    store.delete_by_ref(entity_ref).await?;
    let mut restitch = removed.restitch;
    restitch.extend(removed.children);
    super::stitch::stitch(db, store, &restitch).await?;
    Ok(())
}
