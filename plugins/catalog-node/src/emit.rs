//! What processors emit besides the entity they process.

use serde_json::Value;

use crate::cache::ProcessorCache;
use crate::location::LocationSpec;
use crate::processor::ProcessorError;

/// A relation between two entities, by ref (`kind:namespace/name`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelationSpec {
    /// The entity the relation starts from.
    pub source: String,
    /// The relation type, e.g. `ownedBy`.
    pub relation_type: String,
    /// The entity it points to.
    pub target: String,
}

/// One output of a processor.
#[derive(Clone, Debug, PartialEq)]
pub enum Emitted {
    /// An entity found at a location, to be processed in turn.
    Entity {
        /// The unprocessed entity.
        entity: Value,
        /// Where it was read from.
        location: LocationSpec,
    },
    /// A relation of the entity being processed (or between others).
    Relation(RelationSpec),
    /// A location to read (a `Location` entity's targets).
    Location(LocationSpec),
    /// A problem with the entity or location being processed; it is recorded
    /// on the entity's `status` and the last good version stays served.
    Error {
        /// What went wrong.
        error: ProcessorError,
        /// Where.
        location: LocationSpec,
    },
    /// A key under which the entity can be asked to refresh (e.g. a URL).
    RefreshKey(String),
}

/// Collects what processors emit while one entity is processed, and holds
/// the entity's [processor cache](ProcessorCache).
///
/// Entities are kept as compact JSON text until they are taken: a
/// location with a hundred thousand entities holds a hundred thousand short
/// strings here, not a hundred thousand JSON trees (several times larger).
///
/// # The processor cache
///
/// A processor can keep a JSON value per entity from one run of that entity
/// to the next: [`cached`](Self::cached) gives what it stored on the
/// entity's previous successful run, [`set_cache`](Self::set_cache) stores
/// a value for the next one. The cache stored after a run holds only what
/// was set during that run, so a processor that wants to keep a value sets
/// it again; when processing of the entity fails, the previous cache stays
/// as it was (as the last good entity stays served). Each processor uses
/// its own [`name`](crate::CatalogProcessor::name) as the key.
///
/// The built-in `url` reader keeps the `ETag` of each target with the
/// entities it read there, and re-emits those when the target answers
/// "not modified". This processor keeps when it first saw each entity:
///
/// ```
/// use backstage_plugin_catalog_node::{
///     CatalogProcessor, Emitter, LocationSpec, ProcessorCache, ProcessorError,
/// };
/// use serde_json::{Value, json};
///
/// struct FirstSeen;
///
/// #[async_trait::async_trait]
/// impl CatalogProcessor for FirstSeen {
///     fn name(&self) -> &str {
///         "FirstSeen"
///     }
///
///     async fn post_process(
///         &self,
///         mut entity: Value,
///         _location: &LocationSpec,
///         emit: &mut Emitter,
///     ) -> Result<Value, ProcessorError> {
///         let first_seen = match emit.cached(self.name()) {
///             Some(Value::String(seen)) => seen.clone(),
///             _ => "2024-05-01T12:00:00Z".to_owned(), // now, in a real processor
///         };
///         entity["metadata"]["annotations"]["example.com/first-seen"] = json!(first_seen);
///         // Set again on every run, or the next run finds nothing.
///         emit.set_cache(self.name(), json!(first_seen));
///         Ok(entity)
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let location = LocationSpec::new("file", "/srv/catalog/web.yaml");
/// let entity = json!({"kind": "Component", "metadata": {"name": "web", "annotations": {}}});
///
/// // The previous run stored a value: this run reads it and stores it again.
/// let mut previous = ProcessorCache::new();
/// previous.set("FirstSeen", json!("2023-01-01T00:00:00Z"));
/// let mut emit = Emitter::with_cache(previous);
/// let entity = FirstSeen.post_process(entity, &location, &mut emit).await.unwrap();
/// assert_eq!(
///     entity["metadata"]["annotations"]["example.com/first-seen"],
///     "2023-01-01T00:00:00Z"
/// );
/// let next = emit.take_cache(); // what the catalog stores after this run
/// assert_eq!(next.get("FirstSeen"), Some(&json!("2023-01-01T00:00:00Z")));
/// # }
/// ```
#[derive(Debug, Default)]
pub struct Emitter {
    outputs: Vec<Output>,
    /// What processors stored on the entity's previous successful run.
    previous: ProcessorCache,
    /// What processors set during this run.
    next: ProcessorCache,
}

