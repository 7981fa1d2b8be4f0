//! The catalog entity model: entities, refs, validation and relations.
//!
//! An entity is what a `catalog-info.yaml` document describes — a component,
//! an API, a group, a user... The model reads it ([`Entity`]), checks it with
//! Backstage's rules ([`validate_entity`]), names it and the entities it
//! points to ([`EntityRef`], [`LocationRef`]), and derives the relations its
//! spec implies ([`spec_relations`]). Typed views of the built-in kinds live
//! in [`kinds`].
//!
//! ```
//! use backstage_common::catalog::Entity;
//! use serde_json::json;
//!
//! let entity = Entity::from_value_validated(json!({
//!     "apiVersion": "backstage.io/v1alpha1",
//!     "kind": "Group",
//!     "metadata": { "name": "team-a" },
//!     "spec": { "type": "team", "children": [] }
//! }))?;
//! assert_eq!(entity.entity_ref().to_string(), "group:default/team-a");
//! # Ok::<(), backstage_common::catalog::EntityValidationError>(())
//! ```
//!
//! The book chapter "The entity model" explains the format in full.

pub mod annotations;
mod entity;
mod entity_ref;
pub mod kinds;
mod location_ref;
mod metadata;
mod parse;
mod placeholder;
mod relations;
pub mod validation;

pub use entity::{
    Entity, EntityRelation, EntityStatus, JsonObject, ROOT_FIELDS, StatusItem, StatusLevel,
};
pub use entity_ref::{CompoundEntityRef, EntityRef, EntityRefError, RefContext};
pub use kinds::{BuiltinKind, KindEntity, KindSpec, KindViewError};
pub use location_ref::{LocationRef, LocationRefError};
pub use metadata::{DEFAULT_NAMESPACE, EntityLink, EntityMeta};
pub use placeholder::{Placeholder, PlaceholderKind, is_placeholder};
pub use relations::{
    ImpliedRelation, REF_FIELDS, RefField, RelationType, UnknownRelationType, ref_field,
    spec_relations,
};
pub use validation::{
    EntityValidationError, Rule, ValidationProblem, validate_entity, validation_problems,
};

#[cfg(doctest)]
#[doc = include_str!("../../../book/src/catalog/entity-model.md")]
struct BookEntityModelChapter;
