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
/// relations, and the `file` location reader.
pub fn processors() -> Vec<Arc<dyn CatalogProcessor>> {
    vec![
        Arc::new(PlaceholderProcessor::new(DEFAULT_MAX_FILE_BYTES)),
        Arc::new(BuiltinKindsProcessor),
        Arc::new(FileReaderProcessor::new(DEFAULT_MAX_FILE_BYTES)),
    ]
}
