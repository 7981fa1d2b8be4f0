//! Entity providers: sources that push entities into the catalog.

use std::sync::Arc;

use serde_json::Value;

use crate::processor::ProcessorError;

/// An entity a provider hands to the catalog, with the key of the location
/// it speaks for (used to detect two sources claiming one entity: the first
/// to claim an entity owns it; an entity without a key can be taken over).
#[derive(Clone, Debug, PartialEq)]
pub struct DeferredEntity {
    /// The unprocessed entity; it carries its location annotations.
    pub entity: Value,
    /// The location key, if any.
    pub location_key: Option<String>,
}

/// A change a provider applies to what it owns.
#[derive(Clone, Debug, PartialEq)]
pub enum EntityProviderMutation {
    /// Replace everything this provider owns with `entities`; those no
    /// longer present are deleted, with the entities they emitted that
    /// nothing else provides.
    Full {
        /// The complete set.
        entities: Vec<DeferredEntity>,
    },
    /// Add or replace `added`, remove `removed` (by entity ref; a removed
    /// entity is deleted with what only it emitted).
    Delta {
        /// Entities to add or replace.
        added: Vec<DeferredEntity>,
        /// Refs of entities to remove.
        removed: Vec<String>,
    },
}

/// The catalog's side of a provider's connection.
#[async_trait::async_trait]
pub trait EntityProviderConnection: Send + Sync {
    /// Applies a mutation to the entities this provider owns.
    async fn apply_mutation(&self, mutation: EntityProviderMutation) -> Result<(), ProcessorError>;

    /// Asks the catalog to reprocess the entities that declared any of
    /// `keys` as a refresh key.
    async fn refresh(&self, keys: Vec<String>) -> Result<(), ProcessorError>;
}

/// A source of entities that pushes them into the catalog (a directory
/// service, a cloud account, a code host).
#[async_trait::async_trait]
pub trait EntityProvider: Send + Sync {
    /// A name unique in the catalog; it owns the entities it provides.
    fn name(&self) -> &str;

    /// Called once the catalog is ready, with the connection to use from
    /// then on (typically from a scheduled task).
    async fn connect(
        &self,
        connection: Arc<dyn EntityProviderConnection>,
    ) -> Result<(), ProcessorError>;
}
