//! Running one test body against every configured database: SQLite in
//! memory always; PostgreSQL and MySQL when BACKSTAGE_TEST_POSTGRES_URL /
//! BACKSTAGE_TEST_MYSQL_URL name them (with CI=true, unset is a failure).
//! Each run uses a database prefix of its own and drops what it created.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use backstage_backend::backstage_core::config::Config;
use backstage_backend::services::database::{DatabaseManager, Dialect};
use backstage_plugin_catalog_backend::store::CatalogStore;
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Row};

/// One database server.
#[derive(Clone, Debug)]
pub(crate) struct Server {
    pub(crate) name: &'static str,
    pub(crate) dialect: Dialect,
    section: Value,
    url: Option<String>,
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
                section: json!({"client": client, "connection": url.clone(), "pool": {"max": 2}}),
                url: Some(url),
            }),
            _ if ci => panic!("{var} is not set, and CI=true requires every database"),
            _ => println!("skipped {name}: {var} is not set"),
        }
    }
    list
}

/// A prefix no other test (or run) uses.
fn unique_prefix(test: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "cs{}_{}_{}_{}_",
        std::process::id() % 10000,
        nanos % 100000,
        NEXT.fetch_add(1, Ordering::Relaxed),
        &test[..test.len().min(6)]
    )
}

/// Runs `body` with a fresh, migrated store on every configured database.
pub(crate) async fn on_every_database<F>(test: &str, body: F)
where
    F: AsyncFn(CatalogStore, &Server) -> anyhow::Result<()>,
{
    for server in servers() {
        let prefix = unique_prefix(test);
        let mut section = server.section.clone();
        section["prefix"] = json!(prefix);
        let manager = DatabaseManager::new(Arc::new(Config::from_value(
            json!({"backend": {"database": section}}),
        )));
        let db = Arc::new(manager.for_plugin("catalog").expect("database settings"));
        let store = CatalogStore::new(Arc::clone(&db));
        let outcome = match store.migrate().await {
            Ok(()) => body(store, &server).await,
            Err(e) => Err(e.into()),
        };
        db.close().await;
        cleanup(&server, &prefix).await;
        if let Err(e) = outcome {
            panic!("{test} on {}: {e:#}", server.name);
        }
    }
}

/// Drops every database whose name starts with `prefix`.
async fn cleanup(server: &Server, prefix: &str) {
    let Some(url) = &server.url else { return };
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("cleanup connection");
    let like = format!("{prefix}%");
    let (list, drop): (&str, fn(&str) -> String) = match server.dialect {
        Dialect::Postgres => (
            "SELECT datname::text FROM pg_database WHERE datname LIKE $1",
            |name| format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
        ),
        _ => (
            "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata WHERE schema_name LIKE ?",
            |name| format!("DROP DATABASE IF EXISTS `{name}`"),
        ),
    };
    let rows = sqlx::query(list)
        .bind(&like)
        .fetch_all(&pool)
        .await
        .expect("listing test databases");
    for row in rows {
        let name: String = row.get(0);
        sqlx::raw_sql(AssertSqlSafe(drop(&name)))
            .execute(&pool)
            .await
            .expect("dropping a test database");
    }
    pool.close().await;
}
