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

/// The search entries of an entity given as JSON (see the module
/// documentation for the rules). Anything that is not an object gives no
/// entries.
pub fn search_entries(entity: &Value) -> Vec<SearchEntry> {
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
    entries: Vec<SearchEntry>,
    seen: HashSet<(String, Option<String>)>,
}

impl Collector {
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
                    self.visit(&format!("{path}.{}", key.to_lowercase()), child);
                }
            }
            Value::String(text) => {
                self.push(path.to_owned(), Some(text.to_lowercase()));
                self.push(
                    format!("{path}.{}", text.to_lowercase()),
                    Some("true".to_owned()),
                );
            }
            scalar => self.push(path.to_owned(), scalar_text(scalar)),
        }
    }

    fn relation(&mut self, relation: &Map<String, Value>) {
        let kind = relation.get("type").and_then(Value::as_str);
        let target = relation.get("targetRef").and_then(Value::as_str);
        if let (Some(kind), Some(target)) = (kind, target) {
            self.push(
                format!("relations.{}", kind.to_lowercase()),
                Some(target.to_lowercase()),
            );
        }
    }

    fn push(&mut self, key: String, value: Option<String>) {
        if key.chars().count() > MAX_SEARCH_KEY_LENGTH {
            return;
        }
        let value = value.filter(|v| v.chars().count() <= MAX_SEARCH_VALUE_LENGTH);
        if self.seen.insert((key.clone(), value.clone())) {
            self.entries.push(SearchEntry { key, value });
        }
    }
}

/// The lowercased text of a scalar; `None` for `null`.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.to_lowercase()),
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
