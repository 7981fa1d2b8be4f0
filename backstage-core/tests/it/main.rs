//! Integration tests of backstage-core: one test binary, one module per area.

#![allow(clippy::unwrap_used)] // tests unwrap freely; a panic is a failure with a message

mod book_examples;
mod config_errors;
mod config_schema;
mod config_sources;
mod config_transforms;
mod config_visibility;
mod feature_registry;
mod merge_properties;
mod support;
