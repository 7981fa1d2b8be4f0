//! The `$env`, `$file` and `$include` objects.

use std::path::{Path, PathBuf};

use backstage_common::config::ConfigPath;
use serde_json::Value;

use crate::config::error::ConfigLoadError;
use crate::config::yaml::{parse_json, parse_yaml};

/// The keys that make an object a transform.
pub(super) const TRANSFORM_KEYS: [&str; 3] = ["$env", "$file", "$include"];

/// A parsed transform object.
pub(super) enum Include {
    /// `$env: VAR`: the variable's value (absent when unset).
    Env(String),
    /// `$file: path`: the file's text, trailing whitespace trimmed.
    File(String),
    /// `$include: path[#dot.path]`: a parsed YAML/JSON file or a part of it.
    Document {
        file: String,
        sub_key: Option<String>,
    },
}

impl Include {
    pub(super) fn parse(transform: &str, argument: String) -> Include {
        match transform {
            "$env" => Include::Env(argument),
            "$file" => Include::File(argument),
            _ => match argument.split_once('#') {
                Some((file, sub)) if !sub.is_empty() => Include::Document {
                    file: file.to_owned(),
                    sub_key: Some(sub.to_owned()),
                },
                Some((file, _)) => Include::Document {
                    file: file.to_owned(),
                    sub_key: None,
                },
                None => Include::Document {
                    file: argument,
                    sub_key: None,
                },
            },
        }
    }
}

fn resolve(including_file: &Path, name: &str) -> PathBuf {
    let base = including_file.parent().unwrap_or(Path::new("."));
    base.join(name)
}

fn read(
    including_file: &Path,
    name: &str,
    key: &ConfigPath,
) -> Result<(PathBuf, String), ConfigLoadError> {
    let path = resolve(including_file, name);
    std::fs::read_to_string(&path)
        .map(|text| (path.clone(), text))
        .map_err(|source| ConfigLoadError::ReadFile {
            path,
            key: Some(key.clone()),
            source,
        })
}

/// `$file`: the text of a file next to the including one.
pub(super) fn read_text(
    including_file: &Path,
    name: &str,
    key: &ConfigPath,
) -> Result<Value, ConfigLoadError> {
    let (_, text) = read(including_file, name, key)?;
    Ok(Value::String(text.trim_end().to_owned()))
}

/// `$include`: a parsed YAML or JSON file next to the including one.
pub(super) fn read_structured(
    including_file: &Path,
    name: &str,
    key: &ConfigPath,
) -> Result<(PathBuf, Value), ConfigLoadError> {
    let extension = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let parse = match extension.as_deref() {
        Some("json") => parse_json,
        Some("yaml" | "yml") => parse_yaml,
        _ => {
            return Err(ConfigLoadError::IncludeUnsupported {
                path: including_file.to_owned(),
                key: key.clone(),
                include: name.to_owned(),
            });
        }
    };
    let (path, text) = read(including_file, name, key)?;
    let value = parse(&path, &text)?;
    Ok((path, value))
}

/// The value at a dotted path (`a.b.0`) inside an included document.
pub(super) fn select<'v>(value: &'v Value, dotted: &str) -> Option<&'v Value> {
    dotted.split('.').try_fold(value, |node, part| match node {
        Value::Object(map) => map.get(part),
        Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}
