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
