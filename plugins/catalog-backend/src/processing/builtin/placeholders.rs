//! `$text`, `$json` and `$yaml` placeholders: a value of the form
//! `{$text: ./openapi.yaml}` is replaced by the referenced file's content
//! (as a string, parsed JSON or parsed YAML), resolved relative to the
//! entity's location.

use std::sync::Arc;

use backstage_backend::services::url_reader::UrlReaderService;
use backstage_common::catalog::{Placeholder, PlaceholderKind};
use backstage_plugin_catalog_node::{CatalogProcessor, Emitter, LocationSpec, ProcessorError};
use serde_json::Value;

use super::file_reader::read_text;
use super::url_reader::{read_url_text, resolve_url};
use crate::processing::yaml::parse_documents;

/// Resolves placeholders in `file` locations, and in `url` locations when
/// it has a URL reader ([`with_url_reader`](Self::with_url_reader)); other
/// location types are reported as errors on the entity.
#[derive(Clone, Debug)]
pub struct PlaceholderProcessor {
    max_bytes: u64,
    url_reader: Option<Arc<dyn UrlReaderService>>,
}

impl PlaceholderProcessor {
    /// A processor reading referenced files up to `max_bytes`.
    pub fn new(max_bytes: u64) -> Self {
        Self {
            max_bytes,
            url_reader: None,
        }
    }

    /// This processor, reading the targets of placeholders in `url`
    /// locations through `reader` (relative targets resolve against the
    /// location's URL).
    pub fn with_url_reader(mut self, reader: Arc<dyn UrlReaderService>) -> Self {
        self.url_reader = Some(reader);
        self
    }

    async fn resolve(
        &self,
        value: Value,
        path: &str,
        location: &LocationSpec,
    ) -> Result<Value, ProcessorError> {
        if let Some(placeholder) = Placeholder::from_value(&value) {
            let kind = placeholder.kind;
            let target = placeholder.target.to_owned();
            return self.read(kind, &target, path, location).await;
        }
        match value {
            Value::Object(map) => {
                let mut out = serde_json::Map::with_capacity(map.len());
                for (key, child) in map {
                    let child_path = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    let resolved = Box::pin(self.resolve(child, &child_path, location)).await?;
                    out.insert(key, resolved);
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (index, child) in items.into_iter().enumerate() {
                    let child_path = format!("{path}[{index}]");
                    out.push(Box::pin(self.resolve(child, &child_path, location)).await?);
                }
                Ok(Value::Array(out))
            }
            other => Ok(other),
        }
    }

    async fn read(
        &self,
        kind: PlaceholderKind,
        target: &str,
        path: &str,
        location: &LocationSpec,
    ) -> Result<Value, ProcessorError> {
        let (resolved, text) = match (location.location_type.as_str(), &self.url_reader) {
            ("file", _) => {
                let resolved = resolve_relative(&location.target, target);
                let text = read_text(&resolved, self.max_bytes).await?;
                (resolved, text)
            }
            ("url", Some(reader)) => {
                let resolved = resolve_url(&location.target, target);
                let text = read_url_text(reader.as_ref(), &resolved, self.max_bytes)
                    .await
                    .map_err(|e| {
                        ProcessorError::new(
                            e.name,
                            format!("placeholder {} at {path}: {}", kind.key(), e.message),
                        )
                    })?;
                (resolved, text)
            }
            (other, _) => {
                return Err(ProcessorError::input(format!(
                    "placeholder {} at {path}: this catalog cannot read placeholder targets of a '{other}' location",
                    kind.key(),
                )));
            }
        };
        let text = text.ok_or_else(|| {
            ProcessorError::not_found(format!(
                "placeholder {} at {path}: {resolved} does not exist",
                kind.key()
            ))
        })?;
        match kind {
            PlaceholderKind::Text => Ok(Value::String(text)),
            PlaceholderKind::Json => serde_json::from_str(&text).map_err(|e| {
                ProcessorError::input(format!(
                    "placeholder $json at {path}: {resolved} is not valid JSON: {e}"
                ))
            }),
            PlaceholderKind::Yaml => {
                let mut documents = parse_documents(&text).map_err(|e| {
                    ProcessorError::input(format!("placeholder $yaml at {path}: {resolved}: {e}"))
                })?;
                if documents.len() > 1 {
                    return Err(ProcessorError::input(format!(
                        "placeholder $yaml at {path}: {resolved} holds {} documents; use a file with one",
                        documents.len()
                    )));
                }
                Ok(documents.pop().unwrap_or(Value::Null))
            }
        }
    }
}

/// Resolves `target` relative to the directory of the file `base`, unless
/// it is absolute.
pub(crate) fn resolve_relative(base: &str, target: &str) -> String {
    let target_path = std::path::Path::new(target);
    if target_path.is_absolute() {
        return target.to_owned();
    }
    let dir = std::path::Path::new(base)
        .parent()
        .unwrap_or_else(|| std::path::Path::new(""));
    normalize(&dir.join(target_path))
}

/// Removes `.` and `..` segments without touching the file system.
pub(crate) fn normalize(path: &std::path::Path) -> String {
    use std::path::Component;
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts
        .iter()
        .collect::<std::path::PathBuf>()
        .display()
        .to_string()
}

#[async_trait::async_trait]
impl CatalogProcessor for PlaceholderProcessor {
    fn name(&self) -> &str {
        "PlaceholderProcessor"
    }

    fn priority(&self) -> i32 {
        // Before anything that reads the values it replaces.
        10
    }

    async fn pre_process(
        &self,
        entity: Value,
        location: &LocationSpec,
        _emit: &mut Emitter,
    ) -> Result<Value, ProcessorError> {
        if !contains_placeholder(&entity) {
            return Ok(entity);
        }
        self.resolve(entity, "", location).await
    }
}

fn contains_placeholder(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            Placeholder::from_value(value).is_some() || map.values().any(contains_placeholder)
        }
        Value::Array(items) => items.iter().any(contains_placeholder),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_targets_resolve_against_the_files_directory() {
        assert_eq!(
            resolve_relative("/srv/catalog/all.yaml", "./apis/a.yaml"),
            "/srv/catalog/apis/a.yaml"
        );
        assert_eq!(
            resolve_relative("/srv/catalog/all.yaml", "../b.yaml"),
            "/srv/b.yaml"
        );
        assert_eq!(
            resolve_relative("/srv/catalog/all.yaml", "/etc/c.yaml"),
            "/etc/c.yaml"
        );
    }
}
