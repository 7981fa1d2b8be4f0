//! `Group`: a team or other organisational unit.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BuiltinKind, KindEntity, KindSpec};
use crate::catalog::entity::JsonObject;

/// The spec of a `Group`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupSpec {
    /// The type, e.g. `team`, `business-unit`, `organization`. Required.
    #[serde(rename = "type")]
    #[schemars(length(min = 1))]
    pub group_type: String,
    /// Display name, email and picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<GroupProfile>,
    /// The parent group (default kind Group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub parent: Option<String>,
    /// Child groups (default kind Group). Required, may be empty.
    pub children: Vec<String>,
    /// Members (default kind User).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Any other spec keys, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// How a group presents itself.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupProfile {
    /// A name to display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub display_name: Option<String>,
    /// A contact email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub email: Option<String>,
    /// The address of a picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub picture: Option<String>,
    /// Any other keys, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl KindSpec for GroupSpec {
    const KIND: BuiltinKind = BuiltinKind::Group;
}

/// A `Group` entity with a typed spec.
pub type GroupEntity = KindEntity<GroupSpec>;
