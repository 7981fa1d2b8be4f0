//! The software catalog backend plugin.
//!
//! It reads `catalog-info.yaml` entities from locations, validates and
//! processes them (relations, location annotations, placeholders), stores
//! them in the plugin's own database with an index that keeps every dot path
//! of an entity filterable, and serves Backstage's catalog REST API under
//! `/api/catalog`, so clients written for Backstage's catalog work unchanged.

#![warn(missing_docs)]

/// Final entities, the lean filter index, and queries over them.
pub mod store;

pub mod api;
mod config;
pub mod engine;
mod plugin;
pub mod processing;
mod statement_chunks;
mod uuid;

pub use config::{
    DEFAULT_ORPHAN_CLEANUP_INTERVAL, DEFAULT_PROCESSING_INTERVAL, OrphanStrategy, location_options,
    locations, max_file_bytes, orphan_cleanup_interval, orphan_provider_strategy, orphan_strategy,
    processing_interval, processing_lease,
};
pub use plugin::catalog_plugin;

#[cfg(doctest)]
#[doc = include_str!("../../../book/src/catalog/backend.md")]
struct BookCatalogBackend;

#[cfg(doctest)]
#[doc = include_str!("../../../book/src/catalog/locations.md")]
struct BookCatalogLocations;
