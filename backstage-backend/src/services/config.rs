//! The config service: the app's merged, validated configuration.

use backstage_common::config::Config;

use crate::service::ServiceRef;

/// The root config (`core.rootConfig`), installed by the backend after it
/// loaded and validated the configuration.
pub const ROOT_CONFIG: ServiceRef<Config> = ServiceRef::root("core.rootConfig");
