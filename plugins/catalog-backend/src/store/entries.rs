//! The index entries of an entity: catalog-common's search entries, each
//! with the original-case text of its value (for facets).

use std::collections::HashSet;

use backstage_plugin_catalog_common::search::{
    MAX_SEARCH_KEY_LENGTH, MAX_SEARCH_VALUE_LENGTH, SearchEntry, search_entries,
};
use serde_json::{Map, Value};

/// One index entry: the lowercased key and value of a [`SearchEntry`], and
/// the value as the entity wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct IndexEntry {
    /// Lowercased dot path.
    pub(crate) key: String,
    /// `(lowercased, original)` text, or `None` when the entry has no value.
    pub(crate) value: Option<(String, String)>,
}

/// The entries the index stores for `entity`: exactly
/// [`search_entries`] (same keys, same lowercased values, same order), each
/// value paired with its original-case text. Where two values differ only
/// in case under one key, the first one's casing is kept, as the search
/// entries keep only one of them.
pub(crate) fn index_entries(entity: &Value) -> Vec<IndexEntry> {
    let reference = search_entries(entity);
    let mut out = Walker::default();
    if let Some(root) = entity.as_object() {
        out.walk_root(root);
    }
    let agrees = out.entries.len() == reference.len()
        && out
            .entries
            .iter()
            .zip(&reference)
            .all(|(ours, theirs)| ours.key == theirs.key && lower_of(ours) == theirs.value);
    if agrees {
        out.entries
    } else {
        // The rules in catalog-common moved on: index what they say, with
        // the lowercased text standing in for the original.
        tracing::warn!(
            "catalog index: the original-case flattening disagrees with catalog-common's search entries; facets show lowercased values for this entity"
        );
        reference.into_iter().map(from_search_entry).collect()
    }
}

fn lower_of(entry: &IndexEntry) -> Option<String> {
    entry.value.as_ref().map(|(lower, _)| lower.clone())
}

fn from_search_entry(entry: SearchEntry) -> IndexEntry {
    IndexEntry {
        key: entry.key,
        value: entry.value.map(|v| (v.clone(), v)),
    }
}

#[derive(Default)]
struct Walker {
    entries: Vec<IndexEntry>,
    seen: HashSet<(String, Option<String>)>,
}

impl Walker {
    fn walk_root(&mut self, root: &Map<String, Value>) {
        for (key, value) in root {
            if matches!(key.as_str(), "relations" | "status" | "attachments") {
                continue;
            }
            self.visit(&key.to_lowercase(), value);
        }
        let has_namespace = root
            .get("metadata")
            .and_then(Value::as_object)
            .is_some_and(|meta| meta.contains_key("namespace"));
        if !has_namespace {
            self.push("metadata.namespace".to_owned(), Some("default".to_owned()));
        }
        if let Some(relations) = root.get("relations") {
            self.push("relations".to_owned(), None);
            for relation in relations
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
            {
                let kind = relation.get("type").and_then(Value::as_str);
                let target = relation.get("targetRef").and_then(Value::as_str);
                if let (Some(kind), Some(target)) = (kind, target) {
                    self.push(
                        format!("relations.{}", kind.to_lowercase()),
                        Some(target.to_owned()),
                    );
                }
            }
        }
    }

    fn visit(&mut self, path: &str, value: &Value) {
        match value {
            Value::Object(map) => {
                self.push(path.to_owned(), None);
                for (key, child) in map {
                    self.visit(&format!("{path}.{}", key.to_lowercase()), child);
                }
            }
            Value::Array(items) => {
                self.push(path.to_owned(), None);
                for item in items {
                    self.element(path, item);
                }
            }
            scalar => self.push(path.to_owned(), scalar_text(scalar)),
        }
    }

    fn element(&mut self, path: &str, item: &Value) {
        match item {
            Value::Array(_) => self.visit(path, item),
            Value::Object(map) => {
                for (key, child) in map {
                    self.visit(&format!("{path}.{}", key.to_lowercase()), child);
                }
            }
            Value::String(text) => {
                self.push(path.to_owned(), Some(text.clone()));
                self.push(
                    format!("{path}.{}", text.to_lowercase()),
                    Some("true".to_owned()),
                );
            }
            scalar => self.push(path.to_owned(), scalar_text(scalar)),
        }
    }

    /// Adds `key` = `original` under the search table's rules (long keys
    /// dropped, long values kept as "exists", duplicates by lowercased
    /// value removed).
    fn push(&mut self, key: String, original: Option<String>) {
        if key.chars().count() > MAX_SEARCH_KEY_LENGTH {
            return;
        }
        let value = original
            .map(|original| (original.to_lowercase(), original))
            .filter(|(lower, _)| lower.chars().count() <= MAX_SEARCH_VALUE_LENGTH);
        let lower = value.as_ref().map(|(lower, _)| lower.clone());
        if self.seen.insert((key.clone(), lower)) {
            self.entries.push(IndexEntry { key, value });
        }
    }
}

/// A scalar's text as the search entries write it (before lowercasing).
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        // Numbers and booleans: reuse catalog-common's rendering through a
        // one-entry document, so `7.0` reads `7` exactly as there.
        Value::Number(_) | Value::Bool(_) => {
            let doc = serde_json::json!({ "x": value });
            search_entries(&doc)
                .into_iter()
                .find(|e| e.key == "x")
                .and_then(|e| e.value)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_original_case_and_agrees_with_search_entries() {
        let entity = json!({
            "kind": "Component",
            "metadata": {"name": "Web", "tags": ["Java", "java", "Go"], "n": 7.0, "ok": true, "x": null},
            "relations": [{"type": "ownedBy", "targetRef": "group:default/Team-A"}],
            "status": {"items": []}
        });
        let entries = index_entries(&entity);
        let lowered: Vec<SearchEntry> = entries
            .iter()
            .map(|e| SearchEntry {
                key: e.key.clone(),
                value: lower_of(e),
            })
            .collect();
        assert_eq!(lowered, search_entries(&entity));
        let tag = entries
            .iter()
            .find(|e| e.key == "metadata.tags" && e.value.is_some())
            .and_then(|e| e.value.clone());
        assert_eq!(tag, Some(("java".to_owned(), "Java".to_owned())));
        let n = entries.iter().find(|e| e.key == "metadata.n");
        assert_eq!(
            n.and_then(|e| e.value.clone()),
            Some(("7".to_owned(), "7".to_owned()))
        );
    }
}
