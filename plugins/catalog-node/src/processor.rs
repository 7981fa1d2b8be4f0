//! Catalog processors: the steps every entity goes through.

use serde_json::Value;

use crate::emit::Emitter;
use crate::location::LocationSpec;

/// The priority of a processor that does not choose one.
pub const DEFAULT_PRIORITY: i32 = 20;

/// Why a processor refused an entity or a location, in Backstage's error
/// terms: a `name` such as `InputError`, `NotFoundError` or
/// `NotAllowedError`, and a message that says what to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ProcessorError {
    /// The error's name.
    pub name: String,
    /// What went wrong.
    pub message: String,
}

impl ProcessorError {
    /// An error with any name.
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            message: message.into(),
        }
    }

    /// `InputError`: the entity or file is malformed.
    pub fn input(message: impl Into<String>) -> Self {
        Self::new("InputError", message)
    }

    /// `NotFoundError`: a location target does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("NotFoundError", message)
    }

    /// `NotAllowedError`: a rule forbids it.
    pub fn not_allowed(message: impl Into<String>) -> Self {
        Self::new("NotAllowedError", message)
    }
}

/// One step of entity processing. Every method has a default that does
/// nothing, so a processor implements only the steps it cares about.
///
/// For each entity the catalog runs, with processors in priority order
/// (lower first, then by name): every `pre_process`; then `validate_kind`
/// until one processor accepts the entity's kind (none accepting it is an
/// error on the entity); for a `Location` entity, `read_location` for each
/// target until a processor handles its type; then every `post_process`.
#[async_trait::async_trait]
pub trait CatalogProcessor: Send + Sync {
    /// A name for logs, errors and `catalog.processorOptions.<name>`.
    fn name(&self) -> &str;

    /// Lower runs first; default [`DEFAULT_PRIORITY`].
    fn priority(&self) -> i32 {
        DEFAULT_PRIORITY
    }

    /// Changes the entity before validation (fill in defaults, resolve
    /// placeholders, add annotations).
    async fn pre_process(
        &self,
        entity: Value,
        _location: &LocationSpec,
        _emit: &mut Emitter,
    ) -> Result<Value, ProcessorError> {
        Ok(entity)
    }

    /// Whether this processor knows the entity's `apiVersion` and `kind` and
    /// finds the entity valid; an `Err` says why it is not.
    async fn validate_kind(&self, _entity: &Value) -> Result<bool, ProcessorError> {
        Ok(false)
    }

    /// Reads a location of a type this processor handles and emits what it
    /// finds; `Ok(false)` when the type is not its own.
    async fn read_location(
        &self,
        _location: &LocationSpec,
        _emit: &mut Emitter,
    ) -> Result<bool, ProcessorError> {
        Ok(false)
    }

    /// Changes the entity after validation and emits relations.
    async fn post_process(
        &self,
        entity: Value,
        _location: &LocationSpec,
        _emit: &mut Emitter,
    ) -> Result<Value, ProcessorError> {
        Ok(entity)
    }
}
