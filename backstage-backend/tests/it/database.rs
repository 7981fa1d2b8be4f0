//! The database service over every configured database: SQLite always,
//! PostgreSQL and MySQL when BACKSTAGE_TEST_POSTGRES_URL /
//! BACKSTAGE_TEST_MYSQL_URL name them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use backstage_backend::services::database::{
    DatabaseError, DatabaseManager, Dialect, Migration, Migrations,
};
use backstage_core::config::Config;
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Row};

/// One database server the tests run against.
#[derive(Clone, Debug)]
pub(crate) struct Server {
    pub(crate) name: &'static str,
    pub(crate) dialect: Dialect,
    /// The `backend.database` section, without prefix.
    pub(crate) section: Value,
    pub(crate) url: Option<String>,
}

pub(crate) fn servers() -> Vec<Server> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let mut list = vec![Server {
        name: "sqlite",
        dialect: Dialect::Sqlite,
        section: json!({"client": "sqlite", "connection": ":memory:"}),
        url: None,
    }];
    for (var, name, client, dialect) in [
        (
            "BACKSTAGE_TEST_POSTGRES_URL",
            "postgres",
            "pg",
            Dialect::Postgres,
        ),
        ("BACKSTAGE_TEST_MYSQL_URL", "mysql", "mysql", Dialect::MySql),
    ] {
        match std::env::var(var) {
            Ok(url) if !url.is_empty() => list.push(Server {
                name,
                dialect,
                section: json!({"client": client, "connection": url.clone(), "pool": {"max": 3}}),
                url: Some(url),
            }),
            _ if ci => panic!("{var} is not set, and CI=true requires every database"),
            _ => println!("skipped {name}: {var} is not set"),
        }
    }
    list
}

/// A prefix no other test (or test run) uses.
pub(crate) fn unique_prefix(test: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "bt{}_{}_{}_{}_",
        std::process::id() % 10000,
        nanos % 100000,
        NEXT.fetch_add(1, Ordering::Relaxed),
        &test[..test.len().min(6)]
    )
}

fn manager(server: &Server, prefix: &str, extra: Value) -> DatabaseManager {
    let mut section = server.section.clone();
    section["prefix"] = json!(prefix);
    let section = backstage_core::config::merge(section, extra);
    DatabaseManager::new(Arc::new(Config::from_value(
        json!({"backend": {"database": section}}),
    )))
}

/// Drops every database (and pg schema) whose name starts with `prefix`.
pub(crate) async fn cleanup(server: &Server, prefix: &str) {
    let Some(url) = &server.url else { return };
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    let like = format!("{prefix}%");
    match server.dialect {
        Dialect::Postgres => {
            let rows = sqlx::query("SELECT datname::text FROM pg_database WHERE datname LIKE $1")
                .bind(&like)
                .fetch_all(&pool)
                .await
                .unwrap();
            for row in rows {
                let name: String = row.get(0);
                sqlx::raw_sql(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&pool)
                .await
                .unwrap();
            }
            let rows = sqlx::query("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE $1")
                .bind(&like)
                .fetch_all(&pool)
                .await
                .unwrap();
            for row in rows {
                let name: String = row.get(0);
                sqlx::raw_sql(AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS \"{name}\" CASCADE"
                )))
                .execute(&pool)
                .await
                .unwrap();
            }
        }
        _ => {
            let rows = sqlx::query("SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata WHERE schema_name LIKE ?")
                .bind(&like)
                .fetch_all(&pool)
                .await
                .unwrap();
            for row in rows {
                let name: String = row.get(0);
                sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE IF EXISTS `{name}`")))
                    .execute(&pool)
                    .await
                    .unwrap();
            }
        }
    }
    pool.close().await;
}

const TODOS_V1: &[Migration] = &[Migration::new(
    1,
    "create todos",
    "CREATE TABLE todos (id VARCHAR(255) NOT NULL PRIMARY KEY, title TEXT NOT NULL)",
)];
const TODOS_V2: &[Migration] = &[
    Migration::new(
        1,
        "create todos",
        "CREATE TABLE todos (id VARCHAR(255) NOT NULL PRIMARY KEY, title TEXT NOT NULL)",
    ),
    Migration::new(
        2,
        "add done",
        "ALTER TABLE todos ADD COLUMN done SMALLINT NOT NULL DEFAULT 0",
    ),
];
const TODOS_EDITED: &[Migration] = &[Migration::new(
    1,
    "create todos",
    "CREATE TABLE todos (id VARCHAR(255) NOT NULL PRIMARY KEY, title TEXT NOT NULL, extra TEXT)",
)];

