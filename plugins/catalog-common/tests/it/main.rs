//! Tests of the catalog's common crate: the query language, the API types
//! and the client (against a small recording server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod after_cursor;
mod api_types;
mod client;
mod fields;
mod filter;
mod order;
mod predicate_matches;
mod predicate_parse;
mod search;
