//! The catalog's extension point for processors and providers.

use std::sync::{Arc, Mutex, PoisonError};

use backstage_backend::ExtensionPointRef;

use crate::processor::CatalogProcessor;
use crate::provider::EntityProvider;

/// Where modules add processors and entity providers to the catalog
/// (`catalog.processing`).
#[derive(Default)]
pub struct CatalogProcessing {
    processors: Mutex<Vec<Arc<dyn CatalogProcessor>>>,
    providers: Mutex<Vec<Arc<dyn EntityProvider>>>,
}

impl std::fmt::Debug for CatalogProcessing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let processors: Vec<String> = self
            .processors()
            .iter()
            .map(|p| p.name().to_owned())
            .collect();
        let providers: Vec<String> = self
            .providers()
            .iter()
            .map(|p| p.name().to_owned())
            .collect();
        f.debug_struct("CatalogProcessing")
            .field("processors", &processors)
            .field("providers", &providers)
            .finish()
    }
}

impl CatalogProcessing {
    /// Adds a processor.
    pub fn add_processor(&self, processor: Arc<dyn CatalogProcessor>) {
        self.processors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(processor);
    }

    /// Adds an entity provider.
    pub fn add_entity_provider(&self, provider: Arc<dyn EntityProvider>) {
        self.providers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(provider);
    }

    /// The processors added so far.
    pub fn processors(&self) -> Vec<Arc<dyn CatalogProcessor>> {
        self.processors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The providers added so far.
    pub fn providers(&self) -> Vec<Arc<dyn EntityProvider>> {
        self.providers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The catalog's processing extension point.
pub const CATALOG_PROCESSING: ExtensionPointRef<CatalogProcessing> =
    ExtensionPointRef::new("catalog.processing");

/// Where modules configure how locations are registered through the API
/// (`catalog.locations`, Backstage's `catalogLocationsExtensionPoint`).
#[derive(Debug, Default)]
pub struct CatalogLocations {
    allowed_types: Mutex<Option<Vec<String>>>,
}

impl CatalogLocations {
    /// The location types `POST /locations` accepts, replacing the
    /// default (`catalog.allowedLocationTypes`, else `["url"]`).
    pub fn set_allowed_location_types<I, S>(&self, types: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        *self
            .allowed_types
            .lock()
            .unwrap_or_else(PoisonError::into_inner) =
            Some(types.into_iter().map(Into::into).collect());
    }

    /// The types a module set, if any.
    pub fn allowed_location_types(&self) -> Option<Vec<String>> {
        self.allowed_types
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The catalog's locations extension point.
pub const CATALOG_LOCATIONS: ExtensionPointRef<CatalogLocations> =
    ExtensionPointRef::new("catalog.locations");
