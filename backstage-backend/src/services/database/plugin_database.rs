//! [`PluginDatabase`]: one plugin's logical database, connected lazily.

use std::sync::Once;

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::{AnyConnection, AssertSqlSafe, Connection, Executor};
use tokio::sync::OnceCell;

use super::config::{PluginDbSettings, Target};
use super::dialect::Dialect;
use super::error::DatabaseError;
use super::migrations::{Migrations, migration_error, migration_lock_key, migrator, table_name};

/// A plugin's own logical database: a database (or schema) of its own on
/// PostgreSQL and MySQL, its own file or in-memory database on SQLite.
///
/// Nothing connects until [`pool`](Self::pool) is first called, so a plugin
/// that never uses its database costs no connection.
#[derive(Debug)]
pub struct PluginDatabase {
    plugin_id: String,
    settings: PluginDbSettings,
    /// Makes in-memory database names unique per backend instance.
    instance: String,
    pool: OnceCell<AnyPool>,
}

fn install_drivers() {
    static DRIVERS: Once = Once::new();
    DRIVERS.call_once(sqlx::any::install_default_drivers);
}

/// Takes the MySQL named lock `name` on `conn`, waiting as long as it takes
/// (the caller bounds the wait). Asks in one-second steps, so a wait the
/// caller gives up on ends on the server soon after.
async fn lock_mysql(conn: &mut AnyConnection, name: &str) -> Result<(), sqlx::Error> {
    loop {
        let got: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, 1)")
            .bind(name.to_owned())
            .fetch_one(&mut *conn)
            .await?;
        match got {
            Some(1) => return Ok(()),
            Some(_) => continue,
            None => {
                return Err(sqlx::Error::Protocol(format!(
                    "GET_LOCK('{name}') failed on the server"
                )));
            }
        }
    }
}

impl PluginDatabase {
    pub(crate) fn new(plugin_id: &str, settings: PluginDbSettings, instance: &str) -> Self {
        Self {
            plugin_id: plugin_id.to_owned(),
            settings,
            instance: instance.to_owned(),
            pool: OnceCell::new(),
        }
    }

    /// The plugin this database belongs to.
    pub fn plugin_id(&self) -> &str {
        &self.plugin_id
    }

    /// The SQL dialect.
    pub fn dialect(&self) -> Dialect {
        self.settings.dialect
    }

    /// Whether `skipMigrations` is set for this plugin.
    pub fn migrations_skipped(&self) -> bool {
        self.settings.skip_migrations
    }

    /// The connection pool, created (and the database ensured) on first use.
    /// A connection the server dropped is replaced on its next use.
    pub async fn pool(&self) -> Result<&AnyPool, DatabaseError> {
        self.pool.get_or_try_init(|| self.connect()).await
    }

    /// Applies the plugin's pending migrations (unless `skipMigrations` is
    /// set), in a table of its own, within `backend.database.migrationTimeout`.
    /// On PostgreSQL and MySQL a session lock keeps two replicas from
    /// migrating at once; a crashed process's lock goes with its connection.
    pub async fn migrate(&self, migrations: &Migrations) -> Result<(), DatabaseError> {
        if self.settings.skip_migrations {
            return Ok(());
        }
        self.migrate_in(&table_name(&self.plugin_id), migrations)
            .await
    }

