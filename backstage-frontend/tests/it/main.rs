//! Integration tests of backstage-frontend: one test binary, one module per
//! area.

#![allow(clippy::unwrap_used)] // tests unwrap freely; a panic is a failure with a message

mod apis;
mod browser;
mod components;
mod macros;
mod routing;
mod server;
mod support;
mod tree;
