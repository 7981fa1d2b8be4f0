//! Transforms applied to each config file after parsing: `${VAR}`
//! substitution in strings, and the `$env` / `$file` / `$include` objects.

mod include;
mod substitution;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use backstage_common::config::{ConfigPath, PathSegment};
use serde_json::{Map, Value};

use super::error::ConfigLoadError;
use include::{Include, TRANSFORM_KEYS};
use substitution::{Substituted, substitute};

/// State shared while transforming one source file and what it includes.
pub(crate) struct Transformer<'a> {
    env: &'a BTreeMap<String, String>,
    /// Files being transformed, outermost first (canonical paths), to detect
    /// include cycles.
    stack: Vec<PathBuf>,
}

impl<'a> Transformer<'a> {
    pub(crate) fn new(env: &'a BTreeMap<String, String>) -> Self {
        Self {
            env,
            stack: Vec::new(),
        }
    }

    /// Transforms the parsed content of `file`, found at `key` of the final
    /// tree (the root for a top-level config file).
    pub(crate) fn transform_file(
        &mut self,
        file: &Path,
        value: Value,
        key: &mut ConfigPath,
    ) -> Result<Option<Value>, ConfigLoadError> {
        let canonical = file.canonicalize().unwrap_or_else(|_| file.to_owned());
        if let Some(start) = self.stack.iter().position(|f| *f == canonical) {
            let mut chain = self.stack[start..].to_vec();
            chain.push(canonical);
            return Err(ConfigLoadError::IncludeCycle {
                key: key.clone(),
                chain,
            });
        }
        self.stack.push(canonical);
        let result = self.transform_value(value, file, key);
        self.stack.pop();
        result
    }

    fn transform_value(
        &mut self,
        value: Value,
        file: &Path,
        key: &mut ConfigPath,
    ) -> Result<Option<Value>, ConfigLoadError> {
        match value {
            Value::String(text) => match substitute(&text, self.env) {
                Ok(Substituted::Value(s)) => Ok(Some(Value::String(s))),
                Ok(Substituted::Absent) => Ok(None),
                Err(message) => Err(ConfigLoadError::Substitution {
                    path: file.to_owned(),
                    key: key.clone(),
                    message,
                }),
            },
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    key.push(PathSegment::Index(i));
                    let transformed = self.transform_value(item, file, key);
                    key.pop();
                    out.extend(transformed?);
                }
                Ok(Some(Value::Array(out)))
            }
            Value::Object(map) => {
                if let Some(transform) = TRANSFORM_KEYS.iter().find(|k| map.contains_key(**k)) {
                    return self.apply_transform(transform, map, file, key);
                }
                let mut out = Map::with_capacity(map.len());
                for (k, v) in map {
                    key.push(PathSegment::Key(k.clone()));
                    let transformed = self.transform_value(v, file, key);
                    key.pop();
                    if let Some(v) = transformed? {
                        out.insert(k, v);
                    }
                }
                Ok(Some(Value::Object(out)))
            }
            other => Ok(Some(other)),
        }
    }

    fn apply_transform(
        &mut self,
        transform: &str,
        map: Map<String, Value>,
        file: &Path,
        key: &mut ConfigPath,
    ) -> Result<Option<Value>, ConfigLoadError> {
        if map.len() > 1 {
            return Err(ConfigLoadError::TransformSiblings {
                path: file.to_owned(),
                key: key.clone(),
                transform: transform.to_owned(),
                siblings: map.keys().filter(|k| *k != transform).cloned().collect(),
            });
        }
        let Some(Value::String(argument)) = map.get(transform) else {
            return Err(ConfigLoadError::TransformArgument {
                path: file.to_owned(),
                key: key.clone(),
                transform: transform.to_owned(),
            });
        };
        let argument = match substitute(argument, self.env) {
            Ok(Substituted::Value(s)) => s,
            Ok(Substituted::Absent) => return Ok(None),
            Err(message) => {
                return Err(ConfigLoadError::Substitution {
                    path: file.to_owned(),
                    key: key.clone(),
                    message,
                });
            }
        };
        match Include::parse(transform, argument) {
            Include::Env(var) => Ok(self.env.get(&var).map(|v| Value::String(v.clone()))),
            Include::File(name) => include::read_text(file, &name, key).map(Some),
            Include::Document {
                file: name,
                sub_key,
            } => {
                let (included_path, value) = include::read_structured(file, &name, key)?;
                let value = match &sub_key {
                    Some(sub) => include::select(&value, sub).cloned().ok_or_else(|| {
                        ConfigLoadError::IncludeKeyMissing {
                            path: file.to_owned(),
                            key: key.clone(),
                            include: name.clone(),
                            sub_key: sub.clone(),
                        }
                    })?,
                    None => value,
                };
                self.transform_file(&included_path, value, key)
            }
        }
    }
}
