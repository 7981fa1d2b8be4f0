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
#[derive(Debug, Default)]
pub struct Emitter {
    outputs: Vec<Emitted>,
}

impl Emitter {
    /// An empty emitter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Emits an entity read from `location`.
    pub fn entity(&mut self, entity: Value, location: LocationSpec) {
        self.outputs.push(Emitted::Entity { entity, location });
    }

    /// Emits a relation.
    pub fn relation(
        &mut self,
        source: impl Into<String>,
        relation_type: impl Into<String>,
        target: impl Into<String>,
    ) {
        self.outputs.push(Emitted::Relation(RelationSpec {
            source: source.into(),
            relation_type: relation_type.into(),
            target: target.into(),
        }));
    }

    /// Emits a location to read.
    pub fn location(&mut self, location: LocationSpec) {
        self.outputs.push(Emitted::Location(location));
    }

    /// Emits an error.
    pub fn error(&mut self, error: ProcessorError, location: LocationSpec) {
        self.outputs.push(Emitted::Error { error, location });
    }

    /// Emits a refresh key.
    pub fn refresh_key(&mut self, key: impl Into<String>) {
        self.outputs.push(Emitted::RefreshKey(key.into()));
    }

    /// Everything emitted so far, in order.
    pub fn outputs(&self) -> &[Emitted] {
        &self.outputs
    }

    /// Takes everything emitted so far.
    pub fn take(&mut self) -> Vec<Emitted> {
        std::mem::take(&mut self.outputs)
    }
}
