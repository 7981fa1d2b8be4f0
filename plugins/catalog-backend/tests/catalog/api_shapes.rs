//! Every read endpoint's answers (and its error answers) match the response
//! schemas of Backstage's catalog OpenAPI spec
//! (`../shared/reference/openapi/catalog.yaml`, beside the workspace), checked with `jsonschema`
//! over the example portal's catalog on every configured database; plus
//! the headers clients rely on.

use crate::support;

use std::path::PathBuf;

use serde_json::{Value, json};
use support::{Answer, TestCatalog, databases};

/// The spec, from `shared/reference` beside the workspace (as the other
/// reference checks read it); required in CI, skipped elsewhere when absent.
fn spec() -> Option<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/openapi/catalog.yaml");
    if !path.exists() {
        let why = format!("{} is absent", path.display());
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("the catalog OpenAPI spec is required in CI, but {why}");
        }
        println!("skipped the response-shape check: {why}");
        return None;
    }
    let text = std::fs::read_to_string(&path).unwrap();
    Some(serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The response schemas of the spec.
struct Spec(Value);

impl Spec {
    /// The schema of the `status` answer of `method path` (`default` when
    /// the operation names no such status), with the spec's `components`
    /// beside it so that its `#/components/...` refs resolve.
    fn response_schema(&self, method: &str, path: &str, status: u16) -> Value {
        let responses = &self.0["paths"][path][method]["responses"];
        assert!(responses.is_object(), "the spec has no {method} {path}");
        let mut response = match &responses[status.to_string()] {
            Value::Null => &responses["default"],
            found => found,
        };
        if let Some(reference) = response["$ref"].as_str() {
            let pointer = reference.trim_start_matches('#');
            response = self.0.pointer(pointer).unwrap();
        }
        let mut schema = response["content"]["application/json"]["schema"].clone();
        assert!(
            schema.is_object(),
            "{method} {path} {status} has no JSON schema"
        );
        schema["components"] = self.0["components"].clone();
        schema
    }

    /// Asserts that `answer` has `status` and a JSON body of the spec's
    /// shape for it, in `application/json; charset=utf-8`.
    fn check(&self, answer: &Answer, method: &str, path: &str, status: u16) {
        let what = format!("{method} {path} {status}");
        assert_eq!(answer.status, status, "{what}: {}", answer.text);
        assert_eq!(
            answer.content_type(),
            "application/json; charset=utf-8",
            "{what}"
        );
        let schema = self.response_schema(&method.to_lowercase(), path, status);
        let validator = jsonschema::validator_for(&schema)
            .unwrap_or_else(|e| panic!("{what}: the spec's schema does not compile: {e}"));
        let problems: Vec<String> = validator
            .iter_errors(&answer.json)
            .map(|e| format!("at {}: {e}", e.instance_path()))
            .collect();
        assert!(
            problems.is_empty(),
            "{what} does not match the spec:\n{}\n{}",
            problems.join("\n"),
            answer.text
        );
    }
}

/// Whether `body` matches the schema of `method path status`.
fn matches(spec: &Spec, method: &str, path: &str, status: u16, body: &Value) -> bool {
    jsonschema::validator_for(&spec.response_schema(method, path, status))
        .unwrap()
        .is_valid(body)
}

#[test]
fn the_check_follows_the_specs_refs_and_rejects_wrong_shapes() {
    let Some(spec) = spec() else { return };
    let spec = Spec(spec);
    let entity = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "a"}});
    assert!(matches(&spec, "get", "/entities", 200, &json!([entity])));
    // Into #/components/schemas/Entity and on to EntityMeta and EntityLink.
    let mut no_kind = entity.clone();
    no_kind.as_object_mut().unwrap().remove("kind");
    assert!(!matches(&spec, "get", "/entities", 200, &json!([no_kind])));
    let mut odd_link = entity.clone();
    odd_link["metadata"]["links"] = json!([{"url": "https://x", "extra": 1}]);
    assert!(!matches(&spec, "get", "/entities", 200, &json!([odd_link])));
    // Through #/components/responses/ErrorResponse.
    assert!(!matches(
        &spec,
        "get",
        "/entities",
        400,
        &json!({"error": {"name": "InputError"}})
    ));
    let ancestry = "/entities/by-name/{kind}/{namespace}/{name}/ancestry";
    assert!(!matches(
        &spec,
        "get",
        ancestry,
        200,
        &json!({"rootEntityRef": "a", "items": [{"entity": entity}]})
    ));
}

fn example_catalog() -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/basic-app/catalog/catalog-info.yaml")
        .canonicalize()
        .unwrap();
    json!({
        "rules": [{"allow": ["Component", "API", "Location", "System", "Domain", "Resource", "Group", "User", "Template"]}],
        "locations": [{"type": "file", "target": root.display().to_string()}]
    })
}

