//! Deep merge of configuration trees.

use indexmap::IndexMap;
use serde_json::Value;

/// Merges `over` into `base`: objects merge key by key (recursively), any
/// other value in `over` — scalar, array or `null` — replaces what `base` had.
///
/// This is how a later config source overrides an earlier one.
///
/// ```
/// use backstage_core::config::merge;
/// use serde_json::json;
///
/// let merged = merge(
///     json!({"backend": {"baseUrl": "http://a", "cors": {"origin": ["x", "y"]}}}),
///     json!({"backend": {"baseUrl": "http://b", "cors": {"origin": ["z"]}}}),
/// );
/// assert_eq!(merged, json!({"backend": {"baseUrl": "http://b", "cors": {"origin": ["z"]}}}));
/// ```
pub fn merge(base: Value, over: Value) -> Value {
    ConfigLayer::from(base)
        .merge(ConfigLayer::from(over))
        .into_value()
}

/// A config source (or the merge of several) in a form whose merge is
/// associative.
///
/// Merging plain JSON trees with "objects merge, anything else replaces" is
/// not associative on its own: with sources `A = {x: {a: 1}}`, `B = {x: 5}`,
/// `C = {x: {b: 2}}`, folding left gives `{x: {b: 2}}` (B wiped `x.a`), while
/// merging `B` and `C` first would lose the fact that `B` wiped anything. A
/// layer remembers it: an object that lands on a non-object is marked as
/// *replacing* whatever lies below it. So sources can be combined in any
/// grouping — pre-merged environment files, included fragments, overrides —
/// and give the same result as reading them one after the other.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigLayer {
    /// A scalar, array or `null`: replaces whatever is below.
    Value(Value),
    /// An object whose keys merge into what is below; when `replaces` is set,
    /// it first discards what is below.
    Object {
        /// The keys of the object, in the order they were written.
        entries: IndexMap<String, ConfigLayer>,
        /// Whether this object discards what is below it.
        replaces: bool,
    },
}

impl From<Value> for ConfigLayer {
    fn from(value: Value) -> Self {
        match value {
            Value::Object(map) => ConfigLayer::Object {
                entries: map
                    .into_iter()
                    .map(|(k, v)| (k, ConfigLayer::from(v)))
                    .collect(),
                replaces: false,
            },
            other => ConfigLayer::Value(other),
        }
    }
}

impl ConfigLayer {
    /// This layer with `over` applied on top of it.
    pub fn merge(self, over: ConfigLayer) -> ConfigLayer {
        match (self, over) {
            (_, over @ ConfigLayer::Value(_)) => over,
            (_, over @ ConfigLayer::Object { replaces: true, .. }) => over,
            (ConfigLayer::Value(_), ConfigLayer::Object { entries, .. }) => ConfigLayer::Object {
                entries,
                replaces: true,
            },
            (
                ConfigLayer::Object {
                    entries: mut base,
                    replaces,
                },
                ConfigLayer::Object { entries: over, .. },
            ) => {
                for (key, value) in over {
                    match base.get_mut(&key) {
                        Some(existing) => {
                            let previous =
                                std::mem::replace(existing, ConfigLayer::Value(Value::Null));
                            *existing = previous.merge(value);
                        }
                        None => {
                            base.insert(key, value);
                        }
                    }
                }
                ConfigLayer::Object {
                    entries: base,
                    replaces,
                }
            }
        }
    }

    /// The merged tree as plain JSON.
    pub fn into_value(self) -> Value {
        match self {
            ConfigLayer::Value(v) => v,
            ConfigLayer::Object { entries, .. } => Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, v.into_value()))
                    .collect(),
            ),
        }
    }
}
