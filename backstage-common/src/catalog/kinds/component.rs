//! `Component`: a piece of software — a service, website or library.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BuiltinKind, KindEntity, KindSpec};
use crate::catalog::entity::JsonObject;

/// The spec of a `Component`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComponentSpec {
    /// The type, e.g. `service`, `website`, `library`. Required.
    #[serde(rename = "type")]
    #[schemars(length(min = 1))]
    pub component_type: String,
    /// The lifecycle stage, e.g. `experimental`, `production`. Required.
    #[schemars(length(min = 1))]
    pub lifecycle: String,
    /// The owning group or user (default kind Group). Required.
    #[schemars(length(min = 1))]
    pub owner: String,
    /// The system it belongs to (default kind System).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub system: Option<String>,
    /// The component it is part of (default kind Component).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub subcomponent_of: Option<String>,
    /// APIs it provides (default kind API).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provides_apis: Vec<String>,
    /// APIs it consumes (default kind API).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consumes_apis: Vec<String>,
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

impl KindSpec for ComponentSpec {
    const KIND: BuiltinKind = BuiltinKind::Component;
}

/// A `Component` entity with a typed spec.
pub type ComponentEntity = KindEntity<ComponentSpec>;