#[tokio::test]
async fn read_endpoints_answer_in_the_shapes_of_the_spec() {
    let Some(spec) = spec() else { return };
    let spec = Spec(spec);
    for database in databases() {
        println!("shapes: {}", database.name);
        let catalog = TestCatalog::start(&database, "shapes", example_catalog()).await;

        // GET /entities: the whole catalog, and a page with a Link to the
        // next one.
        let all = catalog.get("/entities").await;
        spec.check(&all, "GET", "/entities", 200);
        assert!(all.json.as_array().unwrap().len() > 10, "{}", all.text);
        let page = catalog.get("/entities?filter=kind=component&limit=2").await;
        spec.check(&page, "GET", "/entities", 200);
        assert_eq!(page.json.as_array().unwrap().len(), 2);
        let link = page.headers.get("link").unwrap().to_str().unwrap();
        assert!(
            link.starts_with("</api/catalog/entities?") && link.ends_with(">; rel=\"next\""),
            "{link}"
        );
        assert!(link.contains("after="), "{link}");
        let next = link[1..link.find('>').unwrap()].trim_start_matches("/api/catalog");
        spec.check(&catalog.get(next).await, "GET", "/entities", 200);

        // One entity: by uid, by name, its ancestry.
        let by_name = catalog
            .get("/entities/by-name/component/default/dock-gateway")
            .await;
        spec.check(
            &by_name,
            "GET",
            "/entities/by-name/{kind}/{namespace}/{name}",
            200,
        );
        let uid = by_name.json["metadata"]["uid"].as_str().unwrap();
        let by_uid = catalog.get(&format!("/entities/by-uid/{uid}")).await;
        spec.check(&by_uid, "GET", "/entities/by-uid/{uid}", 200);
        let ancestry = catalog
            .get("/entities/by-name/component/default/dock-gateway/ancestry")
            .await;
        spec.check(
            &ancestry,
            "GET",
            "/entities/by-name/{kind}/{namespace}/{name}/ancestry",
            200,
        );
        assert_eq!(ancestry.json["items"].as_array().unwrap().len(), 3);

        // By refs, with a miss.
        let by_refs = catalog
            .post(
                "/entities/by-refs",
                &json!({"entityRefs": ["component:default/dock-gateway", "component:default/ghost"]}),
            )
            .await;
        spec.check(&by_refs, "POST", "/entities/by-refs", 200);
        assert_eq!(by_refs.json["items"][1], Value::Null);

        // By query, GET and POST, and the pages behind their cursors.
        let first = catalog
            .get("/entities/by-query?filter=kind=component&orderField=metadata.name,asc&limit=3")
            .await;
        spec.check(&first, "GET", "/entities/by-query", 200);
        let cursor = first.json["pageInfo"]["nextCursor"].as_str().unwrap();
        let second = catalog
            .get(&format!("/entities/by-query?cursor={cursor}"))
            .await;
        spec.check(&second, "GET", "/entities/by-query", 200);
        assert!(second.json["pageInfo"]["prevCursor"].is_string());
        // Uncounted, totalItems is still there (0, as Backstage answers).
        let uncounted = catalog
            .get("/entities/by-query?filter=kind=component&limit=2&totalItems=exclude")
            .await;
        spec.check(&uncounted, "GET", "/entities/by-query", 200);
        assert_eq!(uncounted.json["totalItems"], 0);
        let posted = catalog
            .post(
                "/entities/by-query",
                &json!({"query": {"kind": "api"}, "limit": 2, "orderBy": [{"field": "metadata.name", "order": "desc"}]}),
            )
            .await;
        spec.check(&posted, "POST", "/entities/by-query", 200);
        let cursor = posted.json["pageInfo"]["nextCursor"].as_str().unwrap();
        let behind = catalog
            .post("/entities/by-query", &json!({"cursor": cursor}))
            .await;
        spec.check(&behind, "POST", "/entities/by-query", 200);

        // Facets, GET and POST.
        let facets = catalog
            .get("/entity-facets?facet=kind&facet=metadata.tags&filter=kind=component")
            .await;
        spec.check(&facets, "GET", "/entity-facets", 200);
        let facets = catalog
            .post(
                "/entity-facets",
                &json!({"facets": ["spec.type"], "query": {"kind": "api"}}),
            )
            .await;
        spec.check(&facets, "POST", "/entity-facets", 200);

        // validate-entity: the 400 body of an invalid entity.
        let invalid = catalog
            .post(
                "/validate-entity",
                &json!({"location": "url:https://example.com/x.yaml",
                        "entity": {"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "x"}}}),
            )
            .await;
        spec.check(&invalid, "POST", "/validate-entity", 400);

        // Errors: the spec's ErrorResponse, for a 400 and for 404s
        // (`default`).
        let bad_filter = catalog.get("/entities?filter==component").await;
        spec.check(&bad_filter, "GET", "/entities", 400);
        let bad_query = catalog
            .post("/entities/by-query", &json!({"query": {"$nope": 1}}))
            .await;
        spec.check(&bad_query, "POST", "/entities/by-query", 400);
        let no_facet = catalog.get("/entity-facets").await;
        spec.check(&no_facet, "GET", "/entity-facets", 400);
        for (path, template) in [
            ("/entities/by-uid/nope", "/entities/by-uid/{uid}"),
            (
                "/entities/by-name/component/default/ghost",
                "/entities/by-name/{kind}/{namespace}/{name}",
            ),
            (
                "/entities/by-name/component/default/ghost/ancestry",
                "/entities/by-name/{kind}/{namespace}/{name}/ancestry",
            ),
        ] {
            let missing = catalog.get(path).await;
            spec.check(&missing, "GET", template, 404);
            assert_eq!(missing.json["error"]["name"], "NotFoundError");
        }

        catalog.stop().await;
    }
}
