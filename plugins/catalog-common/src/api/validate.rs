//! `POST /validate-entity`.

use backstage_common::catalog::JsonObject;
use serde::{Deserialize, Serialize};

/// `POST /validate-entity` body: an entity (any JSON object; it need not
/// be valid) and the location it would come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidateEntityRequest {
    /// A location ref, `type:target`, e.g. `url:https://example.com/catalog-info.yaml`:
    /// where the entity would be read from. Backstage's catalog (and ours)
    /// accepts `url` locations only.
    pub location: String,
    /// The entity to check.
    pub entity: JsonObject,
}

/// The 400 body of `POST /validate-entity` for an invalid entity (or a
/// missing or malformed `location` or `entity`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidateEntityErrorResponse {
    /// Everything wrong with the entity.
    pub errors: Vec<ValidationErrorItem>,
}

/// One problem of an invalid entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationErrorItem {
    /// The error class, e.g. `InputError`.
    pub name: String,
    /// What is wrong.
    pub message: String,
    /// Any other keys, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}
