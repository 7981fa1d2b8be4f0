//! Reading `app.extensions` and `app.routes.bindings`, and the app's own
//! config schemas.

use backstage_common::config::Config;
use backstage_core::config::ConfigSchema;
use serde_json::{Value, json};

use super::error::AppError;
use crate::plugin_api::{AttachPoint, ExtensionId};

/// One entry of `app.extensions`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ExtensionOverride {
    pub(crate) index: usize,
    pub(crate) id: ExtensionId,
    pub(crate) disabled: Option<bool>,
    pub(crate) attach_to: Option<AttachPoint>,
    pub(crate) config: Option<Value>,
}

/// Parses `app.extensions`: a list whose items are `<id>` (enable),
/// `<id>: <bool>` (enable or disable) or
/// `<id>: { disabled?, attachTo?: { id, input }, config? }`.
pub(crate) fn extension_overrides(config: &Config) -> Result<Vec<ExtensionOverride>, AppError> {
    let Some(value) = config.get_value("app.extensions") else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = value else {
        return Err(AppError::ExtensionsConfig {
            index: 0,
            message: "app.extensions must be a list of extension ids or '<id>: <settings>' entries"
                .to_owned(),
        });
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| parse_item(index, item))
        .collect()
}

fn parse_item(index: usize, item: &Value) -> Result<ExtensionOverride, AppError> {
    let err = |message: String| AppError::ExtensionsConfig { index, message };
    let parse_id = |text: &str| ExtensionId::parse(text).map_err(err);
    match item {
        Value::String(text) => Ok(ExtensionOverride {
            index,
            id: parse_id(text)?,
            disabled: Some(false),
            attach_to: None,
            config: None,
        }),
        Value::Object(map) if map.len() == 1 => {
            let Some((key, value)) = map.iter().next() else {
                return Err(err("an entry needs an extension id".to_owned()));
            };
            let id = parse_id(key)?;
            let mut entry = ExtensionOverride {
                index,
                id,
                disabled: None,
                attach_to: None,
                config: None,
            };
            match value {
                Value::Bool(enabled) => entry.disabled = Some(!enabled),
                Value::Null => entry.disabled = Some(false),
                Value::Object(settings) => {
                    for (name, setting) in settings {
                        match (name.as_str(), setting) {
                            ("disabled", Value::Bool(b)) => entry.disabled = Some(*b),
                            ("config", Value::Object(_)) => entry.config = Some(setting.clone()),
                            ("attachTo", Value::Object(target)) => {
                                let (Some(Value::String(id)), Some(Value::String(input))) =
                                    (target.get("id"), target.get("input"))
                                else {
                                    return Err(err(format!(
                                        "attachTo of '{key}' needs string fields 'id' and 'input'"
                                    )));
                                };
                                entry.attach_to = Some(AttachPoint {
                                    id: ExtensionId::parse(id).map_err(err)?,
                                    input: input.clone(),
                                });
                            }
                            ("disabled" | "config" | "attachTo", _) => {
                                return Err(err(format!(
                                    "'{name}' of '{key}' has the wrong type: disabled is a boolean, config and attachTo are objects"
                                )));
                            }
                            (other, _) => {
                                return Err(err(format!(
                                    "unknown setting '{other}' for '{key}'; use disabled, attachTo or config"
                                )));
                            }
                        }
                    }
                }
                _ => {
                    return Err(err(format!(
                        "the value for '{key}' must be true, false or an object with disabled, attachTo or config"
                    )));
                }
            }
            Ok(entry)
        }
        _ => Err(err(
            "each entry is an extension id, or a map with exactly one key: '<id>: <settings>'"
                .to_owned(),
        )),
    }
}

/// Reads `app.routes.bindings`: `<pluginId>.<externalRoute>` →
/// `<pluginId>.<route>`, or `false` to leave an optional route unbound.
pub(crate) fn route_bindings(config: &Config) -> Result<Vec<(String, Option<String>)>, AppError> {
    let Some(value) = config.get_value("app.routes.bindings") else {
        return Ok(Vec::new());
    };
    let Value::Object(map) = value else {
        return Err(AppError::InvalidBinding {
            key: "app.routes.bindings".to_owned(),
            message: "must be a map of '<pluginId>.<externalRoute>': '<pluginId>.<route>'"
                .to_owned(),
        });
    };
    map.iter()
        .map(|(key, target)| match target {
            Value::String(t) => Ok((key.clone(), Some(t.clone()))),
            Value::Bool(false) => Ok((key.clone(), None)),
            _ => Err(AppError::InvalidBinding {
                key: key.clone(),
                message: "the target must be '<pluginId>.<routeName>' or false".to_owned(),
            }),
        })
        .collect()
}

/// The config schemas of the app itself: what the browser may see
/// (`app.title`, `app.baseUrl`, `app.extensions`, `app.routes`,
/// `backend.baseUrl`) and the secret backend token.
pub(crate) fn app_schemas() -> Vec<ConfigSchema> {
    vec![
        ConfigSchema::new(
            "app",
            json!({
                "type": "object",
                "properties": {
                    "title": { "type": "string", "visibility": "frontend" },
                    "baseUrl": { "type": "string", "visibility": "frontend" },
                    "extensions": { "type": "array", "deepVisibility": "frontend" },
                    "routes": {
                        "type": "object",
                        "properties": {
                            "bindings": {
                                "type": "object",
                                "additionalProperties": { "type": ["string", "boolean"] },
                                "deepVisibility": "frontend"
                            }
                        }
                    },
                    "backendAuth": {
                        "type": "object",
                        "properties": {
                            "token": { "type": "string", "visibility": "secret" }
                        }
                    }
                }
            }),
        )
        .owner("app"),
        ConfigSchema::new(
            "backend",
            json!({
                "type": "object",
                "properties": { "baseUrl": { "type": "string", "visibility": "frontend" } }
            }),
        )
        .owner("app"),
    ]
}
