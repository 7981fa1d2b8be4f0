//! Integration tests of the catalog frontend plugin: one test binary, one
//! module per area.

#![allow(clippy::unwrap_used)] // tests unwrap freely; a panic is a failure with a message

mod import;
mod pages;
mod support;
