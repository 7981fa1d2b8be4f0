//! The catalog's config: `catalog.locations`, `catalog.rules`,
//! `catalog.processingInterval`, `catalog.maxFileBytes`.

use std::path::Path;
use std::time::Duration;

use backstage_backend::backstage_core::config::{Config, ConfigError};
use backstage_plugin_catalog_node::{LocationSpec, Presence};
use serde_json::Value;

/// Backstage's default processing interval: each entity is refreshed every
/// 100–150 seconds.
pub const DEFAULT_PROCESSING_INTERVAL: Duration = Duration::from_secs(100);

/// Resolves a configured target: `file` targets relative to the working
/// directory (where the backend was started), others as written.
pub(crate) fn resolve_target(location_type: &str, target: &str) -> String {
    if location_type != "file" || Path::new(target).is_absolute() {
        return target.to_owned();
    }
    match std::env::current_dir() {
        Ok(dir) => crate::processing::normalize_path(&dir.join(target)),
        Err(_) => target.to_owned(),
    }
}

/// The configured locations (`catalog.locations[]`: `type`, `target`,
/// optional `presence`).
pub fn locations(config: &Config) -> Result<Vec<LocationSpec>, ConfigError> {
    let mut out = Vec::new();
    for (index, location) in config
        .get_optional_config_array("catalog.locations")?
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let location_type = location.get_string("type")?;
        let target = location.get_string("target")?;
        let presence = match location.get_optional_string("presence")? {
            None | Some("required") => Presence::Required,
            Some("optional") => Presence::Optional,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    key: location.path().key("presence"),
                    message: format!(
                        "{other:?} is not a presence; use required or optional (entry {index})"
                    ),
                });
            }
        };
        out.push(LocationSpec {
            location_type: location_type.to_owned(),
            target: resolve_target(location_type, target),
            presence,
        });
    }
    Ok(out)
}

/// `catalog.processingInterval`: a duration, or `false` to process only at
/// startup and when asked. Default 100 s (each entity is due again after a
/// random 100–150 s).
pub fn processing_interval(config: &Config) -> Result<Option<Duration>, ConfigError> {
    match config.get_value("catalog.processingInterval") {
        None => Ok(Some(DEFAULT_PROCESSING_INTERVAL)),
        Some(Value::Bool(false)) => Ok(None),
        Some(_) => {
            let interval = config.get_duration("catalog.processingInterval")?;
            let interval = interval.to_std().map_err(|e| ConfigError::Invalid {
                key: config.path().key("catalog").key("processingInterval"),
                message: e.to_string(),
            })?;
            Ok(Some(interval.max(Duration::from_secs(1))))
        }
    }
}

/// `catalog.maxFileBytes`: the largest catalog file (or placeholder target)
/// read, in bytes. Default 10 MiB; a larger file becomes an error on its
/// location and the entities already stored from it stay.
pub fn max_file_bytes(config: &Config) -> Result<u64, ConfigError> {
    match config.get_value("catalog.maxFileBytes") {
        None => Ok(crate::processing::builtin::DEFAULT_MAX_FILE_BYTES),
        Some(value) => value
            .as_u64()
            .filter(|n| *n > 0)
            .ok_or_else(|| ConfigError::Invalid {
                key: config.path().key("catalog").key("maxFileBytes"),
                message: format!(
                    "{value} is not a positive number of bytes (e.g. 52428800 for 50 MiB)"
                ),
            }),
    }
}

/// `catalog.orphanStrategy`: what happens to entities nothing emits any
/// more.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrphanStrategy {
    /// Deleted by the orphan cleanup task (Backstage's default).
    #[default]
    Delete,
    /// Kept, with the `backstage.io/orphan: 'true'` annotation.
    Keep,
}

/// Reads `catalog.orphanStrategy` (`delete`, the default, or `keep`).
pub fn orphan_strategy(config: &Config) -> Result<OrphanStrategy, ConfigError> {
    strategy(config, "orphanStrategy", "an orphan strategy")
}

