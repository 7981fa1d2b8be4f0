//! Runs the processors over one entity and collects what they emitted.

use std::sync::Arc;

use backstage_common::catalog::annotations::{MANAGED_BY_LOCATION, MANAGED_BY_ORIGIN_LOCATION};
use backstage_plugin_catalog_node::{
    CatalogProcessor, Emitted, Emitter, LocationSpec, Presence, ProcessorCache, ProcessorError,
    RelationSpec,
};
use serde_json::{Value, json};

use super::builtin::{resolve_relative, resolve_url};
use super::envelope;
use super::rules::CatalogRules;

/// An entity found while processing another (a `Location`'s targets).
///
/// It is kept as compact JSON text: a location may yield a hundred
/// thousand of them, and the text is a fraction of the JSON tree's size
/// (and what the engine stores anyway).
#[derive(Clone, Debug, PartialEq)]
pub struct ChildEntity {
    /// The entity's ref as written (`kind:namespace/name`), when its
    /// envelope has one.
    pub entity_ref: Option<String>,
    /// The unprocessed entity as JSON text, with its location annotations
    /// set.
    pub json: String,
    /// Where it was read from.
    pub location: LocationSpec,
}

impl ChildEntity {
    /// `entity` read from `location`.
    pub fn new(entity: &Value, location: LocationSpec) -> Self {
        Self {
            entity_ref: envelope::entity_ref(entity).ok(),
            json: entity.to_string(),
            location,
        }
    }

    /// The entity as a JSON value.
    pub fn entity(&self) -> Value {
        // The text was written from a JSON value: it parses.
        serde_json::from_str(&self.json).unwrap_or(Value::Null)
    }
}

/// What processing one entity produced.
///
/// When `errors` is not empty, processing failed: `entity` is `None`, no
/// relations or children are reported, and the last good version of the
/// entity should stay served with these errors on its status (and its
/// processor cache stays the previous one).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProcessingResult {
    /// The entity's ref as written (`kind:namespace/name`), when it has one.
    pub entity_ref: Option<String>,
    /// The processed entity.
    pub entity: Option<Value>,
    /// Relations emitted, sorted and without duplicates.
    pub relations: Vec<RelationSpec>,
    /// Entities read from the entity's locations.
    pub children: Vec<ChildEntity>,
    /// Refresh keys the entity declared.
    pub refresh_keys: Vec<String>,
    /// Why processing failed.
    pub errors: Vec<ProcessorError>,
    /// The processor cache to keep for the entity's next run: what the
    /// processors set during this run, or, when processing failed, the
    /// previous cache as it was given.
    pub cache: ProcessorCache,
}

impl ProcessingResult {
    fn fail(mut self, error: ProcessorError) -> Self {
        self.errors.push(error);
        self.entity = None;
        self.relations.clear();
        self.children.clear();
        self.refresh_keys.clear();
        self
    }
}

/// Runs processors in priority order (lower first, then by name) and
/// checks the entities a location yields against the catalog rules.
pub struct Orchestrator {
    processors: Vec<Arc<dyn CatalogProcessor>>,
    rules: CatalogRules,
}

impl std::fmt::Debug for Orchestrator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.processors.iter().map(|p| p.name()).collect();
        f.debug_struct("Orchestrator")
            .field("processors", &names)
            .field("rules", &self.rules)
            .finish()
    }
}

impl Orchestrator {
    /// An orchestrator over `processors` and `rules`.
    pub fn new(mut processors: Vec<Arc<dyn CatalogProcessor>>, rules: CatalogRules) -> Self {
        processors.sort_by(|a, b| {
            a.priority()
                .cmp(&b.priority())
                .then_with(|| a.name().cmp(b.name()))
        });
        Self { processors, rules }
    }

    /// Processes `entity`, which was read from `location`, with an empty
    /// processor cache (as on the entity's first run).
    pub async fn process(&self, entity: Value, location: &LocationSpec) -> ProcessingResult {
        self.process_with_cache(entity, location, ProcessorCache::new())
            .await
    }

    /// Processes `entity`, which was read from `location`, handing the
    /// processors `previous`, the cache of the entity's last successful
    /// run. The result's [`cache`](ProcessingResult::cache) is what they
    /// set during this run, or `previous` when processing failed.
    pub async fn process_with_cache(
        &self,
        entity: Value,
        location: &LocationSpec,
        previous: ProcessorCache,
    ) -> ProcessingResult {
        let mut emit = Emitter::with_cache(previous);
        let mut result = self.run(entity, location, &mut emit).await;
        result.cache = if result.errors.is_empty() {
            emit.take_cache()
        } else {
            emit.take_previous_cache()
        };
        result
    }

    async fn run(
        &self,
        entity: Value,
        location: &LocationSpec,
        emit: &mut Emitter,
    ) -> ProcessingResult {
        let mut result = ProcessingResult::default();
        let entity_ref = match envelope::entity_ref(&entity) {
            Ok(entity_ref) => entity_ref,
            Err(error) => return result.fail(error),
        };
        result.entity_ref = Some(entity_ref.clone());
        let mut entity = entity;

        for processor in &self.processors {
            match processor.pre_process(entity, location, emit).await {
                Ok(next) => entity = next,
                Err(error) => return result.fail(in_processor(processor.as_ref(), error)),
            }
        }
        match envelope::entity_ref(&entity) {
            Ok(after) if after == entity_ref => {}
            Ok(after) => {
                return result.fail(ProcessorError::input(format!(
                    "a processor changed the entity's ref from {entity_ref} to {after}; processors must not rename entities"
                )));
            }
            Err(error) => return result.fail(error),
        }

        let mut recognized = false;
        for processor in &self.processors {
            match processor.validate_kind(&entity).await {
                Ok(true) => {
                    recognized = true;
                    break;
                }
                Ok(false) => {}
                Err(error) => return result.fail(error),
            }
        }
        if !recognized {
            return result.fail(ProcessorError::input(format!(
                "no processor recognized the entity {entity_ref} as valid, possibly caused by a foreign kind or apiVersion; add a processor for it or fix its kind/apiVersion"
            )));
        }

        if entity
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.eq_ignore_ascii_case("location"))
        {
            for target in location_targets(&entity, location) {
                if let Err(error) = self.read(&target, emit).await {
                    return result.fail(error);
                }
            }
        }

