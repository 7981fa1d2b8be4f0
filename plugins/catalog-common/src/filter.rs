//! The `filter` query parameter of `GET /entities`, `GET
//! /entities/by-query`, `GET /entity-facets` and `POST /entities/by-refs`.
//!
//! * each `filter=` value is one **set**; sets are ORed;
//! * within a set, comma-separated statements are ANDed;
//! * `key=value` is equality, `key=` equality with the empty string, and a
//!   bare `key` means the key exists;
//! * the same key twice in one set means "any of these values";
//! * whitespace around statements, keys and values is ignored, and so are
//!   empty statements and empty sets.
//!
//! Keys and values match like [predicates](crate::predicate) do:
//! case-insensitively, arrays by any element, `relations.<type>`, tags as
//! keys. [`EntityFilter::to_predicate`] gives the equivalent predicate.
//!
//! ```
//! use backstage_plugin_catalog_common::{EntityFilter, EntityPredicate};
//!
//! let filter = EntityFilter::parse(["kind=user,metadata.namespace=default", "kind=group,spec.type"])?
//!     .expect("two sets");
//! assert_eq!(filter.sets.len(), 2);
//! assert_eq!(
//!     filter.to_predicate(),
//!     EntityPredicate::any([
//!         EntityPredicate::all([
//!             EntityPredicate::eq("kind", "user"),
//!             EntityPredicate::eq("metadata.namespace", "default"),
//!         ]),
//!         EntityPredicate::all([
//!             EntityPredicate::eq("kind", "group"),
//!             EntityPredicate::exists("spec.type"),
//!         ]),
//!     ])
//! );
//! assert_eq!(filter.to_query_values()?, ["kind=user,metadata.namespace=default", "kind=group,spec.type"]);
//! # Ok::<(), backstage_plugin_catalog_common::FilterError>(())
//! ```

use thiserror::Error;

use crate::predicate::{EntityPredicate, FieldCondition, Primitive};

/// A parsed `filter`: one or more sets, ORed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntityFilter {
    /// The sets; an entity matches when any set matches.
    pub sets: Vec<FilterSet>,
}

/// One `filter=` value: conditions that must all hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilterSet {
    /// The conditions, one per distinct key, in order of first appearance.
    pub conditions: Vec<FilterCondition>,
}

/// A condition on one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterCondition {
    /// The dot path, as written.
    pub key: String,
    /// What the key's values must satisfy.
    pub matcher: FilterMatch,
}

/// What a key must satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterMatch {
    /// A bare `key`: the key exists.
    Exists,
    /// `key=value` (repeated: any of the values). When a key is given both
    /// bare and with values, the values win (they imply existence).
    AnyOf(Vec<String>),
}

/// A `filter` that could not be parsed or written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FilterError {
    /// A statement without a key, such as `=user`.
    #[error(
        "invalid filter {filter:?}: the statement {statement:?} has no key; write key=value, key= or key (e.g. kind=component)"
    )]
    EmptyKey {
        /// The whole `filter=` value.
        filter: String,
        /// The offending statement.
        statement: String,
    },
    /// A key or value that the comma/equals syntax cannot carry.
    #[error(
        "the filter condition on {key:?} cannot be written as a filter parameter: {reason}; use a predicate query (POST) instead"
    )]
    NotRepresentable {
        /// The key of the condition.
        key: String,
        /// Why.
        reason: String,
    },
}

impl EntityFilter {
    /// Parses the values of every `filter` query parameter, in order. Gives
    /// `None` when there is no non-empty set (no filtering).
    pub fn parse<I, S>(values: I) -> Result<Option<Self>, FilterError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut sets = Vec::new();
        for value in values {
            if let Some(set) = FilterSet::parse(value.as_ref())? {
                sets.push(set);
            }
        }
        Ok((!sets.is_empty()).then_some(EntityFilter { sets }))
    }

    /// A filter of one set.
    pub fn new(set: FilterSet) -> Self {
        EntityFilter { sets: vec![set] }
    }

    /// This filter with one more set, ORed with the others.
    pub fn or(mut self, set: FilterSet) -> Self {
        self.sets.push(set);
        self
    }

    /// The equivalent predicate: one set is an `$all` of its conditions
    /// (or the condition itself when it is alone), several sets are an
    /// `$any`. A filter without sets gives `{}`, which matches everything.
    pub fn to_predicate(&self) -> EntityPredicate {
        let mut sets: Vec<EntityPredicate> =
            self.sets.iter().map(FilterSet::to_predicate).collect();
        match sets.len() {
            0 => EntityPredicate::Fields(Vec::new()),
            1 => sets.remove(0),
            _ => EntityPredicate::Any(sets),
        }
    }

    /// Whether `entity` matches (see [`EntityPredicate::matches`]).
    pub fn matches(&self, entity: &serde_json::Value) -> bool {
        self.sets.is_empty() || self.to_predicate().matches(entity)
    }

    /// One `filter=` value per set, e.g. `kind=user,spec.type`. Fails when
    /// a key or value holds a character the syntax cannot carry (`,` in
    /// either, `=` in a key) or a key is empty.
    pub fn to_query_values(&self) -> Result<Vec<String>, FilterError> {
        self.sets.iter().map(FilterSet::to_query_value).collect()
    }
}

