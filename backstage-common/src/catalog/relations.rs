//! Relation types and the relations an entity's spec implies.
//!
//! Every spec field that names another entity (`owner`, `system`,
//! `providesApis`, ...) implies a relation from the entity to the target and
//! the inverse relation back. A target written without a kind gets the
//! field's default kind (`owner` → Group, `providesApis` → API, ...), and
//! without a namespace gets the *source entity's* namespace.
//!
//! ```
//! use backstage_common::catalog::{spec_relations, Entity, RelationType};
//! use serde_json::json;
//!
//! let entity = Entity::from_value(json!({
//!     "apiVersion": "backstage.io/v1alpha1",
//!     "kind": "Component",
//!     "metadata": { "name": "artist-web", "namespace": "music" },
//!     "spec": { "type": "website", "lifecycle": "production", "owner": "team-a",
//!               "system": "default/portal" }
//! }))?;
//! let relations = spec_relations(&entity)?;
//! assert_eq!(relations[0].to_string(), "component:music/artist-web ownedBy group:music/team-a");
//! assert_eq!(relations[0].reverse().relation, RelationType::OwnerOf);
//! assert_eq!(relations[1].target.to_string(), "system:default/portal");
//! # Ok::<(), backstage_common::catalog::EntityValidationError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::entity::{Entity, EntityRelation};
use super::entity_ref::{EntityRef, RefContext};
use super::kinds::BuiltinKind;
use super::validation::problem::{entity_label, index_path};
use super::validation::{EntityValidationError, Rule, ValidationProblem};

/// The built-in relation types. Each has an inverse; the catalog stores both
/// directions. Other relation type strings are allowed on
/// [`EntityRelation`]s but have no known inverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RelationType {
    /// `ownedBy`: the source is owned by the target.
    #[serde(rename = "ownedBy")]
    OwnedBy,
    /// `ownerOf`: the source owns the target.
    #[serde(rename = "ownerOf")]
    OwnerOf,
    /// `consumesApi`: the source consumes the target API.
    #[serde(rename = "consumesApi")]
    ConsumesApi,
    /// `apiConsumedBy`: the source API is consumed by the target.
    #[serde(rename = "apiConsumedBy")]
    ApiConsumedBy,
    /// `providesApi`: the source provides the target API.
    #[serde(rename = "providesApi")]
    ProvidesApi,
    /// `apiProvidedBy`: the source API is provided by the target.
    #[serde(rename = "apiProvidedBy")]
    ApiProvidedBy,
    /// `dependsOn`: the source depends on the target.
    #[serde(rename = "dependsOn")]
    DependsOn,
    /// `dependencyOf`: the target depends on the source.
    #[serde(rename = "dependencyOf")]
    DependencyOf,
    /// `parentOf`: the source group is the parent of the target.
    #[serde(rename = "parentOf")]
    ParentOf,
    /// `childOf`: the source group is a child of the target.
    #[serde(rename = "childOf")]
    ChildOf,
    /// `memberOf`: the source user is a member of the target group.
    #[serde(rename = "memberOf")]
    MemberOf,
    /// `hasMember`: the source group has the target as member.
    #[serde(rename = "hasMember")]
    HasMember,
    /// `partOf`: the source is part of the target.
    #[serde(rename = "partOf")]
    PartOf,
    /// `hasPart`: the target is part of the source.
    #[serde(rename = "hasPart")]
    HasPart,
}

impl RelationType {
    /// All built-in relation types.
    pub const ALL: [RelationType; 14] = [
        RelationType::OwnedBy,
        RelationType::OwnerOf,
        RelationType::ConsumesApi,
        RelationType::ApiConsumedBy,
        RelationType::ProvidesApi,
        RelationType::ApiProvidedBy,
        RelationType::DependsOn,
        RelationType::DependencyOf,
        RelationType::ParentOf,
        RelationType::ChildOf,
        RelationType::MemberOf,
        RelationType::HasMember,
        RelationType::PartOf,
        RelationType::HasPart,
    ];

