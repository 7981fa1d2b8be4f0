//! The task table in a plugin's own database, through which the replicas of
//! a backend agree on who runs a global task: a row per task with its next
//! run time and, while it runs, a claim (a ticket and when it expires).
//!
//! Times are epoch milliseconds read from the database's clock, so replicas
//! whose clocks drift still agree on when a claim expired.

use std::sync::Arc;

use serde_json::Value;
use sqlx::{AnyPool, AssertSqlSafe, Row};
use tokio::sync::OnceCell;

use super::error::SchedulerError;
use crate::services::database::{DatabaseError, Dialect, Migration, Migrations, PluginDatabase};

/// The task table.
const TABLE: &str = "backstage_backend_tasks__tasks";

/// The table recording the scheduler's own migrations.
const MIGRATIONS_TABLE: &str = "backstage_backend_tasks__migrations";

const CREATE: &[Migration] = &[Migration::new(
    1,
    "create the task table",
    "CREATE TABLE backstage_backend_tasks__tasks (
        id VARCHAR(255) NOT NULL PRIMARY KEY,
        settings_json TEXT NOT NULL,
        next_run_start_at BIGINT NOT NULL,
        current_run_ticket VARCHAR(255) NULL,
        current_run_started_at BIGINT NULL,
        current_run_expires_at BIGINT NULL,
        last_run_ended_at BIGINT NULL,
        last_run_error_json TEXT NULL
    )",
)];

const CREATE_MYSQL: &[Migration] = &[Migration::new(
    1,
    "create the task table",
    "CREATE TABLE backstage_backend_tasks__tasks (
        id VARCHAR(255) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
        settings_json TEXT NOT NULL,
        next_run_start_at BIGINT NOT NULL,
        current_run_ticket VARCHAR(255) COLLATE utf8mb4_bin NULL,
        current_run_started_at BIGINT NULL,
        current_run_expires_at BIGINT NULL,
        last_run_ended_at BIGINT NULL,
        last_run_error_json TEXT NULL
    )",
)];

const MIGRATIONS: Migrations = Migrations::new(CREATE).mysql(CREATE_MYSQL);

/// `next_run_start_at` of a task that waits for a trigger: year 9999.
pub(crate) const NEVER: i64 = 253_402_300_799_000;

/// One row of the task table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TaskRow {
    pub(crate) next_run_start_at: i64,
    pub(crate) ticket: Option<String>,
    pub(crate) started_at: Option<i64>,
    pub(crate) expires_at: Option<i64>,
    pub(crate) last_run_ended_at: Option<i64>,
    pub(crate) last_run_error: Option<String>,
}

/// The task table of one plugin, created on first use.
#[derive(Debug)]
pub(crate) struct TaskStore {
    database: Arc<PluginDatabase>,
    ready: OnceCell<()>,
}

impl TaskStore {
    pub(crate) fn new(database: Arc<PluginDatabase>) -> Self {
        Self {
            database,
            ready: OnceCell::new(),
        }
    }

    fn error(&self, source: impl Into<DatabaseError>) -> SchedulerError {
        SchedulerError::Database {
            plugin: self.database.plugin_id().to_owned(),
            source: source.into(),
        }
    }

    fn dialect(&self) -> Dialect {
        self.database.dialect()
    }

    /// The pool, with the task table migrated.
    async fn pool(&self) -> Result<&AnyPool, SchedulerError> {
        self.ready
            .get_or_try_init(|| async {
                self.database
                    .migrate_in(MIGRATIONS_TABLE, &MIGRATIONS)
                    .await
                    .map_err(|e| self.error(e))
            })
            .await?;
        self.database.pool().await.map_err(|e| self.error(e))
    }

    /// Hand-written SQL uses `$1`, `$2`, ... in order; MySQL wants `?`.
    fn sql(&self, text: &str) -> AssertSqlSafe<String> {
        AssertSqlSafe(self.dialect().positional(text))
    }

    /// The database's clock, in epoch milliseconds.
    pub(crate) async fn now(&self) -> Result<i64, SchedulerError> {
        let pool = self.pool().await?;
        let statement = match self.dialect() {
            Dialect::Sqlite => {
                "SELECT CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
            }
            Dialect::Postgres => {
                "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
            }
            Dialect::MySql => "SELECT CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)",
        };
        sqlx::query_scalar::<_, i64>(statement)
            .fetch_one(pool)
            .await
            .map_err(|e| self.error(e))
    }

