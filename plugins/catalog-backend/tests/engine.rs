//! The processing engine over every configured database: configured
//! locations become stored entities with relations from both sides, an
//! unchanged result writes nothing, changes flow through, and errors land on
//! the entity's status while the last good version stays served.

#![allow(clippy::unwrap_used)] // tests unwrap freely; a panic is a failure with a message

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use backstage_backend::backstage_core::config::Config;
use backstage_backend::services::database::{DatabaseManager, PluginDatabase};
use backstage_plugin_catalog_backend::engine::ProcessingEngine;
use backstage_plugin_catalog_backend::processing::{CatalogRules, Orchestrator, builtin};
use backstage_plugin_catalog_backend::store::CatalogStore;
use backstage_plugin_catalog_node::LocationSpec;
use serde_json::{Value, json};

/// The `backend.database` sections to test: SQLite always, PostgreSQL and
/// MySQL when the environment names them.
fn databases() -> Vec<(&'static str, Value)> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let mut list = vec![(
        "sqlite",
        json!({"client": "better-sqlite3", "connection": ":memory:"}),
    )];
    for (var, name, client) in [
        ("BACKSTAGE_TEST_POSTGRES_URL", "postgres", "pg"),
        ("BACKSTAGE_TEST_MYSQL_URL", "mysql", "mysql2"),
    ] {
        match std::env::var(var) {
            Ok(url) if !url.is_empty() => list.push((
                name,
                json!({"client": client, "connection": url, "pool": {"max": 3}}),
            )),
            _ if ci => panic!("{var} is not set, and CI=true requires every database"),
            _ => println!("skipped {name}: {var} is not set"),
        }
    }
    list
}

fn prefix(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "ce{}_{}_{test}_",
        std::process::id() % 10000,
        nanos % 100_000
    )
}

/// Drops the plugin's database on servers (SQLite in memory goes by itself).
async fn drop_database(name: &str, section: &Value, prefix: &str) {
    let Some(url) = section["connection"].as_str().filter(|_| name != "sqlite") else {
        return;
    };
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    let statement = if name == "postgres" {
        format!("DROP DATABASE IF EXISTS \"{prefix}catalog\" WITH (FORCE)")
    } else {
        format!("DROP DATABASE IF EXISTS `{prefix}catalog`")
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const ROOT: &str = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: company}\nspec:\n  targets: [./team.yaml, ./payments.yaml]\n";

const TEAM: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-billing}\nspec: {type: team, children: []}\n";

fn payments(description: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n  description: {description}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-billing\n"
    )
}

struct Catalog {
    engine: ProcessingEngine,
    store: CatalogStore,
    db: Arc<PluginDatabase>,
}

async fn catalog(section: &Value, prefix: &str) -> Catalog {
    let mut section = section.clone();
    section["prefix"] = json!(prefix);
    let manager = DatabaseManager::new(Arc::new(Config::from_value(
        json!({"backend": {"database": section}}),
    )));
    let db = Arc::new(manager.for_plugin("catalog").unwrap());
    let store = CatalogStore::new(Arc::clone(&db));
    store.migrate().await.unwrap();
    let engine = ProcessingEngine::new(
        Arc::clone(&db),
        store.clone(),
        Orchestrator::new(builtin::processors(), CatalogRules::allow_all()),
        Some(Duration::from_millis(1)),
    );
    engine.migrate().await.unwrap();
    Catalog { engine, store, db }
}

async fn entity(store: &CatalogStore, entity_ref: &str) -> Option<Value> {
    store
        .entity_by_ref(entity_ref)
        .await
        .unwrap()
        .map(|stored| serde_json::from_str(&stored.json).unwrap())
}

/// Runs the engine once every entity's rest (1-1.5 ms here) is over, so all
/// of them are due again.
async fn run_again(
    engine: &ProcessingEngine,
) -> backstage_plugin_catalog_backend::engine::RunReport {
    tokio::time::sleep(Duration::from_millis(20)).await;
    engine.run().await.unwrap()
}