/// An output as the emitter keeps it.
#[derive(Debug)]
enum Output {
    /// An entity as JSON text.
    Entity {
        json: String,
        location: LocationSpec,
    },
    Other(Emitted),
}

impl Emitter {
    /// An empty emitter.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty emitter for a run of an entity whose processors stored
    /// `previous` on its last successful run (see [the processor
    /// cache](Self#the-processor-cache)).
    pub fn with_cache(previous: ProcessorCache) -> Self {
        Self {
            previous,
            ..Self::default()
        }
    }

    /// What `processor` stored in this entity's cache on its previous
    /// successful run, if anything. Setting a value during this run does
    /// not change what this returns.
    pub fn cached(&self, processor: &str) -> Option<&Value> {
        self.previous.get(processor)
    }

    /// Stores `value` as `processor`'s cache of this entity for its next
    /// run, replacing whatever `processor` set earlier in this run; `null`
    /// stores nothing. The value is kept only if processing of the entity
    /// succeeds.
    ///
    /// The value is stored with the entity's processing state in the
    /// catalog's database and read back on every run of the entity: keep
    /// it small.
    pub fn set_cache(&mut self, processor: &str, value: Value) {
        self.next.set(processor, value);
    }

    /// The value `processor` stores for the entity's next run, to change in
    /// place: `null` until something is set during this run (and leaving it
    /// `null` stores nothing). Useful to add to a value over several calls
    /// in one run, e.g. one entry per target of a `Location`.
    pub fn cache_mut(&mut self, processor: &str) -> &mut Value {
        self.next.get_mut(processor)
    }

    /// Takes the cache set during this run: what the catalog stores for the
    /// entity's next run when processing succeeded.
    pub fn take_cache(&mut self) -> ProcessorCache {
        std::mem::take(&mut self.next).compacted()
    }

    /// Takes the cache of the previous run back: what the catalog keeps
    /// when processing of the entity failed.
    pub fn take_previous_cache(&mut self) -> ProcessorCache {
        std::mem::take(&mut self.previous)
    }

    /// Emits an entity read from `location`.
    pub fn entity(&mut self, entity: Value, location: LocationSpec) {
        self.outputs.push(Output::Entity {
            json: entity.to_string(),
            location,
        });
    }

    /// Emits an entity given as JSON text (a JSON object, as
    /// `serde_json` writes it), for readers that produce entities in bulk
    /// and want to hold as little as possible. Text that is not JSON comes
    /// out of [`take`](Self::take) as an [`Emitted::Error`].
    pub fn entity_json(&mut self, json: String, location: LocationSpec) {
        self.outputs.push(Output::Entity { json, location });
    }

    /// Emits a relation.
    pub fn relation(
        &mut self,
        source: impl Into<String>,
        relation_type: impl Into<String>,
        target: impl Into<String>,
    ) {
        self.outputs
            .push(Output::Other(Emitted::Relation(RelationSpec {
                source: source.into(),
                relation_type: relation_type.into(),
                target: target.into(),
            })));
    }

    /// Emits a location to read.
    pub fn location(&mut self, location: LocationSpec) {
        self.outputs
            .push(Output::Other(Emitted::Location(location)));
    }

    /// Emits an error.
    pub fn error(&mut self, error: ProcessorError, location: LocationSpec) {
        self.outputs
            .push(Output::Other(Emitted::Error { error, location }));
    }

    /// Emits a refresh key.
    pub fn refresh_key(&mut self, key: impl Into<String>) {
        self.outputs
            .push(Output::Other(Emitted::RefreshKey(key.into())));
    }

