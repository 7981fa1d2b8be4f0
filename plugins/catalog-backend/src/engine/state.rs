//! Reading and writing the processing state.

use std::collections::BTreeSet;
use std::time::Duration;

use backstage_backend::services::database::{Dialect, PluginDatabase};
use backstage_plugin_catalog_node::{LocationSpec, Presence, ProcessorCache};
use sea_query::{Expr, ExprTrait, Query};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};

use super::EngineError;
use super::batch::{CHUNK, execute, execute_unabortable};
use super::hash::hash_text;
use super::schema::{REFERENCES, REFRESH_KEYS, STATE};
use crate::statement_chunks::StatementChunks;

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
    /// The token of the claim this row was read under: when another claim
    /// has taken the row by the time the result is written (this one's
    /// lease ran out), the result is dropped and the newer claim's stands.
    pub(crate) claimed_by: String,
    /// The processor cache of the entity's last successful run (empty for
    /// most entities: their column is NULL and costs nothing). The engine
    /// takes it out to hand it to the orchestrator.
    pub(crate) cache: ProcessorCache,
    /// Whether the row holds a processor cache: a result without one then
    /// clears it.
    pub(crate) had_cache: bool,
}

/// What writing a batch of results did.
#[derive(Debug, Default)]
pub(crate) struct Written {
    pub(crate) unchanged: usize,
    /// Results dropped because another claim took their entity.
    pub(crate) fenced: usize,
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
/// due now; returns the refs `source_key` owned before, so the caller can
/// prune the ones it no longer owns.
pub(crate) async fn set_roots(
    db: &PluginDatabase,
    source_key: &str,
    locations: &[LocationSpec],
) -> Result<Vec<String>, EngineError> {
    let dialect = db.dialect();
    let pool = db.pool().await?;
    let mut tx = pool.begin().await?;
    let before = super::sources::owned_by(&mut tx, dialect, source_key).await?;
    sqlx::query(sql(
        dialect,
        &format!("DELETE FROM {REFERENCES} WHERE source_key = $1"),
    ))
    .bind(source_key.to_owned())
    .execute(&mut *tx)
    .await?;
    super::sources::attach_roots(&mut tx, dialect, source_key, locations).await?;
    tx.commit().await?;
    Ok(before)
}

/// How this replica claims due rows.
#[derive(Debug)]
pub(crate) struct Claimer {
    /// This replica's id, the prefix of its claim tokens.
    pub(crate) replica: String,
    /// How long a claim holds: a row claimed but never written (the
    /// replica died) is due again once it is over.
    pub(crate) lease: Duration,
    /// Whether the database has `FOR UPDATE SKIP LOCKED`; found out on the
    /// first claim.
    pub(crate) skip_locked: tokio::sync::OnceCell<bool>,
    /// Counts claims, to make each token unique.
    pub(crate) counter: std::sync::atomic::AtomicU64,
}

impl Claimer {
    /// A token no other claim (of any replica) uses.
    pub(crate) fn token(&self) -> String {
        let n = self
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{}-{n}", self.replica)
    }

    /// The lease in milliseconds.
    pub(crate) fn lease_ms(&self) -> i64 {
        i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX / 4)
    }
}

/// Whether the server behind `db` has `FOR UPDATE SKIP LOCKED`:
/// PostgreSQL (9.5+) always, MariaDB from 10.6, MySQL from 8.0; SQLite has
/// no row locks at all.
async fn has_skip_locked(db: &PluginDatabase) -> Result<bool, EngineError> {
    match db.dialect() {
        Dialect::Sqlite => Ok(false),
        Dialect::Postgres => Ok(true),
        Dialect::MySql => {
            let row = sqlx::query("SELECT VERSION()")
                .fetch_one(db.pool().await?)
                .await?;
            let version: String = row.try_get(0)?;
            Ok(mysql_has_skip_locked(&version))
        }
    }
}

