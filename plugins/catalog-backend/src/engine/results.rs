//! Writing a batch of processing results: the processed entities, their
//! relations and the children their locations yielded.

use std::collections::HashMap;
use std::time::Duration;

use backstage_backend::services::database::{Dialect, PluginDatabase};
use sea_query::{Expr, ExprTrait, Query};
use serde_json::{Value, json};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::EngineError;
use super::batch::{CHUNK, execute, execute_unabortable, insert_references};
use super::hash::JsonHasher;
use super::schema::{REFERENCES, REFRESH_KEYS, RELATIONS, STATE};
use super::state::{DueRow, Written, key_of, next_due, now_ms};
use super::unprocessed::{Unprocessed, upsert_unprocessed};
use crate::processing::ProcessingResult;
use crate::statement_chunks::StatementChunks;

/// The hash of everything a processing result stores, `cache` being its
/// processor cache as stored (left out of the hash when there is none, so
/// the hashes of entities without a cache stay what they were before the
/// cache existed).
fn result_hash(result: &ProcessingResult, cache: Option<&str>) -> String {
    let mut hasher = JsonHasher::new();
    hasher.add(&result.entity);
    for relation in &result.relations {
        hasher.add(&(&relation.source, &relation.relation_type, &relation.target));
    }
    hasher.add(&"children");
    for child in &result.children {
        hasher.add_json_text(&child.json);
        hasher.add(&child.location.key());
    }
    hasher.add(&"errors");
    for error in &result.errors {
        hasher.add(&(&error.name, &error.message));
    }
    // Only when there are some, so the hashes of results without any
    // stay what they were before refresh keys were stored.
    if !result.refresh_keys.is_empty() {
        hasher.add(&"refresh keys");
        for key in &result.refresh_keys {
            hasher.add(key);
        }
    }
    if let Some(cache) = cache {
        hasher.add(&"cache");
        hasher.add_json_text(cache);
    }
    hasher.finish()
}

/// Writes the results of one batch in one transaction, with a few
/// statements per [`CHUNK`] of entities besides one update per changed
/// entity.
pub(crate) async fn write_results(
    db: &PluginDatabase,
    outcomes: &[(DueRow, ProcessingResult)],
    interval: Option<Duration>,
) -> Result<Written, EngineError> {
    let dialect = db.dialect();
    let pool = db.pool().await?;
    let mut tx = pool.begin().await?;
    let mut written = Written::default();
    let now = now_ms();

    // Another entity's result in this batch (or another writer) may have
    // replaced an entity's unprocessed form since it was claimed: such a
    // result is stale and dropped (the row stays due). And a replica whose
    // lease ran out while it processed may find the row claimed again by
    // another: the newer claim's result stands, this one is dropped. On
    // PostgreSQL and MySQL the rows are locked until the commit, so no
    // claim can slip in between this check and the writes.
    let current = current_claims(
        &mut tx,
        dialect,
        outcomes.iter().map(|(row, _)| row.entity_ref.as_str()),
    )
    .await?;
    let mut unchanged = Vec::new();
    let mut succeeded = Vec::new();
    let mut processed = Vec::new();
    let mut caches = Vec::new();
    for (row, result) in outcomes {
        let Some(claim) = current.get(&row.entity_ref) else {
            continue;
        };
        if claim.unprocessed_hash != row.unprocessed_hash {
            continue;
        }
        if claim.claimed_by.as_deref() != Some(row.claimed_by.as_str()) {
            tracing::debug!(
                entity = %row.entity_ref,
                "catalog processing: the claim ran out and another claim took the entity; its result stands, this one is dropped"
            );
            written.fenced += 1;
            continue;
        }
        let next = next_due(now, interval, &row.entity_ref);
        // A failed run keeps the previous cache: only a success stores one.
        let cache =
            (result.entity.is_some() && !result.cache.is_empty()).then(|| result.cache.to_json());
        let hash = result_hash(result, cache.as_deref());
        if row.result_hash.as_deref() == Some(hash.as_str()) {
            unchanged.push((row.entity_ref.as_str(), next));
            continue;
        }
        written.to_stitch.insert(row.entity_ref.clone());
        match &result.entity {
            None => {
                let messages: Vec<String> = result
                    .errors
                    .iter()
                    .map(|e| format!("{}: {}", e.name, e.message))
                    .collect();
                tracing::warn!(
                    entity = %row.entity_ref,
                    errors = %messages.join("; "),
                    "catalog processing failed; the last good version (if any) stays served, with these errors on its status"
                );
                let errors: Vec<Value> = result
                    .errors
                    .iter()
                    .map(|e| json!({"name": e.name, "message": e.message}))
                    .collect();
                let update = Query::update()
                    .table(STATE)
                    .value("errors", Value::Array(errors).to_string())
                    .value("result_hash", hash)
                    .value("next_update_at", next)
                    .and_where(Expr::col("entity_ref").eq(row.entity_ref.clone()))
                    .to_owned();
                execute(&mut tx, dialect, &update).await?;
            }
            Some(entity) => {
                if cache.is_some() || row.had_cache {
                    caches.push((row.entity_ref.as_str(), cache));
                }
                succeeded.push((row, result));
                processed.push(ProcessedRow {
                    entity_ref: row.entity_ref.as_str(),
                    json: entity.to_string(),
                    hash,
                    next,
                });
            }
        }
    }
    set_processed(&mut tx, dialect, &processed).await?;
    set_caches(&mut tx, dialect, caches).await?;
    written.unchanged = unchanged.len();
    set_next_update(&mut tx, dialect, &unchanged).await?;
    replace_relations(&mut tx, dialect, &succeeded, &mut written).await?;
    replace_children(&mut tx, dialect, &succeeded).await?;
    replace_refresh_keys(&mut tx, dialect, &succeeded).await?;
    tx.commit().await?;
    Ok(written)
}

