//! What catalog modules build on: the traits of catalog **processors** and
//! **entity providers**, and the catalog's extension point through which a
//! module adds them (Backstage's `@backstage/plugin-catalog-node`).
//!
//! A processor can keep a JSON value per entity from one run of the entity
//! to the next in its [`ProcessorCache`], through the [`Emitter`] (see
//! [the processor cache](Emitter#the-processor-cache)).
//!
//! A module depends on this crate, never on the catalog backend itself:
//!
//! ```
//! use std::sync::Arc;
//! use backstage_backend::{BackendModule, BoxError};
//! use backstage_plugin_catalog_node::{
//!     CATALOG_PROCESSING, CatalogProcessor, Emitter, LocationSpec, ProcessorError,
//! };
//! use serde_json::Value;
//!
//! /// Tags every entity with the team that runs the catalog.
//! struct TagProcessor;
//!
//! #[async_trait::async_trait]
//! impl CatalogProcessor for TagProcessor {
//!     fn name(&self) -> &str {
//!         "TagProcessor"
//!     }
//!
//!     async fn pre_process(
//!         &self,
//!         mut entity: Value,
//!         _location: &LocationSpec,
//!         _emit: &mut Emitter,
//!     ) -> Result<Value, ProcessorError> {
//!         if let Some(tags) = entity["metadata"]["tags"].as_array_mut() {
//!             tags.push("platform".into());
//!         }
//!         Ok(entity)
//!     }
//! }
//!
//! let module = BackendModule::builder("catalog", "platform-tags").init(|ctx| async move {
//!     ctx.extension_point(&CATALOG_PROCESSING)?.add_processor(Arc::new(TagProcessor));
//!     Ok::<_, BoxError>(())
//! });
//! # let _ = module;
//! ```

#![warn(missing_docs)]

mod cache;
mod emit;
mod extension;
mod location;
mod processor;
mod provider;

pub use cache::ProcessorCache;
pub use emit::{Emitted, Emitter, RelationSpec};
pub use extension::{CATALOG_LOCATIONS, CATALOG_PROCESSING, CatalogLocations, CatalogProcessing};
pub use location::{LocationSpec, Presence};
pub use processor::{CatalogProcessor, DEFAULT_PRIORITY, ProcessorError};
pub use provider::{
    DeferredEntity, EntityProvider, EntityProviderConnection, EntityProviderMutation,
};
