//! Parsing config files: YAML 1.2 as Backstage reads it, and JSON.

use std::path::Path;

use serde_json::Value;
use serde_saphyr::{DuplicateKeyPolicy, MergeKeyPolicy, Options};

use super::error::ConfigLoadError;

fn yaml_options() -> Options {
    let mut options = Options::default();
    options.duplicate_keys = DuplicateKeyPolicy::Error;
    options.merge_keys = MergeKeyPolicy::Error;
    options.strict_booleans = true;
    options
}

/// Parses YAML text (JSON is YAML too). An empty document is `null`.
pub(crate) fn parse_yaml(path: &Path, text: &str) -> Result<Value, ConfigLoadError> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_saphyr::from_str_with_options::<Value>(text, yaml_options()).map_err(|err| {
        let (line, column) = err
            .location()
            .map_or((1, 1), |loc| (loc.line(), loc.column()));
        ConfigLoadError::Parse {
            path: path.to_owned(),
            line,
            column,
            message: first_line(&err.to_string()),
        }
    })
}

/// Parses JSON text.
pub(crate) fn parse_json(path: &Path, text: &str) -> Result<Value, ConfigLoadError> {
    serde_json::from_str(text).map_err(|err| ConfigLoadError::Parse {
        path: path.to_owned(),
        line: err.line() as u64,
        column: err.column() as u64,
        message: first_line(&err.to_string()),
    })
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_owned()
}

/// Parses a config file's top level, which must be a mapping (an empty file is
/// an empty mapping).
pub(crate) fn parse_config_file(path: &Path, text: &str) -> Result<Value, ConfigLoadError> {
    match parse_yaml(path, text)? {
        Value::Null => Ok(Value::Object(Default::default())),
        value @ Value::Object(_) => Ok(value),
        other => Err(ConfigLoadError::NotAMapping {
            path: path.to_owned(),
            found: match other {
                Value::Array(_) => "a list",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                _ => "a boolean",
            },
        }),
    }
}
