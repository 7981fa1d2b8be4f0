//! An entity provider module registered through `catalog.processing`:
//! full and delta mutations, with the ownership rules of locations.

use std::sync::{Arc, OnceLock};

use backstage_backend::{BackendModule, BoxError};
use backstage_plugin_catalog_node::{
    CATALOG_PROCESSING, DeferredEntity, EntityProvider, EntityProviderConnection,
    EntityProviderMutation, ProcessorError,
};
use serde_json::{Value, json};

use super::api::entity;
use super::files::eventually;
use crate::support::{Database, TestCatalog, databases, drop_database, unique_prefix};

pub(crate) type Slot = Arc<OnceLock<Arc<dyn EntityProviderConnection>>>;

/// Keeps the connection it is given, for the test to drive.
struct HeldProvider {
    name: &'static str,
    slot: Slot,
}

#[async_trait::async_trait]
impl EntityProvider for HeldProvider {
    fn name(&self) -> &str {
        self.name
    }

    async fn connect(
        &self,
        connection: Arc<dyn EntityProviderConnection>,
    ) -> Result<(), ProcessorError> {
        let _ = self.slot.set(connection);
        Ok(())
    }
}

pub(crate) fn provider_module(name: &'static str, slot: Slot) -> BackendModule {
    BackendModule::builder("catalog", name).init(move |ctx| {
        let slot = Arc::clone(&slot);
        async move {
            ctx.extension_point(&CATALOG_PROCESSING)?
                .add_entity_provider(Arc::new(HeldProvider { name, slot }));
            Ok::<_, BoxError>(())
        }
    })
}

fn group(name: &str, provider: &str) -> DeferredEntity {
    let key = format!("url:https://directory.example/{provider}");
    DeferredEntity {
        entity: json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Group",
            "metadata": {
                "name": name,
                "annotations": {
                    "backstage.io/managed-by-location": key,
                    "backstage.io/managed-by-origin-location": key,
                }
            },
            "spec": {"type": "team", "children": []}
        }),
        location_key: Some(key),
    }
}

