//! A catalog plugin in a real backend, on every configured database:
//! SQLite in memory always; PostgreSQL and MySQL when
//! BACKSTAGE_TEST_POSTGRES_URL / BACKSTAGE_TEST_MYSQL_URL name them (with
//! CI=true, unset is a failure). Each run gets a database prefix of its own
//! and drops the database it created.
//!
//! Shared by several test crates, each of which uses only some of it.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use backstage_backend::backstage_core::config::Config;
use backstage_backend::services::database::{DatabaseManager, PluginDatabase};
use backstage_backend::{Backend, RunningBackend};
use backstage_plugin_catalog_backend::catalog_plugin;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

/// One database server to run against.
#[derive(Clone, Debug)]
pub(crate) struct Database {
    /// `sqlite`, `postgres` or `mysql`.
    pub(crate) name: &'static str,
    section: Value,
    url: Option<String>,
}

impl Database {
    /// Its `backend.database` section, with every database named after
    /// `prefix`.
    pub(crate) fn section(&self, prefix: &str) -> Value {
        let mut section = self.section.clone();
        section["prefix"] = json!(prefix);
        section
    }

    /// The catalog plugin's database on this server, named after `prefix`
    /// (not connected until used).
    pub(crate) fn catalog_database(&self, prefix: &str) -> Arc<PluginDatabase> {
        let manager = DatabaseManager::new(Arc::new(Config::from_value(
            json!({"backend": {"database": self.section(prefix)}}),
        )));
        Arc::new(
            manager
                .for_plugin("catalog")
                .unwrap_or_else(|e| panic!("database settings for {}: {e}", self.name)),
        )
    }
}

/// The databases to test on.
pub(crate) fn databases() -> Vec<Database> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let mut list = vec![Database {
        name: "sqlite",
        section: json!({"client": "better-sqlite3", "connection": ":memory:"}),
        url: None,
    }];
    for (var, name, client) in [
        ("BACKSTAGE_TEST_POSTGRES_URL", "postgres", "pg"),
        ("BACKSTAGE_TEST_MYSQL_URL", "mysql", "mysql2"),
    ] {
        match std::env::var(var) {
            Ok(url) if !url.is_empty() => list.push(Database {
                name,
                section: json!({"client": client, "connection": url.clone(), "pool": {"max": 3}}),
                url: Some(url),
            }),
            _ if ci => panic!("{var} is not set, and CI=true requires every database"),
            _ => println!("skipped {name}: {var} is not set"),
        }
    }
    list
}

/// A prefix no other test (or run) uses.
pub(crate) fn unique_prefix(test: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "ca{}_{}_{}_{}_",
        std::process::id() % 10000,
        nanos % 100_000,
        NEXT.fetch_add(1, Ordering::Relaxed),
        &test[..test.len().min(8)]
    )
}

/// A running backend with the catalog plugin.
pub(crate) struct TestCatalog {
    backend: RunningBackend,
    database: Database,
    prefix: String,
    http: reqwest::Client,
}

/// A response: status, headers and the body as JSON (`Null` when empty or
/// not JSON), with the raw text.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) text: String,
    pub(crate) json: Value,
}

