//! Integration tests of the Tech Radar plugin: one test binary, one module
//! per area.

#![allow(clippy::unwrap_used)] // tests unwrap freely; a panic is a failure with a message

mod browser;
mod data;
mod page;
mod support;
