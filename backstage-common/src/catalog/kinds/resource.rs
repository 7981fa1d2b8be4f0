//! `Resource`: infrastructure a component needs at runtime.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BuiltinKind, KindEntity, KindSpec};
use crate::catalog::entity::JsonObject;

/// The spec of a `Resource`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSpec {
    /// The type, e.g. `database`, `s3-bucket`. Required.
    #[serde(rename = "type")]
    #[schemars(length(min = 1))]
    pub resource_type: String,
    /// The owning group or user (default kind Group). Required.
    #[schemars(length(min = 1))]
    pub owner: String,
    /// The system it belongs to (default kind System).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub system: Option<String>,
    /// Entities it depends on (refs must name their kind).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Entities that depend on it (refs must name their kind).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependency_of: Vec<String>,
    /// Any other spec keys, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl KindSpec for ResourceSpec {
    const KIND: BuiltinKind = BuiltinKind::Resource;
}

/// A `Resource` entity with a typed spec.
pub type ResourceEntity = KindEntity<ResourceSpec>;
