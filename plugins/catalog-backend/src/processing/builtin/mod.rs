//! The processors every catalog has (unless
//! `catalog.disableDefaultProcessors` says otherwise).

mod file_reader;
mod kinds;
mod placeholders;
mod url_reader;

use std::sync::Arc;

use backstage_backend::services::url_reader::UrlReaderService;
use backstage_plugin_catalog_node::CatalogProcessor;

pub use file_reader::{DEFAULT_MAX_FILE_BYTES, FileReaderProcessor};
pub use kinds::BuiltinKindsProcessor;
pub use placeholders::PlaceholderProcessor;
pub(crate) use placeholders::{normalize as normalize_path, resolve_relative};
pub use url_reader::{MAX_CACHED_BYTES, UrlReaderProcessor};
pub(crate) use url_reader::{read_url_text, resolve_url};

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

/// The built-in processors with `url` locations (and placeholders in them)
/// read through `reader`, the plugin's URL reader: what the catalog plugin
/// runs. Catalog files and placeholder targets larger than `max_file_bytes`
/// are refused.
pub fn processors_with_url_reader(
    max_file_bytes: u64,
    reader: Arc<dyn UrlReaderService>,
) -> Vec<Arc<dyn CatalogProcessor>> {
    vec![
        Arc::new(PlaceholderProcessor::new(max_file_bytes).with_url_reader(Arc::clone(&reader))),
        Arc::new(BuiltinKindsProcessor),
        Arc::new(FileReaderProcessor::new(max_file_bytes)),
        Arc::new(UrlReaderProcessor::new(reader, max_file_bytes)),
    ]
}
