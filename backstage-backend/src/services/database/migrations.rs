//! Migrations a plugin embeds, per dialect where the SQL differs.

use futures_util::future::BoxFuture;
use sqlx::SqlSafeStr;
use sqlx::migrate::{
    MigrateError, Migration as SqlxMigration, MigrationSource, MigrationType, Migrator,
};

use super::dialect::Dialect;
use super::error::DatabaseError;

/// One migration: a version (applied in increasing order), a description and
/// the SQL (any number of statements).
///
/// Keep `sql` in files next to the plugin and embed them with
/// `include_str!`, so the migrations ship inside the binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Migration {
    /// Applied in increasing order; never reuse or change an applied one.
    pub version: i64,
    /// What the migration does.
    pub description: &'static str,
    /// The SQL.
    pub sql: &'static str,
}

impl Migration {
    /// A migration.
    pub const fn new(version: i64, description: &'static str, sql: &'static str) -> Self {
        Self {
            version,
            description,
            sql,
        }
    }
}

/// A plugin's migrations: one list for every dialect, with per-dialect
/// replacements where the SQL differs.
///
/// ```
/// use backstage_backend::services::database::{Migration, Migrations};
///
/// const PORTABLE: &[Migration] = &[Migration::new(
///     1,
///     "create todos",
///     "CREATE TABLE todos (id VARCHAR(255) NOT NULL PRIMARY KEY, title TEXT NOT NULL, created_at BIGINT NOT NULL)",
/// )];
/// const MYSQL: &[Migration] = &[Migration::new(
///     1,
///     "create todos",
///     "CREATE TABLE todos (id VARCHAR(255) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY, title TEXT NOT NULL, created_at BIGINT NOT NULL)",
/// )];
/// pub const MIGRATIONS: Migrations = Migrations::new(PORTABLE).mysql(MYSQL);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Migrations {
    common: &'static [Migration],
    sqlite: Option<&'static [Migration]>,
    postgres: Option<&'static [Migration]>,
    mysql: Option<&'static [Migration]>,
}

impl Migrations {
    /// Migrations whose SQL works on every dialect.
    pub const fn new(common: &'static [Migration]) -> Self {
        Self {
            common,
            sqlite: None,
            postgres: None,
            mysql: None,
        }
    }

    /// The list to use on SQLite instead of the common one.
    pub const fn sqlite(mut self, migrations: &'static [Migration]) -> Self {
        self.sqlite = Some(migrations);
        self
    }

    /// The list to use on PostgreSQL instead of the common one.
    pub const fn postgres(mut self, migrations: &'static [Migration]) -> Self {
        self.postgres = Some(migrations);
        self
    }

    /// The list to use on MySQL instead of the common one.
    pub const fn mysql(mut self, migrations: &'static [Migration]) -> Self {
        self.mysql = Some(migrations);
        self
    }

    /// The list for `dialect`.
    pub fn for_dialect(&self, dialect: Dialect) -> &'static [Migration] {
        let specific = match dialect {
            Dialect::Sqlite => self.sqlite,
            Dialect::Postgres => self.postgres,
            Dialect::MySql => self.mysql,
        };
        specific.unwrap_or(self.common)
    }
}

#[derive(Debug)]
struct Source(Vec<SqlxMigration>);

impl MigrationSource<'static> for Source {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<SqlxMigration>, sqlx::error::BoxDynError>> {
        Box::pin(async move { Ok(self.0) })
    }
}

/// The name of a plugin's migrations table.
pub(crate) fn table_name(plugin_id: &str) -> String {
    format!("backstage_migrations_{}", plugin_id.replace('-', "_"))
}

/// Builds the sqlx migrator for one plugin and dialect, recording applied
/// migrations in `table`.
pub(crate) async fn migrator(
    plugin_id: &str,
    table: &str,
    dialect: Dialect,
    migrations: &Migrations,
) -> Result<Migrator, DatabaseError> {
    let list = migrations
        .for_dialect(dialect)
        .iter()
        .map(|m| {
            SqlxMigration::new(
                m.version,
                m.description.into(),
                MigrationType::Simple,
                m.sql.into_sql_str(),
                false,
            )
        })
        .collect();
    let mut migrator = Migrator::new(Source(list))
        .await
        .map_err(|e| migration_error(plugin_id, migrations, dialect, e))?;
    migrator.dangerous_set_table_name(table.to_owned());
    Ok(migrator)
}

/// Names the migration an error is about.
pub(crate) fn migration_error(
    plugin_id: &str,
    migrations: &Migrations,
    dialect: Dialect,
    error: MigrateError,
) -> DatabaseError {
    let describe = |version: i64| {
        migrations
            .for_dialect(dialect)
            .iter()
            .find(|m| m.version == version)
            .map_or_else(
                || format!("{version}"),
                |m| format!("{version} ({})", m.description),
            )
    };
    let (migration, message) = match &error {
        MigrateError::ExecuteMigration(source, version) => (describe(*version), source.to_string()),
        MigrateError::VersionMismatch(version) => (
            describe(*version),
            "it was changed after it had been applied; add a new migration instead of editing an applied one".to_owned(),
        ),
        MigrateError::VersionMissing(version) => (
            describe(*version),
            "it was applied before but is no longer in the plugin; was the plugin downgraded?".to_owned(),
        ),
        MigrateError::Dirty(version) => (
            describe(*version),
            "an earlier run failed part-way; repair the database and delete the failed row from the migrations table".to_owned(),
        ),
        other => ("(setup)".to_owned(), other.to_string()),
    };
    DatabaseError::Migration {
        plugin: plugin_id.to_owned(),
        migration,
        message,
    }
}

/// The key of sqlx's migration lock on the database `database`: sqlx 0.9
/// locks with `pg_advisory_lock(key)` on PostgreSQL and
/// `GET_LOCK('<key as lowercase hex>')` on MySQL, where key is
/// `0x3d32ad9e * crc32(database name)`. Used to tell an operator which lock
/// to look for.
pub(crate) fn migration_lock_key(database: &str) -> i64 {
    0x3d32_ad9e * i64::from(crc32(database.as_bytes()))
}

/// CRC-32 (IEEE 802.3, as zlib computes it).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_the_ieee_checksum() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn lock_keys_are_positive_and_differ_per_database() {
        let a = migration_lock_key("backstage_plugin_catalog");
        let b = migration_lock_key("backstage_plugin_search");
        assert!(a > 0 && b > 0);
        assert_ne!(a, b);
        assert_eq!(migration_lock_key("x"), 0x3d32_ad9e * 0x8cdc_1683);
    }
}
