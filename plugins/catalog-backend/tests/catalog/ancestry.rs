//! `GET /entities/by-name/{kind}/{namespace}/{name}/ancestry` on every
//! configured database: nested locations give the whole chain up to the
//! configured root, refs keep the entity's own spelling, cycles end, and an
//! unknown entity is a 404 — over raw HTTP and through the typed client.

use crate::support;

use backstage_common::catalog::EntityRef;
use backstage_plugin_catalog_common::CatalogClient;
use serde_json::{Value, json};
use support::{TestCatalog, databases, write};

const ROOT: &str = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: company}\nspec:\n  targets: [./org.yaml, ./systems/catalog.yaml]\n";
const ORG: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-billing}\nspec: {type: team, children: []}\n";
const SYSTEMS: &str = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: Billing-Systems}\nspec:\n  targets: [./payments.yaml, ./ledger.yaml]\n";
const PAYMENTS: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: Payments}\nspec: {type: service, lifecycle: production, owner: team-billing}\n";
const LEDGER: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: ledger}\nspec: {type: service, lifecycle: production, owner: team-billing}\n";

fn catalog_config(root: &str) -> Value {
    json!({
        "rules": [{"allow": ["Component", "Group", "Location"]}],
        "locations": [{"type": "file", "target": root}]
    })
}

