//! Several replicas on one database: whole backends with the catalog
//! plugin, each in a runtime of its own, on one PostgreSQL or MySQL
//! database ingest and refresh 5,000 entities, one of them killed midway.
//! Every entity is processed by one replica at a time, none is lost, and a
//! refresh processes each exactly once more.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use backstage_backend::backstage_core::config::Config;
use backstage_backend::{Backend, BackendModule, BoxError, RunningBackend};
use backstage_plugin_catalog_backend::catalog_plugin;
use backstage_plugin_catalog_backend::store::CatalogStore;
use backstage_plugin_catalog_node::{
    CATALOG_PROCESSING, CatalogProcessor, DeferredEntity, Emitter, EntityProviderMutation,
    LocationSpec, ProcessorError,
};
use serde_json::{Value, json};

use super::files::eventually;
use super::providers::{Slot, provider_module};
use crate::support::{Database, databases, drop_database, unique_prefix};

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

/// The counting processor of one replica, as a catalog module.
fn counting_module(replica: &'static str, tally: &Arc<Mutex<Tally>>) -> BackendModule {
    let tally = Arc::clone(tally);
    BackendModule::builder("catalog", "counting").init(move |ctx| async move {
        ctx.extension_point(&CATALOG_PROCESSING)?
            .add_processor(Arc::new(Counting { replica, tally }));
        Ok::<_, BoxError>(())
    })
}

/// A whole backend with the catalog plugin, in a tokio runtime of its own:
/// dropping that runtime kills the backend wherever it is — no shutdown,
/// its database connections cut and its claims left behind, as when a
/// process is killed.
struct Replica {
    runtime: Option<tokio::runtime::Runtime>,
    backend: Option<RunningBackend>,
}

impl Replica {
    /// Starts replica `name` on the catalog database `prefix` of
    /// `database`, with the `bulk` provider (its connection lands in
    /// `slot`) — every replica installs the same modules, as a deployment
    /// does.
    async fn start(
        database: &Database,
        prefix: &str,
        name: &'static str,
        tally: &Arc<Mutex<Tally>>,
        slot: Slot,
    ) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(format!("replica-{name}"))
            .enable_all()
            .build()
            .unwrap();
        let config = Config::from_value(json!({
            "backend": {
                "listen": {"host": "127.0.0.1", "port": 0},
                "logger": {"level": "error"},
                "auth": {"dangerouslyDisableDefaultAuthPolicy": true},
                "database": database.section(prefix),
            },
            "catalog": {
                "processingInterval": {"hours": 1},
                "processingLease": {"seconds": 10},
                "rules": [{"allow": ["Component", "Location"]}],
            }
        }));
        let modules = [counting_module(name, tally), provider_module("bulk", slot)];
        let backend = runtime
            .spawn(async move {
                let mut builder = Backend::builder().add(catalog_plugin());
                for module in modules {
                    builder = builder.add(module);
                }
                builder
                    .config(config)
                    .start()
                    .await
                    .map_err(|e| e.to_string())
            })
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("starting replica {name}: {e}"));
        Self {
            runtime: Some(runtime),
            backend: Some(backend),
        }
    }

    /// Kills it (see [`Replica`]), and returns once its threads have
    /// stopped: its tasks are dropped where they wait, none of them runs on.
    async fn kill(mut self) {
        if let Some(runtime) = self.runtime.take() {
            tokio::task::spawn_blocking(move || {
                runtime.shutdown_timeout(std::time::Duration::from_secs(10));
            })
            .await
            .unwrap();
        }
    }

    /// Stops it as a deployment would.
    async fn stop(mut self) {
        if let (Some(runtime), Some(backend)) = (&self.runtime, self.backend.take()) {
            runtime.spawn(backend.stop()).await.unwrap();
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
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
async fn backends_on_one_database_share_the_work_without_processing_an_entity_twice() {
    for database in databases() {
        if database.name == "sqlite" {
            println!("replicas: skipped sqlite (an in-memory database belongs to one process)");
            continue;
        }
        println!("replicas: {}", database.name);
        let prefix = unique_prefix("replicas");
        let tally = Arc::new(Mutex::new(Tally::default()));
        let db = database.catalog_database(&prefix);
        let store = CatalogStore::new(Arc::clone(&db));

        let bulk: Slot = Arc::default();
        let a = Replica::start(&database, &prefix, "a", &tally, Arc::clone(&bulk)).await;
        let b = Replica::start(&database, &prefix, "b", &tally, Arc::default()).await;
        bulk.get()
            .expect("a's provider was connected")
            .apply_mutation(EntityProviderMutation::Full {
                entities: components(),
            })
            .await
            .unwrap();

        // Kill b midway through the ingest.
        eventually("a third of the ingest", || async {
            (total(&tally) >= (ENTITIES / 3) as u32).then_some(())
        })
        .await;
        b.kill().await;
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
        let c = Replica::start(&database, &prefix, "c", &tally, Arc::default()).await;
        let before: HashMap<String, u32> = tally.lock().unwrap().counts.clone();
        let by_replica_before = tally.lock().unwrap().by_replica.clone();
        sqlx::query("UPDATE catalog_refresh_state SET next_update_at = 0")
            .execute(db.pool().await.unwrap())
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
            .fetch_one(db.pool().await.unwrap())
            .await
            .unwrap();
            (row.0 == 0).then_some(())
        })
        .await;
        a.stop().await;
        c.stop().await;
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
        db.close().await;
        drop_database(&database, &prefix).await;
    }
}
