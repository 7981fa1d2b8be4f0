//! Opt-in discovery of features through link-time registration.

use std::sync::Arc;

use super::registry::Feature;

/// A feature registered by a crate with
/// [`register_feature!`](crate::register_feature).
pub struct FeatureRegistration {
    create: fn() -> Arc<dyn Feature>,
    /// `module_path!()` of the registration, for diagnostics.
    pub location: &'static str,
}

impl FeatureRegistration {
    /// A registration that builds its feature with `create`.
    pub const fn new(create: fn() -> Arc<dyn Feature>, location: &'static str) -> Self {
        Self { create, location }
    }

    /// Builds the feature.
    pub fn create(&self) -> Arc<dyn Feature> {
        (self.create)()
    }
}

inventory::collect!(FeatureRegistration);

/// Every feature registered in the crates linked into this binary, in no
/// particular order.
pub fn discovered() -> impl Iterator<Item = Arc<dyn Feature>> {
    inventory::iter::<FeatureRegistration>().map(FeatureRegistration::create)
}

/// Registers a feature for discovery by
/// [`FeatureRegistry::discover`](crate::feature::FeatureRegistry::discover).
///
/// The expression is evaluated each time the feature is discovered.
///
/// **Linker caveat:** registrations live in the crate that makes them, and a
/// crate the final binary never references is not linked at all — its
/// features silently vanish. An app that relies on discovery should name each
/// plugin crate it wants, e.g. `use backstage_plugin_catalog_backend as _;`,
/// or simply add the feature explicitly.
///
/// ```
/// use backstage_core::feature::{Feature, FeatureKind, FeatureMetadata, FeatureRegistry};
///
/// struct Greeter;
/// impl Feature for Greeter {
///     fn metadata(&self) -> FeatureMetadata {
///         backstage_core::feature_metadata!(FeatureKind::BackendPlugin, "greeter")
///     }
/// }
/// backstage_core::register_feature!(Greeter);
///
/// let mut registry = FeatureRegistry::new();
/// registry.discover()?;
/// assert!(registry.iter().any(|(meta, _)| meta.id == "greeter"));
/// # Ok::<(), backstage_core::feature::FeatureError>(())
/// ```
#[macro_export]
macro_rules! register_feature {
    ($feature:expr) => {
        $crate::__private::inventory::submit! {
            $crate::feature::FeatureRegistration::new(
                || -> ::std::sync::Arc<dyn $crate::feature::Feature> {
                    ::std::sync::Arc::new($feature)
                },
                module_path!(),
            )
        }
    };
}
