//! The example portal's own catalog (`examples/basic-app/catalog`, the
//! imaginary bike-share operator Wayfern Mobility) goes through the
//! processing pipeline cleanly: every entity is valid, every relation points
//! at an entity of the catalog, and the API definitions are read in.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use backstage_plugin_catalog_backend::processing::{
    CatalogRules, Orchestrator, builtin, parse_documents,
};
use backstage_plugin_catalog_node::{LocationSpec, RelationSpec};
use serde_json::{Value, json};

/// Everything the pipeline made of the example catalog.
struct Processed {
    /// The absolute path of `catalog-info.yaml`.
    root: String,
    /// Every processed entity, in the order it was processed.
    entities: Vec<Value>,
    /// Every relation emitted.
    relations: Vec<RelationSpec>,
}

impl Processed {
    /// Lowercased `kind:namespace/name` of every entity.
    fn refs(&self) -> BTreeSet<String> {
        self.entities.iter().map(entity_ref).collect()
    }

    fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.entities.iter().filter(move |e| e["kind"] == kind)
    }

    fn named(&self, kind: &str, name: &str) -> &Value {
        self.entities
            .iter()
            .find(|e| e["kind"] == kind && e["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no {kind} {name}"))
    }

    /// The targets of `relation_type` relations from `source`.
    fn targets(&self, source: &str, relation_type: &str) -> BTreeSet<&str> {
        self.relations
            .iter()
            .filter(|r| r.source == source && r.relation_type == relation_type)
            .map(|r| r.target.as_str())
            .collect()
    }
}

fn entity_ref(entity: &Value) -> String {
    let namespace = entity["metadata"]["namespace"]
        .as_str()
        .unwrap_or("default");
    format!(
        "{}:{}/{}",
        entity["kind"].as_str().unwrap(),
        namespace,
        entity["metadata"]["name"].as_str().unwrap()
    )
    .to_lowercase()
}

/// Registers the example catalog as a `file` location and processes it the
/// way the engine would: the generated root location first, then every
/// entity it yields, breadth-first, each from where it was read. Fails the
/// test on any processing error.
async fn process_example_catalog() -> Processed {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/basic-app/catalog");
    let root = dir
        .join("catalog-info.yaml")
        .canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .display()
        .to_string();
    let orchestrator = Orchestrator::new(builtin::processors(), CatalogRules::allow_all());
    let generated = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {"name": "example"},
        "spec": {"type": "file", "target": root}
    });
    let mut queue = VecDeque::from([(generated, LocationSpec::new("file", &root))]);
    let mut processed = Processed {
        root: root.clone(),
        entities: Vec::new(),
        relations: Vec::new(),
    };
    let mut errors = Vec::new();
    while let Some((entity, location)) = queue.pop_front() {
        assert!(
            processed.entities.len() < 1000,
            "the example catalog does not end; does a location include itself?"
        );
        let result = orchestrator.process(entity, &location).await;
        if !result.errors.is_empty() {
            errors.push(format!(
                "{} (from {location}): {:?}",
                result.entity_ref.as_deref().unwrap_or("?"),
                result.errors
            ));
            continue;
        }
        queue.extend(
            result
                .children
                .into_iter()
                .map(|c| (c.entity(), c.location)),
        );
        processed.relations.extend(result.relations);
        processed.entities.push(result.entity.unwrap());
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    processed
}

#[tokio::test]
async fn every_entity_processes_and_each_kind_has_the_intended_count() {
    let catalog = process_example_catalog().await;

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for entity in &catalog.entities {
        *counts.entry(entity["kind"].as_str().unwrap()).or_default() += 1;
    }
    let expected = BTreeMap::from([
        // The generated root and catalog-info.yaml.
        ("Location", 2),
        ("Group", 6),
        ("User", 15),
        ("Domain", 3),
        ("System", 6),
        ("Component", 13),
        ("API", 7),
        ("Resource", 6),
    ]);
    assert_eq!(counts, expected);

    // No entity is defined twice (refs compare case-insensitively).
    assert_eq!(catalog.refs().len(), catalog.entities.len());

    // Every entity read from the files knows where it came from, and the
    // origin of all of them is the registered catalog-info.yaml.
    let origin = format!("file:{}", catalog.root);
    for entity in catalog.entities.iter().skip(1) {
        let annotations = &entity["metadata"]["annotations"];
        assert_eq!(
            annotations["backstage.io/managed-by-origin-location"],
            origin.as_str(),
            "{}",
            entity_ref(entity)
        );
        let location = annotations["backstage.io/managed-by-location"]
            .as_str()
            .unwrap();
        assert!(location.starts_with("file:/"), "{location}");
    }
}