async fn insert(db: &backstage_backend::services::database::PluginDatabase, id: &str, title: &str) {
    let pool = db.pool().await.unwrap();
    let sql = format!(
        "INSERT INTO todos (id, title) VALUES ({}, {})",
        db.dialect().placeholder(1),
        db.dialect().placeholder(2)
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .bind(title)
        .execute(pool)
        .await
        .unwrap();
}

async fn titles(db: &backstage_backend::services::database::PluginDatabase) -> Vec<String> {
    let pool = db.pool().await.unwrap();
    sqlx::query("SELECT title FROM todos ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect()
}

#[tokio::test]
async fn each_plugin_has_its_own_database_tables_and_migrations() {
    for server in servers() {
        let prefix = unique_prefix("iso");
        let manager = manager(&server, &prefix, json!({}));
        let a = manager.for_plugin("plugin-a").unwrap();
        let b = manager.for_plugin("plugin-b").unwrap();
        a.migrate(&Migrations::new(TODOS_V1)).await.unwrap();
        b.migrate(&Migrations::new(TODOS_V2)).await.unwrap();
        insert(&a, "1", "from a").await;
        insert(&b, "1", "from b").await;
        assert_eq!(titles(&a).await, ["from a"], "{}", server.name);
        assert_eq!(titles(&b).await, ["from b"], "{}", server.name);
        // Each plugin's own migrations table records its own history.
        let applied = |db: &'static str| format!("SELECT COUNT(*) FROM backstage_migrations_{db}");
        let count_a: i64 = sqlx::query_scalar(AssertSqlSafe(applied("plugin_a")))
            .fetch_one(a.pool().await.unwrap())
            .await
            .unwrap();
        let count_b: i64 = sqlx::query_scalar(AssertSqlSafe(applied("plugin_b")))
            .fetch_one(b.pool().await.unwrap())
            .await
            .unwrap();
        assert_eq!((count_a, count_b), (1, 2), "{}", server.name);
        // Migrating again is a no-op; a newer list applies only what is new.
        a.migrate(&Migrations::new(TODOS_V1)).await.unwrap();
        a.migrate(&Migrations::new(TODOS_V2)).await.unwrap();
        assert_eq!(titles(&a).await, ["from a"]);
        a.close().await;
        b.close().await;
        cleanup(&server, &prefix).await;
    }
}

#[tokio::test]
async fn an_edited_migration_stops_with_plugin_and_migration_named() {
    for server in servers() {
        let prefix = unique_prefix("edit");
        let manager = manager(&server, &prefix, json!({}));
        let db = manager.for_plugin("todo").unwrap();
        db.migrate(&Migrations::new(TODOS_V1)).await.unwrap();
        let err = db
            .migrate(&Migrations::new(TODOS_EDITED))
            .await
            .unwrap_err();
        assert!(matches!(err, DatabaseError::Migration { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.starts_with("migration 1 (create todos) of plugin 'todo' failed"),
            "{}: {text}",
            server.name
        );
        db.close().await;
        cleanup(&server, &prefix).await;
    }
}

#[tokio::test]
async fn a_failing_migration_names_itself() {
    const BROKEN: &[Migration] = &[
        Migration::new(
            1,
            "create todos",
            "CREATE TABLE todos (id VARCHAR(255) NOT NULL PRIMARY KEY, title TEXT NOT NULL)",
        ),
        Migration::new(2, "typo", "CREATE TABEL oops (id INTEGER)"),
    ];
    for server in servers() {
        let prefix = unique_prefix("fail");
        let db = manager(&server, &prefix, json!({}))
            .for_plugin("todo")
            .unwrap();
        let err = db
            .migrate(&Migrations::new(BROKEN))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("migration 2 (typo) of plugin 'todo' failed"),
            "{}: {err}",
            server.name
        );
        db.close().await;
        cleanup(&server, &prefix).await;
    }
}

#[tokio::test]
async fn per_dialect_migrations_pick_their_dialect() {
    const SQLITE: &[Migration] = &[Migration::new(
        1,
        "t",
        "CREATE TABLE which (name TEXT); INSERT INTO which VALUES ('sqlite')",
    )];
    const PG: &[Migration] = &[Migration::new(
        1,
        "t",
        "CREATE TABLE which (name TEXT); INSERT INTO which VALUES ('pg')",
    )];
    const MYSQL: &[Migration] = &[Migration::new(
        1,
        "t",
        "CREATE TABLE which (name TEXT); INSERT INTO which VALUES ('mysql')",
    )];
    for server in servers() {
        let prefix = unique_prefix("dial");
        let db = manager(&server, &prefix, json!({}))
            .for_plugin("todo")
            .unwrap();
        db.migrate(&Migrations::new(SQLITE).postgres(PG).mysql(MYSQL))
            .await
            .unwrap();
        let name: String = sqlx::query_scalar("SELECT name FROM which")
            .fetch_one(db.pool().await.unwrap())
            .await
            .unwrap();
        assert_eq!(name, db.dialect().to_string());
        db.close().await;
        cleanup(&server, &prefix).await;
    }
}

#[tokio::test]
async fn clients_are_created_lazily() {
    // Nothing listens on this port: creating the plugin database must not
    // notice; only using it does, with an error naming plugin and database.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let manager = DatabaseManager::new(Arc::new(Config::from_value(
        json!({"backend": {"database": {
            "client": "pg",
            "connection": format!("postgres://postgres@127.0.0.1:{port}"),
            "pool": {"acquireTimeout": "2s"}
        }}}),
    )));
    let db = manager.for_plugin("catalog").unwrap();
    assert_eq!(db.dialect(), Dialect::Postgres);
    let err = db.pool().await.unwrap_err().to_string();
    assert!(
        err.starts_with("database 'backstage_plugin_catalog' of plugin 'catalog':"),
        "{err}"
    );
}

