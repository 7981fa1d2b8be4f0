//! Integration tests of backstage-backend: real backends bound to port 0,
//! called with a real HTTP client.

#![allow(clippy::unwrap_used)] // tests unwrap freely; a panic is a failure with a message

mod auth;
mod cache;
mod database;
mod extension_points;
mod http;
mod lifecycle;
mod macros;
mod scheduler;
mod services;
mod startup_errors;
mod support;
mod url_reader;
