//! Validation of entities with Backstage's rules and limits.
//!
//! [`validate_entity`] checks an [`Entity`] against every rule — apiVersion,
//! kind, name, namespace, label keys and values, annotation keys, tags,
//! links, title, and the required spec fields of each built-in kind — and
//! reports all problems of the entity together, each with its field path and
//! the [`Rule`] it broke. Kinds without spec rules (Template, Environment, a
//! company's own kinds) are checked against the envelope and metadata rules
//! only.
//!
//! ```
//! use backstage_common::catalog::{validate_entity, Entity, Rule};
//! use serde_json::json;
//!
//! let entity = Entity::from_value(json!({
//!     "apiVersion": "backstage.io/v1alpha1",
//!     "kind": "Component",
//!     "metadata": { "name": "Bad Name!" },
//!     "spec": { "type": "service", "lifecycle": "production" }
//! }))?;
//! let err = validate_entity(&entity).unwrap_err();
//! let text = err.to_string();
//! assert!(text.starts_with(r#"component:default/bad name!: metadata.name "Bad Name!" is not valid"#));
//! assert!(text.contains("spec.owner is required"));
//! assert!(err.has_rule(Rule::EntityName) && err.has_rule(Rule::Required));
//! # Ok::<(), backstage_common::catalog::EntityValidationError>(())
//! ```

mod envelope;
pub(crate) mod problem;
pub mod rules;
mod spec;

pub use problem::{EntityValidationError, Rule, ValidationProblem};

use super::entity::Entity;
use super::parse::Unreadable;

/// Checks `entity` against every rule; all problems are reported together.
pub fn validate_entity(entity: &Entity) -> Result<(), EntityValidationError> {
    let problems = validation_problems(entity);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(EntityValidationError {
            entity: problem::entity_label(
                Some(&entity.kind),
                entity.metadata.namespace.as_deref(),
                Some(&entity.metadata.name),
            ),
            problems,
        })
    }
}

/// Every problem of `entity`, in field order; empty when it is valid.
pub fn validation_problems(entity: &Entity) -> Vec<ValidationProblem> {
    let mut problems = Vec::new();
    check_entity(entity, Unreadable::default(), &mut problems);
    problems
}

pub(crate) fn check_entity(
    entity: &Entity,
    unreadable: Unreadable,
    problems: &mut Vec<ValidationProblem>,
) {
    envelope::check(entity, unreadable, problems);
    if !unreadable.kind {
        spec::check(entity, problems);
    }
}
