//! The processing pipeline over real files: locations, relations,
//! placeholders, rules and every kind of bad input.

use std::path::Path;
use std::sync::Arc;

use backstage_plugin_catalog_backend::processing::{CatalogRules, Orchestrator, builtin};
use backstage_plugin_catalog_node::{
    CatalogProcessor, Emitter, LocationSpec, ProcessorError, RelationSpec,
};
use serde_json::{Value, json};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn orchestrator(rules: CatalogRules) -> Orchestrator {
    Orchestrator::new(builtin::processors(), rules)
}

fn location(target: &str) -> Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {"name": "root"},
        "spec": {"type": "file", "target": target}
    })
}

const PAYMENTS: &str = r#"
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  description: Takes the money
spec:
  type: service
  lifecycle: production
  owner: team-billing
  system: checkout
  providesApis: [payments-api]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: payments-api
spec:
  type: openapi
  lifecycle: production
  owner: team-billing
  definition:
    $text: ./payments-openapi.yaml
"#;

#[tokio::test]
async fn a_location_yields_every_document_of_its_targets_with_location_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let services = write(dir.path(), "services/payments.yaml", PAYMENTS);
    let root = write(
        dir.path(),
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: everything}\nspec:\n  targets: [./services/payments.yaml]\n",
    );
    let catalog = orchestrator(CatalogRules::default());
    let result = catalog
        .process(location(&root), &LocationSpec::new("file", &root))
        .await;
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.children.len(), 1);
    let nested = &result.children[0];
    assert_eq!(nested.entity()["kind"], "Location");
    assert_eq!(
        nested.entity()["metadata"]["annotations"]["backstage.io/managed-by-location"],
        format!("file:{root}")
    );

    // The nested Location, processed from where it was read, yields the
    // file's two entities.
    let result = catalog
        .process(nested.entity().clone(), &nested.location)
        .await;
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let names: Vec<String> = result
        .children
        .iter()
        .map(|c| c.entity()["metadata"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["payments", "payments-api"]);
    for child in &result.children {
        let annotations = &child.entity()["metadata"]["annotations"];
        assert_eq!(
            annotations["backstage.io/managed-by-location"],
            format!("file:{services}")
        );
        assert_eq!(
            annotations["backstage.io/managed-by-origin-location"],
            format!("file:{root}"),
            "the origin is the root location"
        );
    }
}

#[tokio::test]
async fn relations_come_in_both_directions() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "payments.yaml", PAYMENTS);
    let catalog = orchestrator(CatalogRules::default());
    let component: Value = serde_saphyr::from_multiple::<Value>(PAYMENTS).unwrap()[0].clone();
    let result = catalog
        .process(component, &LocationSpec::new("file", &file))
        .await;
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let has = |source: &str, relation_type: &str, target: &str| {
        result.relations.contains(&RelationSpec {
            source: source.to_owned(),
            relation_type: relation_type.to_owned(),
            target: target.to_owned(),
        })
    };
    assert!(has(
        "component:default/payments",
        "ownedBy",
        "group:default/team-billing"
    ));
    assert!(has(
        "group:default/team-billing",
        "ownerOf",
        "component:default/payments"
    ));
    assert!(has(
        "component:default/payments",
        "partOf",
        "system:default/checkout"
    ));
    assert!(has(
        "system:default/checkout",
        "hasPart",
        "component:default/payments"
    ));
    assert!(has(
        "component:default/payments",
        "providesApi",
        "api:default/payments-api"
    ));
    assert!(has(
        "api:default/payments-api",
        "apiProvidedBy",
        "component:default/payments"
    ));
}

