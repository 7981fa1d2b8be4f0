//! Evaluating a predicate against an entity, in memory.

use serde_json::Value;

use super::{ElementCondition, EntityPredicate, FieldCondition, Primitive};
use crate::search::{SearchEntry, search_entries};

impl EntityPredicate {
    /// Whether `entity` (its JSON form) matches, with the semantics of the
    /// [module documentation](super): case-insensitive keys and values,
    /// arrays matching by any element, `relations.<type>`, string elements
    /// as keys, and `metadata.namespace` defaulting to `default`.
    ///
    /// ```
    /// use backstage_plugin_catalog_common::EntityPredicate;
    /// use serde_json::json;
    ///
    /// let entity = json!({"kind": "User", "metadata": {"name": "jo", "tags": ["ops"]}});
    /// assert!(EntityPredicate::eq("KIND", "user").matches(&entity));
    /// assert!(EntityPredicate::eq("metadata.namespace", "default").matches(&entity));
    /// assert!(EntityPredicate::exists("metadata.tags.ops").matches(&entity));
    /// assert!(!EntityPredicate::not(EntityPredicate::eq("metadata.tags", "OPS")).matches(&entity));
    /// ```
    pub fn matches(&self, entity: &Value) -> bool {
        self.matches_entries(&search_entries(entity))
    }

    /// Whether an entity with these [search entries](crate::search)
    /// matches. Use it to test many predicates against one entity without
    /// flattening it each time.
    pub fn matches_entries(&self, entries: &[SearchEntry]) -> bool {
        match self {
            EntityPredicate::All(items) => {
                !items.is_empty() && items.iter().all(|p| p.matches_entries(entries))
            }
            EntityPredicate::Any(items) => items.iter().any(|p| p.matches_entries(entries)),
            EntityPredicate::Not(inner) => !inner.matches_entries(entries),
            EntityPredicate::Fields(fields) => fields.iter().all(|field| {
                let key = field.path.to_lowercase();
                let mut values = entries
                    .iter()
                    .filter(|e| e.key == key)
                    .map(|e| e.value.as_deref());
                match &field.condition {
                    FieldCondition::Exists(wanted) => values.next().is_some() == *wanted,
                    FieldCondition::Equals(p) => any_value(ValueTest::Equals(p), values),
                    FieldCondition::In(list) => any_value(ValueTest::In(list), values),
                    FieldCondition::HasPrefix(prefix) => {
                        any_value(ValueTest::HasPrefix(prefix), values)
                    }
                    FieldCondition::Contains(inner) => any_value(ValueTest::from(inner), values),
                }
            }),
        }
    }
}

/// A test on one value, borrowed from a condition.
enum ValueTest<'a> {
    Equals(&'a Primitive),
    In(&'a [Primitive]),
    HasPrefix(&'a str),
}

impl<'a> From<&'a ElementCondition> for ValueTest<'a> {
    fn from(condition: &'a ElementCondition) -> Self {
        match condition {
            ElementCondition::Equals(p) => ValueTest::Equals(p),
            ElementCondition::In(list) => ValueTest::In(list),
            ElementCondition::HasPrefix(prefix) => ValueTest::HasPrefix(prefix),
        }
    }
}

/// Whether any of `values` (lowercased; `None` never matches) passes
/// `test`.
fn any_value<'a>(test: ValueTest<'_>, mut values: impl Iterator<Item = Option<&'a str>>) -> bool {
    match test {
        ValueTest::Equals(p) => {
            let wanted = p.match_text();
            values.any(|v| v == Some(wanted.as_str()))
        }
        ValueTest::In(list) => {
            let wanted: Vec<String> = list.iter().map(Primitive::match_text).collect();
            values.any(|v| v.is_some_and(|v| wanted.iter().any(|w| w == v)))
        }
        ValueTest::HasPrefix(prefix) => {
            let prefix = prefix.to_lowercase();
            values.any(|v| v.is_some_and(|v| v.starts_with(&prefix)))
        }
    }
}
