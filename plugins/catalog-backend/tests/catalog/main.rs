//! The catalog backend's integration tests, in one test binary (one link
//! instead of one per file): the store, the processing pipeline and engine,
//! and the plugin in a real backend over HTTP — each on every configured
//! database (SQLite always; PostgreSQL and MySQL when
//! `BACKSTAGE_TEST_POSTGRES_URL` / `BACKSTAGE_TEST_MYSQL_URL` name them).
//!
//! Run one part with a filter, e.g. `cargo test -p
//! backstage-plugin-catalog-backend --test catalog locations::`.

#![allow(clippy::unwrap_used)] // tests unwrap freely; a panic is a failure with a message

mod support;

mod ancestry;
mod api;
mod api_shapes;
mod engine;
mod example_catalog;
mod locations;
mod processing;
mod store;
mod validate_entity;
