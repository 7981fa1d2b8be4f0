//! The catalog's predicate query language: the `query` of
//! `POST /entities/by-query`, `POST /entities/by-refs` and
//! `POST /entity-facets`.
//!
//! # The language
//!
//! A predicate is a JSON object of one of these forms:
//!
//! | JSON | meaning |
//! |---|---|
//! | `{"$all": [p, ...]}` | every `p` matches (an empty list matches **nothing**) |
//! | `{"$any": [p, ...]}` | at least one `p` matches (an empty list matches nothing) |
//! | `{"$not": p}` | `p` does not match |
//! | `{"<path>": <condition>, ...}` | every condition matches (`{}` matches everything) |
//!
//! `$all`, `$any` and `$not` stand alone: an object with one of them has no
//! other key. A `<path>` is a dot path into the entity (`kind`, `spec.type`,
//! `metadata.annotations.backstage.io/orphan`, `relations.ownedBy`) and never
//! starts with `$`. A `<condition>` is one of:
//!
//! | condition | matches when the path has |
//! |---|---|
//! | `"text"`, `7`, `true` | a value equal to it |
//! | `{"$exists": true}` / `{"$exists": false}` | any entry / no entry |
//! | `{"$in": [v, ...]}` | a value equal to one of the `v` (an empty list matches nothing) |
//! | `{"$hasPrefix": "text"}` | a value starting with `text` |
//! | `{"$contains": c}` | a value matching `c`, which is a value, `{"$in": [...]}` or `{"$hasPrefix": ...}` |
//!
//! # Matching
//!
//! Matching works on the entity's [search entries](crate::search): every
//! key and value is compared **case-insensitively**; numbers and booleans
//! compare as their JSON text (`7` equals `"7"`); a path "has" every value
//! listed under it, so an array of strings matches when any element does
//! (`{"metadata.tags": "java"}`), a string element `x` of an array at `p`
//! also makes `p.x` exist with the value `true` (`{"metadata.tags.java":
//! true}`), `relations.<type>` has the target refs of the entity's
//! relations of that type, and `metadata.namespace` is `default` when the
//! entity names none. `$contains` is the explicit spelling for array
//! fields and relations; since a path already has every element of its
//! array, it matches exactly like its inner condition would. `status` is
//! not searchable.
//!
//! [`EntityPredicate::matches`] evaluates a predicate in memory; a catalog
//! backend that translates predicates into database queries must agree
//! with it.
//!
//! ```
//! use backstage_plugin_catalog_common::EntityPredicate;
//! use serde_json::json;
//!
//! let query: EntityPredicate = serde_json::from_value(json!({
//!     "$all": [
//!         { "kind": "component", "spec.type": { "$in": ["service", "website"] } },
//!         { "$not": { "metadata.tags": { "$contains": "deprecated" } } },
//!         { "relations.ownedBy": "group:default/team-a" }
//!     ]
//! }))?;
//!
//! let entity = json!({
//!     "apiVersion": "backstage.io/v1alpha1",
//!     "kind": "Component",
//!     "metadata": { "name": "web", "tags": ["Java"] },
//!     "spec": { "type": "Website", "owner": "team-a" },
//!     "relations": [{ "type": "ownedBy", "targetRef": "group:default/team-a" }]
//! });
//! assert!(query.matches(&entity));
//! # Ok::<(), serde_json::Error>(())
//! ```

mod matches;
mod parse;
mod serialize;

use serde_json::Number;

pub use parse::PredicateError;

/// A predicate over entities (see the [module documentation](self)).
#[derive(Debug, Clone, PartialEq)]
pub enum EntityPredicate {
    /// `{"$all": [...]}`: every predicate matches; an empty list matches
    /// nothing, as in Backstage's catalog.
    All(Vec<EntityPredicate>),
    /// `{"$any": [...]}`: at least one predicate matches; an empty list
    /// matches nothing.
    Any(Vec<EntityPredicate>),
    /// `{"$not": ...}`: the predicate does not match.
    Not(Box<EntityPredicate>),
    /// `{"<path>": <condition>, ...}`: every field condition matches; no
    /// conditions match everything.
    Fields(Vec<FieldPredicate>),
}

/// One `"<path>": <condition>` pair of a field expression.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldPredicate {
    /// The dot path, as written (matching lowercases it).
    pub path: String,
    /// What the values at `path` must satisfy.
    pub condition: FieldCondition,
}

