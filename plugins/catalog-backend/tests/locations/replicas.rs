//! Several replicas on one database: engines with pools of their own on
//! one PostgreSQL or MySQL database ingest and refresh 5,000 entities, one
//! of them killed midway. Every entity is processed by one replica at a
//! time, none is lost, and a refresh processes each exactly once more.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backstage_backend::services::database::PluginDatabase;
use backstage_plugin_catalog_backend::engine::ProcessingEngine;
use backstage_plugin_catalog_backend::processing::{CatalogRules, Orchestrator, builtin};
use backstage_plugin_catalog_backend::store::CatalogStore;
use backstage_plugin_catalog_node::{
    CatalogProcessor, DeferredEntity, Emitter, EntityProviderMutation, LocationSpec, ProcessorError,
};
use serde_json::{Value, json};

use crate::files::eventually;
use crate::support::{databases, drop_database, unique_prefix};

const ENTITIES: usize = 5_000;

/// What every replica's counting processor shares.
#[derive(Default)]
struct Tally {
    /// Processings per entity name.
    counts: HashMap<String, u32>,
    /// Processings per replica.
    by_replica: HashMap<&'static str, u32>,
    /// Entity name → the replica processing it right now.
    in_flight: HashMap<String, &'static str>,
    /// Times an entity was being processed by two replicas at once.
    overlaps: Vec<String>,
}

struct Counting {
    replica: &'static str,
    tally: Arc<Mutex<Tally>>,
}

