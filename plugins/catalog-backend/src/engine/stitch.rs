//! Stitching: the final form of an entity, from its processed form, the
//! relations whose source it is, and its processing errors.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use backstage_backend::services::database::PluginDatabase;
use sea_query::{Expr, ExprTrait, Query};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Row};
use tokio::sync::mpsc;

use super::EngineError;
use super::schema::{RELATIONS, STATE};
use crate::statement_chunks::StatementChunks;
use crate::store::{CatalogStore, PreparedEntity};

/// A processed entity's row: its JSON and its errors.
struct Processed {
    entity: Option<String>,
    errors: Option<String>,
}

/// Entities stitched per chunk: two reads, the stitching work and one
/// store transaction.
const STITCH_CHUNK: usize = 500;

/// Stitches `refs` (lowercased) and writes them to the store, a chunk at a
/// time; returns how many were stitched. An entity that never processed
/// successfully has no final form yet and is skipped.
///
/// Reading and preparing a chunk (parsing, relations, hashing, index
/// entries — CPU work) runs in a task of its own while the store writes
/// the chunk before, so the two overlap instead of taking turns.
pub(crate) async fn stitch(
    db: &Arc<PluginDatabase>,
    store: &CatalogStore,
    refs: &BTreeSet<String>,
) -> Result<usize, EngineError> {
    if refs.is_empty() {
        return Ok(0);
    }
    let refs: Vec<String> = refs.iter().cloned().collect();
    let (sender, mut receiver) = mpsc::channel::<Vec<PreparedEntity>>(1);
    let db = Arc::clone(db);
    let preparer = tokio::spawn(async move {
        for chunk in refs.statement_chunks(STITCH_CHUNK) {
            let prepared = prepare_chunk(&db, chunk).await?;
            if sender.send(prepared).await.is_err() {
                // The writer stopped (it failed): its error is reported.
                break;
            }
        }
        Ok::<(), EngineError>(())
    });
    let mut stitched = 0;
    let mut written = Ok(());
    // Where the time goes: waiting for prepared chunks, or writing them.
    let (mut waiting, mut writing) = (Duration::ZERO, Duration::ZERO);
    loop {
        let asked = Instant::now();
        let Some(batch) = receiver.recv().await else {
            break;
        };
        waiting += asked.elapsed();
        if batch.is_empty() {
            continue;
        }
        stitched += batch.len();
        let started = Instant::now();
        let result = store.write_prepared(batch).await;
        writing += started.elapsed();
        if let Err(e) = result {
            written = Err(EngineError::from(e));
            break;
        }
    }
    tracing::debug!(
        entities = stitched,
        waiting_ms = waiting.as_millis() as u64,
        writing_ms = writing.as_millis() as u64,
        "catalog stitching: waited for prepared chunks, wrote them"
    );
    drop(receiver);
    let prepared = preparer.await.map_err(|e| EngineError::Corrupt {
        entity_ref: String::new(),
        message: format!("the stitching task failed: {e}"),
    })?;
    written?;
    prepared?;
    Ok(stitched)
}

/// Reads the processed form, relations and errors of `chunk` and prepares
/// their final entities for the store.
async fn prepare_chunk(
    db: &PluginDatabase,
    chunk: &[String],
) -> Result<Vec<PreparedEntity>, EngineError> {
    let dialect = db.dialect();
    let pool = db.pool().await?;
    let select = Query::select()
        .columns(["entity_ref", "processed_entity", "errors"])
        .from(STATE)
        .and_where(Expr::col("entity_ref").is_in(chunk.iter().map(String::as_str)))
        .to_owned();
    let (sql, values) = dialect.build(&select);
    let mut processed = HashMap::with_capacity(chunk.len());
    for row in sqlx::query_with(AssertSqlSafe(sql), values)
        .fetch_all(pool)
        .await?
    {
        let entity_ref: String = row.try_get(0)?;
        processed.insert(
            entity_ref,
            Processed {
                entity: row.try_get(1)?,
                errors: row.try_get(2)?,
            },
        );
    }
    let select = Query::select()
        .columns(["source_entity_ref", "relation_type", "target_entity_ref"])
        .from(RELATIONS)
        .and_where(Expr::col("source_entity_ref").is_in(chunk.iter().map(String::as_str)))
        .to_owned();
    let (sql, values) = dialect.build(&select);
    let mut relations: HashMap<String, BTreeSet<(String, String)>> = HashMap::new();
    for row in sqlx::query_with(AssertSqlSafe(sql), values)
        .fetch_all(pool)
        .await?
    {
        relations
            .entry(row.try_get(0)?)
            .or_default()
            .insert((row.try_get(1)?, row.try_get(2)?));
    }
    let mut batch = Vec::with_capacity(chunk.len());
    for entity_ref in chunk {
        let Some(row) = processed.remove(entity_ref) else {
            continue;
        };
        let Some(json) = row.entity else { continue };
        let relations = relations.remove(entity_ref).unwrap_or_default();
        batch.push(final_entity(
            entity_ref,
            &json,
            row.errors.as_deref(),
            relations,
        )?);
    }
    super::status::decorate(db, &mut batch).await?;
    Ok(batch
        .into_iter()
        .map(PreparedEntity::new)
        .collect::<Result<_, _>>()?)
}

/// The final entity: the processed one with its relations (sorted, without
/// duplicates) and its processing errors as `status.items`.
fn final_entity(
    entity_ref: &str,
    processed: &str,
    errors: Option<&str>,
    relations: BTreeSet<(String, String)>,
) -> Result<Value, EngineError> {
    let corrupt = |message: String| EngineError::Corrupt {
        entity_ref: entity_ref.to_owned(),
        message,
    };
    let mut entity: Value = serde_json::from_str(processed).map_err(|e| corrupt(e.to_string()))?;
    let relations: Vec<Value> = relations
        .into_iter()
        .map(|(relation_type, target)| json!({"type": relation_type, "targetRef": target}))
        .collect();
    if let Some(object) = entity.as_object_mut() {
        object.insert("relations".to_owned(), Value::Array(relations));
        object.remove("status");
        if let Some(errors) = errors {
            let errors: Vec<Value> =
                serde_json::from_str(errors).map_err(|e| corrupt(e.to_string()))?;
            let items: Vec<Value> = errors
                .into_iter()
                .map(|error| {
                    let name = error["name"].as_str().unwrap_or("Error").to_owned();
                    let message = error["message"].as_str().unwrap_or_default().to_owned();
                    json!({
                        "type": "backstage.io/catalog-processing",
                        "level": "error",
                        "message": format!("{name}: {message}"),
                        "error": {"name": name, "message": message},
                    })
                })
                .collect();
            if !items.is_empty() {
                object.insert("status".to_owned(), json!({"items": items}));
            }
        }
    }
    Ok(entity)
}