/// What a state row holds now: the unprocessed form's hash and the claim
/// it is under.
struct CurrentClaim {
    unprocessed_hash: String,
    claimed_by: Option<String>,
}

/// The current unprocessed hash and claim of each of `refs` that has a
/// row, locked for the rest of the transaction where the database can.
async fn current_claims<'a>(
    conn: &mut AnyConnection,
    dialect: Dialect,
    refs: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, CurrentClaim>, EngineError> {
    let refs: Vec<&str> = refs.collect();
    let mut out = HashMap::with_capacity(refs.len());
    for chunk in refs.statement_chunks(CHUNK) {
        let mut select = Query::select()
            .columns(["entity_ref", "unprocessed_hash", "claimed_by"])
            .from(STATE)
            .and_where(Expr::col("entity_ref").is_in(chunk.iter().copied()))
            .to_owned();
        if dialect != Dialect::Sqlite {
            // SQLite has one writer at a time: its transaction is the lock.
            select.lock(sea_query::LockType::Update);
        }
        let (sql, values) = dialect.build(&select);
        for row in sqlx::query_with(AssertSqlSafe(sql), values)
            .fetch_all(&mut *conn)
            .await?
        {
            out.insert(
                row.try_get(0)?,
                CurrentClaim {
                    unprocessed_hash: row.try_get(1)?,
                    claimed_by: row.try_get(2)?,
                },
            );
        }
    }
    Ok(out)
}

/// A successful result to store on its state row.
struct ProcessedRow<'a> {
    entity_ref: &'a str,
    json: String,
    hash: String,
    next: i64,
}

/// Rows per `CASE` update of processed entities (each carries an entity's
/// JSON).
const PROCESSED_CHUNK: usize = 100;

