//! Reading and writing the processing state.

use std::collections::BTreeSet;
use std::time::Duration;

use backstage_backend::services::database::{Dialect, PluginDatabase};
use backstage_plugin_catalog_node::{LocationSpec, Presence};
use serde_json::{Value, json};
use sqlx::{Any, AssertSqlSafe, Row, Transaction};

use super::EngineError;
use super::hash::{hash_json, hash_text};
use super::root::location_entity;
use super::schema::{REFERENCES, RELATIONS, STATE};
use crate::processing::ProcessingResult;

/// `next_update_at` of an entity that is never due by itself.
pub(crate) const NEVER: i64 = 253_402_300_799_000;

/// An entity due for processing.
#[derive(Clone, Debug)]
pub(crate) struct DueRow {
    pub(crate) entity_ref: String,
    pub(crate) entity: Value,
    pub(crate) location: LocationSpec,
    pub(crate) result_hash: Option<String>,
    /// The hash of the unprocessed entity that was processed: when the row
    /// holds another one by the time the result is written, the result is
    /// stale and dropped (the row stays due).
    pub(crate) unprocessed_hash: String,
}

/// What writing a batch of results did.
#[derive(Debug, Default)]
pub(crate) struct Written {
    pub(crate) unchanged: usize,
    pub(crate) to_stitch: BTreeSet<String>,
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The lowercased ref used as the key of every table.
pub(crate) fn key_of(entity_ref: &str) -> String {
    entity_ref.to_lowercase()
}

fn sql(dialect: Dialect, text: &str) -> AssertSqlSafe<String> {
    AssertSqlSafe(dialect.positional(text))
}

/// When an entity processed at `now` is due again: a random point in
/// `[interval, 1.5 × interval]`, so entities spread out over time.
fn next_due(now: i64, interval: Option<Duration>, seed: &str) -> i64 {
    let Some(interval) = interval else {
        return NEVER;
    };
    let base = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX / 4);
    let spread = base / 2;
    let jitter = if spread > 0 {
        let hash = hash_text(&format!("{seed}{now}"));
        i64::from_str_radix(&hash[..12], 16).unwrap_or(0) % (spread + 1)
    } else {
        0
    };
    now.saturating_add(base).saturating_add(jitter)
}

/// Inserts or updates the state row of an unprocessed entity read from
/// `location` and owned by `location_key`. An existing row owned by another
/// location key is left alone (the first location to claim an entity owns
/// it) and `false` is returned. A changed entity becomes due now.
async fn upsert_unprocessed(
    tx: &mut Transaction<'_, Any>,
    dialect: Dialect,
    entity_ref: &str,
    entity: &Value,
    location: &LocationSpec,
    location_key: &str,
) -> Result<bool, EngineError> {
    let text = entity.to_string();
    let hash = hash_text(&text);
    let existing = sqlx::query(sql(
        dialect,
        &format!("SELECT location_key, unprocessed_hash FROM {STATE} WHERE entity_ref = $1"),
    ))
    .bind(entity_ref.to_owned())
    .fetch_optional(&mut **tx)
    .await?;
    match existing {
        None => {
            sqlx::query(sql(
                dialect,
                &format!(
                    "INSERT INTO {STATE} (entity_ref, unprocessed_entity, unprocessed_hash, location_type, location_target, location_key, next_update_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)"
                ),
            ))
            .bind(entity_ref.to_owned())
            .bind(text)
            .bind(hash)
            .bind(location.location_type.clone())
            .bind(location.target.clone())
            .bind(location_key.to_owned())
            .bind(0i64)
            .execute(&mut **tx)
            .await?;
            Ok(true)
        }
        Some(row) => {
            let owner: Option<String> = row.try_get(0)?;
            let stored_hash: String = row.try_get(1)?;
            if owner.as_deref().is_some_and(|owner| owner != location_key) {
                return Ok(false);
            }
            if stored_hash != hash {
                sqlx::query(sql(
                    dialect,
                    &format!(
                        "UPDATE {STATE} SET unprocessed_entity = $1, unprocessed_hash = $2, location_type = $3, \
                         location_target = $4, location_key = $5, next_update_at = $6 WHERE entity_ref = $7"
                    ),
                ))
                .bind(text)
                .bind(hash)
                .bind(location.location_type.clone())
                .bind(location.target.clone())
                .bind(location_key.to_owned())
                .bind(0i64)
                .bind(entity_ref.to_owned())
                .execute(&mut **tx)
                .await?;
            }
            Ok(true)
        }
    }
}

