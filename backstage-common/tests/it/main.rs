//! Integration tests of backstage-common: one test binary, one module per area.

mod catalog;
mod config;
