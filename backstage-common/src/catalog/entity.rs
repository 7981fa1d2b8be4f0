//! The entity envelope: `apiVersion`, `kind`, `metadata`, `spec`,
//! `relations`, `status`.
//!
//! An [`Entity`] keeps every unknown key of `metadata` (in
//! [`EntityMeta::extra`]) and all of `spec` as JSON, so any valid entity
//! round-trips through serde unchanged in meaning. Unknown *root* keys are
//! refused, as Backstage refuses them.
//!
//! ```
//! use backstage_common::catalog::Entity;
//! use serde_json::json;
//!
//! let entity = Entity::from_value(json!({
//!     "apiVersion": "backstage.io/v1alpha1",
//!     "kind": "Component",
//!     "metadata": { "name": "artist-web", "x-team-note": "kept" },
//!     "spec": { "type": "website", "lifecycle": "production", "owner": "team-a" }
//! }))?;
//! assert_eq!(entity.entity_ref().to_string(), "component:default/artist-web");
//! assert_eq!(entity.metadata.extra["x-team-note"], "kept");
//!
//! // Keys other than the six are refused, with the key named.
//! let err = Entity::from_value(json!({
//!     "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
//!     "metadata": { "name": "x" }, "owner": "team-a"
//! })).unwrap_err();
//! assert!(err.to_string().contains("owner is not allowed at the root"));
//! # Ok::<(), backstage_common::catalog::EntityValidationError>(())
//! ```

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::entity_ref::{CompoundEntityRef, EntityRef};
use super::metadata::EntityMeta;
use super::validation::EntityValidationError;

/// A JSON object: the type of `spec` and of every "any other keys" bag.
pub type JsonObject = Map<String, Value>;

/// The root keys an entity may have, in canonical order.
pub const ROOT_FIELDS: [&str; 6] = [
    "apiVersion",
    "kind",
    "metadata",
    "spec",
    "relations",
    "status",
];

/// A catalog entity, as written in `catalog-info.yaml` and served by the
/// catalog API.
///
/// Build one with [`Entity::from_value`] (shape checks, all problems at
/// once), [`Entity::from_value_validated`] (plus every format rule — the
/// catalog's hot path), or any serde deserializer (which goes through
/// `from_value`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Entity {
    /// The version of the format this entity is written against, e.g.
    /// `backstage.io/v1alpha1`.
    pub api_version: String,
    /// The kind of entity, e.g. `Component`.
    pub kind: String,
    /// Name, namespace, labels, annotations and other metadata.
    pub metadata: EntityMeta,
    /// The kind-specific part, kept as JSON. Built-in kinds require it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<JsonObject>,
    /// Relations to other entities. Output only: written by the catalog.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<EntityRelation>,
    /// Status items claimed by various sources. Output only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<EntityStatus>,
}

impl Entity {
    /// Reads an entity from JSON, checking its shape: the six root keys only,
    /// the required fields present, every known field of the right type.
    /// All problems are reported together. Format rules (name characters,
    /// lengths, spec fields) are not checked; see
    /// [`Entity::from_value_validated`].
    pub fn from_value(value: Value) -> Result<Self, EntityValidationError> {
        super::parse::entity_from_value(value)
    }

    /// Reads an entity from JSON and validates it with every rule
    /// ([`validate_entity`](super::validate_entity)); shape and format
    /// problems are reported together.
    pub fn from_value_validated(value: Value) -> Result<Self, EntityValidationError> {
        super::parse::validated_entity_from_value(value)
    }

    /// `metadata.namespace`, or `default` when absent.
    pub fn namespace(&self) -> &str {
        self.metadata.namespace_or_default()
    }

    /// The reference to this entity: its kind, namespace (or `default`) and
    /// name, original casing kept.
    ///
    /// For a validated entity the ref formats and parses back unchanged.
    pub fn entity_ref(&self) -> EntityRef {
        EntityRef::new_unchecked(&self.kind, self.namespace(), &self.metadata.name)
    }

    /// A field of `spec`, if present.
    pub fn spec_field(&self, key: &str) -> Option<&Value> {
        self.spec.as_ref().and_then(|spec| spec.get(key))
    }

    /// An annotation value, if present.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata.annotations.get(key).map(String::as_str)
    }

    /// Serializes the entity to JSON.
    pub fn to_value(&self) -> Value {
        // Serializing plain strings, maps and JSON values cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl<'de> Deserialize<'de> for Entity {
    /// Deserializes through [`Entity::from_value`], so every format gets the
    /// same checks and messages.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Entity::from_value(value).map_err(serde::de::Error::custom)
    }
}

/// A directed relation from this entity to another (`relations[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntityRelation {
    /// The relation type, e.g. `ownedBy`. Built-in types are listed in
    /// [`RelationType`](super::RelationType); others are allowed.
    #[serde(rename = "type")]
    pub relation_type: String,
    /// The canonical ref of the target, e.g. `group:default/team-a`.
    pub target_ref: String,
    /// The target as a compound ref. Deprecated in Backstage; read
    /// `target_ref` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<CompoundEntityRef>,
}

/// `status`: status items claimed by various sources.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct EntityStatus {
    /// The status items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<StatusItem>>,
    /// Any other keys of `status`, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// One status item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StatusItem {
    /// The type of status, e.g. `backstage.io/catalog-processing`.
    #[serde(rename = "type")]
    pub item_type: String,
    /// Severity.
    pub level: StatusLevel,
    /// A brief message for humans.
    pub message: String,
    /// A serialized error (`{name, message, ...}`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<JsonObject>,
    /// Any other keys of the item, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Severity of a status item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusLevel {
    /// Informational.
    Info,
    /// Something to look at.
    Warning,
    /// Something is broken.
    Error,
}