#[tokio::test]
async fn placeholders_read_files_next_to_the_entity() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "payments.yaml", PAYMENTS);
    write(
        dir.path(),
        "payments-openapi.yaml",
        "openapi: 3.0.0\ninfo: {title: Payments}\n",
    );
    write(dir.path(), "meta.json", r#"{"tier": 1}"#);
    let catalog = orchestrator(CatalogRules::default());
    let mut api: Value = serde_saphyr::from_multiple::<Value>(PAYMENTS).unwrap()[1].clone();
    api["metadata"]["labels"] = json!({"tier": "1"});
    api["spec"]["extra"] = json!({"$json": "./meta.json"});
    let result = catalog
        .process(api.clone(), &LocationSpec::new("file", &file))
        .await;
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let entity = result.entity.unwrap();
    assert_eq!(
        entity["spec"]["definition"],
        "openapi: 3.0.0\ninfo: {title: Payments}\n"
    );
    assert_eq!(entity["spec"]["extra"], json!({"tier": 1}));

    api["spec"]["definition"] = json!({"$text": "./nowhere.yaml"});
    let result = catalog
        .process(api, &LocationSpec::new("file", &file))
        .await;
    assert!(result.entity.is_none());
    let message = &result.errors[0].message;
    assert!(
        message.contains("spec.definition") && message.contains("nowhere.yaml"),
        "{message}"
    );
    assert_eq!(result.errors[0].name, "NotFoundError");
}

#[tokio::test]
async fn bad_entities_are_errors_on_themselves() {
    let catalog = orchestrator(CatalogRules::default());
    let here = LocationSpec::new("file", "/srv/catalog/a.yaml");
    let error = |entity: Value| {
        let catalog = &catalog;
        let here = &here;
        async move {
            let result = catalog.process(entity, here).await;
            assert!(result.entity.is_none());
            result.errors[0].to_string()
        }
    };
    let message = error(json!({"kind": "Component", "metadata": {"name": "x"}})).await;
    assert!(message.contains("apiVersion"), "{message}");
    let message = error(json!({
        "apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "x"}
    }))
    .await;
    assert!(
        message.contains("no processor recognized the entity Gadget:default/x"),
        "{message}"
    );
    let message = error(json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": "not a valid name!"},
        "spec": {"type": "service", "lifecycle": "production", "owner": "me"}
    }))
    .await;
    assert!(message.starts_with("InputError"), "{message}");
    assert!(message.contains("metadata.name"), "{message}");
}

#[tokio::test]
async fn location_problems_are_errors_on_the_location() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog-info.yaml").display().to_string();
    let catalog = orchestrator(CatalogRules::default());
    let here = LocationSpec::new("file", &root);

    let result = catalog.process(location("./missing.yaml"), &here).await;
    assert_eq!(
        result.errors[0].name, "NotFoundError",
        "{:?}",
        result.errors
    );
    assert!(result.errors[0].message.contains("missing.yaml"));

    let mut optional = location("./missing.yaml");
    optional["spec"]["presence"] = json!("optional");
    let result = catalog.process(optional, &here).await;
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert!(result.children.is_empty());

    write(
        dir.path(),
        "broken.yaml",
        "apiVersion: v1\nkind: Component\nmetadata: [oops\n",
    );
    let result = catalog.process(location("./broken.yaml"), &here).await;
    let message = result.errors[0].to_string();
    assert!(
        message.contains("broken.yaml") && message.contains("line"),
        "{message}"
    );

    let mut web = location("https://example.com/catalog-info.yaml");
    web["spec"]["type"] = json!("url");
    let result = catalog.process(web, &here).await;
    assert!(
        result.errors[0].message.contains("'url'"),
        "{:?}",
        result.errors
    );
}

#[tokio::test]
async fn rules_decide_which_kinds_a_location_may_bring() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog-info.yaml").display().to_string();
    write(
        dir.path(),
        "org.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-billing}\nspec: {type: team, children: []}\n",
    );
    let here = LocationSpec::new("file", &root);
    let result = orchestrator(CatalogRules::default())
        .process(location("./org.yaml"), &here)
        .await;
    assert_eq!(
        result.errors[0].name, "NotAllowedError",
        "{:?}",
        result.errors
    );
    assert!(
        result.errors[0].message.contains("Group"),
        "{:?}",
        result.errors
    );

    let result = orchestrator(CatalogRules::allow_all())
        .process(location("./org.yaml"), &here)
        .await;
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.children[0].entity()["kind"], "Group");
}