        for processor in &self.processors {
            match processor.post_process(entity, location, emit).await {
                Ok(next) => entity = next,
                Err(error) => return result.fail(in_processor(processor.as_ref(), error)),
            }
        }

        let origin = annotation(&entity, MANAGED_BY_ORIGIN_LOCATION)
            .map_or_else(|| location.key(), str::to_owned);
        for output in emit.take() {
            match output {
                Emitted::Entity {
                    mut entity,
                    location: child_location,
                } => {
                    if !self.rules.is_allowed(&entity, &child_location) {
                        let kind = entity.get("kind").and_then(Value::as_str).unwrap_or("?");
                        let name =
                            envelope::entity_ref(&entity).unwrap_or_else(|_| kind.to_owned());
                        return result.fail(ProcessorError::not_allowed(format!(
                            "{name} from {child_location} is not allowed: kind {kind} is not permitted there by catalog.rules"
                        )));
                    }
                    set_annotation(&mut entity, MANAGED_BY_LOCATION, &child_location.key());
                    set_annotation(&mut entity, MANAGED_BY_ORIGIN_LOCATION, &origin);
                    result
                        .children
                        .push(ChildEntity::new(&entity, child_location));
                }
                Emitted::Relation(relation) => result.relations.push(relation),
                Emitted::Location(target) => {
                    // A processor asked for another location to be read.
                    // The outputs taken above are no longer in `emit`: the
                    // read emits into it (sharing the entity's cache) and
                    // its entities are taken right away.
                    if let Err(error) = self.read(&target, emit).await {
                        return result.fail(error);
                    }
                    for output in emit.take() {
                        if let Emitted::Entity {
                            mut entity,
                            location,
                        } = output
                        {
                            set_annotation(&mut entity, MANAGED_BY_LOCATION, &location.key());
                            set_annotation(&mut entity, MANAGED_BY_ORIGIN_LOCATION, &origin);
                            result.children.push(ChildEntity::new(&entity, location));
                        }
                    }
                }
                Emitted::Error { error, .. } => return result.fail(error),
                Emitted::RefreshKey(key) => result.refresh_keys.push(key),
            }
        }
        result.relations.sort();
        result.relations.dedup();
        result.refresh_keys.sort();
        result.refresh_keys.dedup();
        result.entity = Some(entity);
        result
    }

    async fn read(
        &self,
        location: &LocationSpec,
        emit: &mut Emitter,
    ) -> Result<(), ProcessorError> {
        for processor in &self.processors {
            if processor.read_location(location, emit).await? {
                return Ok(());
            }
        }
        Err(ProcessorError::input(format!(
            "no processor can read locations of type '{}' ({location}); the catalog reads 'file' locations, and 'url' ones through the backend's URL reader (backend.reading.allow)",
            location.location_type
        )))
    }
}

fn in_processor(processor: &dyn CatalogProcessor, error: ProcessorError) -> ProcessorError {
    ProcessorError::new(
        error.name,
        format!("processor {} failed: {}", processor.name(), error.message),
    )
}

/// The targets of a `Location` entity, resolved against the location it was
/// read from; `spec.type` defaults to that location's type.
fn location_targets(entity: &Value, location: &LocationSpec) -> Vec<LocationSpec> {
    let spec = entity.get("spec");
    let location_type = spec
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
        .unwrap_or(&location.location_type)
        .to_owned();
    let presence = match spec.and_then(|s| s.get("presence")).and_then(Value::as_str) {
        Some("optional") => Presence::Optional,
        _ => Presence::Required,
    };
    let mut targets: Vec<&str> = Vec::new();
    if let Some(target) = spec.and_then(|s| s.get("target")).and_then(Value::as_str) {
        targets.push(target);
    }
    if let Some(list) = spec
        .and_then(|s| s.get("targets"))
        .and_then(Value::as_array)
    {
        targets.extend(list.iter().filter_map(Value::as_str));
    }
    targets
        .into_iter()
        .map(|target| {
            let target = match (location_type.as_str(), location.location_type.as_str()) {
                ("file", "file") => resolve_relative(&location.target, target),
                ("url", "url") => resolve_url(&location.target, target),
                _ => target.to_owned(),
            };
            LocationSpec {
                location_type: location_type.clone(),
                target,
                presence,
            }
        })
        .collect()
}

fn annotation<'a>(entity: &'a Value, key: &str) -> Option<&'a str> {
    entity
        .get("metadata")?
        .get("annotations")?
        .get(key)?
        .as_str()
}

fn set_annotation(entity: &mut Value, key: &str, value: &str) {
    let Some(metadata) = entity.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let annotations = metadata.entry("annotations").or_insert_with(|| json!({}));
    if let Some(map) = annotations.as_object_mut() {
        map.insert(key.to_owned(), Value::String(value.to_owned()));
    }
}
