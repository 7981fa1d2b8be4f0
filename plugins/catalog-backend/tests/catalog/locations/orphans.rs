//! Orphans (kept with an annotation, or deleted), conflicts between
//! locations, and deleting entities by uid.

use serde_json::json;

use super::api::{entity, status_messages};
use super::files::{Host, component, eventually};
use crate::support::{TestCatalog, databases};

fn two(first: &str, second: &str) -> String {
    format!(
        "{}---\n{}",
        component(first, "One"),
        component(second, "Two")
    )
}

fn orphan_mark(entity: &serde_json::Value) -> Option<&str> {
    entity["metadata"]["annotations"]["backstage.io/orphan"].as_str()
}

#[tokio::test]
async fn an_entity_no_longer_emitted_is_annotated_as_an_orphan_and_kept() {
    for database in databases() {
        println!("orphans kept: {}", database.name);
        let host = Host::start().await;
        host.files
            .set("repo/catalog-info.yaml", &two("kept", "dropped"));
        let catalog = TestCatalog::start_with(
            &database,
            "orphkeep",
            host.reading(),
            json!({
                "orphanStrategy": "keep",
                "orphanCleanupInterval": {"milliseconds": 20},
                "locations": [{"type": "url", "target": host.url("repo/catalog-info.yaml")}]
            }),
            Vec::new(),
        )
        .await;
        let dropped = entity(&catalog, "component", "dropped").await.unwrap();
        assert_eq!(orphan_mark(&dropped), None);

        host.files
            .set("repo/catalog-info.yaml", &component("kept", "One"));
        let refreshed = catalog
            .post("/refresh", &json!({"entityRef": "component:default/kept"}))
            .await;
        assert_eq!(refreshed.status, 200);
        eventually("the orphan annotation", || async {
            let dropped = entity(&catalog, "component", "dropped").await?;
            (orphan_mark(&dropped) == Some("true")).then_some(())
        })
        .await;
        let kept = entity(&catalog, "component", "kept").await.unwrap();
        assert_eq!(orphan_mark(&kept), None, "{kept}");

        // Emitted again, it is no orphan any more.
        host.files
            .set("repo/catalog-info.yaml", &two("kept", "dropped"));
        catalog
            .post("/refresh", &json!({"entityRef": "component:default/kept"}))
            .await;
        eventually("the orphan annotation to go", || async {
            let dropped = entity(&catalog, "component", "dropped").await?;
            orphan_mark(&dropped).is_none().then_some(())
        })
        .await;
        catalog.stop().await;
    }
}

#[tokio::test]
async fn orphans_are_deleted_by_the_cleanup_under_the_delete_strategy() {
    for database in databases() {
        println!("orphans deleted: {}", database.name);
        let host = Host::start().await;
        host.files
            .set("repo/catalog-info.yaml", &two("kept", "dropped"));
        let catalog = TestCatalog::start_with(
            &database,
            "orphdel",
            host.reading(),
            json!({
                "orphanCleanupInterval": {"milliseconds": 20},
                "locations": [{"type": "url", "target": host.url("repo/catalog-info.yaml")}]
            }),
            Vec::new(),
        )
        .await;
        assert!(entity(&catalog, "component", "dropped").await.is_some());
        host.files
            .set("repo/catalog-info.yaml", &component("kept", "One"));
        catalog
            .post("/refresh", &json!({"entityRef": "component:default/kept"}))
            .await;
        eventually("the orphan to be deleted", || async {
            entity(&catalog, "component", "dropped")
                .await
                .is_none()
                .then_some(())
        })
        .await;
        assert!(entity(&catalog, "component", "kept").await.is_some());
        catalog.stop().await;
    }
}

#[tokio::test]
async fn the_first_location_owns_an_entity_and_the_second_shows_the_conflict() {
    for database in databases() {
        println!("conflicts: {}", database.name);
        let host = Host::start().await;
        host.files
            .set("a/catalog-info.yaml", &component("shared", "From A"));
        host.files
            .set("b/catalog-info.yaml", &component("shared", "From B"));
        let catalog =
            TestCatalog::start_with(&database, "conflict", host.reading(), json!({}), Vec::new())
                .await;
        let register = |path: &'static str| {
            let catalog = &catalog;
            let target = host.url(path);
            async move {
                let answer = catalog
                    .post("/locations", &json!({"type": "url", "target": target}))
                    .await;
                assert_eq!(answer.status, 201, "{}", answer.text);
                answer.json["location"].clone()
            }
        };
        let a = register("a/catalog-info.yaml").await;
        eventually("the component from A", || async {
            entity(&catalog, "component", "shared").await
        })
        .await;
        let b = register("b/catalog-info.yaml").await;
        let b_root = b["entityRef"]
            .as_str()
            .unwrap()
            .trim_start_matches("location:default/")
            .to_owned();
        let warning = eventually("the conflict on B's location", || async {
            let location = entity(&catalog, "location", &b_root).await?;
            let item = location["status"]["items"].get(0)?.clone();
            Some(item)
        })
        .await;
        assert_eq!(warning["level"], "warning", "{warning}");
        assert_eq!(warning["error"]["name"], "ConflictError", "{warning}");
        let message = warning["message"].as_str().unwrap();
        assert!(message.contains("component:default/shared"), "{message}");
        assert!(
            message.contains(&host.url("a/catalog-info.yaml")),
            "{message}"
        );
        let shared = entity(&catalog, "component", "shared").await.unwrap();
        assert_eq!(shared["metadata"]["description"], "From A");

        // A goes: B's copy takes over, and B's conflict is gone.
        let id = a["id"].as_str().unwrap();
        assert_eq!(
            catalog.delete(&format!("/locations/{id}")).await.status,
            204
        );
        eventually("the component from B", || async {
            let shared = entity(&catalog, "component", "shared").await?;
            (shared["metadata"]["description"] == "From B").then_some(())
        })
        .await;
        eventually("B's status to clear", || async {
            let location = entity(&catalog, "location", &b_root).await?;
            status_messages(&location).is_empty().then_some(())
        })
        .await;
        catalog.stop().await;
    }
}

#[tokio::test]
async fn an_entity_deleted_by_uid_comes_back_while_its_location_emits_it() {
    for database in databases() {
        println!("delete by uid: {}", database.name);
        let host = Host::start().await;
        host.files
            .set("repo/catalog-info.yaml", &component("web", "Site"));
        let catalog = TestCatalog::start_with(
            &database,
            "byuid",
            host.reading(),
            json!({"locations": [{"type": "url", "target": host.url("repo/catalog-info.yaml")}]}),
            Vec::new(),
        )
        .await;
        let web = entity(&catalog, "component", "web").await.unwrap();
        let uid = web["metadata"]["uid"].as_str().unwrap().to_owned();

        assert_eq!(
            catalog.delete("/entities/by-uid/no-such-uid").await.status,
            404
        );
        let deleted = catalog.delete(&format!("/entities/by-uid/{uid}")).await;
        assert_eq!(deleted.status, 204, "{}", deleted.text);
        assert_eq!(
            catalog.get(&format!("/entities/by-uid/{uid}")).await.status,
            404
        );
        let back = eventually("the component to come back", || async {
            entity(&catalog, "component", "web").await
        })
        .await;
        assert_ne!(back["metadata"]["uid"], uid.as_str());
        assert_eq!(back["metadata"]["description"], "Site");
        catalog.stop().await;
    }
}
