//! The store's version: a counter in the database that every committed
//! change of the entities bumps, in the same transaction. A reader that
//! remembers the version it read at can tell whether its copy is current —
//! the [read cache](crate::api) keys its answers by it.
//!
//! Each [`CatalogStore`] value (and its clones) also remembers the latest
//! version it has seen: its own writes raise it when they commit, and
//! [`CatalogStore::refresh_version`] reads the database for changes other
//! processes made.

use std::sync::atomic::{AtomicU64, Ordering};

use backstage_backend::services::database::Dialect;
use sea_query::{Expr, ExprTrait, Query};
use sqlx::{AnyConnection, AssertSqlSafe};

use super::CatalogStore;
use super::error::StoreError;
use super::schema::VERSION;

/// The latest version a store value has seen.
#[derive(Debug, Default)]
pub(crate) struct KnownVersion(AtomicU64);

impl KnownVersion {
    /// Raises the known version to `version` (never lowers it).
    pub(crate) fn raise(&self, version: u64) {
        self.0.fetch_max(version, Ordering::AcqRel);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}

impl CatalogStore {
    /// The latest store version this process knows of. It changes after
    /// every committed write through this store (or a clone) and after a
    /// [`refresh_version`](Self::refresh_version) that saw another
    /// process's writes; equal versions mean equal content.
    pub fn version(&self) -> u64 {
        self.known.get()
    }

    /// Reads the version from the database — to notice writes made by other
    /// processes (replicas) — and returns the latest known one.
    pub async fn refresh_version(&self) -> Result<u64, StoreError> {
        let mut conn = self
            .pool()
            .await?
            .acquire()
            .await
            .map_err(StoreError::query("getting a connection"))?;
        let version = read(&mut conn, self.dialect()).await?;
        self.known.raise(version);
        Ok(self.version())
    }
}

/// Bumps the version inside a write's transaction; returns the new value,
/// to raise the known version with once the transaction commits.
pub(crate) async fn bump(conn: &mut AnyConnection, dialect: Dialect) -> Result<u64, StoreError> {
    let update = Query::update()
        .table(VERSION)
        .value("version", Expr::col("version").add(1))
        .and_where(Expr::col("id").eq(1))
        .to_owned();
    let (sql, values) = dialect.build(&update);
    sqlx::query_with(AssertSqlSafe(sql), values)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query("bumping the store version"))?;
    read(conn, dialect).await
}

async fn read(conn: &mut AnyConnection, dialect: Dialect) -> Result<u64, StoreError> {
    let select = Query::select()
        .column("version")
        .from(VERSION)
        .and_where(Expr::col("id").eq(1))
        .to_owned();
    let (sql, values) = dialect.build(&select);
    let version: i64 = sqlx::query_scalar_with(AssertSqlSafe(sql), values)
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::query("reading the store version"))?;
    Ok(u64::try_from(version).unwrap_or(0))
}