/// Makes `locations` the roots owned by `source_key` (e.g. `config`), each
/// due now.
pub(crate) async fn set_roots(
    db: &PluginDatabase,
    source_key: &str,
    locations: &[LocationSpec],
) -> Result<(), EngineError> {
    let dialect = db.dialect();
    let pool = db.pool().await?;
    let mut tx = pool.begin().await?;
    sqlx::query(sql(
        dialect,
        &format!("DELETE FROM {REFERENCES} WHERE source_key = $1"),
    ))
    .bind(source_key.to_owned())
    .execute(&mut *tx)
    .await?;
    for location in locations {
        let entity = location_entity(location);
        let name = entity["metadata"]["name"].as_str().unwrap_or_default();
        let entity_ref = key_of(&format!("location:default/{name}"));
        upsert_unprocessed(
            &mut tx,
            dialect,
            &entity_ref,
            &entity,
            location,
            &location.key(),
        )
        .await?;
        sqlx::query(sql(
            dialect,
            &format!("UPDATE {STATE} SET next_update_at = $1 WHERE entity_ref = $2"),
        ))
        .bind(0i64)
        .bind(entity_ref.clone())
        .execute(&mut *tx)
        .await?;
        sqlx::query(sql(
            dialect,
            &format!("INSERT INTO {REFERENCES} (source_key, source_entity_ref, target_entity_ref) VALUES ($1, NULL, $2)"),
        ))
        .bind(source_key.to_owned())
        .bind(entity_ref)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Up to `limit` entities due at `at`, the longest-waiting first.
pub(crate) async fn claim_due(
    db: &PluginDatabase,
    at: i64,
    limit: i64,
) -> Result<Vec<DueRow>, EngineError> {
    let dialect = db.dialect();
    let pool = db.pool().await?;
    let rows = sqlx::query(sql(
        dialect,
        &format!(
            "SELECT entity_ref, unprocessed_entity, location_type, location_target, result_hash, unprocessed_hash FROM {STATE} \
             WHERE next_update_at <= $1 ORDER BY next_update_at, entity_ref LIMIT {limit}"
        ),
    ))
    .bind(at)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let entity_ref: String = row.try_get(0)?;
            let text: String = row.try_get(1)?;
            let entity = serde_json::from_str(&text).map_err(|e| EngineError::Corrupt {
                entity_ref: entity_ref.clone(),
                message: e.to_string(),
            })?;
            let presence = if entity_presence_optional(&entity) {
                Presence::Optional
            } else {
                Presence::Required
            };
            Ok(DueRow {
                location: LocationSpec {
                    location_type: row.try_get(2)?,
                    target: row.try_get(3)?,
                    presence,
                },
                result_hash: row.try_get(4)?,
                unprocessed_hash: row.try_get(5)?,
                entity,
                entity_ref,
            })
        })
        .collect()
}

fn entity_presence_optional(entity: &Value) -> bool {
    entity["spec"]["presence"].as_str() == Some("optional")
}

fn result_hash(result: &ProcessingResult) -> String {
    let relations: Vec<Value> = result
        .relations
        .iter()
        .map(|r| json!([r.source, r.relation_type, r.target]))
        .collect();
    let children: Vec<Value> = result
        .children
        .iter()
        .map(|c| json!([c.entity, c.location.key()]))
        .collect();
    let errors: Vec<Value> = result
        .errors
        .iter()
        .map(|e| json!([e.name, e.message]))
        .collect();
    hash_json(&json!([result.entity, relations, children, errors]))
}

