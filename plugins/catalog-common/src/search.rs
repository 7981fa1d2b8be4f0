//! The searchable view of an entity: the (key, value) pairs that filters
//! and predicates are matched against.
//!
//! [`search_entries`] flattens an entity's JSON into entries. The rules are
//! those of Backstage's search table, plus entries for the objects and
//! arrays on the way (so `metadata.annotations` "exists" when the entity has
//! annotations, as the catalog API documentation promises):
//!
//! * keys are dot paths, **lowercased**: `metadata.annotations.backstage.io/orphan`;
//! * strings are lowercased; numbers and booleans become their JSON text
//!   (`7`, `true`; `7.0` is written `7`); `null` gives an entry without a
//!   value;
//! * an object or array gives an entry without a value for its own path,
//!   then entries for its contents;
//! * array elements are entries at the array's own path (`metadata.tags` =
//!   `java`), and a string element `x` also gives the key `<path>.x` with
//!   the value `true` (`metadata.tags.java` = `true`);
//! * `relations: [{type, targetRef}]` gives `relations.<type>` = the
//!   target ref (e.g. `relations.ownedby` = `group:default/team-a`);
//! * `status` and `attachments` are not searchable;
//! * `metadata.namespace` is `default` when the entity names none;
//! * keys longer than [`MAX_SEARCH_KEY_LENGTH`] characters are dropped;
//!   values longer than [`MAX_SEARCH_VALUE_LENGTH`] keep their key but lose
//!   their value (they still "exist", but no value matches them);
//! * duplicate entries are removed.
//!
//! A catalog backend that indexes entities for filtering should index
//! exactly these entries, so that its database queries and
//! [`EntityPredicate::matches`](crate::EntityPredicate::matches) agree.
//!
//! ```
//! use backstage_plugin_catalog_common::search::{SearchEntry, search_entries};
//! use serde_json::json;
//!
//! let entries = search_entries(&json!({
//!     "kind": "Component",
//!     "metadata": { "name": "Web", "tags": ["Java"] },
//! }));
//! assert!(entries.contains(&SearchEntry::new("kind", Some("component"))));
//! assert!(entries.contains(&SearchEntry::new("metadata.tags", Some("java"))));
//! assert!(entries.contains(&SearchEntry::new("metadata.tags.java", Some("true"))));
//! assert!(entries.contains(&SearchEntry::new("metadata.namespace", Some("default"))));
//! assert!(entries.contains(&SearchEntry::new("metadata", None)));
//! ```

use std::collections::HashSet;

use serde_json::{Map, Number, Value};

/// Keys longer than this (in characters) are not searchable.
pub const MAX_SEARCH_KEY_LENGTH: usize = 200;

/// Values longer than this (in characters) are searchable only by
/// existence.
pub const MAX_SEARCH_VALUE_LENGTH: usize = 200;

/// Root keys that are not searchable.
const SKIPPED_ROOT_KEYS: [&str; 3] = ["relations", "status", "attachments"];

/// One searchable (key, value) pair of an entity. Both are lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchEntry {
    /// The lowercased dot path, e.g. `spec.type`.
    pub key: String,
    /// The lowercased value as text, or `None` for `null`, objects, arrays
    /// and values longer than [`MAX_SEARCH_VALUE_LENGTH`].
    pub value: Option<String>,
}

impl SearchEntry {
    /// An entry; `key` and `value` are lowercased.
    pub fn new(key: &str, value: Option<&str>) -> Self {
        Self {
            key: key.to_lowercase(),
            value: value.map(str::to_lowercase),
        }
    }
}

/// One search entry that also keeps its value as the entity wrote it: what
/// an index needs to show values (facets) in their original case while
/// matching them lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CasedSearchEntry {
    /// The lowercased dot path, e.g. `spec.type`.
    pub key: String,
    /// `(lowercased, as written)`, or `None` where [`SearchEntry::value`]
    /// is `None`.
    pub value: Option<(String, String)>,
}

/// The search entries of an entity given as JSON (see the module
/// documentation for the rules). Anything that is not an object gives no
/// entries.
pub fn search_entries(entity: &Value) -> Vec<SearchEntry> {
    cased_search_entries(entity)
        .into_iter()
        .map(|entry| SearchEntry {
            key: entry.key,
            value: entry.value.map(|(lower, _)| lower),
        })
        .collect()
}

