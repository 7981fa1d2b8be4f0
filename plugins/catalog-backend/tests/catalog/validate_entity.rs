//! `POST /validate-entity` on every configured database: a valid entity is
//! a 200 with an empty body; an invalid one, a bad location or a malformed
//! request a 400 that names the problem; and validating stores nothing —
//! over raw HTTP and through the typed client.

use crate::support;

use backstage_plugin_catalog_common::api::ValidateEntityRequest;
use backstage_plugin_catalog_common::{CatalogClient, ValidateEntityResult};
use serde_json::{Value, json};
use support::{Answer, TestCatalog, databases, write};

const LOCATION: &str = "url:https://example.com/org/repo/blob/main/catalog-info.yaml";

const STORED: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: stored}\nspec: {type: service, lifecycle: production, owner: team-a}\n";

fn component(name: &str) -> Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": name, "description": "Checks the books"},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}
    })
}

async fn start(database: &support::Database, dir: &std::path::Path) -> TestCatalog {
    let file = write(dir, "catalog-info.yaml", STORED);
    TestCatalog::start(
        database,
        "validate",
        json!({
            // Groups may not come from anywhere; the rest may.
            "rules": [{"allow": ["Component", "API", "Location"]}],
            "locations": [{"type": "file", "target": file}]
        }),
    )
    .await
}

/// The `errors` of a 400 answer, as `(name, message)`.
fn errors(answer: &Answer) -> Vec<(String, String)> {
    assert_eq!(answer.status, 400, "{}", answer.text);
    assert_eq!(answer.content_type(), "application/json; charset=utf-8");
    answer.json["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors: {}", answer.text))
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Asserts one error named `name` whose message contains every one of
/// `words`.
fn assert_error(answer: &Answer, name: &str, words: &[&str]) {
    let errors = errors(answer);
    assert!(
        errors
            .iter()
            .any(|(n, message)| n == name && words.iter().all(|word| message.contains(word))),
        "expected a {name} saying {words:?}, got {errors:?}"
    );
}

async fn validate(catalog: &TestCatalog, location: &str, entity: Value) -> Answer {
    catalog
        .post(
            "/validate-entity",
            &json!({"location": location, "entity": entity}),
        )
        .await
}

#[tokio::test]
async fn a_valid_entity_is_a_200_with_an_empty_body_and_nothing_is_stored() {
    for database in databases() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = start(&database, dir.path()).await;
        let before = catalog.get("/entities").await.json;

        let answer = validate(&catalog, LOCATION, component("ledger")).await;
        assert_eq!(
            (answer.status, answer.text.as_str()),
            (200, ""),
            "{}",
            database.name
        );
        // A Location entity is valid on its own: its targets are not read
        // (not even a file on the catalog's disk).
        let location = json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Location",
            "metadata": {"name": "more"},
            "spec": {"type": "file", "targets": ["/etc/passwd", "./other.yaml"]}
        });
        let answer = validate(&catalog, LOCATION, location).await;
        assert_eq!((answer.status, answer.text.as_str()), (200, ""));

        // Nothing of it was stored.
        let ledger = catalog
            .get("/entities/by-name/component/default/ledger")
            .await;
        assert_eq!(ledger.status, 404, "{}", ledger.text);
        let more = catalog.get("/entities/by-name/location/default/more").await;
        assert_eq!(more.status, 404, "{}", more.text);
        assert_eq!(catalog.get("/entities").await.json, before);

        // The typed client agrees.
        let client = CatalogClient::new(&catalog.base_url()).unwrap();
        let request = ValidateEntityRequest {
            location: LOCATION.to_owned(),
            entity: component("ledger").as_object().unwrap().clone(),
        };
        assert_eq!(
            client.validate_entity(&request).await.unwrap(),
            ValidateEntityResult::Valid
        );
        catalog.stop().await;
    }
}

