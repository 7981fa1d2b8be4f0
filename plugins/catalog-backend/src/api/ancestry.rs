//! `GET /entities/by-name/{kind}/{namespace}/{name}/ancestry`: an entity and
//! the entities whose processing emitted it, up to the roots.

use std::collections::{HashMap, HashSet};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use backstage_backend::http::ApiError;
use serde::Deserialize;

use super::entities::json_text;
use super::errors::from_store;
use crate::engine::{EngineError, Lineage};
use crate::store::{CatalogStore, StoreError, StoredEntity};

/// `{rootEntityRef, items: [{entity, parentEntityRefs}]}`: the entity first,
/// then its ancestors breadth first. Only stored entities appear, as in
/// Backstage: a parent that has no final entity (yet) is left out, and so
/// are the ancestors reached only through it.
pub(crate) async fn ancestry(
    State(store): State<CatalogStore>,
    State(lineage): State<Lineage>,
    Path((kind, namespace, name)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let Some(root) = store
        .entity_by_ref(&format!("{kind}:{namespace}/{name}"))
        .await
        .map_err(from_store)?
    else {
        return Err(ApiError::not_found(format!(
            "No entity named '{name}' found, with kind '{kind}' in namespace '{namespace}'"
        )));
    };
    let links = lineage
        .ancestry(&root.entity_ref)
        .await
        .map_err(from_engine)?;
    let parents: HashMap<&str, &[String]> = links
        .iter()
        .map(|link| (link.entity_ref.as_str(), link.parent_refs.as_slice()))
        .collect();
    let ancestors: Vec<String> = links.iter().skip(1).map(|l| l.entity_ref.clone()).collect();
    let mut stored: HashMap<String, StoredEntity> = store
        .entities_by_refs(&ancestors)
        .await
        .map_err(from_store)?
        .into_iter()
        .flatten()
        .map(|entity| (entity.entity_ref.clone(), entity))
        .collect();
    stored.insert(root.entity_ref.clone(), root.clone());

    // Walk up again over stored entities only.
    let mut order = vec![root.entity_ref.as_str()];
    let mut seen = HashSet::from([root.entity_ref.as_str()]);
    let mut next = 0;
    while let Some(current) = order.get(next).copied() {
        next += 1;
        for parent in parents.get(current).copied().unwrap_or_default() {
            if stored.contains_key(parent) && seen.insert(parent.as_str()) {
                order.push(parent.as_str());
            }
        }
    }

    let entities: Vec<&StoredEntity> = order.iter().filter_map(|key| stored.get(*key)).collect();
    let mut display = HashMap::with_capacity(entities.len());
    for entity in &entities {
        display.insert(entity.entity_ref.as_str(), display_ref(entity)?);
    }
    let mut items = Vec::with_capacity(entities.len());
    for entity in &entities {
        let parent_refs: Vec<&String> = parents
            .get(entity.entity_ref.as_str())
            .copied()
            .unwrap_or_default()
            .iter()
            .filter_map(|parent| display.get(parent.as_str()))
            .collect();
        items.push(format!(
            "{{\"entity\":{},\"parentEntityRefs\":{}}}",
            entity.json,
            json_string(&parent_refs)
        ));
    }
    let root_ref = display_ref(&root)?;
    Ok(json_text(format!(
        "{{\"rootEntityRef\":{},\"items\":[{}]}}",
        json_string(&root_ref),
        items.join(",")
    )))
}

/// The parts of an entity its ref is made of.
#[derive(Deserialize)]
struct RefParts {
    kind: String,
    metadata: RefMetadata,
}

#[derive(Deserialize)]
struct RefMetadata {
    name: String,
    #[serde(default)]
    namespace: Option<String>,
}

/// The entity's ref as Backstage writes it (`stringifyEntityRef`): kind and
/// namespace lowercased, the name as the entity spells it.
fn display_ref(entity: &StoredEntity) -> Result<String, ApiError> {
    let parts: RefParts = serde_json::from_str(&entity.json).map_err(|e| {
        from_store(StoreError::Corrupt(format!(
            "the stored entity {} is not a readable entity: {e}",
            entity.entity_ref
        )))
    })?;
    let namespace = parts.metadata.namespace.as_deref().unwrap_or("default");
    Ok(format!(
        "{}:{}/{}",
        parts.kind.to_lowercase(),
        namespace.to_lowercase(),
        parts.metadata.name
    ))
}

fn json_string(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// An engine failure as a 500 that says what failed.
fn from_engine(error: EngineError) -> ApiError {
    tracing::error!("reading an entity's ancestry failed: {error}");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Error",
        error.to_string(),
    )
}
