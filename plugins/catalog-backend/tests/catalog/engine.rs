//! The processing engine over every configured database: configured
//! locations become stored entities with relations from both sides, an
//! unchanged result writes nothing, changes flow through, and errors land on
//! the entity's status while the last good version stays served.

use crate::support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use backstage_backend::services::database::PluginDatabase;
use backstage_plugin_catalog_backend::engine::ProcessingEngine;
use backstage_plugin_catalog_backend::processing::{CatalogRules, Orchestrator, builtin};
use backstage_plugin_catalog_backend::store::CatalogStore;
use backstage_plugin_catalog_node::{CatalogProcessor, Emitter, LocationSpec, ProcessorError};
use serde_json::{Value, json};

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
    catalog_with(database, prefix, Vec::new()).await
}

/// A catalog with the built-in processors and `extra` ones.
async fn catalog_with(
    database: &Database,
    prefix: &str,
    extra: Vec<Arc<dyn CatalogProcessor>>,
) -> Catalog {
    let db = database.catalog_database(prefix);
    let store = CatalogStore::new(Arc::clone(&db));
    store.migrate().await.unwrap();
    let mut processors = builtin::processors();
    processors.extend(extra);
    let engine = ProcessingEngine::new(
        Arc::clone(&db),
        store.clone(),
        Orchestrator::new(processors, CatalogRules::allow_all()),
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

/// What the [`Memo`] processor does on the next run of the component.
#[derive(Clone, Debug)]
enum Plan {
    /// Stores this value.
    Set(Value),
    /// Stores nothing.
    Skip,
    /// Stores this value, then fails the entity.
    SetAndFail(Value),
}

/// A processor that records what it finds in the component's cache and
/// does what the plan says.
struct Memo {
    plan: Arc<Mutex<Plan>>,
    seen: Arc<Mutex<Vec<Option<Value>>>>,
}

#[async_trait::async_trait]
impl CatalogProcessor for Memo {
    fn name(&self) -> &str {
        "Memo"
    }

    async fn post_process(
        &self,
        entity: Value,
        _location: &LocationSpec,
        emit: &mut Emitter,
    ) -> Result<Value, ProcessorError> {
        if entity["kind"] != "Component" {
            return Ok(entity);
        }
        self.seen.lock().unwrap().push(emit.cached("Memo").cloned());
        let plan = self.plan.lock().unwrap().clone();
        match plan {
            Plan::Set(value) => emit.set_cache("Memo", value),
            Plan::Skip => {}
            Plan::SetAndFail(value) => {
                emit.set_cache("Memo", value);
                return Err(ProcessorError::input("told to fail"));
            }
        }
        Ok(entity)
    }
}

/// The stored processor cache column of `entity_ref` (lowercased).
async fn stored_cache(db: &PluginDatabase, entity_ref: &str) -> Option<String> {
    use sqlx::Row;
    let sql = db
        .dialect()
        .positional("SELECT processor_cache FROM catalog_refresh_state WHERE entity_ref = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(entity_ref.to_owned())
        .fetch_one(db.pool().await.unwrap())
        .await
        .unwrap();
    row.try_get(0).unwrap()
}

/// How many state rows hold a processor cache.
async fn caches_stored(db: &PluginDatabase) -> i64 {
    use sqlx::Row;
    let row =
        sqlx::query("SELECT COUNT(*) FROM catalog_refresh_state WHERE processor_cache IS NOT NULL")
            .fetch_one(db.pool().await.unwrap())
            .await
            .unwrap();
    row.try_get(0).unwrap()
}

#[tokio::test]
async fn the_processor_cache_keeps_what_the_last_good_run_set() {
    for database in databases() {
        let name = database.name;
        println!("processor cache: {name}");
        let prefix = unique_prefix("pcache");
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "payments.yaml", &payments("Takes the money"));
        let plan = Arc::new(Mutex::new(Plan::Set(json!({"n": 1}))));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let memo = Memo {
            plan: Arc::clone(&plan),
            seen: Arc::clone(&seen),
        };
        let catalog = catalog_with(&database, &prefix, vec![Arc::new(memo)]).await;
        let set_plan = |next: Plan| *plan.lock().unwrap() = next;
        let last_seen = || seen.lock().unwrap().last().cloned().flatten();
        let component = "component:default/payments";
        catalog
            .engine
            .set_config_locations(&[LocationSpec::new("file", &file)])
            .await
            .unwrap();

        // First run: nothing cached yet; the value set is stored.
        let report = catalog.engine.run().await.unwrap();
        assert_eq!(
            (report.processed, report.failed),
            (2, 0),
            "{name}: {report:?}"
        );
        assert_eq!(last_seen(), None);
        assert_eq!(
            stored_cache(&catalog.db, component).await.as_deref(),
            Some(r#"{"Memo":{"n":1}}"#),
            "{name}"
        );
        // Entities whose processors keep nothing (the location) store
        // nothing.
        assert_eq!(caches_stored(&catalog.db).await, 1, "{name}");
        let served = entity(&catalog.store, component).await.unwrap();
        let etag = served["metadata"]["etag"].as_str().unwrap().to_owned();

        // Set again to the same value: kept, and nothing is written.
        let report = run_again(&catalog.engine).await;
        assert_eq!(last_seen(), Some(json!({"n": 1})), "{name}");
        assert_eq!(
            (report.processed, report.unchanged, report.stitched),
            (2, 2, 0),
            "{name}: {report:?}"
        );

        // A new value is stored; the served entity does not change.
        set_plan(Plan::Set(json!({"n": 2})));
        let report = run_again(&catalog.engine).await;
        assert_eq!(last_seen(), Some(json!({"n": 1})), "{name}");
        assert_eq!(report.unchanged, 1, "{name}: {report:?}");
        assert_eq!(
            stored_cache(&catalog.db, component).await.as_deref(),
            Some(r#"{"Memo":{"n":2}}"#),
            "{name}"
        );
        let served = entity(&catalog.store, component).await.unwrap();
        assert_eq!(served["metadata"]["etag"], etag.as_str(), "{name}");

        // A failed run keeps the previous cache, whatever it set.
        set_plan(Plan::SetAndFail(json!({"n": 3})));
        let report = run_again(&catalog.engine).await;
        assert_eq!(report.failed, 1, "{name}: {report:?}");
        assert_eq!(last_seen(), Some(json!({"n": 2})), "{name}");
        assert_eq!(
            stored_cache(&catalog.db, component).await.as_deref(),
            Some(r#"{"Memo":{"n":2}}"#),
            "{name}"
        );

        // The next run finds the value of the last good run; it sets
        // nothing, so the run after finds nothing and the column is NULL.
        set_plan(Plan::Skip);
        let report = run_again(&catalog.engine).await;
        assert_eq!(report.failed, 0, "{name}: {report:?}");
        assert_eq!(last_seen(), Some(json!({"n": 2})), "{name}");
        assert_eq!(stored_cache(&catalog.db, component).await, None, "{name}");
        run_again(&catalog.engine).await;
        assert_eq!(last_seen(), None, "{name}");
        assert_eq!(seen.lock().unwrap().len(), 6, "{name}");

        catalog.db.close().await;
        drop_database(&database, &prefix).await;
    }
}

/// Stamps each component with the replica and the how-manieth run of its
/// processing this is; a gated one waits for the test before finishing.
struct Stamp {
    replica: &'static str,
    runs: std::sync::atomic::AtomicU32,
    gate: Option<Arc<tokio::sync::Semaphore>>,
    entered: Arc<tokio::sync::Notify>,
}

impl Stamp {
    fn new(replica: &'static str, gate: Option<Arc<tokio::sync::Semaphore>>) -> Self {
        Self {
            replica,
            runs: Default::default(),
            gate,
            entered: Arc::default(),
        }
    }
}

#[async_trait::async_trait]
impl CatalogProcessor for Stamp {
    fn name(&self) -> &str {
        "Stamp"
    }

    async fn post_process(
        &self,
        mut entity: Value,
        _location: &LocationSpec,
        _emit: &mut Emitter,
    ) -> Result<Value, ProcessorError> {
        if entity["kind"] != "Component" {
            return Ok(entity);
        }
        let n = self.runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        entity["metadata"]["annotations"]["example.com/stamp"] =
            json!(format!("{}-{n}", self.replica));
        if let Some(gate) = &self.gate {
            self.entered.notify_one();
            let _permit = gate.acquire().await.unwrap();
        }
        Ok(entity)
    }
}

async fn stamp_of(store: &CatalogStore) -> Value {
    entity(store, "component:default/payments").await.unwrap()["metadata"]["annotations"]
        ["example.com/stamp"]
        .clone()
}

#[tokio::test]
async fn a_result_whose_claim_ran_out_does_not_overwrite_the_newer_claims() {
    for database in databases() {
        println!("fenced results: {}", database.name);
        let prefix = unique_prefix("fence");
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "payments.yaml", &payments("Takes the money"));
        let location = [LocationSpec::new("file", &file)];

        // Replica b ingests; replica a, whose lease is short, then takes
        // everything and is held in the middle of processing.
        let b = catalog_with(&database, &prefix, vec![Arc::new(Stamp::new("b", None))]).await;
        b.engine.set_config_locations(&location).await.unwrap();
        b.engine.run().await.unwrap();
        assert_eq!(stamp_of(&b.store).await, "b-1");

        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let held = Arc::new(Stamp::new("a", Some(Arc::clone(&gate))));
        let entered = Arc::clone(&held.entered);
        // The same database (for SQLite in memory, the same pool).
        let db = Arc::clone(&b.db);
        let a_store = CatalogStore::new(Arc::clone(&db));
        let a = ProcessingEngine::new(
            Arc::clone(&db),
            a_store,
            Orchestrator::new(
                {
                    let mut processors = builtin::processors();
                    processors.push(held);
                    processors
                },
                CatalogRules::allow_all(),
            ),
            Some(Duration::from_secs(3600)),
        )
        .with_claim_lease(Duration::from_millis(300));
        sqlx::query("UPDATE catalog_refresh_state SET next_update_at = 0")
            .execute(b.db.pool().await.unwrap())
            .await
            .unwrap();
        let a = Arc::new(a);
        let a_run = tokio::spawn({
            let a = Arc::clone(&a);
            async move { a.run().await.unwrap() }
        });
        entered.notified().await;

        // a's lease runs out; b claims the entities again and stores its
        // result.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let report = b.engine.run().await.unwrap();
        assert!(report.processed >= 1, "b found nothing due: {report:?}");
        assert_eq!(stamp_of(&b.store).await, "b-2");

        // a finishes: its result is from a claim that ran out, and is
        // dropped.
        gate.add_permits(1);
        let report = a_run.await.unwrap();
        assert!(report.fenced >= 1, "{report:?}");
        assert_eq!(stamp_of(&b.store).await, "b-2");
        db.close().await;
        drop_database(&database, &prefix).await;
    }
}