/// Writes the results of one batch in one transaction.
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
    for (row, result) in outcomes {
        // Another entity's result in this batch (or another writer) may
        // have replaced this one's unprocessed form since it was claimed.
        let current: Option<String> = sqlx::query_scalar(sql(
            dialect,
            &format!("SELECT unprocessed_hash FROM {STATE} WHERE entity_ref = $1"),
        ))
        .bind(row.entity_ref.clone())
        .fetch_optional(&mut *tx)
        .await?;
        if current.as_deref() != Some(row.unprocessed_hash.as_str()) {
            continue;
        }
        let next = next_due(now, interval, &row.entity_ref);
        let hash = result_hash(result);
        if row.result_hash.as_deref() == Some(hash.as_str()) {
            sqlx::query(sql(
                dialect,
                &format!("UPDATE {STATE} SET next_update_at = $1 WHERE entity_ref = $2"),
            ))
            .bind(next)
            .bind(row.entity_ref.clone())
            .execute(&mut *tx)
            .await?;
            written.unchanged += 1;
            continue;
        }
        written.to_stitch.insert(row.entity_ref.clone());
        let Some(entity) = &result.entity else {
            let errors: Vec<Value> = result
                .errors
                .iter()
                .map(|e| json!({"name": e.name, "message": e.message}))
                .collect();
            sqlx::query(sql(
                dialect,
                &format!("UPDATE {STATE} SET errors = $1, result_hash = $2, next_update_at = $3 WHERE entity_ref = $4"),
            ))
            .bind(Value::Array(errors).to_string())
            .bind(hash)
            .bind(next)
            .bind(row.entity_ref.clone())
            .execute(&mut *tx)
            .await?;
            continue;
        };
        sqlx::query(sql(
            dialect,
            &format!(
                "UPDATE {STATE} SET processed_entity = $1, errors = NULL, result_hash = $2, next_update_at = $3 WHERE entity_ref = $4"
            ),
        ))
        .bind(entity.to_string())
        .bind(hash)
        .bind(next)
        .bind(row.entity_ref.clone())
        .execute(&mut *tx)
        .await?;

        // Relations: the sources of the old and the new ones change.
        let old = sqlx::query(sql(
            dialect,
            &format!("SELECT DISTINCT source_entity_ref FROM {RELATIONS} WHERE originating_entity_ref = $1"),
        ))
        .bind(row.entity_ref.clone())
        .fetch_all(&mut *tx)
        .await?;
        for source in old {
            written.to_stitch.insert(source.try_get(0)?);
        }
        sqlx::query(sql(
            dialect,
            &format!("DELETE FROM {RELATIONS} WHERE originating_entity_ref = $1"),
        ))
        .bind(row.entity_ref.clone())
        .execute(&mut *tx)
        .await?;
        for relation in &result.relations {
            let source = key_of(&relation.source);
            sqlx::query(sql(
                dialect,
                &format!(
                    "INSERT INTO {RELATIONS} (originating_entity_ref, source_entity_ref, relation_type, target_entity_ref) VALUES ($1, $2, $3, $4)"
                ),
            ))
            .bind(row.entity_ref.clone())
            .bind(source.clone())
            .bind(relation.relation_type.clone())
            .bind(relation.target.clone())
            .execute(&mut *tx)
            .await?;
            written.to_stitch.insert(source);
        }

        // Children: upserted as due rows, referenced from this entity.
        sqlx::query(sql(
            dialect,
            &format!("DELETE FROM {REFERENCES} WHERE source_entity_ref = $1"),
        ))
        .bind(row.entity_ref.clone())
        .execute(&mut *tx)
        .await?;
        for child in &result.children {
            let Ok(child_ref) = crate::processing::entity_ref_of(&child.entity) else {
                continue;
            };
            let child_ref = key_of(&child_ref);
            let location_key = child.location.key();
            let owned = upsert_unprocessed(
                &mut tx,
                dialect,
                &child_ref,
                &child.entity,
                &child.location,
                &location_key,
            )
            .await?;
            if !owned {
                tracing::warn!(
                    entity = %child_ref,
                    location = %location_key,
                    "detected a conflicting entity ref: it is already provided by another location; this one is ignored"
                );
                continue;
            }
            sqlx::query(sql(
                dialect,
                &format!("INSERT INTO {REFERENCES} (source_key, source_entity_ref, target_entity_ref) VALUES (NULL, $1, $2)"),
            ))
            .bind(row.entity_ref.clone())
            .bind(child_ref)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(written)
}
