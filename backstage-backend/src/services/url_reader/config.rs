//! `backend.reading`: the allow-list, the directories local files may be
//! read from, and the limits — and the schema the backend validates it with.

use std::path::PathBuf;
use std::time::Duration;

use backstage_common::config::Config;
use backstage_core::config::{ConfigError, ConfigPath};
use serde_json::{Value, json};

use super::allow::{AllowList, AllowRule};
use crate::error::BackendError;

/// The default of `backend.reading.maxBytes`: 10 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// The default of `backend.reading.timeout`: 30 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How many redirects the HTTP reader follows.
pub const MAX_REDIRECTS: usize = 5;

/// `backend.reading`, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadingSettings {
    /// `backend.reading.allow`.
    pub allow: AllowList,
    /// `backend.reading.allowedDirectories`, made absolute against the
    /// working directory.
    pub allowed_directories: Vec<PathBuf>,
    /// `backend.reading.maxBytes`.
    pub max_bytes: u64,
    /// `backend.reading.timeout`.
    pub timeout: Duration,
}

impl Default for ReadingSettings {
    /// Nothing allowed, the default limits.
    fn default() -> Self {
        Self {
            allow: AllowList::default(),
            allowed_directories: Vec::new(),
            max_bytes: DEFAULT_MAX_BYTES,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

fn invalid(key: ConfigPath, message: impl Into<String>) -> BackendError {
    BackendError::ConfigValue(ConfigError::Invalid {
        key,
        message: message.into(),
    })
}

impl ReadingSettings {
    /// Reads `backend.reading` from the root config.
    pub fn from_config(config: &Config) -> Result<Self, BackendError> {
        let mut rules = Vec::new();
        for entry in config
            .get_optional_config_array("backend.reading.allow")?
            .unwrap_or_default()
        {
            let host = entry.get_string("host")?;
            let paths = entry
                .get_optional_string_array("paths")?
                .unwrap_or_default();
            let rule = AllowRule::new(host, &paths).map_err(|m| {
                let key = if m.starts_with("path") {
                    "paths"
                } else {
                    "host"
                };
                invalid(entry.path().key(key), m)
            })?;
            rules.push(rule);
        }

        let key = "backend.reading.allowedDirectories";
        let mut allowed_directories = Vec::new();
        for dir in config.get_optional_string_array(key)?.unwrap_or_default() {
            if dir.trim().is_empty() {
                return Err(invalid(
                    ConfigPath::parse_dotted(key),
                    "an empty directory; list absolute directories (or ones relative to the backend's working directory)",
                ));
            }
            let absolute = std::path::absolute(dir).map_err(|e| {
                invalid(
                    ConfigPath::parse_dotted(key),
                    format!("cannot resolve {dir:?}: {e}"),
                )
            })?;
            allowed_directories.push(super::file::normalize(&absolute));
        }

        let max_bytes = match config.get_optional_integer("backend.reading.maxBytes")? {
            None => DEFAULT_MAX_BYTES,
            Some(n) => u64::try_from(n).ok().filter(|n| *n > 0).ok_or_else(|| {
                invalid(
                    ConfigPath::parse_dotted("backend.reading.maxBytes"),
                    "must be a positive number of bytes",
                )
            })?,
        };

        let key = "backend.reading.timeout";
        let timeout = match config.get_optional_duration(key)? {
            None => DEFAULT_TIMEOUT,
            Some(d) => d
                .to_std()
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    invalid(
                        ConfigPath::parse_dotted(key),
                        "must be longer than zero: milliseconds, or a duration such as '30s' or { seconds: 30 }",
                    )
                })?,
        };

        Ok(Self {
            allow: AllowList::new(rules),
            allowed_directories,
            max_bytes,
            timeout,
        })
    }
}

/// The JSON schema of `backend.reading`.
pub(crate) fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "allow": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["host"],
                    "properties": {
                        "host": {"type": "string"},
                        "paths": {"type": "array", "items": {"type": "string"}}
                    }
                }
            },
            "allowedDirectories": {"type": "array", "items": {"type": "string"}},
            "maxBytes": {"type": "integer", "minimum": 1},
            "timeout": {"type": ["string", "number", "object"]}
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn read(reading: Value) -> Result<ReadingSettings, BackendError> {
        ReadingSettings::from_config(&Config::from_value(
            json!({"backend": {"reading": reading}}),
        ))
    }

    #[test]
    fn defaults_allow_nothing() {
        let s = ReadingSettings::from_config(&Config::from_value(json!({}))).unwrap();
        assert_eq!(s, ReadingSettings::default());
        assert_eq!(s.max_bytes, 10 * 1024 * 1024);
        assert_eq!(s.timeout, Duration::from_secs(30));
    }

    #[test]
    fn reads_every_key() {
        let s = read(json!({
            "allow": [{"host": "example.com", "paths": ["/docs"]}, {"host": "*.example.org"}],
            "allowedDirectories": ["/srv/catalog/../catalog"],
            "maxBytes": 1024,
            "timeout": "2s"
        }))
        .unwrap();
        assert!(
            s.allow
                .allows(&url::Url::parse("https://example.com/docs/a").unwrap())
        );
        assert!(
            !s.allow
                .allows(&url::Url::parse("https://example.com/src").unwrap())
        );
        assert!(
            s.allow
                .allows(&url::Url::parse("https://a.example.org/").unwrap())
        );
        assert_eq!(s.allowed_directories, vec![PathBuf::from("/srv/catalog")]);
        assert_eq!(s.max_bytes, 1024);
        assert_eq!(s.timeout, Duration::from_secs(2));
        assert_eq!(
            read(json!({"timeout": 250})).unwrap().timeout,
            Duration::from_millis(250)
        );
    }

    #[test]
    fn relative_directories_resolve_against_the_working_directory() {
        let s = read(json!({"allowedDirectories": ["catalog"]})).unwrap();
        assert_eq!(
            s.allowed_directories,
            vec![std::env::current_dir().unwrap().join("catalog")]
        );
    }

    #[test]
    fn errors_name_the_key() {
        let err = read(json!({"allow": [{"host": "prod.*.example.com"}]}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("backend.reading.allow[0].host"), "{err}");
        let err = read(json!({"allow": [{"host": "a.com"}, {"host": "b.com", "paths": ["x"]}]}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("backend.reading.allow[1].paths"), "{err}");
        let err = read(json!({"allow": [{"paths": ["/x"]}]}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("backend.reading.allow[0].host"), "{err}");
        let err = read(json!({"maxBytes": 0})).unwrap_err().to_string();
        assert!(err.contains("backend.reading.maxBytes"), "{err}");
        let err = read(json!({"timeout": 0})).unwrap_err().to_string();
        assert!(err.contains("backend.reading.timeout"), "{err}");
        let err = read(json!({"allowedDirectories": [""]}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("backend.reading.allowedDirectories"), "{err}");
    }
}