/// The condition on a path's values.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldCondition {
    /// A bare value: some value at the path equals it.
    Equals(Primitive),
    /// `{"$exists": bool}`: the path exists (`true`) or not (`false`).
    Exists(bool),
    /// `{"$in": [...]}`: some value at the path equals one of these.
    In(Vec<Primitive>),
    /// `{"$hasPrefix": "..."}`: some value at the path starts with this.
    HasPrefix(String),
    /// `{"$contains": ...}`: some element of the array (or relation targets)
    /// at the path matches.
    Contains(ElementCondition),
}

/// The operand of `$contains`.
#[derive(Debug, Clone, PartialEq)]
pub enum ElementCondition {
    /// An element equals this value.
    Equals(Primitive),
    /// `{"$in": [...]}`: an element equals one of these.
    In(Vec<Primitive>),
    /// `{"$hasPrefix": "..."}`: an element starts with this.
    HasPrefix(String),
}

/// A value a predicate compares with: a string, number or boolean.
#[derive(Debug, Clone, PartialEq)]
pub enum Primitive {
    /// A string.
    String(String),
    /// A number, compared as its JSON text (`7.0` as `7`).
    Number(Number),
    /// A boolean, compared as `true` / `false`.
    Bool(bool),
}

impl Primitive {
    /// The lowercased text this value is compared as.
    pub fn match_text(&self) -> String {
        match self {
            Primitive::String(s) => s.to_lowercase(),
            Primitive::Number(n) => crate::search::number_text(n),
            Primitive::Bool(b) => b.to_string(),
        }
    }
}

impl From<&str> for Primitive {
    fn from(value: &str) -> Self {
        Primitive::String(value.to_owned())
    }
}

impl From<String> for Primitive {
    fn from(value: String) -> Self {
        Primitive::String(value)
    }
}

impl From<bool> for Primitive {
    fn from(value: bool) -> Self {
        Primitive::Bool(value)
    }
}

impl From<i64> for Primitive {
    fn from(value: i64) -> Self {
        Primitive::Number(value.into())
    }
}

impl From<u64> for Primitive {
    fn from(value: u64) -> Self {
        Primitive::Number(value.into())
    }
}

impl EntityPredicate {
    /// `{"$all": predicates}`.
    pub fn all(predicates: impl IntoIterator<Item = EntityPredicate>) -> Self {
        EntityPredicate::All(predicates.into_iter().collect())
    }

    /// `{"$any": predicates}`.
    pub fn any(predicates: impl IntoIterator<Item = EntityPredicate>) -> Self {
        EntityPredicate::Any(predicates.into_iter().collect())
    }

    /// `{"$not": predicate}`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(predicate: EntityPredicate) -> Self {
        EntityPredicate::Not(Box::new(predicate))
    }

    /// `{path: condition}`.
    pub fn field(path: impl Into<String>, condition: FieldCondition) -> Self {
        EntityPredicate::Fields(vec![FieldPredicate {
            path: path.into(),
            condition,
        }])
    }

    /// `{path: value}`: some value at `path` equals `value`.
    pub fn eq(path: impl Into<String>, value: impl Into<Primitive>) -> Self {
        Self::field(path, FieldCondition::Equals(value.into()))
    }

    /// `{path: {"$exists": true}}`.
    pub fn exists(path: impl Into<String>) -> Self {
        Self::field(path, FieldCondition::Exists(true))
    }

    /// `{path: {"$in": values}}`.
    pub fn is_in<V: Into<Primitive>>(
        path: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Self::field(
            path,
            FieldCondition::In(values.into_iter().map(Into::into).collect()),
        )
    }

    /// `{path: {"$hasPrefix": prefix}}`.
    pub fn has_prefix(path: impl Into<String>, prefix: impl Into<String>) -> Self {
        Self::field(path, FieldCondition::HasPrefix(prefix.into()))
    }

    /// `{path: {"$contains": value}}`.
    pub fn contains(path: impl Into<String>, value: impl Into<Primitive>) -> Self {
        Self::field(
            path,
            FieldCondition::Contains(ElementCondition::Equals(value.into())),
        )
    }

    /// Both `self` and `other`: `{"$all": [self, other]}`, flattening an
    /// existing non-empty `$all` on the left.
    pub fn and(self, other: EntityPredicate) -> Self {
        match self {
            EntityPredicate::All(mut items) if !items.is_empty() => {
                items.push(other);
                EntityPredicate::All(items)
            }
            left => EntityPredicate::All(vec![left, other]),
        }
    }
}
