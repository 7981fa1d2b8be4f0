//! What processors emit besides the entity they process.

use serde_json::Value;

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

/// Collects what processors emit while one entity is processed.
///
/// Entities are kept as compact JSON text until they are taken: a
/// location with a hundred thousand entities holds a hundred thousand short
/// strings here, not a hundred thousand JSON trees (several times larger).
#[derive(Debug, Default)]
pub struct Emitter {
    outputs: Vec<Output>,
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

    /// How many outputs were emitted so far.
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