impl FilterSet {
    /// Parses one `filter=` value. Gives `None` when it has no statements.
    pub fn parse(filter: &str) -> Result<Option<Self>, FilterError> {
        let mut set = FilterSet::default();
        for statement in filter.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, value) = match statement.split_once('=') {
                Some((key, value)) => (key.trim(), Some(value.trim())),
                None => (statement, None),
            };
            if key.is_empty() {
                return Err(FilterError::EmptyKey {
                    filter: filter.to_owned(),
                    statement: statement.to_owned(),
                });
            }
            match value {
                Some(value) => set.add_value(key, value),
                None => set.add_exists(key),
            }
        }
        Ok((!set.conditions.is_empty()).then_some(set))
    }

    /// An empty set (matches everything until conditions are added).
    pub fn new() -> Self {
        Self::default()
    }

    /// This set with `key=value` added (a second value for the same key
    /// means "any of").
    pub fn eq(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.add_value(&key.into(), &value.into());
        self
    }

    /// This set with a bare `key` (exists) added.
    pub fn exists(mut self, key: impl Into<String>) -> Self {
        self.add_exists(&key.into());
        self
    }

    fn condition_mut(&mut self, key: &str, matcher: FilterMatch) -> &mut FilterMatch {
        let index = match self.conditions.iter().position(|c| c.key == key) {
            Some(index) => index,
            None => {
                self.conditions.push(FilterCondition {
                    key: key.to_owned(),
                    matcher,
                });
                self.conditions.len() - 1
            }
        };
        &mut self.conditions[index].matcher
    }

    fn add_value(&mut self, key: &str, value: &str) {
        let matcher = self.condition_mut(key, FilterMatch::AnyOf(Vec::new()));
        match matcher {
            FilterMatch::AnyOf(values) => values.push(value.to_owned()),
            FilterMatch::Exists => *matcher = FilterMatch::AnyOf(vec![value.to_owned()]),
        }
    }

    fn add_exists(&mut self, key: &str) {
        self.condition_mut(key, FilterMatch::Exists);
    }

    /// The equivalent predicate: the `$all` of its conditions, or the
    /// condition itself when it is alone.
    pub fn to_predicate(&self) -> EntityPredicate {
        let mut conditions: Vec<EntityPredicate> = self
            .conditions
            .iter()
            .map(FilterCondition::to_predicate)
            .collect();
        match conditions.len() {
            0 => EntityPredicate::Fields(Vec::new()),
            1 => conditions.remove(0),
            _ => EntityPredicate::All(conditions),
        }
    }

    /// This set as one `filter=` value.
    pub fn to_query_value(&self) -> Result<String, FilterError> {
        let mut statements = Vec::new();
        for condition in &self.conditions {
            condition.check_representable()?;
            match &condition.matcher {
                FilterMatch::Exists => statements.push(condition.key.clone()),
                FilterMatch::AnyOf(values) => {
                    statements.extend(values.iter().map(|v| format!("{}={v}", condition.key)));
                }
            }
        }
        Ok(statements.join(","))
    }
}

impl FilterCondition {
    /// `{key: value}`, `{key: {"$in": [...]}}` or `{key: {"$exists": true}}`.
    pub fn to_predicate(&self) -> EntityPredicate {
        let condition = match &self.matcher {
            FilterMatch::Exists => FieldCondition::Exists(true),
            FilterMatch::AnyOf(values) => match values.as_slice() {
                [one] => FieldCondition::Equals(Primitive::String(one.clone())),
                many => FieldCondition::In(many.iter().cloned().map(Primitive::String).collect()),
            },
        };
        EntityPredicate::field(self.key.clone(), condition)
    }

    fn check_representable(&self) -> Result<(), FilterError> {
        let fail = |reason: &str| {
            Err(FilterError::NotRepresentable {
                key: self.key.clone(),
                reason: reason.to_owned(),
            })
        };
        if self.key.trim().is_empty() {
            return fail("the key is empty");
        }
        if self.key.contains([',', '=']) {
            return fail("the key contains ',' or '='");
        }
        if self.key.trim() != self.key {
            return fail("the key has surrounding whitespace, which the server trims");
        }
        if let FilterMatch::AnyOf(values) = &self.matcher {
            if values.iter().any(|v| v.contains(',')) {
                return fail("a value contains ','");
            }
            if values.iter().any(|v| v.trim() != v) {
                return fail("a value has surrounding whitespace, which the server trims");
            }
        }
        Ok(())
    }
}
