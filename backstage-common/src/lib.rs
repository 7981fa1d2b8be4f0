//! Isomorphic building blocks of the backstage-rs portal framework.
//!
//! Everything here runs in any process — a backend, a frontend server, a CLI —
//! and pulls in no async runtime, database driver or HTTP server:
//!
//! * [`config`]: the immutable configuration tree ([`config::Config`]) with
//!   typed, path-aware readers, durations and value visibility;
//! * [`catalog`]: the catalog entity model — entities, references,
//!   validation and relations.

pub mod catalog;
pub mod config;
