//! What a feature says about itself.

use std::fmt;

/// The kinds of features an app is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FeatureKind {
    /// A backend plugin: owns an id, routes under `/api/<id>`, a database…
    BackendPlugin,
    /// A module that extends one backend plugin.
    BackendModule,
    /// A frontend plugin: pages, extensions and utility APIs.
    FrontendPlugin,
    /// A module that extends one frontend plugin.
    FrontendModule,
    /// A replacement factory for a service.
    ServiceFactory,
}

impl fmt::Display for FeatureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FeatureKind::BackendPlugin => "backend plugin",
            FeatureKind::BackendModule => "backend module",
            FeatureKind::FrontendPlugin => "frontend plugin",
            FeatureKind::FrontendModule => "frontend module",
            FeatureKind::ServiceFactory => "service factory",
        })
    }
}

/// Identity and provenance of a feature.
///
/// `id` is unique per [`FeatureKind`]: a plugin id such as `catalog`, or for
/// a module `<pluginId>.<moduleId>` such as `catalog.github`. Each dot-separated
/// part starts with a lowercase letter followed by lowercase letters, digits
/// or `-`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureMetadata {
    /// The id, unique per kind.
    pub id: String,
    /// The kind.
    pub kind: FeatureKind,
    /// The crate that provides the feature (`env!("CARGO_PKG_NAME")`).
    pub package: &'static str,
    /// That crate's version (`env!("CARGO_PKG_VERSION")`).
    pub version: &'static str,
    /// One sentence on what the feature does.
    pub description: Option<String>,
}

impl FeatureMetadata {
    /// Metadata for a feature of `kind` with `id`, provided by `package`.
    ///
    /// Use the [`feature_metadata!`](crate::feature_metadata) macro to fill in
    /// the package name and version of the calling crate.
    pub fn new(
        kind: FeatureKind,
        id: impl Into<String>,
        package: &'static str,
        version: &'static str,
    ) -> Self {
        Self {
            id: id.into(),
            kind,
            package,
            version,
            description: None,
        }
    }

    /// Adds a description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// Builds [`FeatureMetadata`] with the calling crate's name and version.
///
/// ```
/// use backstage_core::feature::FeatureKind;
/// let meta = backstage_core::feature_metadata!(FeatureKind::BackendPlugin, "catalog");
/// assert_eq!(meta.package, "backstage-core");
/// ```
#[macro_export]
macro_rules! feature_metadata {
    ($kind:expr, $id:expr) => {
        $crate::feature::FeatureMetadata::new(
            $kind,
            $id,
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION"),
        )
    };
}

/// Checks a feature id (see [`FeatureMetadata`]); the error says what to fix.
pub fn validate_feature_id(kind: FeatureKind, id: &str) -> Result<(), String> {
    let parts: Vec<&str> = id.split('.').collect();
    let expected_parts = match kind {
        FeatureKind::BackendModule | FeatureKind::FrontendModule => 2,
        _ => 1,
    };
    let shape = if expected_parts == 2 {
        "'<pluginId>.<moduleId>', e.g. 'catalog.github'"
    } else {
        "a single word such as 'catalog' or 'tech-radar'"
    };
    if parts.len() != expected_parts {
        return Err(format!("the id of a {kind} must be {shape}"));
    }
    for part in parts {
        let mut chars = part.chars();
        let valid = matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            return Err(format!(
                "{part:?} must start with a lowercase letter followed by lowercase letters, digits or '-'; the id of a {kind} must be {shape}"
            ));
        }
    }
    Ok(())
}
