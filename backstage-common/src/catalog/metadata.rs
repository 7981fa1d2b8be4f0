//! `metadata`: the part common to all kinds.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::entity::JsonObject;

/// The namespace of an entity that names none.
pub const DEFAULT_NAMESPACE: &str = "default";

/// An entity's `metadata`. Unknown keys are kept in [`EntityMeta::extra`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct EntityMeta {
    /// Unique within a kind and namespace. Required.
    pub name: String,
    /// The namespace; absent means [`DEFAULT_NAMESPACE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Globally unique id given by the catalog. Output only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Changes with every change of the entity. Output only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// A display name to show instead of `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A short description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Identifying key/value pairs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Non-identifying key/value pairs; see
    /// [`annotations`](super::annotations) for the well-known keys.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Single-word classifiers, e.g. `java`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// External links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<EntityLink>,
    /// Any other keys, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl EntityMeta {
    /// `namespace`, or [`DEFAULT_NAMESPACE`] when absent.
    pub fn namespace_or_default(&self) -> &str {
        self.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE)
    }
}

/// An entry of `metadata.links`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct EntityLink {
    /// The address. Required.
    pub url: String,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A key of a visual icon, e.g. `dashboard`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// A category, e.g. `runbook`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub link_type: Option<String>,
    /// Any other keys, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}
