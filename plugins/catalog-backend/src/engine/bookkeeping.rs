//! Bookkeeping around writing a batch of results, kept apart from the
//! write itself: which children lost or gained a parent (their orphan
//! status may have changed, so they are stitched again), and which emitted
//! children another location owns (conflicts, shown on the emitting
//! entity's status).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use backstage_backend::services::database::PluginDatabase;
use sea_query::{Expr, ExprTrait, Query};
use sqlx::{AssertSqlSafe, Row};

use super::EngineError;
use super::batch::{CHUNK, execute};
use super::schema::{CONFLICTS, REFERENCES, STATE};
use super::state::{DueRow, key_of};
use super::status::{Conflict, conflicts_of};
use crate::processing::ProcessingResult;
use crate::statement_chunks::StatementChunks;

/// The `(parent, child)` links whose parent is one of `parents`.
pub(crate) async fn links_of(
    db: &PluginDatabase,
    parents: &[&str],
) -> Result<BTreeSet<(String, String)>, EngineError> {
    let dialect = db.dialect();
    let pool = db.pool().await?;
    let mut out = BTreeSet::new();
    for chunk in parents.statement_chunks(CHUNK) {
        let select = Query::select()
            .columns(["source_entity_ref", "target_entity_ref"])
            .from(REFERENCES)
            .and_where(Expr::col("source_entity_ref").is_in(chunk.iter().copied()))
            .to_owned();
        let (sql, values) = dialect.build(&select);
        for row in sqlx::query_with(AssertSqlSafe(sql), values)
            .fetch_all(pool)
            .await?
        {
            out.insert((row.try_get(0)?, row.try_get(1)?));
        }
    }
    Ok(out)
}

/// Records the conflicts of the succeeded results in `outcomes`: each
/// child whose stored row another location owns. Returns the parents whose
/// conflicts changed (to stitch again).
pub(crate) async fn record_conflicts(
    db: &PluginDatabase,
    outcomes: &[(DueRow, ProcessingResult)],
) -> Result<BTreeSet<String>, EngineError> {
    let succeeded: Vec<&(DueRow, ProcessingResult)> = outcomes
        .iter()
        .filter(|(_, result)| result.entity.is_some())
        .collect();
    if succeeded.is_empty() {
        return Ok(BTreeSet::new());
    }
    let dialect = db.dialect();
    let pool = db.pool().await?;
    let mut tx = pool.begin().await?;
    let parents: Vec<&str> = succeeded
        .iter()
        .map(|(row, _)| row.entity_ref.as_str())
        .collect();
    let before = conflicts_of(&mut tx, dialect, &parents).await?;

    // Who owns each child now.
    let mut children: Vec<String> = succeeded
        .iter()
        .flat_map(|(_, result)| result.children.iter())
        .filter_map(|child| child.entity_ref.clone())
        .map(|r| key_of(&r))
        .collect();
    children.sort_unstable();
    children.dedup();
    let mut owners: HashMap<String, Option<String>> = HashMap::with_capacity(children.len());
    for chunk in children.statement_chunks(CHUNK) {
        let select = Query::select()
            .columns(["entity_ref", "location_key"])
            .from(STATE)
            .and_where(Expr::col("entity_ref").is_in(chunk.iter().map(String::as_str)))
            .to_owned();
        let (sql, values) = dialect.build(&select);
        for row in sqlx::query_with(AssertSqlSafe(sql), values)
            .fetch_all(&mut *tx)
            .await?
        {
            owners.insert(row.try_get(0)?, row.try_get(1)?);
        }
    }
    let mut after: BTreeMap<String, BTreeSet<Conflict>> = BTreeMap::new();
    for (row, result) in &succeeded {
        for child in &result.children {
            let Some(child_ref) = &child.entity_ref else {
                continue;
            };
            let child_ref = key_of(child_ref);
            let location_key = child.location.key();
            if let Some(Some(owner)) = owners.get(&child_ref)
                && *owner != location_key
            {
                after
                    .entry(row.entity_ref.clone())
                    .or_default()
                    .insert(Conflict {
                        entity_ref: child_ref,
                        location_key,
                        owner_key: Some(owner.clone()),
                    });
            }
        }
    }
    let mut changed = BTreeSet::new();
    for parent in &parents {
        if before.get(*parent) != after.get(*parent) {
            changed.insert((*parent).to_owned());
        }
    }
    if changed.is_empty() {
        tx.commit().await?;
        return Ok(changed);
    }
    let changed_list: Vec<&str> = changed.iter().map(String::as_str).collect();
    for chunk in changed_list.statement_chunks(CHUNK) {
        let delete = Query::delete()
            .from_table(CONFLICTS)
            .and_where(Expr::col("parent_entity_ref").is_in(chunk.iter().copied()))
            .to_owned();
        execute(&mut tx, dialect, &delete).await?;
    }
    let rows: Vec<(&str, &Conflict)> = changed
        .iter()
        .filter_map(|parent| after.get(parent).map(|set| (parent.as_str(), set)))
        .flat_map(|(parent, set)| set.iter().map(move |c| (parent, c)))
        .collect();
    for chunk in rows.statement_chunks(CHUNK / 2) {
        let mut insert = Query::insert();
        insert.into_table(CONFLICTS).columns([
            "parent_entity_ref",
            "entity_ref",
            "location_key",
            "owner_key",
        ]);
        for (parent, conflict) in chunk {
            insert.values_panic([
                (*parent).to_owned().into(),
                conflict.entity_ref.clone().into(),
                conflict.location_key.clone().into(),
                conflict.owner_key.clone().into(),
            ]);
        }
        execute(&mut tx, dialect, &insert).await?;
    }
    tx.commit().await?;
    Ok(changed)
}
