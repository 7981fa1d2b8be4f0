//! The feature registry: explicit registration, discovery, duplicates and
//! config schemas.

use backstage_core::config::ConfigSchema;
use backstage_core::feature::{
    Feature, FeatureError, FeatureKind, FeatureMetadata, FeatureRegistry,
};
use serde_json::json;

struct Plugin(&'static str);

impl Feature for Plugin {
    fn metadata(&self) -> FeatureMetadata {
        backstage_core::feature_metadata!(FeatureKind::BackendPlugin, self.0)
            .with_description("a test plugin")
    }

    fn config_schemas(&self) -> Vec<ConfigSchema> {
        vec![ConfigSchema::new(self.0, json!({"type": "object"}))]
    }
}

struct Module;

impl Feature for Module {
    fn metadata(&self) -> FeatureMetadata {
        backstage_core::feature_metadata!(FeatureKind::BackendModule, "discovered-plugin.extra")
    }
}

backstage_core::register_feature!(Plugin("discovered-plugin"));
backstage_core::register_feature!(Module);

#[test]
fn explicit_features_keep_their_order_and_type() {
    let mut registry = FeatureRegistry::new();
    registry
        .add(Plugin("catalog"))
        .unwrap()
        .add(Plugin("proxy"))
        .unwrap();
    let ids: Vec<_> = registry.iter().map(|(m, _)| m.id.clone()).collect();
    assert_eq!(ids, ["catalog", "proxy"]);
    assert_eq!(
        registry
            .of_type::<Plugin>()
            .map(|p| p.0)
            .collect::<Vec<_>>(),
        ["catalog", "proxy"]
    );
    assert_eq!(registry.of_type::<Module>().count(), 0);
}

#[test]
fn duplicates_name_both_packages() {
    let mut registry = FeatureRegistry::new();
    registry.add(Plugin("catalog")).unwrap();
    let err = registry.add(Plugin("catalog")).unwrap_err();
    assert!(matches!(err, FeatureError::Duplicate { .. }));
    assert_eq!(
        err.to_string(),
        "duplicate backend plugin id 'catalog': registered by backstage-core 0.1.0 and again by backstage-core 0.1.0; remove one of them from the app"
    );
}

#[test]
fn ids_are_validated_per_kind() {
    let mut registry = FeatureRegistry::new();
    let err = registry.add(Plugin("Catalog")).unwrap_err().to_string();
    assert!(err.contains("must start with a lowercase letter"), "{err}");
    let err = registry.add(Plugin("catalog.x")).unwrap_err().to_string();
    assert!(err.contains("must be a single word"), "{err}");
    registry.add(Plugin("tech-radar2")).unwrap();
}

#[test]
fn discovery_is_opt_in_and_explicit_wins() {
    let mut registry = FeatureRegistry::new();
    assert!(registry.is_empty(), "nothing is discovered without asking");
    registry.add(Plugin("discovered-plugin")).unwrap();
    registry.discover().unwrap();
    let mut found: Vec<_> = registry
        .iter()
        .map(|(m, _)| (m.kind, m.id.clone()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (FeatureKind::BackendPlugin, "discovered-plugin".to_owned()),
            (
                FeatureKind::BackendModule,
                "discovered-plugin.extra".to_owned()
            ),
        ]
    );

    let mut only_plugins = FeatureRegistry::new();
    only_plugins
        .discover_where(|m| m.kind == FeatureKind::BackendPlugin)
        .unwrap();
    assert_eq!(only_plugins.len(), 1);
}

#[test]
fn config_schemas_are_tagged_with_their_feature() {
    let mut registry = FeatureRegistry::new();
    registry
        .add(Plugin("catalog"))
        .unwrap()
        .add(Module)
        .unwrap();
    let schemas = registry.config_schemas();
    assert_eq!(schemas.len(), 1);
    assert_eq!(schemas[0].owner_name(), Some("catalog"));
    assert_eq!(schemas[0].path().to_string(), "catalog");
}
