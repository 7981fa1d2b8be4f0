//! Reading `url` locations through the backend's URL reader, so that
//! `backend.reading.allow` decides which hosts the catalog may fetch from.

use std::sync::Arc;

use backstage_backend::services::url_reader::{
    ReadUrlOptions, Url, UrlReaderError, UrlReaderService,
};
use backstage_plugin_catalog_node::{
    CatalogProcessor, Emitter, LocationSpec, Presence, ProcessorError,
};

use crate::processing::yaml::emit_documents;

/// Reads `url` locations with a [`UrlReaderService`]: every YAML document of
/// the target becomes an entity of that location.
///
/// A target the reader refuses (outside `backend.reading.allow`), cannot
/// reach, or that is too large becomes an error on that location; the
/// entities already stored from it stay. A missing target (404) is an error
/// unless the location is `presence: optional`.
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

#[async_trait::async_trait]
impl CatalogProcessor for UrlReaderProcessor {
    fn name(&self) -> &str {
        "UrlReaderProcessor"
    }

    async fn read_location(
        &self,
        location: &LocationSpec,
        emit: &mut Emitter,
    ) -> Result<bool, ProcessorError> {
        if location.location_type != "url" {
            return Ok(false);
        }
        let Some(text) =
            read_url_text(self.reader.as_ref(), &location.target, self.max_bytes).await?
        else {
            if location.presence == Presence::Required {
                return Err(ProcessorError::not_found(format!(
                    "{} was not found; fix the target or mark the location `presence: optional`",
                    location.target
                )));
            }
            return Ok(true);
        };
        emit_documents(text, location, emit).await?;
        Ok(true)
    }
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