/// `SELECT VERSION()` of MariaDB (`10.11.6-MariaDB-...`) or MySQL
/// (`8.0.36`): whether it has `SKIP LOCKED`.
pub(crate) fn mysql_has_skip_locked(version: &str) -> bool {
    let mut numbers = version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let major = numbers.next().unwrap_or(0);
    let minor = numbers.next().unwrap_or(0);
    if version.to_ascii_lowercase().contains("mariadb") {
        (major, minor) >= (10, 6)
    } else {
        major >= 8
    }
}

/// Claims up to `limit` entities due at `at`, the longest-waiting first,
/// for this replica: each claimed row's `next_update_at` moves to the end
/// of the lease, so no other replica claims it until the result is written
/// (which sets the real next due time) or the lease runs out.
///
/// The claim itself is a conditional update (`… WHERE next_update_at <=
/// at`) tagged with a token of this claim, read back by that token, so two
/// replicas never both claim a row on any database. Where the database has
/// `FOR UPDATE SKIP LOCKED`, the candidates are also selected with it, so
/// concurrent replicas pick disjoint rows instead of racing for the same
/// ones.
pub(crate) async fn claim_due(
    db: &PluginDatabase,
    at: i64,
    limit: i64,
    claimer: &Claimer,
) -> Result<Vec<DueRow>, EngineError> {
    let skip_locked = *claimer
        .skip_locked
        .get_or_try_init(|| has_skip_locked(db))
        .await?;
    // Another replica may win every candidate of one attempt; a few more
    // attempts see the rows it left.
    for _ in 0..4 {
        let (candidates, rows) = if skip_locked {
            let mut tx = db.pool().await?.begin().await?;
            let found = claim_once(&mut tx, db.dialect(), at, limit, claimer, true).await?;
            tx.commit().await?;
            found
        } else {
            let mut conn = db.pool().await?.acquire().await?;
            claim_once(&mut conn, db.dialect(), at, limit, claimer, false).await?
        };
        if candidates == 0 || !rows.is_empty() {
            return Ok(rows);
        }
    }
    Ok(Vec::new())
}

/// One claim attempt: how many candidates there were, and the rows won.
async fn claim_once(
    conn: &mut sqlx::AnyConnection,
    dialect: Dialect,
    at: i64,
    limit: i64,
    claimer: &Claimer,
    skip_locked: bool,
) -> Result<(usize, Vec<DueRow>), EngineError> {
    let lock = if skip_locked {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let candidates: Vec<String> = sqlx::query(sql(
        dialect,
        &format!(
            "SELECT entity_ref FROM {STATE} WHERE next_update_at <= $1 \
             ORDER BY next_update_at, entity_ref LIMIT {limit}{lock}"
        ),
    ))
    .bind(at)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| row.try_get(0))
    .collect::<Result<_, _>>()?;
    if candidates.is_empty() {
        return Ok((0, Vec::new()));
    }
    let token = claimer.token();
    let lease_ms = claimer.lease_ms();
    let mut rows = Vec::with_capacity(candidates.len());
    for chunk in candidates.statement_chunks(CHUNK) {
        let update = Query::update()
            .table(STATE)
            .value("next_update_at", now_ms().saturating_add(lease_ms))
            .value("claimed_by", token.clone())
            .and_where(Expr::col("entity_ref").is_in(chunk.iter().map(String::as_str)))
            .and_where(Expr::col("next_update_at").lte(at))
            .to_owned();
        if execute_unabortable(conn, dialect, &update).await? == 0 {
            continue;
        }
        let select = Query::select()
            .columns([
                "entity_ref",
                "unprocessed_entity",
                "location_type",
                "location_target",
                "result_hash",
                "unprocessed_hash",
                "processor_cache",
            ])
            .from(STATE)
            .and_where(Expr::col("entity_ref").is_in(chunk.iter().map(String::as_str)))
            .and_where(Expr::col("claimed_by").eq(token.clone()))
            .order_by("next_update_at", sea_query::Order::Asc)
            .order_by("entity_ref", sea_query::Order::Asc)
            .to_owned();
        let (text, values) = dialect.build(&select);
        for row in sqlx::query_with(AssertSqlSafe(text), values)
            .fetch_all(&mut *conn)
            .await?
        {
            rows.push(due_row(&row, &token)?);
        }
    }
    Ok((candidates.len(), rows))
}

