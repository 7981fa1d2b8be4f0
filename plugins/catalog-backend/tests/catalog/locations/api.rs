//! `/locations`, `/refresh` and bad locations.

use serde_json::{Value, json};

use super::files::{Host, component, eventually};
use crate::support::{TestCatalog, databases};

/// The stored entity `kind:default/name`, if any.
pub(crate) async fn entity(catalog: &TestCatalog, kind: &str, name: &str) -> Option<Value> {
    let answer = catalog
        .get(&format!("/entities/by-name/{kind}/default/{name}"))
        .await;
    match answer.status {
        200 => Some(answer.json),
        404 => None,
        other => panic!("GET {kind}/{name}: {other} {}", answer.text),
    }
}

/// The messages on an entity's status.
pub(crate) fn status_messages(entity: &Value) -> Vec<String> {
    entity["status"]["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["message"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn registered_locations_are_listed_read_and_removed_with_their_entities() {
    for database in databases() {
        println!("locations: {}", database.name);
        let host = Host::start().await;
        host.files
            .set("repo/catalog-info.yaml", &component("ledger", "Books"));
        host.files.set(
            "config/catalog-info.yaml",
            &component("configured", "From config"),
        );
        let catalog = TestCatalog::start_with(
            &database,
            "register",
            host.reading(),
            json!({"locations": [{"type": "url", "target": host.url("config/catalog-info.yaml")}]}),
            Vec::new(),
        )
        .await;
        let target = host.url("repo/catalog-info.yaml");

        // Only url locations by default, with Backstage's message.
        let refused = catalog
            .post(
                "/locations",
                &json!({"type": "file", "target": "/etc/catalog.yaml"}),
            )
            .await;
        assert_eq!(refused.status, 400, "{}", refused.text);
        assert_eq!(
            refused.json["error"]["message"],
            r#"Registered locations must be of an allowed type ["url"]"#
        );

        // A dry run reads and processes, and stores nothing.
        let dry = catalog
            .post(
                "/locations?dryRun=true",
                &json!({"type": "url", "target": target}),
            )
            .await;
        assert_eq!(dry.status, 201, "{}", dry.text);
        assert_eq!(dry.json["exists"], false);
        let kinds: Vec<&str> = dry.json["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["Location", "Component"], "{}", dry.text);
        assert_eq!(dry.json["entities"][1]["metadata"]["name"], "ledger");
        assert_eq!(catalog.get("/locations").await.json, json!([]));
        assert!(entity(&catalog, "component", "ledger").await.is_none());

        // Registering stores it and its entities follow.
        let created = catalog
            .post("/locations", &json!({"type": "url", "target": target}))
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
        let location = created.json["location"].clone();
        let id = location["id"].as_str().unwrap().to_owned();
        assert_eq!(location["type"], "url");
        assert_eq!(location["target"], target.as_str());
        let root_ref = location["entityRef"].as_str().unwrap().to_owned();
        assert!(
            root_ref.starts_with("location:default/generated-"),
            "{root_ref}"
        );
        assert_eq!(created.json["entities"], json!([]));

        let again = catalog
            .post("/locations", &json!({"type": "url", "target": target}))
            .await;
        assert_eq!(again.status, 409, "{}", again.text);
        assert_eq!(again.json["error"]["name"], "ConflictError");
        let refreshed = catalog
            .post(
                "/locations?onConflict=refresh",
                &json!({"type": "url", "target": target}),
            )
            .await;
        assert_eq!(refreshed.status, 201, "{}", refreshed.text);
        assert_eq!(refreshed.json["location"]["id"], id.as_str());

        let ledger = eventually("the registered component", || async {
            entity(&catalog, "component", "ledger").await
        })
        .await;
        assert_eq!(ledger["metadata"]["description"], "Books");
        assert_eq!(
            ledger["metadata"]["annotations"]["backstage.io/managed-by-origin-location"],
            format!("url:{target}")
        );

        // Listed: the registered one only, not the configured one.
        let listed = catalog.get("/locations").await;
        assert_eq!(listed.status, 200);
        assert_eq!(listed.json, json!([{"data": location}]));
        assert_eq!(
            catalog.get(&format!("/locations/{id}")).await.json,
            location
        );
        let missing = catalog.get("/locations/no-such-id").await;
        assert_eq!(missing.status, 404, "{}", missing.text);
        assert_eq!(missing.json["error"]["name"], "NotFoundError");
        let by_entity = catalog
            .get("/locations/by-entity/component/default/ledger")
            .await;
        assert_eq!(by_entity.json, location, "{}", by_entity.text);
        assert!(entity(&catalog, "component", "configured").await.is_some());
        assert_eq!(
            catalog
                .get("/locations/by-entity/component/default/configured")
                .await
                .status,
            404
        );

        let page = catalog
            .post(
                "/locations/by-query",
                &json!({"query": {"type": "url"}, "limit": 5}),
            )
            .await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_eq!(page.json["totalItems"], 1);
        assert_eq!(page.json["items"], json!([location]));
        let none = catalog
            .post("/locations/by-query", &json!({"query": {"type": "file"}}))
            .await;
        assert_eq!(none.json["totalItems"], 0, "{}", none.text);

        // Deleting it takes its entities, and only its entities.
        let deleted = catalog.delete(&format!("/locations/{id}")).await;
        assert_eq!(deleted.status, 204, "{}", deleted.text);
        assert!(entity(&catalog, "component", "ledger").await.is_none());
        let root_name = root_ref.trim_start_matches("location:default/");
        assert!(entity(&catalog, "location", root_name).await.is_none());
        assert!(entity(&catalog, "component", "configured").await.is_some());
        assert_eq!(catalog.get("/locations").await.json, json!([]));
        assert_eq!(
            catalog.delete(&format!("/locations/{id}")).await.status,
            404
        );
        catalog.stop().await;
    }
}

#[tokio::test]
async fn a_registered_location_moves_to_a_new_target_with_put() {
    for database in databases() {
        println!("update location: {}", database.name);
        let host = Host::start().await;
        host.files
            .set("old/catalog-info.yaml", &component("ledger", "Books"));
        host.files
            .set("new/catalog-info.yaml", &component("journal", "Entries"));
        host.files
            .set("other/catalog-info.yaml", &component("other", "Other"));
        let catalog =
            TestCatalog::start_with(&database, "putloc", host.reading(), json!({}), Vec::new())
                .await;
        let register = |target: String| {
            let catalog = &catalog;
            async move {
                let created = catalog
                    .post("/locations", &json!({"type": "url", "target": target}))
                    .await;
                assert_eq!(created.status, 201, "{}", created.text);
                created.json["location"].clone()
            }
        };
        let location = register(host.url("old/catalog-info.yaml")).await;
        let other = register(host.url("other/catalog-info.yaml")).await;
        let id = location["id"].as_str().unwrap().to_owned();
        eventually("the first target's component", || async {
            entity(&catalog, "component", "ledger").await
        })
        .await;

        let new_target = host.url("new/catalog-info.yaml");
        let moved = catalog
            .put(
                &format!("/locations/{id}"),
                &json!({"type": "url", "target": new_target}),
            )
            .await;
        assert_eq!(moved.status, 200, "{}", moved.text);
        assert_eq!(moved.json["id"], id.as_str());
        assert_eq!(moved.json["target"], new_target.as_str());
        assert_ne!(moved.json["entityRef"], location["entityRef"]);
        assert_eq!(
            catalog.get(&format!("/locations/{id}")).await.json,
            moved.json
        );
        // The old target's entities go at once, the new one's follow.
        assert!(entity(&catalog, "component", "ledger").await.is_none());
        let journal = eventually("the new target's component", || async {
            entity(&catalog, "component", "journal").await
        })
        .await;
        assert_eq!(
            journal["metadata"]["annotations"]["backstage.io/managed-by-origin-location"],
            format!("url:{new_target}")
        );
        assert_eq!(
            catalog
                .get("/locations/by-entity/component/default/journal")
                .await
                .json["id"],
            id.as_str()
        );
        assert!(entity(&catalog, "component", "other").await.is_some());

        // Another location's target is a conflict; an unknown id, a 404; a
        // type that may not be registered, a 400 — and nothing changes.
        let taken = catalog
            .put(
                &format!("/locations/{id}"),
                &json!({"type": "url", "target": other["target"]}),
            )
            .await;
        assert_eq!(taken.status, 409, "{}", taken.text);
        let unknown = catalog
            .put(
                "/locations/no-such-id",
                &json!({"type": "url", "target": host.url("x.yaml")}),
            )
            .await;
        assert_eq!(unknown.status, 404, "{}", unknown.text);
        let file = catalog
            .put(
                &format!("/locations/{id}"),
                &json!({"type": "file", "target": "/etc/catalog.yaml"}),
            )
            .await;
        assert_eq!(file.status, 400, "{}", file.text);
        assert_eq!(
            catalog.get(&format!("/locations/{id}")).await.json,
            moved.json
        );
        assert!(entity(&catalog, "component", "journal").await.is_some());
        catalog.stop().await;
    }
}

#[tokio::test]
async fn refresh_reprocesses_an_entity_from_its_location_now() {
    for database in databases() {
        println!("refresh: {}", database.name);
        let host = Host::start().await;
        host.files
            .set("repo/catalog-info.yaml", &component("web", "First"));
        let catalog = TestCatalog::start_with(
            &database,
            "refresh",
            host.reading(),
            json!({"locations": [{"type": "url", "target": host.url("repo/catalog-info.yaml")}]}),
            Vec::new(),
        )
        .await;
        let web = entity(&catalog, "component", "web").await.unwrap();
        assert_eq!(web["metadata"]["description"], "First");

        let unknown = catalog
            .post(
                "/refresh",
                &json!({"entityRef": "component:default/nobody"}),
            )
            .await;
        assert_eq!(unknown.status, 404, "{}", unknown.text);
        assert_eq!(unknown.json["error"]["name"], "NotFoundError");
        let malformed = catalog.post("/refresh", &json!({"entityRef": ""})).await;
        assert_eq!(malformed.status, 400, "{}", malformed.text);

        // processingInterval is false: only the refresh reads the file again.
        host.files
            .set("repo/catalog-info.yaml", &component("web", "Second"));
        let refreshed = catalog
            .post("/refresh", &json!({"entityRef": "Component:default/WEB"}))
            .await;
        assert_eq!(refreshed.status, 200, "{}", refreshed.text);
        eventually("the refreshed description", || async {
            let web = entity(&catalog, "component", "web").await?;
            (web["metadata"]["description"] == "Second").then_some(())
        })
        .await;
        catalog.stop().await;
    }
}

#[tokio::test]
async fn bad_locations_are_errors_on_their_location_entity_and_lose_nothing() {
    for database in databases() {
        println!("bad locations: {}", database.name);
        let host = Host::start().await;
        host.files
            .set("repo/good.yaml", &component("steady", "Stays"));
        host.files.set("repo/big.yaml", &"# padding\n".repeat(1000));
        host.files.set("repo/broken.yaml", "kind: [unclosed\n");
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        let mut backend = host.reading();
        backend["reading"]["allow"]
            .as_array_mut()
            .unwrap()
            .push(json!({"host": closed.to_string()}));
        let catalog = TestCatalog::start_with(
            &database,
            "bad",
            backend,
            json!({"maxFileBytes": 4096}),
            Vec::new(),
        )
        .await;

        let register = |target: String| {
            let catalog = &catalog;
            async move {
                let answer = catalog
                    .post("/locations", &json!({"type": "url", "target": target}))
                    .await;
                assert_eq!(answer.status, 201, "{}", answer.text);
                answer.json["location"]["entityRef"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("location:default/")
                    .to_owned()
            }
        };
        // A dry run refuses what a registration would record as an error.
        let dry = catalog
            .post(
                "/locations?dryRun=true",
                &json!({"type": "url", "target": host.url("repo/missing.yaml")}),
            )
            .await;
        assert_eq!(dry.status, 400, "{}", dry.text);
        assert!(
            dry.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("NotFoundError"),
            "{}",
            dry.text
        );
        assert_eq!(catalog.get("/locations").await.json, json!([]));

        let good = register(host.url("repo/good.yaml")).await;
        eventually("the good component", || async {
            entity(&catalog, "component", "steady").await
        })
        .await;

        let cases = [
            (
                "https://elsewhere.example/catalog-info.yaml".to_owned(),
                "NotAllowedError",
            ),
            (host.url("repo/missing.yaml"), "NotFoundError"),
            (host.url("repo/big.yaml"), "InputError"),
            (host.url("repo/broken.yaml"), "InputError"),
            (format!("http://{closed}/catalog-info.yaml"), "Error"),
        ];
        for (target, name) in cases {
            let root = register(target.clone()).await;
            let location = eventually(&format!("the error of {target}"), || async {
                let location = entity(&catalog, "location", &root).await?;
                (!status_messages(&location).is_empty()).then_some(location)
            })
            .await;
            let item = &location["status"]["items"][0];
            assert_eq!(item["level"], "error", "{location}");
            assert_eq!(item["error"]["name"], name, "{target}: {location}");
        }

        // A good location turning bad keeps what it provided.
        host.files.set("repo/good.yaml", "kind: [unclosed\n");
        let refreshed = catalog
            .post(
                "/refresh",
                &json!({"entityRef": format!("location:default/{good}")}),
            )
            .await;
        assert_eq!(refreshed.status, 200);
        eventually("the error on the good location", || async {
            let location = entity(&catalog, "location", &good).await?;
            (!status_messages(&location).is_empty()).then_some(())
        })
        .await;
        let steady = entity(&catalog, "component", "steady").await.unwrap();
        assert_eq!(steady["metadata"]["description"], "Stays");
        catalog.stop().await;
    }
}

#[tokio::test]
async fn allowed_location_types_come_from_config_or_a_module() {
    use backstage_backend::{BackendModule, BoxError};
    use backstage_plugin_catalog_node::CATALOG_LOCATIONS;

    for database in databases() {
        println!("allowed types: {}", database.name);
        let dir = tempfile::tempdir().unwrap();
        let file = crate::support::write(
            dir.path(),
            "catalog-info.yaml",
            &component("local", "On disk"),
        );

        let by_config = TestCatalog::start_with(
            &database,
            "typescfg",
            json!({}),
            json!({"allowedLocationTypes": ["url", "file"]}),
            Vec::new(),
        )
        .await;
        let created = by_config
            .post("/locations", &json!({"type": "file", "target": file}))
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
        eventually("the file location's component", || async {
            entity(&by_config, "component", "local").await
        })
        .await;
        by_config.stop().await;

        let module = BackendModule::builder("catalog", "file-locations").init(|ctx| async move {
            ctx.extension_point(&CATALOG_LOCATIONS)?
                .set_allowed_location_types(["file"]);
            Ok::<_, BoxError>(())
        });
        let by_module =
            TestCatalog::start_with(&database, "typesmod", json!({}), json!({}), vec![module])
                .await;
        let url = by_module
            .post(
                "/locations",
                &json!({"type": "url", "target": "https://example.com/c.yaml"}),
            )
            .await;
        assert_eq!(url.status, 400, "{}", url.text);
        assert_eq!(
            url.json["error"]["message"],
            r#"Registered locations must be of an allowed type ["file"]"#
        );
        let file_location = by_module
            .post("/locations", &json!({"type": "file", "target": file}))
            .await;
        assert_eq!(file_location.status, 201, "{}", file_location.text);
        by_module.stop().await;
    }
}

#[tokio::test]
async fn a_read_only_catalog_refuses_to_register_move_or_delete_locations() {
    for database in databases() {
        println!("readonly: {}", database.name);
        let catalog = TestCatalog::start(&database, "readonly", json!({"readonly": true})).await;
        let refused = catalog
            .post(
                "/locations",
                &json!({"type": "url", "target": "https://example.com/catalog-info.yaml"}),
            )
            .await;
        assert_eq!(refused.status, 403, "{}", refused.text);
        assert_eq!(refused.json["error"]["name"], "NotAllowedError");
        assert_eq!(catalog.delete("/locations/some-id").await.status, 403);
        let moved = catalog
            .put(
                "/locations/some-id",
                &json!({"type": "url", "target": "https://example.com/other.yaml"}),
            )
            .await;
        assert_eq!(moved.status, 403, "{}", moved.text);
        assert_eq!(catalog.get("/locations").await.json, json!([]));
        catalog.stop().await;
    }
}

#[tokio::test]
async fn analyze_location_reads_the_catalog_file_or_suggests_a_component() {
    for database in databases() {
        println!("analyze: {}", database.name);
        let host = Host::start().await;
        host.files
            .set("web/catalog-info.yaml", &component("web", "Site"));
        let catalog =
            TestCatalog::start_with(&database, "analyze", host.reading(), json!({}), Vec::new())
                .await;
        let analyze = |target: String| {
            let catalog = &catalog;
            async move {
                catalog
                    .post(
                        "/analyze-location",
                        &json!({"location": {"type": "url", "target": target}}),
                    )
                    .await
            }
        };
        let found = analyze(host.url("web")).await;
        assert_eq!(found.status, 200, "{}", found.text);
        let file = &found.json["existingEntityFiles"][0];
        assert_eq!(file["entity"]["metadata"]["name"], "web", "{}", found.text);
        assert_eq!(file["isRegistered"], false);
        assert_eq!(
            file["location"]["target"],
            host.url("web/catalog-info.yaml").as_str()
        );
        assert_eq!(found.json["generateEntities"], json!([]));

        let created = catalog
            .post(
                "/locations",
                &json!({"type": "url", "target": host.url("web/catalog-info.yaml")}),
            )
            .await;
        assert_eq!(created.status, 201);
        let again = analyze(host.url("web/catalog-info.yaml")).await;
        assert_eq!(
            again.json["existingEntityFiles"][0]["isRegistered"], true,
            "{}",
            again.text
        );

        let empty = analyze(host.url("billing-service")).await;
        assert_eq!(empty.status, 200, "{}", empty.text);
        assert_eq!(empty.json["existingEntityFiles"], json!([]));
        let suggested = &empty.json["generateEntities"][0];
        assert_eq!(suggested["entity"]["kind"], "Component");
        assert_eq!(suggested["entity"]["metadata"]["name"], "billing-service");
        assert_eq!(suggested["fields"][0]["field"], "spec.owner");
        assert_eq!(suggested["fields"][0]["state"], "needsUserInput");

        let file_type = catalog
            .post(
                "/analyze-location",
                &json!({"location": {"type": "file", "target": "/srv"}}),
            )
            .await;
        assert_eq!(file_type.status, 400, "{}", file_type.text);
        catalog.stop().await;
    }
}