#[tokio::test]
async fn every_relation_points_at_an_entity_of_the_catalog() {
    let catalog = process_example_catalog().await;
    let refs = catalog.refs();
    let dangling: Vec<String> = catalog
        .relations
        .iter()
        .filter(|r| {
            !refs.contains(&r.source.to_lowercase()) || !refs.contains(&r.target.to_lowercase())
        })
        .map(|r| format!("{} {} {}", r.source, r.relation_type, r.target))
        .collect();
    assert!(
        dangling.is_empty(),
        "dangling relations:\n{}",
        dangling.join("\n")
    );

    // Relations come in pairs: each one's reverse was emitted too.
    let reverse = |t: &str| match t {
        "ownedBy" => "ownerOf",
        "ownerOf" => "ownedBy",
        "partOf" => "hasPart",
        "hasPart" => "partOf",
        "providesApi" => "apiProvidedBy",
        "apiProvidedBy" => "providesApi",
        "consumesApi" => "apiConsumedBy",
        "apiConsumedBy" => "consumesApi",
        "dependsOn" => "dependencyOf",
        "dependencyOf" => "dependsOn",
        "memberOf" => "hasMember",
        "hasMember" => "memberOf",
        "childOf" => "parentOf",
        "parentOf" => "childOf",
        other => panic!("unexpected relation type {other}"),
    };
    let all: BTreeSet<(&str, &str, &str)> = catalog
        .relations
        .iter()
        .map(|r| {
            (
                r.source.as_str(),
                r.relation_type.as_str(),
                r.target.as_str(),
            )
        })
        .collect();
    for &(source, relation_type, target) in &all {
        assert!(
            all.contains(&(target, reverse(relation_type), source)),
            "{source} {relation_type} {target} has no reverse"
        );
    }
    // Every kind of relation the built-in kinds have shows up.
    let types: BTreeSet<&str> = all.iter().map(|&(_, t, _)| t).collect();
    assert_eq!(types.len(), 14, "{types:?}");
}