/// A module's processor runs in priority order among the built-in ones.
struct Renamer;

#[async_trait::async_trait]
impl CatalogProcessor for Renamer {
    fn name(&self) -> &str {
        "Renamer"
    }

    async fn pre_process(
        &self,
        mut entity: Value,
        _location: &LocationSpec,
        emit: &mut Emitter,
    ) -> Result<Value, ProcessorError> {
        entity["metadata"]["name"] = json!("renamed");
        emit.refresh_key("https://example.com/x");
        Ok(entity)
    }
}

#[tokio::test]
async fn processors_may_not_rename_entities() {
    let mut processors = builtin::processors();
    processors.push(Arc::new(Renamer));
    let catalog = Orchestrator::new(processors, CatalogRules::default());
    let component: Value = serde_saphyr::from_multiple::<Value>(PAYMENTS).unwrap()[0].clone();
    let result = catalog
        .process(component, &LocationSpec::new("file", "/srv/a.yaml"))
        .await;
    assert!(
        result.errors[0].message.contains("must not rename"),
        "{:?}",
        result.errors
    );
}

// --- url locations, through the backend's URL reader ------------------------

mod url_locations {
    use std::net::SocketAddr;
    use std::sync::Arc;

    use axum::Router;
    use axum::routing::get;
    use backstage_backend::backstage_core::config::Config;
    use backstage_backend::services::url_reader::{
        ReadUrlOptions, ReadUrlResponse, Url, UrlReaderError, UrlReaderService, UrlReaders,
    };
    use backstage_backend::{Backend, BackendPlugin};
    use backstage_plugin_catalog_backend::catalog_plugin;
    use backstage_plugin_catalog_backend::processing::{
        CatalogRules, Orchestrator, ProcessingResult, builtin,
    };
    use backstage_plugin_catalog_node::{LocationSpec, Presence, ProcessorCache};
    use serde_json::{Value, json};

    use super::PAYMENTS;