/// Stores successful results — the processed entity, no errors, the result
/// hash and the next due time — with one statement per chunk
/// (`CASE entity_ref WHEN … THEN …` per column).
async fn set_processed(
    conn: &mut AnyConnection,
    dialect: Dialect,
    rows: &[ProcessedRow<'_>],
) -> Result<(), EngineError> {
    for chunk in rows.statement_chunks(PROCESSED_CHUNK) {
        let Some((first, rest)) = chunk.split_first() else {
            continue;
        };
        let when = |row: &ProcessedRow<'_>| Expr::col("entity_ref").eq(row.entity_ref);
        let mut json = Expr::case(when(first), first.json.clone());
        let mut hash = Expr::case(when(first), first.hash.clone());
        let mut next = Expr::case(when(first), first.next);
        for row in rest {
            json = json.case(when(row), row.json.clone());
            hash = hash.case(when(row), row.hash.clone());
            next = next.case(when(row), row.next);
        }
        let update = Query::update()
            .table(STATE)
            .value(
                "processed_entity",
                json.finally(Expr::col("processed_entity")),
            )
            .value("errors", Option::<String>::None)
            .value("result_hash", hash.finally(Expr::col("result_hash")))
            .value("next_update_at", next.finally(Expr::col("next_update_at")))
            .and_where(Expr::col("entity_ref").is_in(chunk.iter().map(|r| r.entity_ref)))
            .to_owned();
        execute_unabortable(conn, dialect, &update).await?;
    }
    Ok(())
}

/// Stores the processor caches of succeeded entities (`None` clears one):
/// a statement per entity, since few entities have a cache and a cache may
/// be large (a location's entities), while the other state columns are
/// written many rows per statement.
async fn set_caches(
    conn: &mut AnyConnection,
    dialect: Dialect,
    rows: Vec<(&str, Option<String>)>,
) -> Result<(), EngineError> {
    for (entity_ref, cache) in rows {
        let update = Query::update()
            .table(STATE)
            .value("processor_cache", cache)
            .and_where(Expr::col("entity_ref").eq(entity_ref))
            .to_owned();
        execute(conn, dialect, &update).await?;
    }
    Ok(())
}

/// Sets the next due time of entities whose result did not change, one
/// statement per chunk (`CASE entity_ref WHEN … THEN …`).
async fn set_next_update(
    conn: &mut AnyConnection,
    dialect: Dialect,
    rows: &[(&str, i64)],
) -> Result<(), EngineError> {
    for chunk in rows.statement_chunks(CHUNK / 2) {
        let Some(((first_ref, first_next), rest)) = chunk.split_first() else {
            continue;
        };
        let mut case = Expr::case(Expr::col("entity_ref").eq(*first_ref), *first_next);
        for (entity_ref, next) in rest {
            case = case.case(Expr::col("entity_ref").eq(*entity_ref), *next);
        }
        let update = Query::update()
            .table(STATE)
            .value("next_update_at", case.finally(Expr::col("next_update_at")))
            .and_where(Expr::col("entity_ref").is_in(chunk.iter().map(|(r, _)| *r)))
            .to_owned();
        execute_unabortable(conn, dialect, &update).await?;
    }
    Ok(())
}

/// Replaces the relations emitted while processing the succeeded entities;
/// the sources of the old and the new ones need stitching.
async fn replace_relations(
    conn: &mut AnyConnection,
    dialect: Dialect,
    succeeded: &[(&DueRow, &ProcessingResult)],
    written: &mut Written,
) -> Result<(), EngineError> {
    for chunk in succeeded.statement_chunks(CHUNK) {
        let origins = || chunk.iter().map(|(row, _)| row.entity_ref.as_str());
        let old = Query::select()
            .distinct()
            .column("source_entity_ref")
            .from(RELATIONS)
            .and_where(Expr::col("originating_entity_ref").is_in(origins()))
            .to_owned();
        let (sql, values) = dialect.build(&old);
        for row in sqlx::query_with(AssertSqlSafe(sql), values)
            .fetch_all(&mut *conn)
            .await?
        {
            written.to_stitch.insert(row.try_get(0)?);
        }
        let delete = Query::delete()
            .from_table(RELATIONS)
            .and_where(Expr::col("originating_entity_ref").is_in(origins()))
            .to_owned();
        execute(conn, dialect, &delete).await?;
    }
    let mut rows = Vec::new();
    for (row, result) in succeeded {
        for relation in &result.relations {
            let source = key_of(&relation.source);
            rows.push((
                row.entity_ref.as_str(),
                source.clone(),
                relation.relation_type.as_str(),
                relation.target.as_str(),
            ));
            written.to_stitch.insert(source);
        }
    }
    for chunk in rows.statement_chunks(CHUNK) {
        let mut insert = Query::insert();
        insert.into_table(RELATIONS).columns([
            "originating_entity_ref",
            "source_entity_ref",
            "relation_type",
            "target_entity_ref",
        ]);
        for (origin, source, relation_type, target) in chunk {
            insert.values_panic([
                (*origin).to_owned().into(),
                source.clone().into(),
                (*relation_type).to_owned().into(),
                (*target).to_owned().into(),
            ]);
        }
        execute_unabortable(conn, dialect, &insert).await?;
    }
    Ok(())
}

/// Deletes the rows of `table` whose `column` is one of the succeeded
/// entities (what their previous run left, before this run's is written).
async fn delete_previous(
    conn: &mut AnyConnection,
    dialect: Dialect,
    table: &'static str,
    column: &'static str,
    succeeded: &[(&DueRow, &ProcessingResult)],
) -> Result<(), EngineError> {
    for chunk in succeeded.statement_chunks(CHUNK) {
        let delete = Query::delete()
            .from_table(table)
            .and_where(
                Expr::col(column).is_in(chunk.iter().map(|(row, _)| row.entity_ref.as_str())),
            )
            .to_owned();
        execute(conn, dialect, &delete).await?;
    }
    Ok(())
}

/// Replaces the refresh keys of the entities that processed successfully
/// with those their processors emitted this time.
async fn replace_refresh_keys(
    conn: &mut AnyConnection,
    dialect: Dialect,
    succeeded: &[(&DueRow, &ProcessingResult)],
) -> Result<(), EngineError> {
    delete_previous(conn, dialect, REFRESH_KEYS, "entity_ref", succeeded).await?;
    let keys: Vec<(&str, &str)> = succeeded
        .iter()
        .flat_map(|(row, result)| {
            result
                .refresh_keys
                .iter()
                .map(|key| (row.entity_ref.as_str(), key.as_str()))
        })
        .collect();
    for chunk in keys.statement_chunks(CHUNK) {
        let mut insert = Query::insert();
        insert
            .into_table(REFRESH_KEYS)
            .columns(["entity_ref", "key_hash", "refresh_key"]);
        for (entity_ref, key) in chunk {
            insert.values_panic([
                (*entity_ref).into(),
                super::hash::hash_text(key).into(),
                (*key).into(),
            ]);
        }
        execute(conn, dialect, &insert).await?;
    }
    Ok(())
}

/// Replaces the children the succeeded entities' locations yielded: each
/// child is upserted as a due state row and referenced from its parent,
/// unless another location owns it already.
async fn replace_children(
    conn: &mut AnyConnection,
    dialect: Dialect,
    succeeded: &[(&DueRow, &ProcessingResult)],
) -> Result<(), EngineError> {
    delete_previous(conn, dialect, REFERENCES, "source_entity_ref", succeeded).await?;
    let mut parents = Vec::new();
    let mut children = Vec::new();
    for (row, result) in succeeded {
        for child in &result.children {
            let Some(child_ref) = &child.entity_ref else {
                continue;
            };
            parents.push(row.entity_ref.as_str());
            children.push(Unprocessed::from_json(
                key_of(child_ref),
                child.json.clone(),
                &child.location,
            ));
        }
    }
    let owned = upsert_unprocessed(conn, dialect, &children).await?;
    let mut references = Vec::with_capacity(children.len());
    for ((parent, child), owned) in parents.iter().zip(&children).zip(owned) {
        if owned {
            references.push((None, Some(*parent), child.entity_ref.as_str()));
        } else {
            tracing::warn!(
                entity = %child.entity_ref,
                location = %child.location_key,
                "detected a conflicting entity ref: it is already provided by another location; this one is ignored"
            );
        }
    }
    insert_references(conn, dialect, &references).await
}
