//! Reading `url` locations through the backend's URL reader, so that
//! `backend.reading.allow` decides which hosts the catalog may fetch from.

use std::sync::Arc;

use backstage_backend::services::url_reader::{
    ReadUrlOptions, Url, UrlReaderError, UrlReaderService,
};
use backstage_plugin_catalog_node::{
    CatalogProcessor, Emitter, LocationSpec, Presence, ProcessorError,
};
use serde_json::{Map, Value};

use crate::processing::yaml::documents;

/// The processor's name, and its key in an entity's processor cache.
const NAME: &str = "UrlReaderProcessor";

/// The most a target's entities may take (as the JSON strings of the cache)
/// to be kept: the cache is written as one value in one statement, which
/// every database takes with its default limits (MariaDB's
/// `max_allowed_packet` is 16 MiB). A larger target is read in full on
/// every run, as without a cache.
pub const MAX_CACHED_BYTES: u64 = 8 * 1024 * 1024;

/// Reads `url` locations with a [`UrlReaderService`]: every YAML document of
/// the target becomes an entity of that location.
///
/// A target the reader refuses (outside `backend.reading.allow`), cannot
/// reach, or that is too large becomes an error on that location; the
/// entities already stored from it stay. A missing target (404) is an error
/// unless the location is `presence: optional`.
///
/// **Unchanged targets are not read again.** When a read answers an `ETag`,
/// the processor keeps it in the `Location` entity's processor cache
/// together with the entities it read there (as JSON text), and sends it
/// on the next run (`If-None-Match`). While the target still has that tag
/// (HTTP `304 Not Modified`), the processor emits the kept entities instead
/// of downloading and parsing the target again; they are identical to last
/// time, so nothing downstream is written either. A target without an
/// `ETag`, or whose entities take more than [`MAX_CACHED_BYTES`] as JSON,
/// is read in full every time. When a read fails, the entity's processing
/// fails and the cache stays as it was, so the next successful run can
/// still answer from it.
#[derive(Clone, Debug)]
pub struct UrlReaderProcessor {
    reader: Arc<dyn UrlReaderService>,
    max_bytes: u64,
}

impl UrlReaderProcessor {
    /// A processor reading through `reader`, refusing targets larger than
    /// `max_bytes` (`catalog.maxFileBytes`; the reader's own limit,
    /// `backend.reading.maxBytes`, applies too).
    pub fn new(reader: Arc<dyn UrlReaderService>, max_bytes: u64) -> Self {
        Self { reader, max_bytes }
    }
}

/// Reads `url` as text; `None` when it does not exist.
pub(crate) async fn read_url_text(
    reader: &dyn UrlReaderService,
    url: &str,
    max_bytes: u64,
) -> Result<Option<String>, ProcessorError> {
    let options = ReadUrlOptions::new().max_bytes(max_bytes);
    match reader.read_url(url, &options).await {
        Ok(response) => response
            .text()
            .map(|t| Some(t.to_owned()))
            .map_err(to_processor_error),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(to_processor_error(e)),
    }
}

/// A reader's error as the catalog reports it on an entity.
fn to_processor_error(error: UrlReaderError) -> ProcessorError {
    let message = error.to_string();
    match error {
        UrlReaderError::NotAllowed { .. } => ProcessorError::not_allowed(message),
        UrlReaderError::NotFound { .. } => ProcessorError::not_found(message),
        UrlReaderError::InvalidUrl { .. }
        | UrlReaderError::Unsupported { .. }
        | UrlReaderError::TooLarge { .. }
        | UrlReaderError::NotText { .. } => ProcessorError::input(message),
        // Unreachable, timeouts, server errors: the target may come back.
        _ => ProcessorError::new("Error", message),
    }
}

/// `target` resolved against the URL `base` (a relative target of a `url`
/// location is relative to that location's URL).
pub(crate) fn resolve_url(base: &str, target: &str) -> String {
    Url::parse(base)
        .and_then(|base| base.join(target))
        .map_or_else(|_| target.to_owned(), String::from)
}

