//! [`Feature`] and the [`FeatureRegistry`] an app is assembled from.

use std::any::Any;
use std::sync::Arc;

use crate::config::ConfigSchema;

use super::discovery::discovered;
use super::metadata::{FeatureKind, FeatureMetadata, validate_feature_id};

/// A unit an app is assembled from: a plugin, a module, a service factory.
///
/// The backend and frontend systems define the concrete feature types; this
/// trait is what they have in common, so that one registry can hold them,
/// report duplicates and collect config schemas.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a feature",
    note = "features are made by the backend and frontend systems (plugins, modules); implement `backstage_core::feature::Feature` for your own kinds"
)]
pub trait Feature: Any + Send + Sync {
    /// Identity and provenance.
    fn metadata(&self) -> FeatureMetadata;

    /// The config schemas this feature declares; validated at startup.
    fn config_schemas(&self) -> Vec<ConfigSchema> {
        Vec::new()
    }
}

/// A feature could not be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FeatureError {
    /// Two features of one kind share an id.
    #[error(
        "duplicate {kind} id '{id}': registered by {first} and again by {second}; remove one of them from the app"
    )]
    Duplicate {
        /// The kind.
        kind: FeatureKind,
        /// The id.
        id: String,
        /// Package of the first registration.
        first: String,
        /// Package of the second.
        second: String,
    },
    /// An id has the wrong shape.
    #[error("invalid {kind} id '{id}' (from {package}): {reason}")]
    InvalidId {
        /// The kind.
        kind: FeatureKind,
        /// The id.
        id: String,
        /// The providing package.
        package: String,
        /// What is wrong.
        reason: String,
    },
}

struct Entry {
    metadata: FeatureMetadata,
    feature: Arc<dyn Feature>,
    discovered: bool,
}

/// The features of an app, in the order they were added.
///
/// Explicit registration with [`add`](Self::add) is the primary way to build
/// an app. [`discover`](Self::discover) additionally takes every feature that
/// the linked crates registered with [`register_feature!`](crate::register_feature);
/// a feature added explicitly wins over a discovered one with the same id.
///
/// ```
/// use backstage_core::feature::{Feature, FeatureKind, FeatureMetadata, FeatureRegistry};
///
/// struct Hello;
/// impl Feature for Hello {
///     fn metadata(&self) -> FeatureMetadata {
///         backstage_core::feature_metadata!(FeatureKind::BackendPlugin, "hello")
///     }
/// }
///
/// let mut registry = FeatureRegistry::new();
/// registry.add(Hello)?;
/// let err = registry.add(Hello).unwrap_err();
/// assert!(err.to_string().starts_with("duplicate backend plugin id 'hello'"));
/// assert_eq!(registry.of_type::<Hello>().count(), 1);
/// # Ok::<(), backstage_core::feature::FeatureError>(())
/// ```
#[derive(Default)]
pub struct FeatureRegistry {
    entries: Vec<Entry>,
}

impl std::fmt::Debug for FeatureRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(
                self.entries
                    .iter()
                    .map(|e| (&e.metadata.kind, &e.metadata.id)),
            )
            .finish()
    }
}

impl FeatureRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a feature. Duplicate ids (per kind) and malformed ids are errors.
    pub fn add<F: Feature>(&mut self, feature: F) -> Result<&mut Self, FeatureError> {
        self.add_shared(Arc::new(feature))
    }

    /// Adds a shared feature.
    pub fn add_shared(&mut self, feature: Arc<dyn Feature>) -> Result<&mut Self, FeatureError> {
        self.insert(feature, false)
    }

    fn insert(
        &mut self,
        feature: Arc<dyn Feature>,
        discovered: bool,
    ) -> Result<&mut Self, FeatureError> {
        let metadata = feature.metadata();
        validate_feature_id(metadata.kind, &metadata.id).map_err(|reason| {
            FeatureError::InvalidId {
                kind: metadata.kind,
                id: metadata.id.clone(),
                package: metadata.package.to_owned(),
                reason,
            }
        })?;
        if let Some(existing) = self
            .entries
            .iter()
            .find(|e| e.metadata.kind == metadata.kind && e.metadata.id == metadata.id)
        {
            if discovered && !existing.discovered {
                tracing::debug!(id = %metadata.id, "discovered feature already added explicitly; keeping the explicit one");
                return Ok(self);
            }
            return Err(FeatureError::Duplicate {
                kind: metadata.kind,
                first: describe(&existing.metadata),
                second: describe(&metadata),
                id: metadata.id,
            });
        }
        self.entries.push(Entry {
            metadata,
            feature,
            discovered,
        });
        Ok(self)
    }

    /// Adds every feature registered with
    /// [`register_feature!`](crate::register_feature) in the crates linked
    /// into this binary, keeping those for which `filter` returns true.
    ///
    /// A crate contributes only if the binary references it: add
    /// `use the_plugin_crate as _;` to the app for each crate you rely on.
    pub fn discover_where(
        &mut self,
        mut filter: impl FnMut(&FeatureMetadata) -> bool,
    ) -> Result<&mut Self, FeatureError> {
        for feature in discovered() {
            if filter(&feature.metadata()) {
                self.insert(feature, true)?;
            }
        }
        Ok(self)
    }

    /// Adds every discovered feature (see [`discover_where`](Self::discover_where)).
    pub fn discover(&mut self) -> Result<&mut Self, FeatureError> {
        self.discover_where(|_| true)
    }

    /// All features with their metadata, in order of registration.
    pub fn iter(&self) -> impl Iterator<Item = (&FeatureMetadata, &Arc<dyn Feature>)> {
        self.entries.iter().map(|e| (&e.metadata, &e.feature))
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the registry is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The features of one kind.
    pub fn of_kind(&self, kind: FeatureKind) -> impl Iterator<Item = &Arc<dyn Feature>> {
        self.entries
            .iter()
            .filter(move |e| e.metadata.kind == kind)
            .map(|e| &e.feature)
    }

    /// The features of concrete type `T` (how a backend finds its plugins).
    pub fn of_type<T: Feature>(&self) -> impl Iterator<Item = Arc<T>> {
        self.entries.iter().filter_map(|e| {
            let any: Arc<dyn Any + Send + Sync> = e.feature.clone();
            any.downcast::<T>().ok()
        })
    }

    /// Every feature's config schemas, each tagged with its feature's id.
    pub fn config_schemas(&self) -> Vec<ConfigSchema> {
        self.entries
            .iter()
            .flat_map(|e| {
                let owner = e.metadata.id.clone();
                e.feature
                    .config_schemas()
                    .into_iter()
                    .map(move |s| match s.owner_name() {
                        Some(_) => s,
                        None => s.owner(owner.clone()),
                    })
            })
            .collect()
    }
}

fn describe(meta: &FeatureMetadata) -> String {
    format!("{} {}", meta.package, meta.version)
}