/// Exactly the entries of [`search_entries`], in the same order, each value
/// paired with its text as the entity wrote it. Where two values under one
/// key differ only in case, the first one's casing is kept (the entries
/// hold only one of them).
///
/// ```
/// use backstage_plugin_catalog_common::search::cased_search_entries;
/// use serde_json::json;
///
/// let entries = cased_search_entries(&json!({"metadata": {"tags": ["Java"]}}));
/// let tag = entries.iter().find(|e| e.key == "metadata.tags" && e.value.is_some());
/// assert_eq!(tag.unwrap().value, Some(("java".to_owned(), "Java".to_owned())));
/// ```
pub fn cased_search_entries(entity: &Value) -> Vec<CasedSearchEntry> {
    let mut out = Collector::default();
    let Some(root) = entity.as_object() else {
        return out.entries;
    };
    for (key, value) in root {
        if SKIPPED_ROOT_KEYS.contains(&key.as_str()) {
            continue;
        }
        out.visit(&key.to_lowercase(), value);
    }
    let has_namespace = root
        .get("metadata")
        .and_then(Value::as_object)
        .is_some_and(|meta| meta.contains_key("namespace"));
    if !has_namespace {
        out.push("metadata.namespace".to_owned(), Some("default".to_owned()));
    }
    if let Some(relations) = root.get("relations") {
        out.push("relations".to_owned(), None);
        if let Some(relations) = relations.as_array() {
            for relation in relations.iter().filter_map(Value::as_object) {
                out.relation(relation);
            }
        }
    }
    out.entries
}

#[derive(Default)]
struct Collector {
    entries: Vec<CasedSearchEntry>,
    seen: HashSet<(String, Option<String>)>,
}

impl Collector {
    fn visit(&mut self, path: &str, value: &Value) {
        match value {
            Value::Object(map) => {
                self.push(path.to_owned(), None);
                for (key, child) in map {
                    self.visit(&child_path(path, key), child);
                }
            }
            Value::Array(items) => {
                self.push(path.to_owned(), None);
                for item in items {
                    self.visit_element(path, item);
                }
            }
            scalar => self.push(path.to_owned(), scalar_text(scalar)),
        }
    }

    /// An array element: visited at the array's own path; a string also
    /// gives `<path>.<string>` = `true`.
    fn visit_element(&mut self, path: &str, item: &Value) {
        match item {
            Value::Array(_) => self.visit(path, item),
            Value::Object(map) => {
                for (key, child) in map {
                    self.visit(&child_path(path, key), child);
                }
            }
            Value::String(text) => {
                self.push(path.to_owned(), Some(text.clone()));
                self.push(child_path(path, text), Some("true".to_owned()));
            }
            scalar => self.push(path.to_owned(), scalar_text(scalar)),
        }
    }

    fn relation(&mut self, relation: &Map<String, Value>) {
        let kind = relation.get("type").and_then(Value::as_str);
        let target = relation.get("targetRef").and_then(Value::as_str);
        if let (Some(kind), Some(target)) = (kind, target) {
            self.push(child_path("relations", kind), Some(target.to_owned()));
        }
    }

    /// Adds `key` = `original` under the rules: long keys are dropped,
    /// long values keep only their key, and an entry whose key and
    /// lowercased value were seen already is left out.
    fn push(&mut self, key: String, original: Option<String>) {
        if key.chars().count() > MAX_SEARCH_KEY_LENGTH {
            return;
        }
        let value = original
            .map(|original| (original.to_lowercase(), original))
            .filter(|(lower, _)| lower.chars().count() <= MAX_SEARCH_VALUE_LENGTH);
        let lower = value.as_ref().map(|(lower, _)| lower.clone());
        if self.seen.insert((key.clone(), lower)) {
            self.entries.push(CasedSearchEntry { key, value });
        }
    }
}

/// `path.key`, the key lowercased.
fn child_path(path: &str, key: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1 + key.len());
    out.push_str(path);
    out.push('.');
    out.push_str(&key.to_lowercase());
    out
}

/// The text of a scalar as written (strings keep their case); `None` for
/// `null`.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(number_text(n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A number as text, the way JavaScript prints it for the common cases:
/// a float with an integral value loses its `.0` (`1.0` is `1`), so the
/// JSON `1` and `1.0` compare equal.
pub(crate) fn number_text(number: &Number) -> String {
    /// Integers up to 2^53 are exact in an f64.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match number.as_f64() {
        Some(f) if number.is_f64() && f.fract() == 0.0 && f.abs() <= EXACT => {
            format!("{f:.0}")
        }
        _ => number.to_string(),
    }
}