fn has_relation(entity: &Value, relation_type: &str, target: &str) -> bool {
    entity["relations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["type"] == relation_type && r["targetRef"] == target)
}

#[tokio::test]
async fn configured_locations_become_entities_and_changes_flow_through() {
    for (name, section) in databases() {
        println!("engine: {name}");
        let prefix = prefix("flow");
        let dir = tempfile::tempdir().unwrap();
        let root = write(dir.path(), "catalog-info.yaml", ROOT);
        write(dir.path(), "team.yaml", TEAM);
        let payments_file = write(dir.path(), "payments.yaml", &payments("Takes the money"));
        let catalog = catalog(&section, &prefix).await;
        let roots = [LocationSpec::new("file", &root)];

        catalog.engine.set_config_locations(&roots).await.unwrap();
        let report = catalog.engine.run().await.unwrap();
        // Root location, the company location, the group, the component.
        assert_eq!(report.processed, 4, "{report:?}");
        assert_eq!(report.failed, 0, "{report:?}");

        let component = entity(&catalog.store, "component:default/payments")
            .await
            .unwrap();
        assert_eq!(component["metadata"]["description"], "Takes the money");
        assert!(
            has_relation(&component, "ownedBy", "group:default/team-billing"),
            "{component}"
        );
        assert_eq!(
            component["metadata"]["annotations"]["backstage.io/managed-by-location"],
            format!("file:{payments_file}")
        );
        assert_eq!(
            component["metadata"]["annotations"]["backstage.io/managed-by-origin-location"],
            format!("file:{root}")
        );
        let uid = component["metadata"]["uid"].as_str().unwrap().to_owned();
        let etag = component["metadata"]["etag"].as_str().unwrap().to_owned();
        // The group carries the other side, emitted while processing the
        // component.
        let group = entity(&catalog.store, "Group:default/TEAM-BILLING")
            .await
            .unwrap();
        assert!(
            has_relation(&group, "ownerOf", "component:default/payments"),
            "{group}"
        );

        // Nothing changed: everything is reprocessed, nothing is written.
        let report = run_again(&catalog.engine).await;
        assert_eq!(
            (report.processed, report.unchanged, report.stitched),
            (4, 4, 0),
            "{report:?}"
        );

        // A changed file: the component gets a new etag, keeps its uid.
        write(
            dir.path(),
            "payments.yaml",
            &payments("Takes the money, gives receipts"),
        );
        let report = run_again(&catalog.engine).await;
        assert_eq!(report.failed, 0, "{report:?}");
        let component = entity(&catalog.store, "component:default/payments")
            .await
            .unwrap();
        assert_eq!(
            component["metadata"]["description"],
            "Takes the money, gives receipts"
        );
        assert_eq!(component["metadata"]["uid"], uid.as_str());
        assert_ne!(component["metadata"]["etag"], etag.as_str());

        // A broken file: the location that reads it fails and says why on
        // its status; the entities it read before stay served.
        write(
            dir.path(),
            "payments.yaml",
            "kind: Component\nmetadata: [oops\n",
        );
        let report = run_again(&catalog.engine).await;
        assert_eq!(report.failed, 1, "{report:?}");
        let company = entity(&catalog.store, "location:default/company")
            .await
            .unwrap();
        let message = company["status"]["items"][0]["message"].as_str().unwrap();
        assert!(
            message.starts_with("InputError: ") && message.contains("payments.yaml"),
            "{message}"
        );
        assert_eq!(
            company["status"]["items"][0]["type"],
            "backstage.io/catalog-processing"
        );
        let still = entity(&catalog.store, "component:default/payments")
            .await
            .unwrap();
        assert_eq!(
            still["metadata"]["description"],
            "Takes the money, gives receipts"
        );

        // Fixed again: the error goes away.
        write(dir.path(), "payments.yaml", &payments("Back"));
        run_again(&catalog.engine).await;
        let company = entity(&catalog.store, "location:default/company")
            .await
            .unwrap();
        assert!(company.get("status").is_none(), "{company}");

        catalog.db.close().await;
        drop_database(name, &section, &prefix).await;
    }
}

#[tokio::test]
async fn an_entity_claimed_by_two_locations_stays_with_the_first() {
    for (name, section) in databases() {
        let prefix = prefix("claim");
        let dir = tempfile::tempdir().unwrap();
        let first = write(dir.path(), "first.yaml", &payments("from the first file"));
        let second = write(dir.path(), "second.yaml", &payments("from the second file"));
        let catalog = catalog(&section, &prefix).await;
        catalog
            .engine
            .set_config_locations(&[
                LocationSpec::new("file", &first),
                LocationSpec::new("file", &second),
            ])
            .await
            .unwrap();
        catalog.engine.run().await.unwrap();
        let component = entity(&catalog.store, "component:default/payments")
            .await
            .unwrap();
        let owner = component["metadata"]["annotations"]["backstage.io/managed-by-location"]
            .as_str()
            .unwrap()
            .to_owned();
        // Whichever location claimed it first keeps it on the next runs.
        for _ in 0..2 {
            run_again(&catalog.engine).await;
            let again = entity(&catalog.store, "component:default/payments")
                .await
                .unwrap();
            assert_eq!(
                again["metadata"]["annotations"]["backstage.io/managed-by-location"],
                owner.as_str(),
                "{name}"
            );
        }
        catalog.db.close().await;
        drop_database(name, &section, &prefix).await;
    }
}