#[tokio::test]
async fn two_backends_in_one_process_have_separate_in_memory_databases() {
    let config = || {
        Arc::new(Config::from_value(
            json!({"backend": {"database": {"client": "better-sqlite3", "connection": ":memory:"}}}),
        ))
    };
    let one = DatabaseManager::new(config()).for_plugin("todo").unwrap();
    let two = DatabaseManager::new(config()).for_plugin("todo").unwrap();
    one.migrate(&Migrations::new(TODOS_V1)).await.unwrap();
    two.migrate(&Migrations::new(TODOS_V1)).await.unwrap();
    insert(&one, "1", "only in one").await;
    assert_eq!(titles(&one).await, ["only in one"]);
    assert!(titles(&two).await.is_empty());
}

#[tokio::test]
async fn sqlite_directory_gives_a_file_per_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let manager = DatabaseManager::new(Arc::new(Config::from_value(
        json!({"backend": {"database": {
            "client": "sqlite", "connection": {"directory": dir.path().join("data")}
        }}}),
    )));
    let db = manager.for_plugin("todo").unwrap();
    db.migrate(&Migrations::new(TODOS_V1)).await.unwrap();
    insert(&db, "1", "persisted").await;
    db.close().await;
    assert!(dir.path().join("data/todo.sqlite").is_file());
    // A new manager over the same directory sees the data.
    let again = DatabaseManager::new(Arc::new(Config::from_value(
        json!({"backend": {"database": {
            "client": "sqlite", "connection": {"directory": dir.path().join("data")}
        }}}),
    )))
    .for_plugin("todo")
    .unwrap();
    assert_eq!(titles(&again).await, ["persisted"]);
}

#[tokio::test]
async fn a_plugin_override_changes_client_and_connection() {
    for server in servers().into_iter().filter(|s| s.url.is_some()) {
        let prefix = unique_prefix("over");
        let manager = manager(
            &server,
            &prefix,
            json!({"plugin": {"local": {"client": "sqlite", "connection": ":memory:"}}}),
        );
        assert_eq!(
            manager.for_plugin("local").unwrap().dialect(),
            Dialect::Sqlite
        );
        assert_eq!(
            manager.for_plugin("other").unwrap().dialect(),
            server.dialect
        );
        cleanup(&server, &prefix).await;
    }
}

#[tokio::test]
async fn ensure_exists_false_refuses_a_missing_database() {
    for server in servers().into_iter().filter(|s| s.url.is_some()) {
        let prefix = unique_prefix("noens");
        let db = manager(&server, &prefix, json!({"ensureExists": false}))
            .for_plugin("todo")
            .unwrap();
        let err = db.pool().await.unwrap_err().to_string();
        assert!(err.contains("of plugin 'todo'"), "{}: {err}", server.name);
        cleanup(&server, &prefix).await;
    }
}