impl Answer {
    /// The `content-type` header.
    pub(crate) fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl TestCatalog {
    /// Starts a backend whose catalog config is `catalog` (processing only
    /// at startup unless it says otherwise) on `database`.
    pub(crate) async fn start(database: &Database, test: &str, catalog: Value) -> Self {
        Self::start_with(database, test, json!({}), catalog, Vec::new()).await
    }

    /// Like [`start`](Self::start), with more `backend` config (merged
    /// over the defaults, e.g. `reading`) and catalog modules.
    pub(crate) async fn start_with(
        database: &Database,
        test: &str,
        backend: Value,
        catalog: Value,
        modules: Vec<backstage_backend::BackendModule>,
    ) -> Self {
        let prefix = unique_prefix(test);
        let section = database.section(&prefix);
        let mut catalog = catalog;
        if catalog.get("processingInterval").is_none() {
            catalog["processingInterval"] = json!(false);
        }
        let mut backend_config = json!({
            "listen": {"host": "127.0.0.1", "port": 0},
            "logger": {"level": "error"},
            "auth": {"dangerouslyDisableDefaultAuthPolicy": true},
            "database": section
        });
        if let (Some(into), Value::Object(extra)) = (backend_config.as_object_mut(), backend) {
            into.extend(extra);
        }
        let config = Config::from_value(json!({
            "backend": backend_config,
            "catalog": catalog
        }));
        let mut builder = Backend::builder().add(catalog_plugin());
        for module in modules {
            builder = builder.add(module);
        }
        let backend = builder
            .config(config)
            .start()
            .await
            .unwrap_or_else(|e| panic!("starting the catalog on {}: {e}", database.name));
        let _ = rustls::crypto::ring::default_provider().install_default();
        Self {
            backend,
            database: database.clone(),
            prefix,
            http: reqwest::Client::new(),
        }
    }

    /// The catalog's base URL, `http://127.0.0.1:<port>/api/catalog`.
    pub(crate) fn base_url(&self) -> String {
        format!("{}/api/catalog", self.backend.url())
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            text,
            json,
        }
    }

    /// `GET {base}{path}`.
    pub(crate) async fn get(&self, path: &str) -> Answer {
        let url = format!("{}{path}", self.base_url());
        let response = self.http.get(&url).send().await;
        Self::answer(response.unwrap_or_else(|e| panic!("GET {url}: {e}"))).await
    }

    /// `POST {base}{path}` with a JSON body.
    pub(crate) async fn post(&self, path: &str, body: &Value) -> Answer {
        self.post_raw(path, body.to_string()).await
    }

    /// `POST {base}{path}` with `body` sent as `application/json`, whatever
    /// it holds.
    pub(crate) async fn post_raw(&self, path: &str, body: impl Into<String>) -> Answer {
        let url = format!("{}{path}", self.base_url());
        let response = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body.into())
            .send()
            .await;
        Self::answer(response.unwrap_or_else(|e| panic!("POST {url}: {e}"))).await
    }

    /// `PUT {base}{path}` with a JSON body.
    pub(crate) async fn put(&self, path: &str, body: &Value) -> Answer {
        let url = format!("{}{path}", self.base_url());
        let response = self
            .http
            .put(&url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await;
        Self::answer(response.unwrap_or_else(|e| panic!("PUT {url}: {e}"))).await
    }

    /// `DELETE {base}{path}`.
    pub(crate) async fn delete(&self, path: &str) -> Answer {
        let url = format!("{}{path}", self.base_url());
        let response = self.http.delete(&url).send().await;
        Self::answer(response.unwrap_or_else(|e| panic!("DELETE {url}: {e}"))).await
    }

    /// Stops the backend and drops its database.
    pub(crate) async fn stop(self) {
        self.backend.stop().await;
        drop_database(&self.database, &self.prefix).await;
    }
}

/// Drops the catalog's database on a server (SQLite in memory goes by
/// itself).
pub(crate) async fn drop_database(database: &Database, prefix: &str) {
    let Some(url) = &database.url else { return };
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap_or_else(|e| panic!("cleanup connection to {}: {e}", database.name));
    let statement = if database.name == "postgres" {
        format!("DROP DATABASE IF EXISTS \"{prefix}catalog\" WITH (FORCE)")
    } else {
        format!("DROP DATABASE IF EXISTS `{prefix}catalog`")
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("dropping {prefix}catalog on {}: {e}", database.name));
    pool.close().await;
}

/// Writes `text` to `dir/name` (making directories) and returns the path.
pub(crate) fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("creating {}: {e}", parent.display()));
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path.display().to_string()
}