#[tokio::test]
async fn the_relations_give_every_entity_page_something_to_show() {
    let catalog = process_example_catalog().await;

    for group in catalog.of_kind("Group") {
        let me = entity_ref(group);
        let members = catalog.targets(&me, "hasMember");
        assert!(!members.is_empty(), "{me} has no members");
        if group["spec"]["type"] == "team" {
            assert_eq!(
                catalog.targets(&me, "childOf"),
                BTreeSet::from(["group:default/wayfern"])
            );
            assert!(
                !catalog.targets(&me, "ownerOf").is_empty(),
                "{me} owns nothing"
            );
        }
    }
    let company = catalog.targets("group:default/wayfern", "parentOf");
    assert_eq!(company.len(), 5, "{company:?}");

    for user in catalog.of_kind("User") {
        let me = entity_ref(user);
        assert!(!catalog.targets(&me, "memberOf").is_empty(), "{me}");
        let email = user["spec"]["profile"]["email"].as_str().unwrap();
        assert!(email.ends_with("@wayfern.internal"), "{email}");
    }
    for domain in catalog.of_kind("Domain") {
        let me = entity_ref(domain);
        assert!(!catalog.targets(&me, "hasPart").is_empty(), "{me} is empty");
    }
    for system in catalog.of_kind("System") {
        let me = entity_ref(system);
        let parts = catalog.targets(&me, "hasPart");
        assert!(
            parts.iter().any(|p| p.starts_with("component:")),
            "{me} has no components: {parts:?}"
        );
        assert_eq!(catalog.targets(&me, "partOf").len(), 1, "{me}: one domain");
    }
    for api in catalog.of_kind("API") {
        let me = entity_ref(api);
        assert_eq!(catalog.targets(&me, "apiProvidedBy").len(), 1, "{me}");
        assert!(
            !catalog.targets(&me, "apiConsumedBy").is_empty(),
            "{me} has no consumers"
        );
    }
    for resource in catalog.of_kind("Resource") {
        let me = entity_ref(resource);
        assert!(
            !catalog.targets(&me, "dependencyOf").is_empty(),
            "nothing depends on {me}"
        );
    }
    let lifecycles: BTreeSet<&str> = catalog
        .of_kind("Component")
        .map(|c| c["spec"]["lifecycle"].as_str().unwrap())
        .collect();
    assert_eq!(
        lifecycles,
        BTreeSet::from(["deprecated", "experimental", "production"])
    );

    // A few relations written in one direction only, read from the other.
    assert!(
        catalog
            .targets("component:default/payments-service", "dependsOn")
            .is_superset(&BTreeSet::from([
                "resource:default/payments-db",
                "resource:default/billing-queue"
            ])),
        "dependencyOf on the resources makes dependsOn on the component"
    );
    assert_eq!(
        catalog.targets("component:default/payments-service", "hasPart"),
        BTreeSet::from(["component:default/fare-engine-legacy"])
    );
    assert_eq!(
        catalog.targets("group:default/platform-team", "hasMember"),
        BTreeSet::from([
            "user:default/kwame-asante",
            "user:default/soren-aalto",
            "user:default/valentina-cruz"
        ])
    );
}

#[tokio::test]
async fn api_definitions_are_read_from_their_files() {
    let catalog = process_example_catalog().await;
    let mut types = BTreeSet::new();
    for api in catalog.of_kind("API") {
        let me = entity_ref(api);
        let definition = api["spec"]["definition"]
            .as_str()
            .unwrap_or_else(|| panic!("{me}: the $text placeholder was not resolved"));
        assert!(!definition.trim().is_empty(), "{me}");
        let api_type = api["spec"]["type"].as_str().unwrap();
        types.insert(api_type);
        match api_type {
            "openapi" | "asyncapi" => {
                let documents = parse_documents(definition).unwrap();
                let [document] = documents.as_slice() else {
                    panic!("{me}: one document expected")
                };
                let version = document[api_type].as_str().unwrap_or("");
                assert!(
                    version.starts_with(if api_type == "openapi" { "3." } else { "2." }),
                    "{me}: {api_type} {version}"
                );
                assert!(document["info"]["title"].is_string(), "{me}");
                let key = if api_type == "openapi" {
                    "paths"
                } else {
                    "channels"
                };
                assert!(
                    document[key].as_object().is_some_and(|m| !m.is_empty()),
                    "{me}: no {key}"
                );
            }
            "grpc" => {
                assert!(definition.contains("syntax = \"proto3\";"), "{me}");
                assert!(definition.contains("\nservice "), "{me}");
            }
            other => panic!("{me}: unexpected API type {other}"),
        }
    }
    assert_eq!(types, BTreeSet::from(["asyncapi", "grpc", "openapi"]));
}

#[tokio::test]
async fn the_hostile_component_is_kept_verbatim_for_the_ui_tests() {
    let catalog = process_example_catalog().await;
    let canary = catalog.named("Component", "xss-canary");
    let description = canary["metadata"]["description"].as_str().unwrap();
    assert!(description.contains("<script>alert(1)</script>"));
    assert!(description.contains("<img src=x onerror=alert(2)>"));
    let location = canary["metadata"]["annotations"]["backstage.io/managed-by-location"]
        .as_str()
        .unwrap();
    assert!(location.ends_with("/components/hostile.yaml"), "{location}");
    // Nothing else in the catalog carries markup.
    for entity in &catalog.entities {
        if entity != canary {
            let text = entity["metadata"].to_string();
            assert!(!text.contains('<'), "{}", entity_ref(entity));
        }
    }
}