#[tokio::test]
async fn postgres_schema_mode_gives_each_plugin_a_schema() {
    for server in servers()
        .into_iter()
        .filter(|s| s.dialect == Dialect::Postgres)
    {
        let prefix = unique_prefix("schema");
        let manager = manager(
            &server,
            &prefix,
            json!({"pluginDivisionMode": "schema", "schemaPrefix": prefix}),
        );
        let a = manager.for_plugin("plugin-a").unwrap();
        let b = manager.for_plugin("plugin-b").unwrap();
        a.migrate(&Migrations::new(TODOS_V1)).await.unwrap();
        b.migrate(&Migrations::new(TODOS_V1)).await.unwrap();
        insert(&a, "1", "in schema a").await;
        assert_eq!(titles(&a).await, ["in schema a"]);
        assert!(titles(&b).await.is_empty());
        let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
            .fetch_one(a.pool().await.unwrap())
            .await
            .unwrap();
        assert_eq!(schema, format!("{prefix}plugin-a"));
        a.close().await;
        b.close().await;
        cleanup(&server, &prefix).await;
    }
}

#[tokio::test]
async fn postgres_connections_killed_by_the_server_are_replaced() {
    for server in servers()
        .into_iter()
        .filter(|s| s.dialect == Dialect::Postgres)
    {
        let prefix = unique_prefix("kill");
        let db = manager(&server, &prefix, json!({}))
            .for_plugin("todo")
            .unwrap();
        db.migrate(&Migrations::new(TODOS_V1)).await.unwrap();
        insert(&db, "1", "before").await;
        let admin = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(server.url.as_deref().unwrap())
            .await
            .unwrap();
        let killed: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
        )
        .bind(format!("{prefix}todo"))
        .fetch_all(&admin)
        .await
        .unwrap();
        assert!(!killed.is_empty(), "the plugin had no connection to kill");
        admin.close().await;
        // The pool notices the dead connections and opens new ones.
        let mut recovered = false;
        for _ in 0..20 {
            if let Ok(pool) = db.pool().await
                && sqlx::query("SELECT title FROM todos")
                    .fetch_all(pool)
                    .await
                    .is_ok()
            {
                recovered = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            recovered,
            "the pool did not recover after pg_terminate_backend"
        );
        assert_eq!(titles(&db).await, ["before"]);
        db.close().await;
        cleanup(&server, &prefix).await;
    }
}

#[tokio::test]
async fn config_errors_say_what_to_fix() {
    let bad = |section: Value| {
        DatabaseManager::new(Arc::new(Config::from_value(
            json!({"backend": {"database": section}}),
        )))
        .for_plugin("todo")
        .unwrap_err()
        .to_string()
    };
    assert!(bad(json!({"client": "oracle"})).contains("client \"oracle\" is not supported"));
    assert!(
        bad(json!({"client": "sqlite", "connection": "/tmp/shared.db"}))
            .contains("would share one file between plugins")
    );
    assert!(
        bad(json!({"client": "sqlite", "pluginDivisionMode": "schema"}))
            .contains("needs client pg")
    );
    assert!(bad(json!({"client": "pg"})).contains("client pg needs a connection"));
    assert!(
        bad(json!({"client": "pg", "connection": "postgres://x", "prefix": "bad;name"}))
            .contains("prefix")
    );
    let long = "p".repeat(60);
    assert!(
        bad(json!({"client": "pg", "connection": "postgres://x", "prefix": long}))
            .contains("longer than")
    );
}