fn due_row(row: &sqlx::any::AnyRow, token: &str) -> Result<DueRow, EngineError> {
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
    let cache_text: Option<String> = row.try_get(6)?;
    let had_cache = cache_text.is_some();
    // The cache is an optimisation: an unreadable one is dropped (the next
    // successful run writes a new one), never an error of the entity.
    let cache = match cache_text.as_deref().map(ProcessorCache::from_json) {
        None => ProcessorCache::new(),
        Some(Ok(cache)) => cache,
        Some(Err(e)) => {
            tracing::warn!(
                entity = %entity_ref,
                "catalog processing: the stored processor cache is unreadable and is dropped: {e}"
            );
            ProcessorCache::new()
        }
    };
    Ok(DueRow {
        cache,
        had_cache,
        location: LocationSpec {
            location_type: row.try_get(2)?,
            target: row.try_get(3)?,
            presence,
        },
        result_hash: row.try_get(4)?,
        unprocessed_hash: row.try_get(5)?,
        claimed_by: token.to_owned(),
        entity,
        entity_ref,
    })
}

fn entity_presence_optional(entity: &Value) -> bool {
    entity["spec"]["presence"].as_str() == Some("optional")
}

/// Whether the engine has a row for `entity_ref` (lowercased).
pub(crate) async fn exists(db: &PluginDatabase, entity_ref: &str) -> Result<bool, EngineError> {
    let select = Query::select()
        .column("entity_ref")
        .from(STATE)
        .and_where(Expr::col("entity_ref").eq(entity_ref))
        .to_owned();
    let (text, values) = db.dialect().build(&select);
    Ok(sqlx::query_with(AssertSqlSafe(text), values)
        .fetch_optional(db.pool().await?)
        .await?
        .is_some())
}

/// Makes `refs` (lowercased) due now.
pub(crate) async fn make_due(db: &PluginDatabase, refs: &[String]) -> Result<(), EngineError> {
    let dialect = db.dialect();
    let mut conn = db.pool().await?.acquire().await?;
    for chunk in refs.statement_chunks(CHUNK) {
        let update = Query::update()
            .table(STATE)
            .value("next_update_at", 0i64)
            .and_where(Expr::col("entity_ref").is_in(chunk.iter().map(String::as_str)))
            .to_owned();
        execute(&mut conn, dialect, &update).await?;
    }
    Ok(())
}

/// Makes due now every entity read from a location whose key or target is
/// one of `keys`, or whose processors emitted one of `keys` as a refresh
/// key.
pub(crate) async fn make_due_by_location(
    db: &PluginDatabase,
    keys: &[String],
) -> Result<(), EngineError> {
    let dialect = db.dialect();
    let mut conn = db.pool().await?.acquire().await?;
    for chunk in keys.statement_chunks(CHUNK) {
        let by_key = Query::select()
            .column("entity_ref")
            .from(REFRESH_KEYS)
            .and_where(Expr::col("key_hash").is_in(chunk.iter().map(|k| hash_text(k))))
            .to_owned();
        let update = Query::update()
            .table(STATE)
            .value("next_update_at", 0i64)
            .and_where(
                Expr::col("location_key")
                    .is_in(chunk.iter().map(String::as_str))
                    .or(Expr::col("location_target").is_in(chunk.iter().map(String::as_str)))
                    .or(Expr::col("entity_ref").in_subquery(by_key)),
            )
            .to_owned();
        execute(&mut conn, dialect, &update).await?;
    }
    Ok(())
}