async fn groups(catalog: &TestCatalog) -> Vec<String> {
    let answer = catalog.get("/entities?filter=kind=group").await;
    let mut names: Vec<String> = answer
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|e: &Value| e["metadata"]["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_provider_module_applies_full_and_delta_mutations() {
    for database in databases() {
        println!("providers: {}", database.name);
        let directory: Slot = Arc::default();
        let other: Slot = Arc::default();
        let catalog = TestCatalog::start_with(
            &database,
            "provider",
            json!({}),
            json!({"rules": [{"allow": ["Component", "API", "Location", "Group"]}]}),
            vec![
                provider_module("directory", Arc::clone(&directory)),
                provider_module("other-directory", Arc::clone(&other)),
            ],
        )
        .await;
        let directory = directory.get().expect("the provider was connected").clone();
        let other = other.get().expect("the provider was connected").clone();

        directory
            .apply_mutation(EntityProviderMutation::Full {
                entities: vec![
                    group("alpha", "directory"),
                    group("beta", "directory"),
                    group("gamma", "directory"),
                ],
            })
            .await
            .unwrap();
        eventually("three groups", || async {
            (groups(&catalog).await == ["alpha", "beta", "gamma"]).then_some(())
        })
        .await;

        // A full mutation replaces everything: gamma goes at once.
        directory
            .apply_mutation(EntityProviderMutation::Full {
                entities: vec![group("alpha", "directory"), group("beta", "directory")],
            })
            .await
            .unwrap();
        assert_eq!(groups(&catalog).await, ["alpha", "beta"]);

        // A delta adds and removes.
        directory
            .apply_mutation(EntityProviderMutation::Delta {
                added: vec![group("delta", "directory")],
                removed: vec!["group:default/alpha".to_owned()],
            })
            .await
            .unwrap();
        eventually("the delta", || async {
            (groups(&catalog).await == ["beta", "delta"]).then_some(())
        })
        .await;

        // Another provider claiming beta from its own location is ignored;
        // its own new group is taken.
        other
            .apply_mutation(EntityProviderMutation::Full {
                entities: vec![
                    group("beta", "other-directory"),
                    group("epsilon", "other-directory"),
                ],
            })
            .await
            .unwrap();
        eventually("the other provider's group", || async {
            (groups(&catalog).await == ["beta", "delta", "epsilon"]).then_some(())
        })
        .await;
        let beta = entity(&catalog, "group", "beta").await.unwrap();
        assert_eq!(
            beta["metadata"]["annotations"]["backstage.io/managed-by-location"],
            "url:https://directory.example/directory"
        );
        // Removing it from the first provider hands nothing over by
        // itself: the other provider's refused claim did not stick.
        directory
            .apply_mutation(EntityProviderMutation::Full {
                entities: vec![group("delta", "directory")],
            })
            .await
            .unwrap();
        assert_eq!(groups(&catalog).await, ["delta", "epsilon"]);

        // A mutation holding something that is not an entity changes
        // nothing and says why.
        let bad = directory
            .apply_mutation(EntityProviderMutation::Full {
                entities: vec![DeferredEntity {
                    entity: json!({"kind": "Group"}),
                    location_key: None,
                }],
            })
            .await
            .unwrap_err();
        assert_eq!(bad.name, "InputError", "{bad}");
        assert!(bad.message.contains("nothing was applied"), "{bad}");
        assert_eq!(groups(&catalog).await, ["delta", "epsilon"]);
        catalog.stop().await;
    }
}

/// The same database for several backends one after another: SQLite in a
/// directory (memory would go with the first backend), the servers under
/// one prefix.
fn lasting_database(database: &Database, prefix: &str, dir: &std::path::Path) -> Value {
    if database.name == "sqlite" {
        json!({"database": {"client": "better-sqlite3", "connection": {"directory": dir}}})
    } else {
        json!({"database": database.section(prefix)})
    }
}

#[tokio::test]
async fn entities_of_an_uninstalled_provider_are_deleted_at_startup_unless_kept() {
    for database in databases() {
        println!("uninstalled providers: {}", database.name);
        let dir = tempfile::tempdir().unwrap();
        let prefix = unique_prefix("unprov");
        let backend = lasting_database(&database, &prefix, dir.path());
        let rules = json!({"rules": [{"allow": ["Component", "API", "Location", "Group"]}]});
        let start = |catalog: Value, providers: Vec<(&'static str, Slot)>| {
            let backend = backend.clone();
            let database = database.clone();
            async move {
                let modules = providers
                    .into_iter()
                    .map(|(name, slot)| provider_module(name, slot))
                    .collect();
                TestCatalog::start_with(&database, "unprov", backend, catalog, modules).await
            }
        };

        // Two providers fill the catalog.
        let directory: Slot = Arc::default();
        let legacy: Slot = Arc::default();
        let catalog = start(
            rules.clone(),
            vec![
                ("directory", Arc::clone(&directory)),
                ("legacy", Arc::clone(&legacy)),
            ],
        )
        .await;
        for (slot, name, groups) in [
            (&directory, "directory", ["alpha", "beta"]),
            (&legacy, "legacy", ["old-1", "old-2"]),
        ] {
            slot.get()
                .unwrap()
                .apply_mutation(EntityProviderMutation::Full {
                    entities: groups.iter().map(|g| group(g, name)).collect(),
                })
                .await
                .unwrap();
        }
        eventually("both providers' groups", || async {
            (groups(&catalog).await == ["alpha", "beta", "old-1", "old-2"]).then_some(())
        })
        .await;
        catalog.stop().await;

        // Without `legacy`, under `keep`: its groups stay.
        let mut keep = rules.clone();
        keep["orphanProviderStrategy"] = json!("keep");
        let catalog = start(keep, vec![("directory", Arc::default())]).await;
        assert_eq!(groups(&catalog).await, ["alpha", "beta", "old-1", "old-2"]);
        catalog.stop().await;

        // Under the default (`delete`): they are gone once the backend has
        // started; what installed providers own stays.
        let catalog = start(rules.clone(), vec![("directory", Arc::default())]).await;
        assert_eq!(groups(&catalog).await, ["alpha", "beta"]);
        assert_eq!(
            catalog
                .get("/entities/by-name/group/default/old-1")
                .await
                .status,
            404
        );
        catalog.stop().await;

        // A strategy that does not exist stops the start with the key.
        let mut bad = rules.clone();
        bad["orphanProviderStrategy"] = json!("forget");
        let error = start_error(&backend, bad).await;
        assert!(error.contains("catalog.orphanProviderStrategy"), "{error}");
        drop_database(&database, &prefix).await;
    }
}

/// Starts a backend that must refuse `catalog`; returns why.
async fn start_error(backend: &Value, catalog: Value) -> String {
    let mut backend_config = json!({
        "listen": {"host": "127.0.0.1", "port": 0},
        "logger": {"level": "error"},
        "auth": {"dangerouslyDisableDefaultAuthPolicy": true},
    });
    if let (Some(into), Value::Object(extra)) = (backend_config.as_object_mut(), backend.clone()) {
        into.extend(extra);
    }
    let config = backstage_backend::backstage_core::config::Config::from_value(
        json!({"backend": backend_config, "catalog": catalog}),
    );
    match backstage_backend::Backend::builder()
        .add(backstage_plugin_catalog_backend::catalog_plugin())
        .config(config)
        .start()
        .await
    {
        Ok(_) => panic!("the backend started"),
        Err(e) => e.to_string(),
    }
}

/// Emits the refresh key a component names in its
/// `example.com/refresh-key` annotation, and counts its runs.
struct KeyEmitter {
    runs: Arc<std::sync::atomic::AtomicU32>,
}

#[async_trait::async_trait]
impl backstage_plugin_catalog_node::CatalogProcessor for KeyEmitter {
    fn name(&self) -> &str {
        "KeyEmitter"
    }

    async fn post_process(
        &self,
        entity: Value,
        _location: &backstage_plugin_catalog_node::LocationSpec,
        emit: &mut backstage_plugin_catalog_node::Emitter,
    ) -> Result<Value, ProcessorError> {
        if let Some(key) = entity["metadata"]["annotations"]["example.com/refresh-key"].as_str() {
            self.runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            emit.refresh_key(key);
        }
        Ok(entity)
    }
}

#[tokio::test]
async fn a_provider_refreshes_the_entities_that_emitted_a_refresh_key() {
    for database in databases() {
        println!("refresh keys: {}", database.name);
        let dir = tempfile::tempdir().unwrap();
        let component = |name: &str, key: &str| {
            format!(
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  annotations:\n    example.com/refresh-key: {key}\nspec: {{type: service, lifecycle: production, owner: team-a}}\n"
            )
        };
        let file = crate::support::write(
            dir.path(),
            "catalog-info.yaml",
            &format!(
                "{}---\n{}",
                component("ledger", "tickets:42"),
                component("journal", "tickets:7")
            ),
        );
        let runs = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let processor_runs = Arc::clone(&runs);
        let keys = BackendModule::builder("catalog", "refresh-keys").init(move |ctx| async move {
            ctx.extension_point(&CATALOG_PROCESSING)?
                .add_processor(Arc::new(KeyEmitter {
                    runs: processor_runs,
                }));
            Ok::<_, BoxError>(())
        });
        let slot: Slot = Arc::default();
        let catalog = TestCatalog::start_with(
            &database,
            "rkeys",
            json!({}),
            json!({"locations": [{"type": "file", "target": file}]}),
            vec![keys, provider_module("tickets", Arc::clone(&slot))],
        )
        .await;
        let runs_now = || runs.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(runs_now(), 2, "both components processed once at startup");
        let connection = slot.get().unwrap().clone();

        // A key one component emitted makes that one due, not the other.
        connection
            .refresh(vec!["tickets:42".to_owned()])
            .await
            .unwrap();
        eventually("the refreshed component", || async {
            (runs_now() == 3).then_some(())
        })
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert_eq!(runs_now(), 3, "only the component with that key ran again");

        // A key nobody emitted refreshes nothing.
        connection
            .refresh(vec!["tickets:999".to_owned()])
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert_eq!(runs_now(), 3);
        catalog.stop().await;
    }
}
