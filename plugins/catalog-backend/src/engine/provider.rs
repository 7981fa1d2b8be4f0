//! Entity providers' mutations: what a provider owns is what its
//! `source_key` (the provider's name) references.

use std::collections::BTreeSet;
use std::sync::Arc;

use backstage_backend::services::database::PluginDatabase;
use backstage_common::catalog::annotations::MANAGED_BY_LOCATION;
use backstage_plugin_catalog_node::{
    DeferredEntity, EntityProviderConnection, EntityProviderMutation, LocationSpec, ProcessorError,
};

use sea_query::{Expr, ExprTrait, Query};

use super::state::key_of;
use super::unprocessed::Unprocessed;
use super::{EngineError, ProcessingEngine, prune, sources};
use crate::store::CatalogStore;

/// A provider's connection to the engine.
pub(crate) struct Connection {
    engine: Arc<ProcessingEngine>,
    name: String,
}

impl Connection {
    pub(crate) fn new(engine: Arc<ProcessingEngine>, name: &str) -> Self {
        Self {
            engine,
            name: name.to_owned(),
        }
    }
}

fn to_processor_error(error: EngineError) -> ProcessorError {
    match error {
        EngineError::Mutation { message, .. } => ProcessorError::input(message),
        other => ProcessorError::new("Error", other.to_string()),
    }
}

#[async_trait::async_trait]
impl EntityProviderConnection for Connection {
    async fn apply_mutation(&self, mutation: EntityProviderMutation) -> Result<(), ProcessorError> {
        self.engine
            .apply_mutation(&self.name, mutation)
            .await
            .map_err(to_processor_error)
    }

    async fn refresh(&self, keys: Vec<String>) -> Result<(), ProcessorError> {
        self.engine
            .refresh_keys(&keys)
            .await
            .map_err(to_processor_error)
    }
}

/// Where a provided entity says it was read from
/// (`backstage.io/managed-by-location`, `type:target`), or the provider.
fn location_of(provider: &str, entity: &serde_json::Value) -> LocationSpec {
    entity["metadata"]["annotations"][MANAGED_BY_LOCATION]
        .as_str()
        .and_then(|key| key.split_once(':'))
        .map_or_else(
            || LocationSpec::new("provider", provider),
            |(kind, target)| LocationSpec::new(kind, target),
        )
}

fn unprocessed(
    provider: &str,
    entities: &[DeferredEntity],
) -> Result<Vec<Unprocessed>, EngineError> {
    entities
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let entity_ref = crate::processing::entity_ref_of(&item.entity).map_err(|e| {
                EngineError::Mutation {
                    provider: provider.to_owned(),
                    message: format!(
                        "entity {index} of the mutation is not an entity ({}); nothing was applied",
                        e.message
                    ),
                }
            })?;
            let location = location_of(provider, &item.entity);
            Ok(
                Unprocessed::new(key_of(&entity_ref), &item.entity, &location)
                    .with_location_key(item.location_key.clone()),
            )
        })
        .collect()
}

/// Entity providers that own entities but are not in `installed` (nor one
/// of the catalog's own sources, `reserved`): under
/// `catalog.orphanProviderStrategy: delete`, what they owned is released
/// and deleted. Returns the providers evicted and the entities deleted.
pub(crate) async fn evict_uninstalled(
    db: &Arc<PluginDatabase>,
    store: &CatalogStore,
    installed: &[&str],
    reserved: &[&str],
) -> Result<(Vec<String>, Vec<String>), EngineError> {
    let dialect = db.dialect();
    let pool = db.pool().await?;
    let mut conn = pool.acquire().await?;
    let sources = Query::select()
        .distinct()
        .column("source_key")
        .from(super::schema::REFERENCES)
        .and_where(Expr::col("source_key").is_not_null())
        .to_owned();
    let stale: Vec<String> = super::batch::fetch_strings(&mut conn, dialect, &sources)
        .await?
        .into_iter()
        .filter(|key| !installed.contains(&key.as_str()) && !reserved.contains(&key.as_str()))
        .collect();
    drop(conn);
    let mut released = Vec::new();
    for provider in &stale {
        let mut tx = pool.begin().await?;
        let owned = sources::owned_by(&mut tx, dialect, provider).await?;
        sources::detach(&mut tx, dialect, provider, &owned).await?;
        tx.commit().await?;
        released.extend(owned);
    }
    let deleted = prune::prune(db, store, released).await?;
    Ok((stale, deleted))
}

/// Applies `mutation` for `provider`.
pub(crate) async fn apply(
    db: &Arc<PluginDatabase>,
    store: &CatalogStore,
    provider: &str,
    mutation: &EntityProviderMutation,
) -> Result<(), EngineError> {
    let dialect = db.dialect();
    let pool = db.pool().await?;
    let released: Vec<String> = match mutation {
        EntityProviderMutation::Full { entities } => {
            let items = unprocessed(provider, entities)?;
            let mut tx = pool.begin().await?;
            let listed: BTreeSet<&str> = items.iter().map(|i| i.entity_ref.as_str()).collect();
            let released: Vec<String> = sources::owned_by(&mut tx, dialect, provider)
                .await?
                .into_iter()
                .filter(|r| !listed.contains(r.as_str()))
                .collect();
            sources::detach(&mut tx, dialect, provider, &released).await?;
            sources::attach(&mut tx, dialect, provider, &items).await?;
            tx.commit().await?;
            released
        }
        EntityProviderMutation::Delta { added, removed } => {
            let items = unprocessed(provider, added)?;
            let removed: Vec<String> = removed.iter().map(|r| key_of(r)).collect();
            let mut tx = pool.begin().await?;
            sources::detach(&mut tx, dialect, provider, &removed).await?;
            sources::attach(&mut tx, dialect, provider, &items).await?;
            tx.commit().await?;
            removed
        }
    };
    prune::prune(db, store, released).await?;
    Ok(())
}
