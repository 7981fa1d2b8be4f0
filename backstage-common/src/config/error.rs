//! Errors of the configuration readers.

use super::path::ConfigPath;

/// A value could not be read from a [`Config`](super::Config).
///
/// Every variant names the full key; none contains a value that is marked
/// secret.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required value is absent.
    #[error(
        "missing required config value at '{key}'; set it in app-config.yaml or with APP_CONFIG_ overrides"
    )]
    Missing {
        /// The full key that was read.
        key: ConfigPath,
    },
    /// A value is present but of another type.
    #[error("invalid type in config at '{key}': got {actual}, wanted {expected}")]
    WrongType {
        /// The full key that was read.
        key: ConfigPath,
        /// What the reader wanted, e.g. `number`.
        expected: &'static str,
        /// What the config holds, e.g. `string`.
        actual: &'static str,
    },
    /// A value has the right type but cannot be used (a malformed duration, a
    /// section that does not deserialize into the requested type, ...).
    #[error("invalid config value at '{key}': {message}")]
    Invalid {
        /// The full key of the offending value.
        key: ConfigPath,
        /// What is wrong and how to fix it.
        message: String,
    },
}

impl ConfigError {
    /// The full key this error is about.
    pub fn key(&self) -> &ConfigPath {
        match self {
            ConfigError::Missing { key }
            | ConfigError::WrongType { key, .. }
            | ConfigError::Invalid { key, .. } => key,
        }
    }
}
