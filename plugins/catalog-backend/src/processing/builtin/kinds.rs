//! The built-in kinds: validation against the entity model, and the
//! relations their spec fields imply, in both directions.

use backstage_common::catalog::{BuiltinKind, Entity, spec_relations};
use backstage_plugin_catalog_node::{CatalogProcessor, Emitter, LocationSpec, ProcessorError};
use serde_json::Value;

/// Accepts the built-in kinds (Component, API, Resource, System, Domain,
/// Group, User, Location, Template) when they pass the entity model's
/// validation, and emits the relations of their spec fields: `ownedBy` and
/// `ownerOf`, `partOf`/`hasPart`, `providesApi`/`apiProvidedBy`,
/// `consumesApi`/`apiConsumedBy`, `dependsOn`/`dependencyOf`,
/// `memberOf`/`hasMember`, `childOf`/`parentOf`.
#[derive(Clone, Copy, Debug, Default)]
pub struct BuiltinKindsProcessor;

fn parse(entity: &Value) -> Result<Entity, ProcessorError> {
    Entity::from_value_validated(entity.clone()).map_err(|e| ProcessorError::input(e.to_string()))
}

#[async_trait::async_trait]
impl CatalogProcessor for BuiltinKindsProcessor {
    fn name(&self) -> &str {
        "BuiltinKindsEntityProcessor"
    }

    async fn validate_kind(&self, entity: &Value) -> Result<bool, ProcessorError> {
        let kind = entity.get("kind").and_then(Value::as_str).unwrap_or("");
        if BuiltinKind::from_kind(kind).is_none() {
            return Ok(false);
        }
        parse(entity).map(|_| true)
    }

    async fn post_process(
        &self,
        entity: Value,
        _location: &LocationSpec,
        emit: &mut Emitter,
    ) -> Result<Value, ProcessorError> {
        let kind = entity.get("kind").and_then(Value::as_str).unwrap_or("");
        if BuiltinKind::from_kind(kind).is_none() {
            return Ok(entity);
        }
        let parsed = parse(&entity)?;
        let relations =
            spec_relations(&parsed).map_err(|e| ProcessorError::input(e.to_string()))?;
        for relation in relations {
            for r in [relation.clone(), relation.reverse()] {
                emit.relation(
                    r.source.to_string(),
                    r.relation.as_str(),
                    r.target.to_string(),
                );
            }
        }
        Ok(entity)
    }
}