/// What the processor keeps of one target in the cache: the `ETag` it was
/// read with and the entities read there, as a JSON object
/// `{"etag": "…", "entities": ["{…}", …]}` (each entity as JSON text).
/// `None` when `entry` does not have that shape.
fn cached_etag(entry: &Value) -> Option<&str> {
    let etag = entry.get("etag")?.as_str()?;
    entry
        .get("entities")?
        .as_array()?
        .iter()
        .all(Value::is_string)
        .then_some(etag)
}

/// The bytes `entities` take as the JSON strings of a cache entry, about.
fn cached_size(entities: &[String]) -> u64 {
    entities
        .iter()
        .map(|e| e.len() + e.bytes().filter(|b| matches!(b, b'"' | b'\\')).count() + 3)
        .sum::<usize>() as u64
}

/// Records `entry` as the cache of `target` for the entity's next run.
fn keep(emit: &mut Emitter, target: &str, entry: Value) {
    let cache = emit.cache_mut(NAME);
    if !cache.is_object() {
        *cache = Value::Object(Map::new());
    }
    if let Some(targets) = cache.as_object_mut() {
        targets.insert(target.to_owned(), entry);
    }
}

#[async_trait::async_trait]
impl CatalogProcessor for UrlReaderProcessor {
    fn name(&self) -> &str {
        NAME
    }

    async fn read_location(
        &self,
        location: &LocationSpec,
        emit: &mut Emitter,
    ) -> Result<bool, ProcessorError> {
        if location.location_type != "url" {
            return Ok(false);
        }
        let target = location.target.as_str();
        // What the last successful run read there, if it had an ETag.
        let previous = emit
            .cached(NAME)
            .and_then(|targets| targets.get(target))
            .filter(|entry| cached_etag(entry).is_some())
            .cloned();
        let mut options = ReadUrlOptions::new().max_bytes(self.max_bytes);
        if let Some(etag) = previous.as_ref().and_then(cached_etag) {
            options = options.etag(etag);
        }
        let response = match self.reader.read_url(target, &options).await {
            Ok(response) => response,
            Err(e) if e.is_not_modified() => {
                if let Some(entry) = previous {
                    for entity in entry["entities"].as_array().into_iter().flatten() {
                        if let Some(json) = entity.as_str() {
                            emit.entity_json(json.to_owned(), location.clone());
                        }
                    }
                    keep(emit, target, entry);
                    return Ok(true);
                }
                // "Not modified" to a read without a condition: the
                // reader or the server is broken.
                return Err(to_processor_error(e));
            }
            Err(e) if e.is_not_found() => return missing(location),
            Err(e) => return Err(to_processor_error(e)),
        };
        let etag = response.etag.clone();
        let text = response.text().map_err(to_processor_error)?.to_owned();
        drop(response);
        let entities = documents(text, location).await?;
        if let Some(etag) = etag
            && cached_size(&entities) <= MAX_CACHED_BYTES
        {
            let kept: Vec<Value> = entities.iter().cloned().map(Value::String).collect();
            keep(
                emit,
                target,
                serde_json::json!({"etag": etag, "entities": kept}),
            );
        }
        for entity in entities {
            emit.entity_json(entity, location.clone());
        }
        Ok(true)
    }
}

/// A target that does not exist: an error unless it is optional.
fn missing(location: &LocationSpec) -> Result<bool, ProcessorError> {
    if location.presence == Presence::Required {
        return Err(ProcessorError::not_found(format!(
            "{} was not found; fix the target or mark the location `presence: optional`",
            location.target
        )));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_targets_resolve_against_the_url() {
        let base = "https://example.com/org/repo/catalog-info.yaml";
        assert_eq!(
            resolve_url(base, "./apis/a.yaml"),
            "https://example.com/org/repo/apis/a.yaml"
        );
        assert_eq!(
            resolve_url(base, "../b.yaml"),
            "https://example.com/org/b.yaml"
        );
        assert_eq!(
            resolve_url(base, "https://other.example/c.yaml"),
            "https://other.example/c.yaml"
        );
        assert_eq!(resolve_url("not a url", "./x.yaml"), "./x.yaml");
    }
}
