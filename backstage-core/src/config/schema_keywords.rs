//! Reading Backstage's custom schema keywords — `visibility`,
//! `deepVisibility` and `deprecated` — for the values actually present.

use std::str::FromStr;

use backstage_common::config::{ConfigPath, PathSegment, Visibility};
use serde_json::Value;

use super::schema::SchemaOutcome;

/// Deeper than any sane schema; stops `$ref` loops that do not descend.
const MAX_DEPTH: usize = 64;

/// Walks `schema` and `value` together, recording visibility marks and
/// deprecations at the concrete paths of `value`.
///
/// The walk follows local `$ref`s, `properties`, `additionalProperties`,
/// `items`, `prefixItems` and every branch of `allOf` / `anyOf` / `oneOf`
/// (marks of all branches apply; secret wins over frontend, so a branch can
/// only make a value stricter).
pub(crate) fn collect_keywords(
    schema: &Value,
    value: &Value,
    path: &ConfigPath,
    outcome: &mut SchemaOutcome,
) {
    let mut path = path.clone();
    walk(schema, schema, value, &mut path, outcome, 0);
}

fn walk(
    root: &Value,
    node: &Value,
    value: &Value,
    path: &mut ConfigPath,
    outcome: &mut SchemaOutcome,
    depth: usize,
) {
    let Value::Object(schema) = node else {
        return;
    };
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(Value::String(v)) = schema.get("visibility")
        && let Ok(visibility) = Visibility::from_str(v)
    {
        outcome.visibility.mark(path.clone(), visibility);
    }
    if let Some(Value::String(v)) = schema.get("deepVisibility")
        && let Ok(visibility) = Visibility::from_str(v)
    {
        outcome.visibility.mark_deep(path.clone(), visibility);
    }
    match schema.get("deprecated") {
        Some(Value::String(message)) => outcome
            .warnings
            .push(format!("config key '{path}' is deprecated: {message}")),
        Some(Value::Bool(true)) => outcome
            .warnings
            .push(format!("config key '{path}' is deprecated")),
        _ => {}
    }
    if let Some(Value::String(reference)) = schema.get("$ref")
        && let Some(target) = resolve_ref(root, reference)
    {
        walk(root, target, value, path, outcome, depth + 1);
    }
    for combinator in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = schema.get(combinator) {
            for branch in branches {
                walk(root, branch, value, path, outcome, depth + 1);
            }
        }
    }
    match value {
        Value::Object(items) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties");
            for (key, child) in items {
                let child_schema = properties.and_then(|p| p.get(key)).or(additional);
                if let Some(child_schema) = child_schema {
                    path.push(PathSegment::Key(key.clone()));
                    walk(root, child_schema, child, path, outcome, depth + 1);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            let prefix = schema.get("prefixItems").and_then(Value::as_array);
            for (i, child) in items.iter().enumerate() {
                let child_schema = prefix
                    .and_then(|p| p.get(i))
                    .or_else(|| schema.get("items"));
                if let Some(child_schema) = child_schema {
                    path.push(PathSegment::Index(i));
                    walk(root, child_schema, child, path, outcome, depth + 1);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

/// Resolves a local reference such as `#/$defs/Name`.
fn resolve_ref<'s>(root: &'s Value, reference: &str) -> Option<&'s Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}
