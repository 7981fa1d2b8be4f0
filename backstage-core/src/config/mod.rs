//! Loading configuration with Backstage's semantics.
//!
//! [`ConfigLoader`] reads `app-config.yaml` and friends (or the `--config`
//! files), applies `${VAR}` substitution and the `$env` / `$file` /
//! `$include` transforms, deep-merges the sources, applies `APP_CONFIG_*`
//! overrides and validates the result against the [`ConfigSchema`]s that
//! features declare. The outcome is a
//! [`Config`](backstage_common::config::Config) whose values carry the
//! visibility the schemas declared.
//!
//! The book's configuration chapter describes the whole model.

mod env_overrides;
mod error;
mod loader;
mod merge;
mod schema;
mod schema_keywords;
mod section;
mod transform;
mod yaml;

pub use backstage_common::config::*;
pub use env_overrides::ENV_PREFIX;
pub use error::{ConfigLoadError, SchemaViolation, SchemaViolations};
pub use loader::{BACKSTAGE_ENV, BASE_CONFIG_FILE, ConfigLoader, LOCAL_CONFIG_FILE, LoadedConfig};
pub use merge::{ConfigLayer, merge};
pub use schema::{ConfigSchema, ConfigSchemaSet, SchemaOutcome};
pub use section::ConfigSection;

/// Derives [`ConfigSection`]; see the trait for an example.
pub use backstage_macros::ConfigSection;