    /// Applies the migrations of one **part** of the plugin — a module that
    /// keeps tables of its own, say — recorded in a migrations table of
    /// that part (`backstage_migrations_<pluginId>__<part>`), so the part's
    /// versions never mix with the plugin's. Like [`migrate`](Self::migrate)
    /// it honours `skipMigrations`.
    ///
    /// `part` is a short name of lowercase letters, digits and `_`.
    pub async fn migrate_part(
        &self,
        part: &str,
        migrations: &Migrations,
    ) -> Result<(), DatabaseError> {
        if part.is_empty()
            || !part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(DatabaseError::Config(format!(
                "migration part {part:?} of plugin '{}' must be a non-empty name of lowercase letters, digits and '_'",
                self.plugin_id
            )));
        }
        if self.settings.skip_migrations {
            return Ok(());
        }
        let table = format!("{}__{part}", table_name(&self.plugin_id));
        self.migrate_in(&table, migrations).await
    }

    /// Applies migrations the framework keeps in the plugin's database for
    /// itself (such as the scheduler's task table), recorded in `table`.
    /// They run even when `skipMigrations` is set: that setting is about the
    /// plugin's own schema.
    pub(crate) async fn migrate_in(
        &self,
        table: &str,
        migrations: &Migrations,
    ) -> Result<(), DatabaseError> {
        let pool = self.pool().await?;
        let migrator = migrator(&self.plugin_id, table, self.dialect(), migrations).await?;
        self.run_migrator(pool, migrator, migrations).await
    }

    /// Runs `migrator` on a connection of its own, under the migration lock,
    /// within `backend.database.migrationTimeout`.
    ///
    /// On PostgreSQL sqlx takes the lock itself (`pg_advisory_lock`, keyed
    /// by the database name) for the session. On MySQL it asks for
    /// `GET_LOCK(name, -1)` and ignores the answer — MariaDB reads a negative
    /// timeout as invalid and returns NULL at once, so replicas would migrate
    /// side by side; the service takes the same lock itself there.
    ///
    /// sqlx releases its lock only after every migration succeeded. So when
    /// a run fails or times out, the connection is closed rather than
    /// returned to the pool: back in the pool it would keep the lock (or,
    /// after a timeout, be granted it later) and block every other replica's
    /// migrations for as long as it lives. SQLite has no such lock, and
    /// closing the connection of an in-memory database could drop it.
    async fn run_migrator(
        &self,
        pool: &AnyPool,
        mut migrator: Migrator,
        migrations: &Migrations,
    ) -> Result<(), DatabaseError> {
        let mysql_lock = match &self.settings.target {
            Target::Server { database, .. } if self.dialect() == Dialect::MySql => {
                migrator.set_locking(false);
                Some(format!("{:x}", migration_lock_key(database)))
            }
            _ => None,
        };
        let mut conn = pool.acquire().await.map_err(|e| self.connection_error(e))?;
        let run = async {
            if let Some(name) = &mysql_lock {
                lock_mysql(&mut conn, name).await?;
            }
            // `run_direct` takes the connection itself; `run(&mut *conn)`
            // goes through `Acquire`, whose future is not `Send` for every
            // lifetime, and callers spawn this future.
            migrator.run_direct(None, &mut *conn, false).await?;
            if let Some(name) = &mysql_lock {
                sqlx::query("SELECT RELEASE_LOCK(?)")
                    .bind(name.clone())
                    .execute(&mut *conn)
                    .await?;
            }
            Ok::<(), MigrateError>(())
        };
        let outcome = tokio::time::timeout(self.settings.migration_timeout, run).await;
        if !matches!(outcome, Ok(Ok(()))) && self.dialect() != Dialect::Sqlite {
            conn.close_on_drop();
        }
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(migration_error(
                &self.plugin_id,
                migrations,
                self.dialect(),
                e,
            )),
            Err(_) => Err(DatabaseError::Migration {
                plugin: self.plugin_id.clone(),
                migration: "(pending migrations)".to_owned(),
                message: format!(
                    "did not finish within {:?} (backend.database.migrationTimeout); {}",
                    self.settings.migration_timeout,
                    self.lock_hint()
                ),
            }),
        }
    }

    /// What to do when migrations time out: who may hold the lock, and how
    /// to end a holder whose process is gone.
    fn lock_hint(&self) -> String {
        let slow = "if the migrations themselves are slow, raise backend.database.migrationTimeout";
        match &self.settings.target {
            Target::Server { database, .. } if self.dialect() == Dialect::Postgres => {
                let key = migration_lock_key(database);
                format!(
                    "another session holds the migration lock of database '{database}' (advisory lock {key}). If another replica is migrating, let it finish and start again; if the process holding it is gone, end its session: SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = {} AND objid = {} AND objsubid = 1; {slow}",
                    key >> 32,
                    key & 0xffff_ffff
                )
            }
            Target::Server { database, .. } => {
                let name = format!("{:x}", migration_lock_key(database));
                format!(
                    "another session holds the migration lock of database '{database}' (GET_LOCK name '{name}'). If another replica is migrating, let it finish and start again; if the process holding it is gone, end its connection: SELECT IS_USED_LOCK('{name}') gives its id, KILL <id> ends it; {slow}"
                )
            }
            _ => format!(
                "SQLite has no migration lock: another process may be writing to {}; {slow}",
                self.settings.describe()
            ),
        }
    }

    /// Closes the pool (at shutdown).
    pub async fn close(&self) {
        if let Some(pool) = self.pool.get() {
            pool.close().await;
        }
    }

    fn connection_error(&self, message: impl std::fmt::Display) -> DatabaseError {
        DatabaseError::Connection {
            plugin: self.plugin_id.clone(),
            database: self.settings.describe(),
            message: message.to_string(),
        }
    }

    async fn connect(&self) -> Result<AnyPool, DatabaseError> {
        install_drivers();
        let s = &self.settings;
        let options = AnyPoolOptions::new()
            .max_connections(s.max_connections)
            .acquire_timeout(s.acquire_timeout);
        match &s.target {
            Target::SqliteMemory => {
                // One connection stays open: the database lives as long as it.
                let url = format!(
                    "sqlite:file:backstage_{}_{}?mode=memory&cache=shared",
                    self.instance,
                    self.plugin_id.replace('-', "_")
                );
                options
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("PRAGMA foreign_keys = ON").await.map(|_| ())
                        })
                    })
                    .connect(&url)
                    .await
                    .map_err(|e| self.connection_error(e))
            }
            Target::SqliteFile(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        self.connection_error(format!("cannot create {}: {e}", parent.display()))
                    })?;
                }
                let url = format!("sqlite://{}?mode=rwc", path.display());
                options
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // Write-ahead logging: readers never wait for the
                            // writer, and a commit is one append, synced at
                            // checkpoints (synchronous = NORMAL: a power loss
                            // may drop the last commits, never corrupts).
                            // The log is copied into the file every 64 MiB
                            // rather than every 4 MiB: a page rewritten by
                            // many commits in between is copied once (about
                            // 7% less CPU ingesting 20,000 catalog entities).
                            conn.execute(
                                "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 16384",
                            )
                            .await
                            .map(|_| ())
                        })
                    })
                    .connect(&url)
                    .await
                    .map_err(|e| self.connection_error(e))
            }
            Target::Server {
                server,
                database,
                schema,
                admin_database,
            } => {
                if s.ensure_exists && schema.is_none() {
                    self.ensure_database(server, database, admin_database)
                        .await?;
                }
                let mut url = server.clone();
                url.set_path(database);
                if s.dialect == Dialect::Postgres {
                    url.query_pairs_mut().append_pair(
                        "application_name",
                        &format!("backstage_plugin_{}", self.plugin_id),
                    );
                }
                let Some(schema) = schema.clone() else {
                    return options
                        .connect(url.as_str())
                        .await
                        .map_err(|e| self.connection_error(e));
                };
                let quoted = Dialect::Postgres.quote_identifier(&schema);
                if s.ensure_exists {
                    let mut conn = sqlx::AnyConnection::connect(url.as_str())
                        .await
                        .map_err(|e| self.connection_error(e))?;
                    conn.execute(AssertSqlSafe(format!(
                        "CREATE SCHEMA IF NOT EXISTS {quoted}"
                    )))
                    .await
                    .map_err(|e| {
                        self.connection_error(format!("cannot create schema {schema}: {e}"))
                    })?;
                    let _ = conn.close().await;
                }
                options
                    .after_connect(move |conn, _| {
                        let statement = format!("SET search_path TO {quoted}");
                        Box::pin(
                            async move { conn.execute(AssertSqlSafe(statement)).await.map(|_| ()) },
                        )
                    })
                    .connect(url.as_str())
                    .await
                    .map_err(|e| self.connection_error(e))
            }
        }
    }

    /// Creates the plugin's database when it does not exist.
    async fn ensure_database(
        &self,
        server: &url::Url,
        database: &str,
        admin_database: &str,
    ) -> Result<(), DatabaseError> {
        let mut admin_url = server.clone();
        admin_url.set_path(admin_database);
        let admin = AnyPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(self.settings.acquire_timeout)
            .connect(admin_url.as_str())
            .await
            .map_err(|e| {
                self.connection_error(format!(
                    "cannot connect to make sure the database exists: {e}"
                ))
            })?;
        let quoted = self.dialect().quote_identifier(database);
        let result = match self.dialect() {
            Dialect::Postgres => {
                let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                    .bind(database)
                    .fetch_optional(&admin)
                    .await
                    .map_err(|e| self.connection_error(e))?;
                if exists.is_some() {
                    Ok(())
                } else {
                    match admin.execute(AssertSqlSafe(format!("CREATE DATABASE {quoted}"))).await {
                        Ok(_) => Ok(()),
                        // Another replica created it in the meantime.
                        Err(e) if e.to_string().contains("already exists") => Ok(()),
                        Err(e) => Err(self.connection_error(format!("cannot create the database: {e}"))),
                    }
                }
            }
            _ => admin
                .execute(AssertSqlSafe(format!(
                    "CREATE DATABASE IF NOT EXISTS {quoted} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                )))
                .await
                .map(|_| ())
                .map_err(|e| self.connection_error(format!("cannot create the database: {e}"))),
        };
        admin.close().await;
        result
    }
}