/// What a plugin author writes: migrate at init, then serve from the table.
#[tokio::test]
async fn a_plugin_uses_its_database_through_the_backend() {
    use axum::Router;
    use axum::extract::State;
    use axum::routing::get;
    use backstage_backend::services::Access;
    use backstage_backend::services::database::{DATABASE, PluginDatabase};
    use backstage_backend::{Backend, BackendError, BackendPlugin};

    let plugin = BackendPlugin::builder("todo").init(|ctx| async move {
        let db = ctx.service(&DATABASE).await?;
        db.migrate(&Migrations::new(TODOS_V1))
            .await
            .map_err(BackendError::other)?;
        insert(&db, "1", "write tests").await;
        ctx.http_router().use_router(
            Router::new()
                .route(
                    "/titles",
                    get(|State(db): State<Arc<PluginDatabase>>| async move {
                        titles(&db).await.join(",")
                    }),
                )
                .with_state(db),
        );
        ctx.http_router()
            .add_auth_policy("/", Access::Unauthenticated);
        Ok::<_, BackendError>(())
    });
    let backend = crate::support::start(Backend::builder().add(plugin), json!({})).await;
    let body = crate::support::client()
        .get(format!("{}/api/todo/titles", backend.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "write tests");
    backend.stop().await;
}

/// The key of the migration lock on `database`, as sqlx 0.9 derives it
/// (sqlx-postgres and sqlx-mysql `migrate.rs`): `0x3d32ad9e * crc32(database
/// name)`. sqlx takes `pg_advisory_lock(key)` on PostgreSQL; on MySQL the
/// service takes `GET_LOCK('<key in hex>')` itself (sqlx's request returns
/// at once on MariaDB). Computed here independently of the service, so a
/// change in either shows up as a failing test.
fn sqlx_migration_lock_key(database: &str) -> i64 {
    let mut crc = !0u32;
    for &byte in database.as_bytes() {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    0x3d32_ad9e * i64::from(!crc)
}

/// A connection of its own (no pool) to `database` on `server` that holds
/// the migration lock of that database, as a replica's migrator would; and
/// its session id on the server.
async fn hold_migration_lock(server: &Server, database: &str) -> (sqlx::AnyConnection, i64) {
    use sqlx::Connection;
    let mut url = url::Url::parse(server.url.as_deref().unwrap()).unwrap();
    url.set_path(database);
    let mut conn = sqlx::AnyConnection::connect(url.as_str()).await.unwrap();
    let key = sqlx_migration_lock_key(database);
    let session = match server.dialect {
        Dialect::Postgres => {
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(key)
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query_scalar("SELECT pg_backend_pid()")
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
        _ => {
            let got: i64 = sqlx::query_scalar("SELECT GET_LOCK(?, 0)")
                .bind(format!("{key:x}"))
                .fetch_one(&mut conn)
                .await
                .unwrap();
            assert_eq!(got, 1, "the lock was taken already");
            sqlx::query_scalar("SELECT CAST(CONNECTION_ID() AS SIGNED)")
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
    };
    (conn, session)
}

/// Ends session `session` from another connection, as the server does when
/// it notices that a crashed process's connection is gone.
async fn kill_session(server: &Server, session: i64) {
    let admin = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(server.url.as_deref().unwrap())
        .await
        .unwrap();
    match server.dialect {
        Dialect::Postgres => {
            let killed: bool =
                sqlx::query_scalar("SELECT pg_terminate_backend(CAST($1 AS integer))")
                    .bind(session)
                    .fetch_one(&admin)
                    .await
                    .unwrap();
            assert!(killed, "no session {session} to terminate");
        }
        _ => {
            sqlx::raw_sql(AssertSqlSafe(format!("KILL {session}")))
                .execute(&admin)
                .await
                .unwrap();
        }
    }
    admin.close().await;
}

// SQLite is left out of the lock tests: sqlx takes no migration lock there
// (a writer locks the whole file for the length of its transaction, and the
// lock goes with the process), so a crashed process leaves nothing behind.
#[tokio::test]
async fn a_migration_lock_left_by_a_crashed_process_is_recovered() {
    for server in servers().into_iter().filter(|s| s.url.is_some()) {
        let prefix = unique_prefix("lock");
        let database = format!("{prefix}locked");
        let replica_a = manager(&server, &prefix, json!({"migrationTimeout": 1500}))
            .for_plugin("locked")
            .unwrap();
        // Creates the plugin's database, so the holder can connect to it.
        replica_a.pool().await.unwrap();
        let (holder, session) = hold_migration_lock(&server, &database).await;

        // While a live session holds the lock, migrate gives up after
        // migrationTimeout, naming the plugin and saying what to do.
        let started = std::time::Instant::now();
        let err = replica_a
            .migrate(&Migrations::new(TODOS_V1))
            .await
            .unwrap_err()
            .to_string();
        let waited = started.elapsed();
        assert!(
            waited >= std::time::Duration::from_millis(1400)
                && waited < std::time::Duration::from_secs(6),
            "{}: gave up after {waited:?}",
            server.name
        );
        assert!(
            err.starts_with("migration (pending migrations) of plugin 'locked' failed: did not finish within 1.5s (backend.database.migrationTimeout)"),
            "{}: {err}",
            server.name
        );
        assert!(
            err.contains(&format!("migration lock of database '{database}'")),
            "{err}"
        );
        let remedy = match server.dialect {
            Dialect::Postgres => "SELECT pg_terminate_backend(pid) FROM pg_locks",
            _ => "KILL <id>",
        };
        assert!(err.contains(remedy), "{}: {err}", server.name);

        // Another replica starts while the lock is still held, then the
        // holder's process "crashes": the server ends its session, the lock
        // goes with it, and the waiting replica migrates.
        let replica_b = manager(&server, &prefix, json!({"migrationTimeout": "10s"}))
            .for_plugin("locked")
            .unwrap();
        let waiting = tokio::spawn(async move {
            let result = replica_b.migrate(&Migrations::new(TODOS_V1)).await;
            (replica_b, result)
        });
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert!(
            !waiting.is_finished(),
            "{}: migrated while the lock was held",
            server.name
        );
        kill_session(&server, session).await;
        drop(holder);
        let (replica_b, result) = tokio::time::timeout(std::time::Duration::from_secs(15), waiting)
            .await
            .expect("the waiting replica did not finish")
            .unwrap();
        result.unwrap_or_else(|e| panic!("{}: {e}", server.name));
        insert(&replica_b, "1", "after the crash").await;
        // The first replica, whose earlier attempt timed out, holds no lock
        // either: migrating again is a quick no-op.
        replica_a.migrate(&Migrations::new(TODOS_V1)).await.unwrap();
        assert_eq!(titles(&replica_a).await, ["after the crash"]);
        replica_a.close().await;
        replica_b.close().await;
        cleanup(&server, &prefix).await;
    }
}

#[tokio::test]
async fn a_failed_migration_does_not_keep_the_migration_lock() {
    // SQLite takes no migration lock; see above.
    for server in servers().into_iter().filter(|s| s.url.is_some()) {
        let prefix = unique_prefix("lockf");
        let replica_a = manager(&server, &prefix, json!({}))
            .for_plugin("todo")
            .unwrap();
        replica_a.migrate(&Migrations::new(TODOS_V1)).await.unwrap();
        // sqlx returns on the error without releasing its lock; the
        // service must not put that connection back into the pool.
        replica_a
            .migrate(&Migrations::new(TODOS_EDITED))
            .await
            .unwrap_err();
        let replica_b = manager(&server, &prefix, json!({"migrationTimeout": "5s"}))
            .for_plugin("todo")
            .unwrap();
        replica_b
            .migrate(&Migrations::new(TODOS_V1))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", server.name));
        replica_a.close().await;
        replica_b.close().await;
        cleanup(&server, &prefix).await;
    }
}

/// A part of a plugin (a module with tables of its own) migrates in its own
/// migrations table: its version 1 and the plugin's version 1 never meet.
#[tokio::test]
async fn parts_of_a_plugin_migrate_apart() {
    const AUDIT_V1: &[Migration] = &[Migration::new(
        1,
        "create audit",
        "CREATE TABLE audit (id VARCHAR(255) NOT NULL PRIMARY KEY, at BIGINT NOT NULL)",
    )];
    for server in servers() {
        let prefix = unique_prefix("parts");
        let db = manager(&server, &prefix, json!({}))
            .for_plugin("todo")
            .unwrap();
        db.migrate(&Migrations::new(TODOS_V1)).await.unwrap();
        db.migrate_part("audit", &Migrations::new(AUDIT_V1))
            .await
            .unwrap();
        // Both ran: each table exists.
        insert(&db, "1", "both").await;
        sqlx::query("INSERT INTO audit (id, at) VALUES ('a', 1)")
            .execute(db.pool().await.unwrap())
            .await
            .unwrap();
        // Running them again is a no-op, in either order.
        db.migrate_part("audit", &Migrations::new(AUDIT_V1))
            .await
            .unwrap();
        db.migrate(&Migrations::new(TODOS_V1)).await.unwrap();
        let error = db
            .migrate_part("Audit Log", &Migrations::new(AUDIT_V1))
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("lowercase"), "{error}");
        db.close().await;
        cleanup(&server, &prefix).await;
    }
}
