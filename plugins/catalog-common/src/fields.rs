//! Field projection: the `fields` query parameter (and body field) that
//! keeps only some subtrees of each entity.
//!
//! `fields=metadata.name,spec.type` (comma lists; the parameter may repeat)
//! keeps `{"metadata": {"name": ...}, "spec": {"type": ...}}` and prunes
//! the rest. A path names an object key at each step; a step may also
//! match a key that itself contains dots, so
//! `metadata.annotations.backstage.io/orphan` reaches the annotation
//! `backstage.io/orphan`. Paths do not index into arrays; a path that
//! reaches nothing adds nothing. Output keys come in the order the paths
//! are given.
//!
//! ```
//! use backstage_plugin_catalog_common::FieldSelection;
//! use serde_json::json;
//!
//! let fields = FieldSelection::parse(["metadata.name,spec.type", "metadata.annotations.backstage.io/orphan"])?
//!     .expect("three paths");
//! let entity = json!({
//!     "kind": "Component",
//!     "metadata": { "name": "web", "annotations": { "backstage.io/orphan": "true" } },
//!     "spec": { "type": "website", "owner": "team-a" }
//! });
//! assert_eq!(
//!     fields.apply(&entity),
//!     json!({
//!         "metadata": { "name": "web", "annotations": { "backstage.io/orphan": "true" } },
//!         "spec": { "type": "website" }
//!     })
//! );
//! # Ok::<(), backstage_plugin_catalog_common::FieldsError>(())
//! ```

use serde_json::{Map, Value};
use thiserror::Error;

use crate::path::{FieldPathError, validate_field_path};

/// A parsed, non-empty list of dot paths to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSelection {
    paths: Vec<String>,
}

/// A `fields` value that was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid fields: {0}")]
pub struct FieldsError(#[from] pub FieldPathError);

impl FieldSelection {
    /// Parses the values of every `fields` query parameter: comma lists,
    /// surrounding whitespace ignored, empty items skipped. Gives `None`
    /// when no path is left (keep whole entities).
    pub fn parse<I, S>(values: I) -> Result<Option<Self>, FieldsError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut paths = Vec::new();
        for value in values {
            for path in value.as_ref().split(',').map(str::trim) {
                if !path.is_empty() {
                    validate_field_path(path)?;
                    paths.push(path.to_owned());
                }
            }
        }
        Ok((!paths.is_empty()).then_some(FieldSelection { paths }))
    }

    /// A selection of these paths (as in a JSON body's `fields` array);
    /// each must be a single valid path. Gives `None` for an empty list.
    pub fn from_paths<I, S>(paths: I) -> Result<Option<Self>, FieldsError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let paths = paths
            .into_iter()
            .map(|p| {
                let p: String = p.into();
                if p.contains(',') {
                    return Err(FieldsError(FieldPathError::Comma(p)));
                }
                validate_field_path(p.trim())?;
                Ok(p.trim().to_owned())
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((!paths.is_empty()).then_some(FieldSelection { paths }))
    }

    /// The paths, in order.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    /// The `fields` query parameter value: the paths joined with commas.
    pub fn to_query_value(&self) -> String {
        self.paths.join(",")
    }

    /// `entity` with only the selected subtrees. A value that is not an
    /// object gives an empty object.
    pub fn apply(&self, entity: &Value) -> Value {
        let mut output = Map::new();
        if let Value::Object(root) = entity {
            let parts_list: Vec<Vec<&str>> =
                self.paths.iter().map(|p| p.split('.').collect()).collect();
            for parts in &parts_list {
                let mut keys = Vec::new();
                if let Some(value) = lookup(root, parts, &mut keys) {
                    insert(&mut output, &keys, value.clone());
                }
            }
        }
        Value::Object(output)
    }
}

/// Finds the value at `parts` under `map`, recording the actual keys used.
/// At each step the single part is tried first, then keys made of several
/// parts joined with dots (`backstage.io/orphan`).
fn lookup<'v>(
    map: &'v Map<String, Value>,
    parts: &[&str],
    keys: &mut Vec<String>,
) -> Option<&'v Value> {
    for take in 1..=parts.len() {
        let key = parts[..take].join(".");
        let Some(value) = map.get(&key) else {
            continue;
        };
        let rest = &parts[take..];
        keys.push(key);
        if rest.is_empty() {
            return Some(value);
        }
        if let Value::Object(child) = value
            && let Some(found) = lookup(child, rest, keys)
        {
            return Some(found);
        }
        keys.pop();
    }
    None
}

/// Sets `value` at `keys` under `output`, creating objects on the way.
fn insert(output: &mut Map<String, Value>, keys: &[String], value: Value) {
    let Some((last, parents)) = keys.split_last() else {
        return;
    };
    let mut target = output;
    for key in parents {
        let slot = target
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(next) = slot else {
            return;
        };
        target = next;
    }
    target.insert(last.clone(), value);
}
