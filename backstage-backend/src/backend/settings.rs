//! The `backend` section of the configuration, as the backend itself reads it.

use std::time::Duration;

use backstage_common::config::Config;
use backstage_core::config::ConfigSchema;
use serde_json::json;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};

use crate::error::BackendError;

/// What happens when a plugin or module fails to start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BootFailure {
    Abort,
    Continue,
}

pub(crate) struct Settings {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) request_timeout: Duration,
    pub(crate) body_limit: usize,
    pub(crate) startup_pause: Duration,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) hook_timeout: Duration,
    pub(crate) log_json: bool,
    pub(crate) log_level: String,
    pub(crate) cors: Option<CorsLayer>,
}

/// The schema of the keys the backend system reads.
pub(crate) fn backend_schema() -> ConfigSchema {
    let port = json!({
        "anyOf": [
            {"type": "integer", "minimum": 0, "maximum": 65535},
            {"type": "string", "pattern": "^[0-9]{1,5}$"}
        ]
    });
    let boot = json!({"enum": ["abort", "continue"]});
    let duration = json!({"type": ["string", "number", "object"]});
    ConfigSchema::new(
        "backend",
        json!({
            "type": "object",
            "properties": {
                "baseUrl": {"type": "string", "visibility": "frontend"},
                "listen": {
                    "type": ["object", "string"],
                    "properties": {"host": {"type": "string"}, "port": port}
                },
                "server": {
                    "type": "object",
                    "properties": {
                        "requestTimeout": duration,
                        "bodyLimit": {"type": "integer", "minimum": 1}
                    }
                },
                "lifecycle": {
                    "type": "object",
                    "properties": {
                        "startupRequestPauseTimeout": duration,
                        "shutdownTimeout": duration,
                        "hookTimeout": duration
                    }
                },
                "logger": {
                    "type": "object",
                    "properties": {
                        "format": {"enum": ["json", "pretty"]},
                        "level": {"type": "string"}
                    }
                },
                "startup": {
                    "type": "object",
                    "properties": {
                        "default": {
                            "type": "object",
                            "properties": {"onPluginBootFailure": boot, "onPluginModuleBootFailure": boot}
                        },
                        "plugins": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "object",
                                "properties": {
                                    "onPluginBootFailure": boot,
                                    "modules": {
                                        "type": "object",
                                        "additionalProperties": {
                                            "type": "object",
                                            "properties": {"onPluginModuleBootFailure": boot}
                                        }
                                    }
                                }
                            }
                        }
                    }
                },
                "auth": {
                    "type": "object",
                    "properties": {
                        "dangerouslyDisableDefaultAuthPolicy": {"type": "boolean"},
                        "keys": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["secret"],
                                "properties": {"secret": {"type": "string", "visibility": "secret"}}
                            }
                        },
                        "externalAccess": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["type", "options"],
                                "properties": {
                                    "type": {"type": "string"},
                                    "options": {
                                        "type": "object",
                                        "properties": {
                                            "token": {"type": "string", "visibility": "secret"},
                                            "subject": {"type": "string"}
                                        }
                                    }
                                }
                            }
                        }
                    }
                },
                "cache": crate::services::cache::schema(),
                "reading": crate::services::url_reader::schema(),
                "cors": {
                    "type": "object",
                    "properties": {
                        "origin": {"type": ["string", "array"], "items": {"type": "string"}},
                        "methods": {"type": ["string", "array"], "items": {"type": "string"}},
                        "credentials": {"type": "boolean"}
                    }
                }
            }
        }),
    )
}

fn duration(config: &Config, key: &str, default: Duration) -> Result<Duration, BackendError> {
    match config.get_optional_duration(key)? {
        Some(d) => d.to_std().map_err(|e| {
            BackendError::ConfigValue(backstage_core::config::ConfigError::Invalid {
                key: backstage_core::config::ConfigPath::parse_dotted(key),
                message: e.to_string(),
            })
        }),
        None => Ok(default),
    }
}

