//! Typed views of the built-in kinds.
//!
//! An [`Entity`] keeps its spec as JSON; a [`KindEntity<S>`] is the same
//! entity with the spec read into a typed struct, such as
//! [`ComponentSpec`]. Unknown spec keys are kept in each spec's `extra`.
//! Every spec type derives [`schemars::JsonSchema`].
//!
//! Typed views read *resolved* entities: a `$text` placeholder where a
//! string belongs makes the conversion fail (the catalog resolves
//! placeholders first).
//!
//! ```
//! use backstage_common::catalog::Entity;
//! use serde_json::json;
//!
//! let entity = Entity::from_value(json!({
//!     "apiVersion": "backstage.io/v1alpha1",
//!     "kind": "Component",
//!     "metadata": { "name": "artist-web" },
//!     "spec": { "type": "website", "lifecycle": "production", "owner": "team-a",
//!               "providesApis": ["artist-api"] }
//! }))?;
//! let component = entity.as_component()?;
//! assert_eq!(component.spec.owner, "team-a");
//! assert_eq!(component.spec.provides_apis, ["artist-api"]);
//! assert!(entity.as_group().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod api;
mod component;
mod domain;
mod group;
mod location;
mod resource;
mod system;
mod user;

pub use api::{ApiEntity, ApiRemote, ApiSpec, MCP_SERVER_TYPE};
pub use component::{ComponentEntity, ComponentSpec};
pub use domain::{DomainEntity, DomainSpec};
pub use group::{GroupEntity, GroupProfile, GroupSpec};
pub use location::{LocationEntity, LocationPresence, LocationSpec};
pub use resource::{ResourceEntity, ResourceSpec};
pub use system::{SystemEntity, SystemSpec};
pub use user::{UserEntity, UserProfile, UserSpec};

use schemars::JsonSchema;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use super::entity::{Entity, EntityRelation, EntityStatus};
use super::metadata::EntityMeta;

/// The apiVersions every built-in kind accepts.
pub const BUILTIN_API_VERSIONS: [&str; 2] = ["backstage.io/v1alpha1", "backstage.io/v1beta1"];

/// The kinds with typed views and spec rules, plus `AiResource` (spec rules
/// only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BuiltinKind {
    /// `Component`: a piece of software.
    Component,
    /// `API`: an interface a component provides or consumes.
    Api,
    /// `Resource`: infrastructure a component needs at runtime.
    Resource,
    /// `System`: a collection of components, APIs and resources.
    System,
    /// `Domain`: a business area grouping systems.
    Domain,
    /// `Group`: a team or organisational unit.
    Group,
    /// `User`: a person.
    User,
    /// `Location`: a pointer to more descriptor files.
    Location,
    /// `AiResource`: a skill, rule, plugin or marketplace for AI agents.
    AiResource,
}

impl BuiltinKind {
    /// All built-in kinds.
    pub const ALL: [BuiltinKind; 9] = [
        BuiltinKind::Component,
        BuiltinKind::Api,
        BuiltinKind::Resource,
        BuiltinKind::System,
        BuiltinKind::Domain,
        BuiltinKind::Group,
        BuiltinKind::User,
        BuiltinKind::Location,
        BuiltinKind::AiResource,
    ];

    /// The `kind` value, e.g. `API`.
    pub fn as_str(self) -> &'static str {
        match self {
            BuiltinKind::Component => "Component",
            BuiltinKind::Api => "API",
            BuiltinKind::Resource => "Resource",
            BuiltinKind::System => "System",
            BuiltinKind::Domain => "Domain",
            BuiltinKind::Group => "Group",
            BuiltinKind::User => "User",
            BuiltinKind::Location => "Location",
            BuiltinKind::AiResource => "AiResource",
        }
    }

    /// The built-in kind spelled exactly `kind` (case matters, as in
    /// Backstage: `component` is not `Component`).
    pub fn from_kind(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == kind)
    }

    /// The built-in kind `kind` names ignoring case, used to point out
    /// miscased kinds.
    pub fn from_kind_ignore_case(kind: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(kind))
    }

    /// The apiVersions this kind accepts.
    pub fn api_versions(self) -> &'static [&'static str] {
        match self {
            BuiltinKind::AiResource => &BUILTIN_API_VERSIONS[..1],
            _ => &BUILTIN_API_VERSIONS,
        }
    }
}

