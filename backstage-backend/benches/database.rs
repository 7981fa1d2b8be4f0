//! The round trip of a simple query through a plugin's database pool
//! (`PluginDatabase::pool`, an `AnyPool`), for each dialect: SQLite in
//! memory and in a file always, PostgreSQL and MySQL when
//! `BACKSTAGE_TEST_POSTGRES_URL` / `BACKSTAGE_TEST_MYSQL_URL` name them.
//!
//! `cargo bench -p backstage-backend --bench database`
//!
//! Two queries, each issued back to back by one task for
//! `BENCH_DURATION_MS` (default 1500) after a warm-up of `BENCH_WARMUP_MS`
//! (default 200):
//!
//! - `point`: `SELECT title FROM items WHERE id = ?` on a 1000-row table,
//!   built with sea-query for the dialect, keys cycling over every row;
//! - `select 1`: `SELECT 1`, the bare round trip.
//!
//! Printed per dialect and query: operations per second and the p50 / p99
//! latency of one query. The databases the bench creates (a unique prefix
//! on the servers, a temporary directory for the file) are removed at the
//! end.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use backstage_backend::backstage_core::config::Config;
use backstage_backend::services::database::{
    DatabaseManager, Dialect, Migration, Migrations, PluginDatabase,
};
use sea_query::{Expr, ExprTrait, Query};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Row};

const ROWS: usize = 1000;

const MIGRATIONS: Migrations = Migrations::new(&[Migration::new(
    1,
    "items",
    "CREATE TABLE items (id VARCHAR(255) NOT NULL PRIMARY KEY, title TEXT NOT NULL)",
)])
.mysql(&[Migration::new(
    1,
    "items",
    "CREATE TABLE items (id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY, title TEXT NOT NULL)",
)]);

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a non-negative integer, got {value:?}")),
        Err(_) => default,
    }
}

/// Latencies of one query run back to back: (ops/s, p50, p99).
async fn measure<F, Fut>(duration: Duration, mut query: F) -> (f64, Duration, Duration)
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut latencies = Vec::with_capacity(100_000);
    let started = Instant::now();
    let mut i = 0;
    while started.elapsed() < duration {
        let one = Instant::now();
        query(i).await;
        latencies.push(one.elapsed());
        i += 1;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    (
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.50),
        at(0.99),
    )
}

fn id(i: usize) -> String {
    format!("item-{:04}", i % ROWS)
}

async fn fill(db: &PluginDatabase) {
    db.migrate(&MIGRATIONS).await.unwrap();
    let pool = db.pool().await.unwrap();
    for chunk in (0..ROWS).collect::<Vec<_>>().chunks(100) {
        let mut insert = Query::insert();
        insert.into_table("items").columns(["id", "title"]);
        for &i in chunk {
            insert.values_panic([id(i).into(), format!("Item number {i}").into()]);
        }
        let (sql, values) = db.dialect().build(&insert);
        sqlx::query_with(AssertSqlSafe(sql), values)
            .execute(pool)
            .await
            .unwrap();
    }
}

async fn bench_dialect(name: &str, section: Value) {
    let duration = Duration::from_millis(env_u64("BENCH_DURATION_MS", 1500));
    let warmup = Duration::from_millis(env_u64("BENCH_WARMUP_MS", 200));
    let manager = DatabaseManager::new(Arc::new(Config::from_value(
        json!({"backend": {"database": section}}),
    )));
    let db = manager.for_plugin("bench").unwrap();
    fill(&db).await;
    let pool = db.pool().await.unwrap();
    let dialect = db.dialect();

    let point = |i: usize| {
        let select = Query::select()
            .column("title")
            .from("items")
            .and_where(Expr::col("id").eq(id(i)))
            .to_owned();
        let (sql, values) = dialect.build(&select);
        async move {
            let row = sqlx::query_with(AssertSqlSafe(sql), values)
                .fetch_one(pool)
                .await
                .unwrap();
            let title: String = row.get(0);
            assert!(title.starts_with("Item number"));
        }
    };
    measure(warmup, point).await;
    let (ops, p50, p99) = measure(duration, point).await;
    print_row(name, "point", ops, p50, p99);

    let one = |_: usize| async move {
        sqlx::query("SELECT 1").fetch_one(pool).await.unwrap();
    };
    measure(warmup, one).await;
    let (ops, p50, p99) = measure(duration, one).await;
    print_row(name, "select 1", ops, p50, p99);
    db.close().await;
}

fn print_row(dialect: &str, query: &str, ops: f64, p50: Duration, p99: Duration) {
    println!(
        "{dialect:<14} {query:<9} {ops:>10.0} {:>9.1} {:>9.1}",
        p50.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6
    );
}

/// Drops every database on the server whose name starts with `prefix`.
async fn drop_databases(url: &str, dialect: Dialect, prefix: &str) {
    sqlx::any::install_default_drivers();
    let admin = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    let (list, drop): (&str, fn(&str) -> String) = match dialect {
        Dialect::Postgres => (
            "SELECT datname::text FROM pg_database WHERE datname LIKE $1",
            |name| format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
        ),
        _ => (
            "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata WHERE schema_name LIKE ?",
            |name| format!("DROP DATABASE IF EXISTS `{name}`"),
        ),
    };
    let names: Vec<String> = sqlx::query_scalar(AssertSqlSafe(list))
        .bind(format!("{prefix}%"))
        .fetch_all(&admin)
        .await
        .unwrap();
    for name in names {
        sqlx::raw_sql(AssertSqlSafe(drop(&name)))
            .execute(&admin)
            .await
            .unwrap();
    }
    admin.close().await;
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        println!("one query at a time through PluginDatabase::pool (latencies in µs)");
        println!(
            "{:<14} {:<9} {:>10} {:>9} {:>9}",
            "dialect", "query", "ops/s", "p50", "p99"
        );
        bench_dialect(
            "sqlite memory",
            json!({"client": "sqlite", "connection": ":memory:"}),
        )
        .await;
        let dir = tempfile::tempdir().unwrap();
        bench_dialect(
            "sqlite file",
            json!({"client": "sqlite", "connection": {"directory": dir.path()}}),
        )
        .await;
        drop(dir);

        let prefix = format!("bench{}_", std::process::id());
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
                Ok(url) if !url.is_empty() => {
                    bench_dialect(
                        name,
                        json!({"client": client, "connection": url, "prefix": prefix, "pool": {"max": 2}}),
                    )
                    .await;
                    drop_databases(&url, dialect, &prefix).await;
                }
                _ => println!("{name:<14} skipped: {var} is not set"),
            }
        }
    });
}
