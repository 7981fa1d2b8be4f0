//! Reading and writing the processing state.

use std::collections::BTreeSet;
use std::time::Duration;

use backstage_backend::services::database::{Dialect, PluginDatabase};
use backstage_plugin_catalog_node::{LocationSpec, Presence};
use sea_query::{Expr, ExprTrait, Query};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};

use super::EngineError;
use super::batch::{CHUNK, execute, insert_references};
use super::hash::hash_text;
use super::root::location_entity;
use super::schema::{REFERENCES, STATE};
use super::unprocessed::{Unprocessed, upsert_unprocessed};

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
pub(crate) fn next_due(now: i64, interval: Option<Duration>, seed: &str) -> i64 {
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
    let roots: Vec<Unprocessed> = locations
        .iter()
        .map(|location| {
            let entity = location_entity(location);
            let name = entity["metadata"]["name"].as_str().unwrap_or_default();
            let entity_ref = key_of(&format!("location:default/{name}"));
            Unprocessed::new(entity_ref, &entity, location)
        })
        .collect();
    upsert_unprocessed(&mut tx, dialect, &roots).await?;
    let refs: Vec<&str> = roots.iter().map(|r| r.entity_ref.as_str()).collect();
    for chunk in refs.chunks(CHUNK) {
        let update = Query::update()
            .table(STATE)
            .value("next_update_at", 0i64)
            .and_where(Expr::col("entity_ref").is_in(chunk.iter().copied()))
            .to_owned();
        execute(&mut tx, dialect, &update).await?;
    }
    let references: Vec<(Option<&str>, Option<&str>, &str)> = refs
        .iter()
        .map(|target| (Some(source_key), None, *target))
        .collect();
    insert_references(&mut tx, dialect, &references).await?;
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