#[tokio::test]
async fn an_invalid_entity_is_a_400_naming_the_problem() {
    for database in databases() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = start(&database, dir.path()).await;
        let before = catalog.get("/entities").await.json;

        // The entity model: a name with a space, a component without owner.
        let mut bad_name = component("ledger");
        bad_name["metadata"]["name"] = json!("the ledger");
        let answer = validate(&catalog, LOCATION, bad_name).await;
        assert_error(&answer, "InputError", &["metadata.name", "the ledger"]);
        let mut no_owner = component("ledger");
        no_owner["spec"].as_object_mut().unwrap().remove("owner");
        let answer = validate(&catalog, LOCATION, no_owner).await;
        assert_error(&answer, "InputError", &["owner"]);
        // The envelope.
        let answer = validate(&catalog, LOCATION, json!({"kind": "Component"})).await;
        assert_error(&answer, "InputError", &["apiVersion"]);
        // A kind no processor knows.
        let widget = json!({
            "apiVersion": "example.com/v1",
            "kind": "Widget",
            "metadata": {"name": "gear"}
        });
        let answer = validate(&catalog, LOCATION, widget).await;
        assert_error(&answer, "InputError", &["Widget:default/gear", "kind"]);
        // catalog.rules: no Group from anywhere.
        let group = json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Group",
            "metadata": {"name": "team-a"},
            "spec": {"type": "team", "children": []}
        });
        let answer = validate(&catalog, LOCATION, group.clone()).await;
        assert_error(&answer, "NotAllowedError", &["Group", "catalog.rules"]);

        // The typed client lists the same problems.
        let client = CatalogClient::new(&catalog.base_url()).unwrap();
        let request = ValidateEntityRequest {
            location: LOCATION.to_owned(),
            entity: group.as_object().unwrap().clone(),
        };
        let ValidateEntityResult::Invalid(problems) =
            client.validate_entity(&request).await.unwrap()
        else {
            panic!("the group should be invalid");
        };
        assert_eq!(problems[0].name, "NotAllowedError");

        assert_eq!(catalog.get("/entities").await.json, before);
        catalog.stop().await;
    }
}

#[tokio::test]
async fn a_bad_location_or_request_is_a_400() {
    for database in databases() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = start(&database, dir.path()).await;
        let before = catalog.get("/entities").await.json;

        for (location, words) in [
            ("catalog-info.yaml", &["no type"][..]),
            (":https://example.com/x.yaml", &["empty type"]),
            ("url:", &["empty target"]),
            ("https://example.com/x.yaml", &["url:"]),
            ("file:/etc/passwd", &["only url locations"]),
        ] {
            let answer = validate(&catalog, location, component("ledger")).await;
            assert_error(&answer, "InputError", words);
        }
        for (body, words) in [
            (json!({"entity": component("ledger")}), &["no location"][..]),
            (
                json!({"location": 7, "entity": component("ledger")}),
                &["location must be a string"],
            ),
            (json!({"location": LOCATION}), &["no entity"]),
            (
                json!({"location": LOCATION, "entity": [1]}),
                &["entity must be a JSON object"],
            ),
            (json!(["not", "an", "object"]), &["JSON object"]),
        ] {
            let answer = catalog.post("/validate-entity", &body).await;
            assert_error(&answer, "InputError", words);
        }

        // Not JSON at all: the usual error body.
        let answer = catalog
            .post_raw("/validate-entity", "{\"location\": ")
            .await;
        assert_eq!(answer.status, 400, "{}", answer.text);
        assert_eq!(answer.content_type(), "application/json; charset=utf-8");
        assert_eq!(answer.json["error"]["name"], "InputError");
        assert_eq!(answer.json["response"]["statusCode"], 400);
        assert!(
            answer.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("invalid request body"),
            "{}",
            answer.text
        );

        assert_eq!(catalog.get("/entities").await.json, before);
        catalog.stop().await;
    }
}
