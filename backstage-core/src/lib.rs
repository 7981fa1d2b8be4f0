//! The core of the backstage-rs portal framework.
//!
//! * [`config`]: loading `app-config.yaml` files with Backstage's semantics —
//!   source order, deep merge, `APP_CONFIG_*` overrides, `${VAR}`
//!   substitution, `$env` / `$file` / `$include`, schemas and visibility;
//! * [`feature`]: the registry of features (plugins and modules) that an
//!   app is made of, with opt-in discovery of the features its crates
//!   register.

pub mod config;
pub mod feature;

#[doc(hidden)]
pub mod __private {
    pub use inventory;
}

#[cfg(doctest)]
#[doc = include_str!("../../book/src/configuration.md")]
struct BookConfigurationChapter;

#[cfg(doctest)]
#[doc = include_str!("../../book/src/features.md")]
struct BookFeaturesChapter;
