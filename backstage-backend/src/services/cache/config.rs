//! `backend.cache`: which store, where it is, default TTL and timeout — and
//! the schema the backend validates it with.

use std::time::Duration;

use backstage_common::config::Config;
use serde_json::{Value, json};

use super::memcache::MemcacheTarget;
use super::memory::DEFAULT_MAX_BYTES;
use crate::error::BackendError;

/// The default of `backend.cache.timeout`.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_millis(500);

/// Which store, with its settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StoreSettings {
    Memory { max_bytes: u64 },
    Redis { url: String, use_sets: bool },
    Memcache(MemcacheTarget),
}

/// `backend.cache`, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CacheSettings {
    pub(crate) store: StoreSettings,
    pub(crate) default_ttl: Option<Duration>,
    pub(crate) timeout: Duration,
}

fn invalid(key: &str, message: impl Into<String>) -> BackendError {
    BackendError::ConfigValue(backstage_core::config::ConfigError::Invalid {
        key: backstage_core::config::ConfigPath::parse_dotted(key),
        message: message.into(),
    })
}

fn duration(config: &Config, key: &str) -> Result<Option<Duration>, BackendError> {
    match config.get_optional_duration(key)? {
        None => Ok(None),
        Some(d) => d
            .to_std()
            .map(Some)
            .map_err(|e| invalid(key, e.to_string())),
    }
}

impl CacheSettings {
    /// Reads `backend.cache` from the root config.
    pub(crate) fn from_config(config: &Config) -> Result<Self, BackendError> {
        let store = match config
            .get_optional_string("backend.cache.store")?
            .unwrap_or("memory")
        {
            "memory" => StoreSettings::Memory {
                max_bytes: match config.get_optional_integer("backend.cache.memory.maxBytes")? {
                    None => DEFAULT_MAX_BYTES,
                    Some(n) => u64::try_from(n).ok().filter(|n| *n > 0).ok_or_else(|| {
                        invalid(
                            "backend.cache.memory.maxBytes",
                            "must be a positive number of bytes",
                        )
                    })?,
                },
            },
            "redis" | "valkey" => {
                let url = match config.get_value("backend.cache.connection") {
                    Some(Value::Object(_)) => config.get_string("backend.cache.connection.url")?,
                    _ => config.get_string("backend.cache.connection")?,
                };
                StoreSettings::Redis {
                    url: url.to_owned(),
                    use_sets: config
                        .get_optional_bool("backend.cache.useRedisSets")?
                        .unwrap_or(true),
                }
            }
            "memcache" => StoreSettings::Memcache(
                MemcacheTarget::parse(config.get_string("backend.cache.connection")?)
                    .map_err(|m| invalid("backend.cache.connection", m))?,
            ),
            other => {
                return Err(invalid(
                    "backend.cache.store",
                    format!(
                        "unsupported cache store {other:?}; use memory, redis (or valkey) or memcache"
                    ),
                ));
            }
        };
        let default_ttl = duration(config, "backend.cache.defaultTtl")?;
        let timeout = match duration(config, "backend.cache.timeout")? {
            Some(d) if d.is_zero() => {
                return Err(invalid("backend.cache.timeout", "must be longer than zero"));
            }
            Some(d) => d,
            None => DEFAULT_TIMEOUT,
        };
        Ok(Self {
            store,
            // A zero default TTL would store nothing: read it as "none".
            default_ttl: default_ttl.filter(|d| !d.is_zero()),
            timeout,
        })
    }
}

/// The JSON schema of `backend.cache`.
pub(crate) fn schema() -> Value {
    let duration = json!({"type": ["string", "number", "object"]});
    json!({
        "type": "object",
        "properties": {
            "store": {"enum": ["memory", "redis", "valkey", "memcache"]},
            "connection": {
                "visibility": "secret",
                "anyOf": [
                    {"type": "string"},
                    {"type": "object", "required": ["url"], "properties": {"url": {"type": "string"}}}
                ]
            },
            "useRedisSets": {"type": "boolean"},
            "defaultTtl": duration,
            "timeout": duration,
            "memory": {
                "type": "object",
                "properties": {"maxBytes": {"type": "integer", "minimum": 1}}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(cache: Value) -> Result<CacheSettings, BackendError> {
        CacheSettings::from_config(&Config::from_value(json!({"backend": {"cache": cache}})))
    }

    #[test]
    fn memory_is_the_default() {
        let settings = CacheSettings::from_config(&Config::from_value(json!({}))).unwrap();
        assert_eq!(
            settings.store,
            StoreSettings::Memory {
                max_bytes: DEFAULT_MAX_BYTES
            }
        );
        assert_eq!(settings.default_ttl, None);
        assert_eq!(settings.timeout, DEFAULT_TIMEOUT);
    }

    #[test]
    fn ttls_are_milliseconds_or_durations() {
        assert_eq!(
            read(json!({"defaultTtl": 1500})).unwrap().default_ttl,
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            read(json!({"defaultTtl": "1h"})).unwrap().default_ttl,
            Some(Duration::from_secs(3600))
        );
        assert_eq!(
            read(json!({"defaultTtl": {"minutes": 2}, "timeout": "PT0.25S"}))
                .unwrap()
                .default_ttl,
            Some(Duration::from_secs(120))
        );
        assert!(read(json!({"defaultTtl": "soon"})).is_err());
        assert!(read(json!({"timeout": 0})).is_err());
    }

    #[test]
    fn redis_takes_a_string_or_an_object() {
        let s = read(json!({"store": "redis", "connection": "redis://h:1"})).unwrap();
        assert_eq!(
            s.store,
            StoreSettings::Redis {
                url: "redis://h:1".into(),
                use_sets: true
            }
        );
        let s = read(
            json!({"store": "redis", "connection": {"url": "redis://h:2"}, "useRedisSets": false}),
        )
        .unwrap();
        assert_eq!(
            s.store,
            StoreSettings::Redis {
                url: "redis://h:2".into(),
                use_sets: false
            }
        );
        assert!(read(json!({"store": "redis"})).is_err());
    }

    #[test]
    fn unknown_stores_are_named() {
        let err = read(json!({"store": "infinispan"}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("infinispan"), "{err}");
    }
}