    /// How many outputs were emitted so far (entities, relations,
    /// locations, errors and refresh keys; the cache does not count).
    pub fn len(&self) -> usize {
        self.outputs.len()
    }

    /// Whether nothing was emitted so far.
    pub fn is_empty(&self) -> bool {
        self.outputs.is_empty()
    }

    /// Takes everything emitted so far, in order. Entities are parsed back
    /// one at a time as the iterator reaches them.
    pub fn take(&mut self) -> impl Iterator<Item = Emitted> + use<> {
        std::mem::take(&mut self.outputs)
            .into_iter()
            .map(|output| match output {
                Output::Entity { json, location } => match serde_json::from_str(&json) {
                    Ok(entity) => Emitted::Entity { entity, location },
                    Err(e) => Emitted::Error {
                        error: ProcessorError::input(format!(
                            "an entity emitted from {location} is not JSON: {e}"
                        )),
                        location,
                    },
                },
                Output::Other(emitted) => emitted,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_next_cache_holds_only_what_this_run_set() {
        let mut previous = ProcessorCache::new();
        previous.set("Kept", json!({"etag": "\"1\""}));
        previous.set("Dropped", json!(1));
        let mut emit = Emitter::with_cache(previous.clone());
        assert_eq!(emit.cached("Kept"), Some(&json!({"etag": "\"1\""})));
        assert_eq!(emit.cached("Dropped"), Some(&json!(1)));
        assert_eq!(emit.cached("Other"), None);

        // Kept: set again. Dropped: not set this run. New: set twice, the
        // last one counts. Built: added to over several calls.
        emit.set_cache("Kept", emit.cached("Kept").cloned().unwrap());
        emit.set_cache("New", json!("first"));
        emit.set_cache("New", json!("second"));
        emit.cache_mut("Built")["a"] = json!(1);
        emit.cache_mut("Built")["b"] = json!(2);
        let _ = emit.cache_mut("Untouched");
        // What was set this run does not show as the previous run's.
        assert_eq!(emit.cached("New"), None);
        assert!(emit.is_empty(), "the cache is no output");

        let next = emit.take_cache();
        assert_eq!(next.get("Kept"), Some(&json!({"etag": "\"1\""})));
        assert_eq!(next.get("Dropped"), None);
        assert_eq!(next.get("New"), Some(&json!("second")));
        assert_eq!(next.get("Built"), Some(&json!({"a": 1, "b": 2})));
        assert_eq!(
            next.processors().collect::<Vec<_>>(),
            ["Kept", "New", "Built"]
        );
        // After a failure the previous cache is what stays.
        assert_eq!(emit.take_previous_cache(), previous);
    }

    #[test]
    fn an_emitter_without_a_cache_has_an_empty_one() {
        let mut emit = Emitter::new();
        assert_eq!(emit.cached("Any"), None);
        assert!(emit.take_cache().is_empty());
        assert!(emit.take_previous_cache().is_empty());
    }

    #[test]
    fn entities_come_back_as_emitted_in_order() {
        let location = LocationSpec::new("file", "/c.yaml");
        let mut emit = Emitter::new();
        emit.entity(
            json!({"kind": "Component", "metadata": {"name": "a"}}),
            location.clone(),
        );
        emit.relation("component:default/a", "ownedBy", "group:default/t");
        emit.entity_json(
            r#"{"kind":"API","metadata":{"name":"b"}}"#.to_owned(),
            location.clone(),
        );
        emit.entity_json("not json".to_owned(), location.clone());
        assert_eq!(emit.len(), 4);
        let out: Vec<Emitted> = emit.take().collect();
        assert!(emit.is_empty());
        assert!(
            matches!(&out[0], Emitted::Entity { entity, .. } if entity["metadata"]["name"] == "a")
        );
        assert!(matches!(&out[1], Emitted::Relation(r) if r.relation_type == "ownedBy"));
        assert!(matches!(&out[2], Emitted::Entity { entity, .. } if entity["kind"] == "API"));
        assert!(
            matches!(&out[3], Emitted::Error { error, .. } if error.message.contains("not JSON"))
        );
    }
}