/// Reads `catalog.orphanProviderStrategy` (`delete`, the default as in
/// Backstage, or `keep`): what happens at startup to the entities of entity
/// providers that are no longer installed.
pub fn orphan_provider_strategy(config: &Config) -> Result<OrphanStrategy, ConfigError> {
    strategy(
        config,
        "orphanProviderStrategy",
        "an orphan provider strategy",
    )
}

/// Reads `catalog.<key>` as `delete` (the default) or `keep`.
fn strategy(config: &Config, key: &str, what: &str) -> Result<OrphanStrategy, ConfigError> {
    match config.get_optional_string(format!("catalog.{key}"))? {
        None | Some("delete") => Ok(OrphanStrategy::Delete),
        Some("keep") => Ok(OrphanStrategy::Keep),
        Some(other) => Err(ConfigError::Invalid {
            key: config.path().key("catalog").key(key),
            message: format!("{other:?} is not {what}; use delete or keep"),
        }),
    }
}

/// Backstage's orphan cleanup period.
pub const DEFAULT_ORPHAN_CLEANUP_INTERVAL: Duration = Duration::from_secs(30);

/// `catalog.orphanCleanupInterval` (a backstage-rs key): how often orphans
/// are deleted under `orphanStrategy: delete`. Default 30 s, as Backstage.
pub fn orphan_cleanup_interval(config: &Config) -> Result<Duration, ConfigError> {
    let Some(interval) = config.get_optional_duration("catalog.orphanCleanupInterval")? else {
        return Ok(DEFAULT_ORPHAN_CLEANUP_INTERVAL);
    };
    let interval = interval.to_std().map_err(|e| ConfigError::Invalid {
        key: config.path().key("catalog").key("orphanCleanupInterval"),
        message: e.to_string(),
    })?;
    Ok(interval.max(Duration::from_millis(10)))
}

/// `catalog.processingLease` (a backstage-rs key): how long a replica's
/// claim on an entity it processes holds; see
/// [`ProcessingEngine::with_claim_lease`](crate::engine::ProcessingEngine::with_claim_lease).
/// Default 10 minutes.
pub fn processing_lease(config: &Config) -> Result<Duration, ConfigError> {
    let Some(lease) = config.get_optional_duration("catalog.processingLease")? else {
        return Ok(crate::engine::DEFAULT_CLAIM_LEASE);
    };
    lease.to_std().map_err(|e| ConfigError::Invalid {
        key: config.path().key("catalog").key("processingLease"),
        message: e.to_string(),
    })
}

/// How `POST /locations` behaves: `catalog.allowedLocationTypes` (a
/// backstage-rs key; default `["url"]` — Backstage sets this in code, and
/// so can a module here, through the `catalog.locations` extension point),
/// `catalog.readonly`, `catalog.defaultLocationConflictStrategy`
/// (`reject`, the default, or `refresh`), and `catalog.maxFileBytes`.
pub fn location_options(config: &Config) -> Result<crate::api::LocationOptions, ConfigError> {
    let mut options = crate::api::LocationOptions::default();
    if let Some(types) = config.get_optional_string_array("catalog.allowedLocationTypes")? {
        options.allowed_types = types.into_iter().map(str::to_owned).collect();
    }
    options.readonly = config
        .get_optional_bool("catalog.readonly")?
        .unwrap_or(false);
    options.on_conflict =
        match config.get_optional_string("catalog.defaultLocationConflictStrategy")? {
            None | Some("reject") => backstage_plugin_catalog_common::api::OnConflict::Reject,
            Some("refresh") => backstage_plugin_catalog_common::api::OnConflict::Refresh,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    key: config
                        .path()
                        .key("catalog")
                        .key("defaultLocationConflictStrategy"),
                    message: format!("{other:?} is not a conflict strategy; use reject or refresh"),
                });
            }
        };
    options.max_file_bytes = max_file_bytes(config)?;
    Ok(options)
}