fn name_of(entity: &Value) -> Option<String> {
    (entity["kind"] == "Component").then(|| {
        entity["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    })
}

#[async_trait::async_trait]
impl CatalogProcessor for Counting {
    fn name(&self) -> &str {
        "CountingProcessor"
    }

    async fn pre_process(
        &self,
        entity: Value,
        _location: &LocationSpec,
        _emit: &mut Emitter,
    ) -> Result<Value, ProcessorError> {
        if let Some(name) = name_of(&entity) {
            let mut tally = self.tally.lock().unwrap();
            if let Some(other) = tally.in_flight.insert(name.clone(), self.replica) {
                tally
                    .overlaps
                    .push(format!("{name}: {other} and {}", self.replica));
            }
        }
        // Give the other replica a chance to collide.
        tokio::task::yield_now().await;
        Ok(entity)
    }

    async fn post_process(
        &self,
        entity: Value,
        _location: &LocationSpec,
        _emit: &mut Emitter,
    ) -> Result<Value, ProcessorError> {
        if let Some(name) = name_of(&entity) {
            let mut tally = self.tally.lock().unwrap();
            tally.in_flight.remove(&name);
            *tally.counts.entry(name).or_default() += 1;
            *tally.by_replica.entry(self.replica).or_default() += 1;
        }
        Ok(entity)
    }
}

fn engine(
    db: Arc<PluginDatabase>,
    replica: &'static str,
    tally: &Arc<Mutex<Tally>>,
) -> Arc<ProcessingEngine> {
    let mut processors = builtin::processors();
    processors.push(Arc::new(Counting {
        replica,
        tally: Arc::clone(tally),
    }));
    let store = CatalogStore::new(Arc::clone(&db));
    Arc::new(
        ProcessingEngine::new(
            db,
            store,
            Orchestrator::new(processors, CatalogRules::allow_all()),
            Some(Duration::from_secs(3600)),
        )
        .with_claim_lease(Duration::from_secs(10)),
    )
}

/// Runs `engine` as a replica's scheduler would, until aborted; errors
/// are collected.
fn spawn_replica(
    engine: Arc<ProcessingEngine>,
    errors: Arc<Mutex<Vec<String>>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = engine.run().await {
                errors.lock().unwrap().push(e.to_string());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
}

fn components() -> Vec<DeferredEntity> {
    (0..ENTITIES)
        .map(|i| DeferredEntity {
            entity: json!({
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "Component",
                "metadata": {
                    "name": format!("svc-{i:05}"),
                    "annotations": {"backstage.io/managed-by-location": "url:https://bulk.example/all.yaml"}
                },
                "spec": {"type": "service", "lifecycle": "production", "owner": format!("team-{}", i % 50)}
            }),
            location_key: Some("url:https://bulk.example/all.yaml".to_owned()),
        })
        .collect()
}

fn total(tally: &Mutex<Tally>) -> u32 {
    tally.lock().unwrap().counts.values().sum()
}

#[tokio::test]
async fn replicas_on_one_database_share_the_work_without_processing_an_entity_twice() {
    for database in databases() {
        if database.name == "sqlite" {
            println!("replicas: skipped sqlite (an in-memory database belongs to one process)");
            continue;
        }
        println!("replicas: {}", database.name);
        let prefix = unique_prefix("replicas");
        let tally = Arc::new(Mutex::new(Tally::default()));
        let errors = Arc::new(Mutex::new(Vec::new()));

        let db_a = database.catalog_database(&prefix);
        let store = CatalogStore::new(Arc::clone(&db_a));
        store.migrate().await.unwrap();
        let a = engine(Arc::clone(&db_a), "a", &tally);
        a.migrate().await.unwrap();
        let b = engine(database.catalog_database(&prefix), "b", &tally);

        a.apply_mutation(
            "bulk",
            EntityProviderMutation::Full {
                entities: components(),
            },
        )
        .await
        .unwrap();
        let task_a = spawn_replica(Arc::clone(&a), Arc::clone(&errors));
        let task_b = spawn_replica(b, Arc::clone(&errors));

        // Kill b midway through the ingest.
        eventually("a third of the ingest", || async {
            (total(&tally) >= (ENTITIES / 3) as u32).then_some(())
        })
        .await;
        task_b.abort();
        let _ = task_b.await;
        tally
            .lock()
            .unwrap()
            .in_flight
            .retain(|_, replica| *replica != "b");

        eventually("every entity stored", || async {
            (store.entity_count().await.unwrap() == ENTITIES as u64).then_some(())
        })
        .await;
        {
            let tally = tally.lock().unwrap();
            assert!(
                tally.overlaps.is_empty(),
                "processed at once by two replicas: {:?}",
                &tally.overlaps[..tally.overlaps.len().min(5)]
            );
            assert_eq!(tally.counts.len(), ENTITIES, "every entity was processed");
            // Only what b had claimed when it died is processed again.
            let twice = tally.counts.values().filter(|n| **n > 1).count();
            assert!(
                twice <= 200,
                "{twice} entities were processed more than once"
            );
            assert!(
                tally.by_replica.get("b").copied().unwrap_or(0) > 0,
                "b did no work"
            );
            assert!(
                tally.by_replica.get("a").copied().unwrap_or(0) > 0,
                "a did no work"
            );
        }

        // A refresh of everything with two live replicas: each entity
        // exactly once more.
        let c = engine(database.catalog_database(&prefix), "c", &tally);
        let task_c = spawn_replica(c, Arc::clone(&errors));
        let before: HashMap<String, u32> = tally.lock().unwrap().counts.clone();
        let by_replica_before = tally.lock().unwrap().by_replica.clone();
        sqlx::query("UPDATE catalog_refresh_state SET next_update_at = 0")
            .execute(db_a.pool().await.unwrap())
            .await
            .unwrap();
        let expected: u32 = before.values().sum::<u32>() + ENTITIES as u32;
        eventually("the refresh", || async {
            (total(&tally) >= expected).then_some(())
        })
        .await;
        // Nothing is due any more: the refresh is over.
        eventually("no entity due", || async {
            let row: (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM catalog_refresh_state WHERE next_update_at <= {}",
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_millis()
            )))
            .fetch_one(db_a.pool().await.unwrap())
            .await
            .unwrap();
            (row.0 == 0).then_some(())
        })
        .await;
        task_a.abort();
        task_c.abort();
        let _ = task_a.await;
        let _ = task_c.await;
        {
            let tally = tally.lock().unwrap();
            assert!(tally.overlaps.is_empty(), "{:?}", tally.overlaps);
            for (name, count) in &tally.counts {
                assert_eq!(
                    *count,
                    before[name] + 1,
                    "{name} was refreshed {} times",
                    count - before[name]
                );
            }
            let did = |replica: &str| {
                tally.by_replica.get(replica).copied().unwrap_or(0)
                    - by_replica_before.get(replica).copied().unwrap_or(0)
            };
            assert!(
                did("a") > 0 && did("c") > 0,
                "both replicas refreshed: a {} c {}",
                did("a"),
                did("c")
            );
        }
        assert_eq!(store.entity_count().await.unwrap(), ENTITIES as u64);
        let errors = errors.lock().unwrap().clone();
        assert!(errors.is_empty(), "replica errors: {errors:?}");
        db_a.close().await;
        drop_database(&database, &prefix).await;
    }
}
