//! The processing engine over every configured database: configured
//! locations become stored entities with relations from both sides, an
//! unchanged result writes nothing, changes flow through, and errors land on
//! the entity's status while the last good version stays served.

#![allow(clippy::unwrap_used)] // tests unwrap freely; a panic is a failure with a message

mod support;

use std::sync::Arc;
use std::time::Duration;

use backstage_backend::services::database::PluginDatabase;
use backstage_plugin_catalog_backend::engine::ProcessingEngine;
use backstage_plugin_catalog_backend::processing::{CatalogRules, Orchestrator, builtin};
use backstage_plugin_catalog_backend::store::CatalogStore;
use backstage_plugin_catalog_node::LocationSpec;
use serde_json::Value;

use support::{Database, databases, drop_database, unique_prefix, write};

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

async fn catalog(database: &Database, prefix: &str) -> Catalog {
    let db = database.catalog_database(prefix);
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
    for database in databases() {
        let name = database.name;
        println!("engine: {name}");
        let prefix = unique_prefix("flow");
        let dir = tempfile::tempdir().unwrap();
        let root = write(dir.path(), "catalog-info.yaml", ROOT);
        write(dir.path(), "team.yaml", TEAM);
        let payments_file = write(dir.path(), "payments.yaml", &payments("Takes the money"));
        let catalog = catalog(&database, &prefix).await;
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
        drop_database(&database, &prefix).await;
    }
}

#[tokio::test]
async fn an_entity_claimed_by_two_locations_stays_with_the_first() {
    for database in databases() {
        let name = database.name;
        let prefix = unique_prefix("claim");
        let dir = tempfile::tempdir().unwrap();
        let first = write(dir.path(), "first.yaml", &payments("from the first file"));
        let second = write(dir.path(), "second.yaml", &payments("from the second file"));
        let catalog = catalog(&database, &prefix).await;
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
        drop_database(&database, &prefix).await;
    }
}
