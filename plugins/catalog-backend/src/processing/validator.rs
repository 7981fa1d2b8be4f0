//! Dry runs of the pipeline: would an entity process cleanly?

use std::sync::Arc;

use backstage_common::catalog::annotations::{MANAGED_BY_LOCATION, MANAGED_BY_ORIGIN_LOCATION};
use backstage_plugin_catalog_node::{CatalogProcessor, Emitter, LocationSpec, ProcessorError};
use serde_json::{Value, json};

use super::envelope;
use super::orchestrator::Orchestrator;
use super::rules::CatalogRules;

/// Checks an entity the way processing would — envelope, every
/// processor's pre-processing, kind validation (the entity model's rules
/// for the built-in kinds), post-processing — plus whether `catalog.rules`
/// let it come from the given location. It stores nothing and reads no
/// location: the targets of a `Location` entity are not fetched (they are
/// checked when the location is processed), so validating cannot be used
/// to read files or addresses through the catalog.
///
/// ```
/// use backstage_plugin_catalog_backend::processing::{CatalogRules, EntityValidator, builtin};
/// use backstage_plugin_catalog_node::LocationSpec;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let validator = EntityValidator::new(builtin::processors(), CatalogRules::default());
/// let location = LocationSpec::new("url", "https://example.com/catalog-info.yaml");
/// let errors = validator
///     .validate(
///         json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
///                "metadata": {"name": "ledger"}, "spec": {"type": "service"}}),
///         &location,
///     )
///     .await;
/// assert_eq!(errors[0].name, "InputError"); // no lifecycle, no owner
/// # }
/// ```
pub struct EntityValidator {
    orchestrator: Orchestrator,
    rules: CatalogRules,
}

impl std::fmt::Debug for EntityValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntityValidator")
            .field("orchestrator", &self.orchestrator)
            .finish_non_exhaustive()
    }
}

impl EntityValidator {
    /// A validator running `processors` (the same ones the catalog
    /// processes with) and checking `rules`.
    pub fn new(processors: Vec<Arc<dyn CatalogProcessor>>, rules: CatalogRules) -> Self {
        let mut guarded: Vec<Arc<dyn CatalogProcessor>> = vec![Arc::new(NoLocationReads)];
        guarded.extend(processors);
        Self {
            orchestrator: Orchestrator::new(guarded, rules.clone()),
            rules,
        }
    }

    /// Everything wrong with `entity` read from `location`; empty when it
    /// would process cleanly. Like Backstage, the location is set as the
    /// entity's `backstage.io/managed-by-location` and
    /// `backstage.io/managed-by-origin-location` unless it has them.
    pub async fn validate(
        &self,
        mut entity: Value,
        location: &LocationSpec,
    ) -> Vec<ProcessorError> {
        annotate(&mut entity, &location.key());
        let allowed = self.rules.is_allowed(&entity, location);
        let entity_ref = envelope::entity_ref(&entity);
        let kind = entity
            .get("kind")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut errors = self.orchestrator.process(entity, location).await.errors;
        if let (false, Ok(entity_ref), Some(kind)) = (allowed, entity_ref, kind) {
            errors.push(ProcessorError::not_allowed(format!(
                "{entity_ref} from {location} is not allowed: kind {kind} is not permitted there by catalog.rules; allow it in catalog.rules or register it from another location"
            )));
        }
        errors
    }
}

/// Adds the location annotations `entity` does not have yet.
fn annotate(entity: &mut Value, location_key: &str) {
    let Some(metadata) = entity.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let annotations = metadata.entry("annotations").or_insert_with(|| json!({}));
    if let Some(map) = annotations.as_object_mut() {
        for key in [MANAGED_BY_LOCATION, MANAGED_BY_ORIGIN_LOCATION] {
            map.entry(key)
                .or_insert_with(|| Value::String(location_key.to_owned()));
        }
    }
}

/// Runs before every other processor and takes every location read
/// without reading anything.
struct NoLocationReads;

#[async_trait::async_trait]
impl CatalogProcessor for NoLocationReads {
    fn name(&self) -> &str {
        "ValidationSkipsLocationReads"
    }

    fn priority(&self) -> i32 {
        i32::MIN
    }

    async fn read_location(
        &self,
        _location: &LocationSpec,
        _emit: &mut Emitter,
    ) -> Result<bool, ProcessorError> {
        Ok(true)
    }
}
