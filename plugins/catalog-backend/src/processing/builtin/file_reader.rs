//! Reading `file` locations: catalog files on the backend's disk.

use backstage_plugin_catalog_node::{
    CatalogProcessor, Emitter, LocationSpec, Presence, ProcessorError,
};

use crate::processing::yaml::emit_documents;

/// The largest catalog file read by default: 10 MiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Reads `file` locations: every YAML document of the file becomes an
/// entity of that location.
#[derive(Clone, Copy, Debug)]
pub struct FileReaderProcessor {
    max_bytes: u64,
}

impl FileReaderProcessor {
    /// A reader refusing files larger than `max_bytes`.
    pub fn new(max_bytes: u64) -> Self {
        Self { max_bytes }
    }
}

/// Reads a file of at most `max_bytes`, as text.
pub(crate) async fn read_text(
    path: &str,
    max_bytes: u64,
) -> Result<Option<String>, ProcessorError> {
    let metadata = match tokio::fs::metadata(path).await {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ProcessorError::input(format!("cannot read {path}: {e}"))),
    };
    if metadata.len() > max_bytes {
        return Err(ProcessorError::input(format!(
            "{path} is {} bytes, more than the limit of {max_bytes} bytes; split it into several files",
            metadata.len()
        )));
    }
    tokio::fs::read_to_string(path)
        .await
        .map(Some)
        .map_err(|e| ProcessorError::input(format!("cannot read {path}: {e}")))
}

#[async_trait::async_trait]
impl CatalogProcessor for FileReaderProcessor {
    fn name(&self) -> &str {
        "FileReaderProcessor"
    }

    async fn read_location(
        &self,
        location: &LocationSpec,
        emit: &mut Emitter,
    ) -> Result<bool, ProcessorError> {
        if location.location_type != "file" {
            return Ok(false);
        }
        let Some(text) = read_text(&location.target, self.max_bytes).await? else {
            if location.presence == Presence::Required {
                return Err(ProcessorError::not_found(format!(
                    "{} does not exist; fix the target or mark the location `presence: optional`",
                    location.target
                )));
            }
            return Ok(true);
        };
        emit_documents(text, location, emit).await?;
        Ok(true)
    }
}
