//! The index entries of an entity: catalog-common's search entries, each
//! with the original-case text of its value (for facets).

use backstage_plugin_catalog_common::search::{CasedSearchEntry, cased_search_entries};
use serde_json::Value;

/// One index entry: a lowercased key and, when it has one, the
/// `(lowercased, original)` text of its value.
pub(crate) type IndexEntry = CasedSearchEntry;

/// The entries the index stores for `entity`: exactly catalog-common's
/// search entries, so every SQL filter agrees with
/// [`EntityPredicate::matches`](backstage_plugin_catalog_common::EntityPredicate::matches).
pub(crate) fn index_entries(entity: &Value) -> Vec<IndexEntry> {
    cased_search_entries(entity)
}