/// `(metadata.name, parentEntityRefs)` of each item, in order.
fn chain(body: &Value) -> Vec<(String, Vec<String>)> {
    body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {body}"))
        .iter()
        .map(|item| {
            let name = item["entity"]["metadata"]["name"].as_str().unwrap();
            let parents = item["parentEntityRefs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_owned())
                .collect();
            (name.to_owned(), parents)
        })
        .collect()
}

#[tokio::test]
async fn nested_locations_give_the_whole_chain_up_to_the_configured_root() {
    for database in databases() {
        println!("ancestry: {}", database.name);
        let dir = tempfile::tempdir().unwrap();
        let root = write(dir.path(), "catalog-info.yaml", ROOT);
        write(dir.path(), "org.yaml", ORG);
        write(dir.path(), "systems/catalog.yaml", SYSTEMS);
        write(dir.path(), "systems/payments.yaml", PAYMENTS);
        write(dir.path(), "systems/ledger.yaml", LEDGER);
        let catalog = TestCatalog::start(&database, "ancestry", catalog_config(&root)).await;

        // Asked in any case; answered in the entity's own spelling.
        let answer = catalog
            .get("/entities/by-name/COMPONENT/default/payments/ancestry")
            .await;
        assert_eq!(answer.status, 200, "{}: {}", database.name, answer.text);
        assert_eq!(answer.content_type(), "application/json; charset=utf-8");
        let body = answer.json;
        assert_eq!(body["rootEntityRef"], "component:default/Payments");
        let chain = chain(&body);
        assert_eq!(chain.len(), 4, "{body}");
        assert_eq!(
            chain[..3],
            [
                (
                    "Payments".to_owned(),
                    vec!["location:default/Billing-Systems".to_owned()]
                ),
                (
                    "Billing-Systems".to_owned(),
                    vec!["location:default/company".to_owned()]
                ),
                (
                    "company".to_owned(),
                    vec![format!("location:default/{}", chain[3].0)]
                ),
            ]
        );
        // The root is the Location entity generated for the configured
        // location; it has no parent entity.
        let generated = &body["items"][3]["entity"];
        assert!(chain[3].0.starts_with("generated-"), "{generated}");
        assert_eq!(generated["spec"], json!({"type": "file", "target": root}));
        assert_eq!(chain[3].1, Vec::<String>::new());
        // Items are the stored entities, as served elsewhere.
        let served = catalog
            .get("/entities/by-name/location/default/billing-systems")
            .await;
        assert_eq!(body["items"][1]["entity"], served.json);

        // A sibling shares the upper part of the chain; the root alone has
        // only itself.
        let ledger = catalog
            .get("/entities/by-name/component/default/ledger/ancestry")
            .await;
        assert_eq!(chain_names(&ledger.json)[1..], chain_names(&body)[1..]);
        let top = catalog
            .get(&format!(
                "/entities/by-name/location/default/{}/ancestry",
                chain[3].0
            ))
            .await;
        assert_eq!(top.status, 200, "{}", top.text);
        assert_eq!(chain_names(&top.json), [chain[3].0.clone()]);

        // The typed client reads the same.
        let client = CatalogClient::new(&catalog.base_url()).unwrap();
        let payments: EntityRef = "component:default/payments".parse().unwrap();
        let typed = client.get_entity_ancestry(&payments).await.unwrap();
        assert_eq!(typed.root_entity_ref, "component:default/Payments");
        assert_eq!(typed.items.len(), 4);
        assert_eq!(typed.items[1].entity.metadata.name, "Billing-Systems");
        assert_eq!(
            typed.items[0].parent_entity_refs,
            ["location:default/Billing-Systems"]
        );

        catalog.stop().await;
    }
}

fn chain_names(body: &Value) -> Vec<String> {
    chain(body).into_iter().map(|(name, _)| name).collect()
}

#[tokio::test]
async fn an_unknown_entity_is_a_404_in_the_usual_error_format() {
    for database in databases() {
        let dir = tempfile::tempdir().unwrap();
        let root = write(dir.path(), "catalog-info.yaml", ROOT);
        write(dir.path(), "org.yaml", ORG);
        write(dir.path(), "systems/catalog.yaml", SYSTEMS);
        write(dir.path(), "systems/payments.yaml", PAYMENTS);
        write(dir.path(), "systems/ledger.yaml", LEDGER);
        let catalog = TestCatalog::start(&database, "ancestry404", catalog_config(&root)).await;

        let answer = catalog
            .get("/entities/by-name/component/default/ghost/ancestry")
            .await;
        assert_eq!(answer.status, 404, "{}: {}", database.name, answer.text);
        assert_eq!(answer.content_type(), "application/json; charset=utf-8");
        assert_eq!(answer.json["error"]["name"], "NotFoundError");
        assert_eq!(answer.json["response"]["statusCode"], 404);
        let message = answer.json["error"]["message"].as_str().unwrap();
        assert!(message.contains("ghost"), "{message}");

        let client = CatalogClient::new(&catalog.base_url()).unwrap();
        let ghost: EntityRef = "component:default/ghost".parse().unwrap();
        let error = client.get_entity_ancestry(&ghost).await.unwrap_err();
        assert!(
            error.api_error().is_some_and(|e| e.is_not_found()),
            "{error}"
        );
        catalog.stop().await;
    }
}

#[tokio::test]
async fn locations_that_read_each_other_end_the_walk() {
    for database in databases() {
        let dir = tempfile::tempdir().unwrap();
        // a.yaml holds Location a, which reads b.yaml, whose Location b reads
        // a.yaml again: a and b are each other's parents.
        let a = write(
            dir.path(),
            "a.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: a}\nspec: {target: ./b.yaml}\n",
        );
        write(
            dir.path(),
            "b.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: b}\nspec: {target: ./a.yaml}\n",
        );
        let catalog = TestCatalog::start(&database, "ancestrycycle", catalog_config(&a)).await;

        let answer = catalog
            .get("/entities/by-name/location/default/b/ancestry")
            .await;
        assert_eq!(answer.status, 200, "{}: {}", database.name, answer.text);
        let chain = chain(&answer.json);
        let names: Vec<&str> = chain.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names.len(), 3, "{}", answer.json);
        assert_eq!(names[..2], ["b", "a"]);
        assert!(names[2].starts_with("generated-"), "{names:?}");
        assert_eq!(chain[0].1, ["location:default/a"]);
        let mut parents_of_a = chain[1].1.clone();
        parents_of_a.sort();
        assert_eq!(
            parents_of_a,
            [
                "location:default/b".to_owned(),
                format!("location:default/{}", names[2])
            ]
        );
        catalog.stop().await;
    }
}