    /// The wire name, e.g. `ownedBy`.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationType::OwnedBy => "ownedBy",
            RelationType::OwnerOf => "ownerOf",
            RelationType::ConsumesApi => "consumesApi",
            RelationType::ApiConsumedBy => "apiConsumedBy",
            RelationType::ProvidesApi => "providesApi",
            RelationType::ApiProvidedBy => "apiProvidedBy",
            RelationType::DependsOn => "dependsOn",
            RelationType::DependencyOf => "dependencyOf",
            RelationType::ParentOf => "parentOf",
            RelationType::ChildOf => "childOf",
            RelationType::MemberOf => "memberOf",
            RelationType::HasMember => "hasMember",
            RelationType::PartOf => "partOf",
            RelationType::HasPart => "hasPart",
        }
    }

    /// The relation seen from the other end: `ownedBy` ↔ `ownerOf`, ...
    pub fn inverse(self) -> Self {
        match self {
            RelationType::OwnedBy => RelationType::OwnerOf,
            RelationType::OwnerOf => RelationType::OwnedBy,
            RelationType::ConsumesApi => RelationType::ApiConsumedBy,
            RelationType::ApiConsumedBy => RelationType::ConsumesApi,
            RelationType::ProvidesApi => RelationType::ApiProvidedBy,
            RelationType::ApiProvidedBy => RelationType::ProvidesApi,
            RelationType::DependsOn => RelationType::DependencyOf,
            RelationType::DependencyOf => RelationType::DependsOn,
            RelationType::ParentOf => RelationType::ChildOf,
            RelationType::ChildOf => RelationType::ParentOf,
            RelationType::MemberOf => RelationType::HasMember,
            RelationType::HasMember => RelationType::MemberOf,
            RelationType::PartOf => RelationType::HasPart,
            RelationType::HasPart => RelationType::PartOf,
        }
    }
}

impl fmt::Display for RelationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A relation type string that is not built in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a built-in relation type (such as \"ownedBy\" or \"partOf\")")]
pub struct UnknownRelationType(pub String);

impl FromStr for RelationType {
    type Err = UnknownRelationType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownRelationType(s.to_owned()))
    }
}

/// A spec field that names other entities, and what it implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefField {
    /// The kind whose spec has the field.
    pub kind: BuiltinKind,
    /// The spec field, e.g. `providesApis`.
    pub field: &'static str,
    /// The kind a target without kind gets; `None` when the ref must name
    /// its kind (`dependsOn`, `dependencyOf`).
    pub default_kind: Option<&'static str>,
    /// The relation from the entity to the target; the target gets the
    /// [inverse](RelationType::inverse).
    pub relation: RelationType,
}

const fn field(
    kind: BuiltinKind,
    field: &'static str,
    default_kind: Option<&'static str>,
    relation: RelationType,
) -> RefField {
    RefField {
        kind,
        field,
        default_kind,
        relation,
    }
}

/// Every spec field of the built-in kinds that names other entities, in the
/// order their relations are emitted.
pub const REF_FIELDS: &[RefField] = {
    use BuiltinKind as K;
    use RelationType as R;
    &[
        field(K::Component, "owner", Some("Group"), R::OwnedBy),
        field(K::Component, "subcomponentOf", Some("Component"), R::PartOf),
        field(K::Component, "providesApis", Some("API"), R::ProvidesApi),
        field(K::Component, "consumesApis", Some("API"), R::ConsumesApi),
        field(K::Component, "dependsOn", None, R::DependsOn),
        field(K::Component, "dependencyOf", None, R::DependencyOf),
        field(K::Component, "system", Some("System"), R::PartOf),
        field(K::Api, "owner", Some("Group"), R::OwnedBy),
        field(K::Api, "system", Some("System"), R::PartOf),
        field(K::Resource, "owner", Some("Group"), R::OwnedBy),
        field(K::Resource, "dependsOn", None, R::DependsOn),
        field(K::Resource, "dependencyOf", None, R::DependencyOf),
        field(K::Resource, "system", Some("System"), R::PartOf),
        field(K::System, "owner", Some("Group"), R::OwnedBy),
        field(K::System, "domain", Some("Domain"), R::PartOf),
        field(K::Domain, "owner", Some("Group"), R::OwnedBy),
        field(K::Domain, "subdomainOf", Some("Domain"), R::PartOf),
        field(K::User, "memberOf", Some("Group"), R::MemberOf),
        field(K::Group, "parent", Some("Group"), R::ChildOf),
        field(K::Group, "children", Some("Group"), R::ParentOf),
        field(K::Group, "members", Some("User"), R::HasMember),
    ]
};