impl Settings {
    pub(crate) fn from_config(config: &Config) -> Result<Self, BackendError> {
        let (host, port) = match config.get_value("backend.listen") {
            Some(serde_json::Value::String(listen)) => match listen.rsplit_once(':') {
                Some((host, port)) => (host.to_owned(), parse_port(port)?),
                None => (String::new(), parse_port(listen)?),
            },
            Some(_) => (
                config
                    .get_optional_string("backend.listen.host")?
                    .unwrap_or("")
                    .to_owned(),
                match config.get_optional_integer("backend.listen.port")? {
                    Some(p) => u16::try_from(p).map_err(|_| port_error(&p.to_string()))?,
                    None => 7007,
                },
            ),
            None => (String::new(), 7007),
        };
        let host = if host.is_empty() {
            "0.0.0.0".to_owned()
        } else {
            host
        };
        let body_limit = config
            .get_optional_integer("backend.server.bodyLimit")?
            .map_or(Ok(10 * 1024 * 1024), usize::try_from)
            .map_err(|_| {
                BackendError::other("backend.server.bodyLimit must be a positive number of bytes")
            })?;
        Ok(Self {
            host,
            port,
            request_timeout: duration(
                config,
                "backend.server.requestTimeout",
                Duration::from_secs(60),
            )?,
            body_limit,
            startup_pause: duration(
                config,
                "backend.lifecycle.startupRequestPauseTimeout",
                Duration::from_secs(5),
            )?,
            shutdown_timeout: duration(
                config,
                "backend.lifecycle.shutdownTimeout",
                Duration::from_secs(10),
            )?,
            hook_timeout: duration(
                config,
                "backend.lifecycle.hookTimeout",
                Duration::from_secs(10),
            )?,
            log_json: config.get_optional_string("backend.logger.format")? == Some("json"),
            log_level: match config.get_optional_string("backend.logger.level")? {
                Some(level) => level.to_owned(),
                None => std::env::var("LOG_LEVEL").unwrap_or_else(|_| "info".to_owned()),
            },
            cors: cors(config)?,
        })
    }

    /// The policy for plugin `plugin_id` (or its module `module_id`).
    pub(crate) fn boot_failure(
        config: &Config,
        plugin_id: &str,
        module_id: Option<&str>,
    ) -> BootFailure {
        let read = |path: Vec<&str>| match config.get_optional_string(path.as_slice()) {
            Ok(Some("continue")) => Some(BootFailure::Continue),
            Ok(Some(_)) => Some(BootFailure::Abort),
            _ => None,
        };
        let specific = match module_id {
            Some(module) => read(vec![
                "backend",
                "startup",
                "plugins",
                plugin_id,
                "modules",
                module,
                "onPluginModuleBootFailure",
            ]),
            None => read(vec![
                "backend",
                "startup",
                "plugins",
                plugin_id,
                "onPluginBootFailure",
            ]),
        };
        let key = if module_id.is_some() {
            "onPluginModuleBootFailure"
        } else {
            "onPluginBootFailure"
        };
        specific
            .or_else(|| read(vec!["backend", "startup", "default", key]))
            .unwrap_or(BootFailure::Abort)
    }
}

fn port_error(port: &str) -> BackendError {
    BackendError::ConfigValue(backstage_core::config::ConfigError::Invalid {
        key: backstage_core::config::ConfigPath::parse_dotted("backend.listen.port"),
        message: format!("{port:?} is not a port number (0-65535)"),
    })
}

fn parse_port(port: &str) -> Result<u16, BackendError> {
    port.trim().parse().map_err(|_| port_error(port))
}

fn string_or_list(config: &Config, key: &str) -> Result<Option<Vec<String>>, BackendError> {
    Ok(match config.get_value(key) {
        None => None,
        Some(serde_json::Value::String(s)) => Some(vec![s.clone()]),
        Some(_) => Some(
            config
                .get_string_array(key)?
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ),
    })
}

fn cors(config: &Config) -> Result<Option<CorsLayer>, BackendError> {
    let Some(origins) = string_or_list(config, "backend.cors.origin")? else {
        return Ok(None);
    };
    let mut layer = CorsLayer::new().allow_headers(AllowHeaders::mirror_request());
    layer = if origins.iter().any(|o| o == "*") {
        layer.allow_origin(AllowOrigin::any())
    } else {
        let values = origins
            .iter()
            .map(|o| {
                o.parse().map_err(|_| {
                    BackendError::other(format!("backend.cors.origin: {o:?} is not a valid origin"))
                })
            })
            .collect::<Result<Vec<http::HeaderValue>, _>>()?;
        layer.allow_origin(values)
    };
    layer = match string_or_list(config, "backend.cors.methods")? {
        Some(methods) => layer.allow_methods(
            methods
                .iter()
                .map(|m| {
                    m.parse().map_err(|_| {
                        BackendError::other(format!(
                            "backend.cors.methods: {m:?} is not an HTTP method"
                        ))
                    })
                })
                .collect::<Result<Vec<http::Method>, _>>()?,
        ),
        None => layer.allow_methods(AllowMethods::mirror_request()),
    };
    if config
        .get_optional_bool("backend.cors.credentials")?
        .unwrap_or(false)
    {
        if origins.iter().any(|o| o == "*") {
            return Err(BackendError::other(
                "backend.cors: credentials: true cannot be combined with origin '*'; list the allowed origins instead",
            ));
        }
        layer = layer.allow_credentials(true);
    }
    Ok(Some(layer))
}
