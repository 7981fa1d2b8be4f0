//! Tests of the catalog entity model.

#![allow(clippy::unwrap_used)]

mod entity_ref;
mod envelope;
mod fixtures;
mod kinds;
mod location_ref;
mod placeholders;
mod properties;
mod reference;
mod relations;
mod rules;

use std::path::PathBuf;

use backstage_common::catalog::{Entity, EntityValidationError, Rule};
use serde_json::{Value, json};

/// Parses a (possibly multi-document) YAML text into JSON values, reading
/// YAML the way Backstage does: strict booleans, no merge keys, duplicate
/// keys refused.
pub(crate) fn yaml_documents(text: &str) -> Vec<Value> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        merge_keys: serde_saphyr::MergeKeyPolicy::Error,
    };
    serde_saphyr::from_multiple_with_options(text, options).unwrap()
}

/// The text of a fixture under tests/fixtures/catalog.
pub(crate) fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/catalog")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A valid component to start each test from.
pub(crate) fn component() -> Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": { "name": "ticket-checkout" },
        "spec": { "type": "service", "lifecycle": "production", "owner": "payments" }
    })
}

/// `component()` with `pointer` (a JSON pointer) set to `value`.
pub(crate) fn component_with(pointer: &str, value: Value) -> Value {
    with(component(), pointer, value)
}

/// `entity` with the field at `pointer` set to `value` (parents created).
pub(crate) fn with(mut entity: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let mut target = &mut entity;
    for part in parent.split('/').filter(|p| !p.is_empty()) {
        target = target
            .as_object_mut()
            .unwrap()
            .entry(part)
            .or_insert_with(|| json!({}));
    }
    target
        .as_object_mut()
        .unwrap()
        .insert(key.to_owned(), value);
    entity
}

/// `entity` without the field at `pointer`.
pub(crate) fn without(mut entity: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    entity
        .pointer_mut(parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .shift_remove(key);
    entity
}

/// Validates `value` fully and returns the error, failing if it is accepted.
#[track_caller]
pub(crate) fn refused(value: Value) -> EntityValidationError {
    match Entity::from_value_validated(value.clone()) {
        Ok(_) => panic!("expected refusal of {value:#}"),
        Err(err) => err,
    }
}

/// Validates `value` fully, failing with the problems if it is refused.
#[track_caller]
pub(crate) fn accepted(value: Value) -> Entity {
    match Entity::from_value_validated(value) {
        Ok(entity) => entity,
        Err(err) => panic!("expected acceptance, got:\n{err}"),
    }
}

/// Asserts that `value` is refused with exactly one problem, at `path`
/// under `rule`, and returns its display line.
#[track_caller]
pub(crate) fn refused_once(value: Value, path: &str, rule: Rule) -> String {
    let err = refused(value);
    assert_eq!(err.problems.len(), 1, "expected one problem, got:\n{err}");
    assert_eq!(err.problems[0].path, path, "{err}");
    assert_eq!(err.problems[0].rule, rule, "{err}");
    err.to_string()
}