/// The [`RefField`] of `field` in the spec of `kind`, if it names entities.
pub fn ref_field(kind: BuiltinKind, field: &str) -> Option<&'static RefField> {
    REF_FIELDS
        .iter()
        .find(|f| f.kind == kind && f.field == field)
}

/// A relation implied by a spec field: `source relation target`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImpliedRelation {
    /// The entity the relation starts from.
    pub source: EntityRef,
    /// The relation type.
    pub relation: RelationType,
    /// The entity the relation points to (it may not exist).
    pub target: EntityRef,
}

impl ImpliedRelation {
    /// The same relation seen from the target: `target inverse source`.
    pub fn reverse(&self) -> Self {
        Self {
            source: self.target.clone(),
            relation: self.relation.inverse(),
            target: self.source.clone(),
        }
    }

    /// The relation as stored on the source entity (`{type, targetRef}`).
    pub fn to_entity_relation(&self) -> EntityRelation {
        EntityRelation {
            relation_type: self.relation.as_str().to_owned(),
            target_ref: self.target.to_string(),
            target: None,
        }
    }
}

impl fmt::Display for ImpliedRelation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.source, self.relation, self.target)
    }
}

/// The relations `entity`'s spec implies, forward direction only (use
/// [`ImpliedRelation::reverse`] for the other). Fields are taken in the order
/// of [`REF_FIELDS`]; array fields are sorted by their raw strings first, so
/// the output is stable. Kinds other than the built-in ones imply none.
///
/// A target that cannot be read as a ref (empty parts, no kind where the
/// field has no default kind, not a string) is a problem of that field; all
/// problems are reported together.
pub fn spec_relations(entity: &Entity) -> Result<Vec<ImpliedRelation>, EntityValidationError> {
    let mut relations = Vec::new();
    let mut problems = Vec::new();
    let (Some(kind), Some(spec)) = (BuiltinKind::from_kind(&entity.kind), &entity.spec) else {
        return Ok(relations);
    };
    let source = entity.entity_ref();
    for ref_field in REF_FIELDS.iter().filter(|f| f.kind == kind) {
        let Some(value) = spec.get(ref_field.field) else {
            continue;
        };
        let ctx = RefContext::new().with_default_namespace(entity.namespace());
        let ctx = match ref_field.default_kind {
            Some(kind) => ctx.with_default_kind(kind),
            None => ctx,
        };
        // Paths are built only for problems.
        let mut emit = |target: &Value, index: Option<usize>| {
            let path = || match index {
                Some(i) => index_path(&format!("spec.{}", ref_field.field), i),
                None => format!("spec.{}", ref_field.field),
            };
            match target.as_str() {
                Some(text) => match EntityRef::parse(text, &ctx) {
                    Ok(target) => relations.push(ImpliedRelation {
                        source: source.clone(),
                        relation: ref_field.relation,
                        target,
                    }),
                    Err(err) => problems.push(ValidationProblem::new(
                        path(),
                        Rule::EntityRef,
                        format!("is not a usable entity ref: {err}"),
                    )),
                },
                None => problems.push(ValidationProblem::wrong_type(
                    path(),
                    "an entity ref string",
                    target,
                )),
            }
        };
        match value {
            Value::Array(items) => {
                let mut order: Vec<usize> = (0..items.len()).collect();
                order.sort_by(|&a, &b| match (items[a].as_str(), items[b].as_str()) {
                    (Some(x), Some(y)) => x.cmp(y),
                    _ => std::cmp::Ordering::Equal,
                });
                for i in order {
                    emit(&items[i], Some(i));
                }
            }
            single => emit(single, None),
        }
    }
    if problems.is_empty() {
        Ok(relations)
    } else {
        Err(EntityValidationError {
            entity: entity_label(
                Some(&entity.kind),
                entity.metadata.namespace.as_deref(),
                Some(&entity.metadata.name),
            ),
            problems,
        })
    }
}