/// A typed spec of one kind.
pub trait KindSpec: Serialize + DeserializeOwned + JsonSchema {
    /// The kind, e.g. `Component`.
    const KIND: BuiltinKind;
}

/// Why an entity could not be viewed as a kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KindViewError {
    /// The entity is of another kind.
    #[error("{entity} is a {found}, not a {expected}")]
    WrongKind {
        /// The entity's ref.
        entity: String,
        /// The kind asked for.
        expected: &'static str,
        /// The entity's kind.
        found: String,
    },
    /// The spec does not fit the typed view.
    #[error("{entity}: {path} {message}")]
    Spec {
        /// The entity's ref.
        entity: String,
        /// Path of the offending field, e.g. `spec.owner`.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// An entity with its spec read into `S`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KindEntity<S> {
    /// See [`Entity::api_version`].
    pub api_version: String,
    /// See [`Entity::kind`].
    pub kind: String,
    /// See [`Entity::metadata`].
    pub metadata: EntityMeta,
    /// The typed spec.
    pub spec: S,
    /// See [`Entity::relations`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<EntityRelation>,
    /// See [`Entity::status`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<EntityStatus>,
}

impl<S: KindSpec> TryFrom<&Entity> for KindEntity<S> {
    type Error = KindViewError;

    fn try_from(entity: &Entity) -> Result<Self, Self::Error> {
        let expected = S::KIND.as_str();
        if entity.kind != expected {
            return Err(KindViewError::WrongKind {
                entity: entity.entity_ref().to_string(),
                expected,
                found: entity.kind.clone(),
            });
        }
        let spec_value = Value::Object(entity.spec.clone().unwrap_or_default());
        let spec = serde_path_to_error::deserialize::<_, S>(spec_value).map_err(|err| {
            let inner = err.path().to_string();
            KindViewError::Spec {
                entity: entity.entity_ref().to_string(),
                path: if inner == "." {
                    "spec".to_owned()
                } else {
                    format!("spec.{inner}")
                },
                message: err.into_inner().to_string(),
            }
        })?;
        Ok(Self {
            api_version: entity.api_version.clone(),
            kind: entity.kind.clone(),
            metadata: entity.metadata.clone(),
            spec,
            relations: entity.relations.clone(),
            status: entity.status.clone(),
        })
    }
}

impl<S: KindSpec> From<KindEntity<S>> for Entity {
    fn from(value: KindEntity<S>) -> Self {
        // Spec types serialize to JSON objects with string keys; the
        // fallback to an empty spec is unreachable for them.
        let spec = match serde_json::to_value(&value.spec) {
            Ok(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        Entity {
            api_version: value.api_version,
            kind: value.kind,
            metadata: value.metadata,
            spec: Some(spec),
            relations: value.relations,
            status: value.status,
        }
    }
}

impl Entity {
    /// Views this entity as kind `S`.
    pub fn as_kind<S: KindSpec>(&self) -> Result<KindEntity<S>, KindViewError> {
        KindEntity::try_from(self)
    }

    /// Views this entity as a Component.
    pub fn as_component(&self) -> Result<ComponentEntity, KindViewError> {
        self.as_kind()
    }

    /// Views this entity as an API.
    pub fn as_api(&self) -> Result<ApiEntity, KindViewError> {
        self.as_kind()
    }

    /// Views this entity as a Resource.
    pub fn as_resource(&self) -> Result<ResourceEntity, KindViewError> {
        self.as_kind()
    }

    /// Views this entity as a System.
    pub fn as_system(&self) -> Result<SystemEntity, KindViewError> {
        self.as_kind()
    }

    /// Views this entity as a Domain.
    pub fn as_domain(&self) -> Result<DomainEntity, KindViewError> {
        self.as_kind()
    }

    /// Views this entity as a Group.
    pub fn as_group(&self) -> Result<GroupEntity, KindViewError> {
        self.as_kind()
    }

    /// Views this entity as a User.
    pub fn as_user(&self) -> Result<UserEntity, KindViewError> {
        self.as_kind()
    }

    /// Views this entity as a Location.
    pub fn as_location(&self) -> Result<LocationEntity, KindViewError> {
        self.as_kind()
    }
}