    const ROOT: &str = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: repo}\nspec:\n  targets: [./services/payments.yaml]\n";
    const OPENAPI: &str = "openapi: 3.0.0\ninfo: {title: Payments}\n";

    /// A source host on 127.0.0.1 serving a small repository.
    async fn source_host() -> (SocketAddr, tokio::task::JoinHandle<()>) {
        let router = Router::new()
            .route("/repo/catalog-info.yaml", get(|| async { ROOT }))
            .route("/repo/services/payments.yaml", get(|| async { PAYMENTS }))
            .route(
                "/repo/services/payments-openapi.yaml",
                get(|| async { OPENAPI }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (addr, task)
    }

    fn reading(allowed: &[String]) -> Value {
        let allow: Vec<Value> = allowed
            .iter()
            .map(|host| json!({"host": host, "paths": ["/repo/"]}))
            .collect();
        json!({"allow": allow})
    }

    fn readers(allowed: &[String]) -> Arc<dyn UrlReaderService> {
        let config = Config::from_value(json!({"backend": {"reading": reading(allowed)}}));
        Arc::new(UrlReaders::from_config(&config).unwrap())
    }

    fn catalog(reader: Arc<dyn UrlReaderService>, max_bytes: u64) -> Orchestrator {
        Orchestrator::new(
            builtin::processors_with_url_reader(max_bytes, reader),
            CatalogRules::allow_all(),
        )
    }

    fn url_location(target: &str) -> Value {
        json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Location",
            "metadata": {"name": "root"},
            "spec": {"type": "url", "target": target}
        })
    }

    #[tokio::test]
    async fn url_locations_relative_targets_and_placeholders_are_read_through_the_url_reader() {
        let (addr, _server) = source_host().await;
        let catalog = catalog(readers(&[addr.to_string()]), 1 << 20);
        let root = format!("http://{addr}/repo/catalog-info.yaml");
        let result = catalog
            .process(url_location(&root), &LocationSpec::new("url", &root))
            .await;
        assert!(result.errors.is_empty(), "{:?}", result.errors);
        let nested = &result.children[0];
        assert_eq!(nested.entity()["kind"], "Location");
        assert_eq!(
            nested.entity()["metadata"]["annotations"]["backstage.io/managed-by-location"],
            format!("url:{root}")
        );

        // The nested Location's relative target resolves against its URL.
        let result = catalog
            .process(nested.entity().clone(), &nested.location)
            .await;
        assert!(result.errors.is_empty(), "{:?}", result.errors);
        let services = format!("http://{addr}/repo/services/payments.yaml");
        let names: Vec<String> = result
            .children
            .iter()
            .map(|c| c.entity()["metadata"]["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(names, ["payments", "payments-api"]);
        assert_eq!(result.children[1].location.target, services);

        // `$text: ./payments-openapi.yaml` is read from next to the file.
        let api = &result.children[1];
        let result = catalog.process(api.entity().clone(), &api.location).await;
        assert!(result.errors.is_empty(), "{:?}", result.errors);
        assert_eq!(result.entity.unwrap()["spec"]["definition"], OPENAPI);
    }

    #[tokio::test]
    async fn url_problems_are_errors_on_that_location() {
        let (addr, _server) = source_host().await;
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let closed_addr = closed.local_addr().unwrap();
        drop(closed);
        let reader = readers(&[addr.to_string(), closed_addr.to_string()]);
        let catalog = catalog(Arc::clone(&reader), 1 << 20);
        let process = |target: String, presence: Presence| {
            let catalog = &catalog;
            async move {
                let mut entity = url_location(&target);
                if presence == Presence::Optional {
                    entity["spec"]["presence"] = json!("optional");
                }
                let here = LocationSpec::new("url", format!("http://{addr}/repo/root.yaml"));
                catalog.process(entity, &here).await
            }
        };

        // Another name of the same server is not in the allow-list.
        let refused = format!("http://localhost:{}/repo/catalog-info.yaml", addr.port());
        let result = process(refused, Presence::Required).await;
        assert_eq!(
            result.errors[0].name, "NotAllowedError",
            "{:?}",
            result.errors
        );
        assert!(
            result.errors[0].message.contains("backend.reading.allow"),
            "{:?}",
            result.errors
        );
        assert!(result.children.is_empty());

        let missing = format!("http://{addr}/repo/missing.yaml");
        let result = process(missing.clone(), Presence::Required).await;
        assert_eq!(
            result.errors[0].name, "NotFoundError",
            "{:?}",
            result.errors
        );
        assert!(result.errors[0].message.contains("presence: optional"));
        let result = process(missing, Presence::Optional).await;
        assert!(result.errors.is_empty(), "{:?}", result.errors);

        let unreachable = format!("http://{closed_addr}/repo/catalog-info.yaml");
        let result = process(unreachable, Presence::Required).await;
        assert_eq!(result.errors[0].name, "Error", "{:?}", result.errors);
        assert!(
            result.errors[0].message.contains("cannot reach"),
            "{:?}",
            result.errors
        );

        // catalog.maxFileBytes applies to URLs too.
        let small = super::url_locations::catalog(reader, 16);
        let root = format!("http://{addr}/repo/catalog-info.yaml");
        let result = small
            .process(url_location(&root), &LocationSpec::new("url", &root))
            .await;
        assert_eq!(result.errors[0].name, "InputError", "{:?}", result.errors);
        assert!(
            result.errors[0].message.contains("limit of 16 bytes"),
            "{:?}",
            result.errors
        );
    }

    #[tokio::test]
    async fn the_catalog_plugin_ingests_allowed_url_locations_and_skips_refused_ones() {
        let (addr, _server) = source_host().await;
        let refused = format!("http://localhost:{}/repo/catalog-info.yaml", addr.port());
        let config = Config::from_value(json!({
            "backend": {
                "listen": {"host": "127.0.0.1", "port": 0},
                "logger": {"level": "error"},
                "auth": {"dangerouslyDisableDefaultAuthPolicy": true},
                "database": {"client": "better-sqlite3", "connection": ":memory:"},
                "reading": reading(&[addr.to_string()])
            },
            "catalog": {
                "processingInterval": false,
                "rules": [{"allow": ["Component", "API", "Location"]}],
                "locations": [
                    {"type": "url", "target": refused},
                    {"type": "url", "target": format!("http://{addr}/repo/catalog-info.yaml")}
                ]
            }
        }));
        let plugin: BackendPlugin = catalog_plugin();
        let backend = Backend::builder()
            .add(plugin)
            .config(config)
            .start()
            .await
            .unwrap();
        let _ = rustls::crypto::ring::default_provider().install_default();
        let entities: Value = reqwest::get(format!("{}/api/catalog/entities", backend.url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut names: Vec<&str> = entities
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] != "Location")
            .map(|e| e["metadata"]["name"].as_str().unwrap())
            .collect();
        names.sort_unstable();
        assert_eq!(names, ["payments", "payments-api"]);
        backend.stop().await;
    }

    /// A target of [`Tagged`]: its text, its ETag, whether it fails.
    type TaggedTarget = (String, Option<String>, bool);

    /// A reader of in-memory targets that honours `ETag`s and records
    /// what it was asked.
    #[derive(Debug, Default)]
    struct Tagged {
        /// url → target.
        targets: std::sync::Mutex<std::collections::HashMap<String, TaggedTarget>>,
        /// (url, the etag asked with, whether the answer was "not modified").
        asked: std::sync::Mutex<Vec<(String, Option<String>, bool)>>,
    }

    impl Tagged {
        fn set(&self, url: &str, text: &str, etag: Option<&str>) {
            self.targets.lock().unwrap().insert(
                url.to_owned(),
                (text.to_owned(), etag.map(str::to_owned), false),
            );
        }

        fn fail(&self, url: &str) {
            if let Some(target) = self.targets.lock().unwrap().get_mut(url) {
                target.2 = true;
            }
        }

        fn take_asked(&self) -> Vec<(String, Option<String>, bool)> {
            std::mem::take(&mut *self.asked.lock().unwrap())
        }
    }

    #[async_trait::async_trait]
    impl UrlReaderService for Tagged {
        async fn read_url(
            &self,
            url: &str,
            options: &ReadUrlOptions,
        ) -> Result<ReadUrlResponse, UrlReaderError> {
            let (text, etag, failing) =
                self.targets
                    .lock()
                    .unwrap()
                    .get(url)
                    .cloned()
                    .ok_or_else(|| UrlReaderError::NotFound {
                        url: url.to_owned(),
                    })?;
            if failing {
                return Err(UrlReaderError::Status {
                    url: url.to_owned(),
                    status: 500,
                });
            }
            let not_modified = etag.is_some() && options.etag == etag;
            self.asked
                .lock()
                .unwrap()
                .push((url.to_owned(), options.etag.clone(), not_modified));
            if not_modified {
                return Err(UrlReaderError::NotModified {
                    url: url.to_owned(),
                });
            }
            let response = ReadUrlResponse::new(Url::parse(url).unwrap(), text);
            Ok(match etag {
                Some(etag) => response.with_etag(etag),
                None => response,
            })
        }
    }

    fn component(name: &str, description: &str) -> String {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: {name}, description: {description}}}\nspec: {{type: service, lifecycle: production, owner: team-a}}\n"
        )
    }

    #[tokio::test]
    async fn unchanged_url_targets_are_answered_from_the_processor_cache() {
        let tagged = Arc::new(Tagged::default());
        let (a, b, c) = (
            "https://git.example/a.yaml",
            "https://git.example/b.yaml",
            "https://git.example/c.yaml",
        );
        tagged.set(a, &component("alpha", "One"), Some("\"a1\""));
        tagged.set(
            b,
            &format!(
                "{}---\n{}",
                component("beta", "Two"),
                component("gamma", "Three")
            ),
            Some("\"b1\""),
        );
        // A target without an ETag is read in full every time.
        tagged.set(c, &component("delta", "Four"), None);
        let catalog = catalog(Arc::clone(&tagged) as Arc<dyn UrlReaderService>, 1 << 20);
        let here = LocationSpec::new("url", "https://git.example/root.yaml");
        let mut root = url_location(a);
        root["spec"] = json!({"type": "url", "targets": [a, b, c]});
        let names = |result: &ProcessingResult| -> Vec<String> {
            result
                .children
                .iter()
                .map(|c| {
                    c.entity()["metadata"]["description"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect()
        };

        // First run: everything is read; the tagged targets are cached.
        let first = catalog
            .process_with_cache(root.clone(), &here, ProcessorCache::new())
            .await;
        assert!(first.errors.is_empty(), "{:?}", first.errors);
        assert_eq!(names(&first), ["One", "Two", "Three", "Four"]);
        let kept = first.cache.get("UrlReaderProcessor").unwrap();
        assert_eq!(kept[a]["etag"], "\"a1\"");
        assert_eq!(kept[b]["entities"].as_array().unwrap().len(), 2);
        assert!(kept.get(c).is_none(), "{kept}");
        assert_eq!(
            tagged.take_asked(),
            [
                (a.to_owned(), None, false),
                (b.to_owned(), None, false),
                (c.to_owned(), None, false)
            ]
        );

        // Nothing changed: 304s, the same children, the same cache.
        let second = catalog
            .process_with_cache(root.clone(), &here, first.cache.clone())
            .await;
        assert!(second.errors.is_empty(), "{:?}", second.errors);
        assert_eq!(second.children, first.children);
        assert_eq!(second.cache, first.cache);
        assert_eq!(
            tagged.take_asked(),
            [
                (a.to_owned(), Some("\"a1\"".to_owned()), true),
                (b.to_owned(), Some("\"b1\"".to_owned()), true),
                (c.to_owned(), None, false)
            ]
        );

        // One target changed: read in full, the others answered from the cache.
        tagged.set(a, &component("alpha", "Changed"), Some("\"a2\""));
        let third = catalog
            .process_with_cache(root.clone(), &here, second.cache.clone())
            .await;
        assert_eq!(names(&third), ["Changed", "Two", "Three", "Four"]);
        assert_eq!(
            third.cache.get("UrlReaderProcessor").unwrap()[a]["etag"],
            "\"a2\""
        );
        let asked = tagged.take_asked();
        assert_eq!(asked[0], (a.to_owned(), Some("\"a1\"".to_owned()), false));
        assert!(asked[1].2, "{asked:?}");

        // A failing target fails the entity and keeps the previous cache.
        tagged.fail(b);
        let failed = catalog
            .process_with_cache(root.clone(), &here, third.cache.clone())
            .await;
        assert_eq!(failed.errors[0].name, "Error", "{:?}", failed.errors);
        assert!(failed.children.is_empty());
        assert_eq!(failed.cache, third.cache);

        // A target no longer listed is no longer cached.
        root["spec"] = json!({"type": "url", "targets": [a]});
        let fewer = catalog
            .process_with_cache(root, &here, third.cache.clone())
            .await;
        let kept = fewer.cache.get("UrlReaderProcessor").unwrap();
        assert_eq!(kept.as_object().unwrap().len(), 1, "{kept}");

        // Without a cache (a dry run, a validation) nothing is conditional.
        tagged.take_asked();
        let plain = catalog.process(url_location(a), &here).await;
        assert_eq!(names(&plain), ["Changed"]);
        assert_eq!(tagged.take_asked(), [(a.to_owned(), None, false)]);
    }
}