    /// Adds the task, or updates its settings. A replica registering the
    /// same schedule leaves the stored next run alone (otherwise each
    /// replica that starts would pull the next run to now and the task
    /// would run twice in one period); a changed schedule may bring it
    /// forward — of the stored and the new next run time, the earlier wins.
    pub(crate) async fn register(
        &self,
        id: &str,
        settings: &Value,
        next_run_start_at: i64,
    ) -> Result<(), SchedulerError> {
        let pool = self.pool().await?;
        let statement = match self.dialect() {
            Dialect::MySql => format!(
                "INSERT INTO {TABLE} (id, settings_json, next_run_start_at) VALUES ($1, $2, $3) \
                 ON DUPLICATE KEY UPDATE next_run_start_at = IF(settings_json <> VALUES(settings_json) \
                 AND VALUES(next_run_start_at) < next_run_start_at, VALUES(next_run_start_at), next_run_start_at), \
                 settings_json = VALUES(settings_json)"
            ),
            Dialect::Sqlite | Dialect::Postgres => format!(
                "INSERT INTO {TABLE} (id, settings_json, next_run_start_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET settings_json = excluded.settings_json, \
                 next_run_start_at = CASE WHEN {TABLE}.settings_json <> excluded.settings_json \
                 AND excluded.next_run_start_at < {TABLE}.next_run_start_at \
                 THEN excluded.next_run_start_at ELSE {TABLE}.next_run_start_at END"
            ),
        };
        sqlx::query(self.sql(&statement))
            .bind(id.to_owned())
            .bind(settings.to_string())
            .bind(next_run_start_at)
            .execute(pool)
            .await
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Claims the task when it is due and nobody holds a live claim.
    /// Exactly one of the replicas racing for it gets `true`.
    pub(crate) async fn claim(
        &self,
        id: &str,
        ticket: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<bool, SchedulerError> {
        let pool = self.pool().await?;
        let statement = format!(
            "UPDATE {TABLE} SET current_run_ticket = $1, current_run_started_at = $2, \
             current_run_expires_at = $3 WHERE id = $4 AND next_run_start_at <= $5 \
             AND (current_run_ticket IS NULL OR current_run_expires_at < $6)"
        );
        let done = sqlx::query(self.sql(&statement))
            .bind(ticket.to_owned())
            .bind(now)
            .bind(expires_at)
            .bind(id.to_owned())
            .bind(now)
            .bind(now)
            .execute(pool)
            .await
            .map_err(|e| self.error(e))?;
        Ok(done.rows_affected() == 1)
    }

    /// The task's row, if it exists.
    pub(crate) async fn get(&self, id: &str) -> Result<Option<TaskRow>, SchedulerError> {
        let pool = self.pool().await?;
        let statement = format!(
            "SELECT next_run_start_at, current_run_ticket, current_run_started_at, \
             current_run_expires_at, last_run_ended_at, last_run_error_json FROM {TABLE} WHERE id = $1"
        );
        let row = sqlx::query(self.sql(&statement))
            .bind(id.to_owned())
            .fetch_optional(pool)
            .await
            .map_err(|e| self.error(e))?;
        row.map(|row| {
            Ok(TaskRow {
                next_run_start_at: row.try_get(0)?,
                ticket: row.try_get(1)?,
                started_at: row.try_get(2)?,
                expires_at: row.try_get(3)?,
                last_run_ended_at: row.try_get(4)?,
                last_run_error: row.try_get(5)?,
            })
        })
        .transpose()
        .map_err(|e: sqlx::Error| self.error(e))
    }

    /// Ends a run this replica holds: sets the next run time, clears the
    /// claim and records the result. Does nothing if the claim was taken
    /// away (cancelled, or expired and claimed by another replica).
    pub(crate) async fn release(
        &self,
        id: &str,
        ticket: &str,
        next_run_start_at: i64,
        ended_at: i64,
        error: Option<&str>,
    ) -> Result<bool, SchedulerError> {
        let pool = self.pool().await?;
        let statement = format!(
            "UPDATE {TABLE} SET next_run_start_at = $1, current_run_ticket = NULL, \
             current_run_started_at = NULL, current_run_expires_at = NULL, \
             last_run_ended_at = $2, last_run_error_json = $3 WHERE id = $4 AND current_run_ticket = $5"
        );
        let done = sqlx::query(self.sql(&statement))
            .bind(next_run_start_at)
            .bind(ended_at)
            .bind(error_json(error))
            .bind(id.to_owned())
            .bind(ticket.to_owned())
            .execute(pool)
            .await
            .map_err(|e| self.error(e))?;
        Ok(done.rows_affected() == 1)
    }

    /// Makes the task due now unless a live claim is held. `false` when it
    /// is running (or does not exist).
    pub(crate) async fn trigger(&self, id: &str, now: i64) -> Result<bool, SchedulerError> {
        let pool = self.pool().await?;
        let statement = format!(
            "UPDATE {TABLE} SET next_run_start_at = $1 WHERE id = $2 \
             AND (current_run_ticket IS NULL OR current_run_expires_at < $3)"
        );
        let done = sqlx::query(self.sql(&statement))
            .bind(now)
            .bind(id.to_owned())
            .bind(now)
            .execute(pool)
            .await
            .map_err(|e| self.error(e))?;
        // MySQL counts changed rows only: a task already due at `now`
        // changes nothing, yet it is not running.
        if done.rows_affected() == 1 {
            return Ok(true);
        }
        Ok(self
            .get(id)
            .await?
            .is_some_and(|row| row.ticket.is_none() && row.next_run_start_at <= now))
    }

    /// Takes the claim away from whoever runs the task and records that the
    /// run was cancelled; the holder notices and stops its run. `false`
    /// when the task was not running.
    pub(crate) async fn cancel(
        &self,
        id: &str,
        now: i64,
        next_run_start_at: i64,
    ) -> Result<bool, SchedulerError> {
        let pool = self.pool().await?;
        let statement = format!(
            "UPDATE {TABLE} SET next_run_start_at = $1, current_run_ticket = NULL, \
             current_run_started_at = NULL, current_run_expires_at = NULL, \
             last_run_ended_at = $2, last_run_error_json = $3 \
             WHERE id = $4 AND current_run_ticket IS NOT NULL"
        );
        let done = sqlx::query(self.sql(&statement))
            .bind(next_run_start_at)
            .bind(now)
            .bind(error_json(Some("Task was cancelled")))
            .bind(id.to_owned())
            .execute(pool)
            .await
            .map_err(|e| self.error(e))?;
        Ok(done.rows_affected() == 1)
    }
}

/// The stored form of a run's error: `{"name":"Error","message":...}`.
fn error_json(error: Option<&str>) -> Option<String> {
    error.map(|message| serde_json::json!({"name": "Error", "message": message}).to_string())
}

/// The message of a stored run error.
pub(crate) fn error_message(stored: &str) -> String {
    serde_json::from_str::<Value>(stored)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| stored.to_owned())
}
