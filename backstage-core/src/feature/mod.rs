//! Features — plugins, modules, service factories — and the registry an app
//! is assembled from.
//!
//! Explicit registration ([`FeatureRegistry::add`]) is the primary way to
//! build an app: it reads like plain Rust and the compiler checks it.
//! Discovery ([`FeatureRegistry::discover`]) is opt-in and picks up every
//! feature that linked crates registered with
//! [`register_feature!`](crate::register_feature).

mod discovery;
mod metadata;
mod registry;

pub use discovery::{FeatureRegistration, discovered};
pub use metadata::{FeatureKind, FeatureMetadata, validate_feature_id};
pub use registry::{Feature, FeatureError, FeatureRegistry};
