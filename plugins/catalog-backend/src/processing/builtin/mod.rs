//! The processors every catalog has (unless
//! `catalog.disableDefaultProcessors` says otherwise).

mod file_reader;
mod kinds;
mod placeholders;

use std::sync::Arc;

use backstage_plugin_catalog_node::CatalogProcessor;

pub use file_reader::{DEFAULT_MAX_FILE_BYTES, FileReaderProcessor};
pub use kinds::BuiltinKindsProcessor;
pub use placeholders::PlaceholderProcessor;
pub(crate) use placeholders::{normalize as normalize_path, resolve_relative};

/// The built-in processors: placeholders, the built-in kinds with their
/// relations, and the `file` location reader, reading files of at most
/// [`DEFAULT_MAX_FILE_BYTES`].
pub fn processors() -> Vec<Arc<dyn CatalogProcessor>> {
    processors_reading_at_most(DEFAULT_MAX_FILE_BYTES)
}

/// The built-in processors, refusing catalog files (and `$text`/`$json`/
/// `$yaml` placeholder targets) larger than `max_file_bytes`
/// (`catalog.maxFileBytes`).
pub fn processors_reading_at_most(max_file_bytes: u64) -> Vec<Arc<dyn CatalogProcessor>> {
    vec![
        Arc::new(PlaceholderProcessor::new(max_file_bytes)),
        Arc::new(BuiltinKindsProcessor),
        Arc::new(FileReaderProcessor::new(max_file_bytes)),
    ]
}
