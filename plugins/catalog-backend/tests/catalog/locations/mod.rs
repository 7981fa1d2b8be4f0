//! Locations, refresh (and unchanged url targets answered from the
//! processor cache), orphans and conflicts, entity providers and several
//! replicas, through a real backend (and, for replicas, engines sharing a
//! database) on every configured database.

#![allow(clippy::unwrap_used)] // tests unwrap freely; a panic is a failure with a message

#[path = "../support/mod.rs"]
mod support;

mod api;
mod etag;
mod files;
mod orphans;
mod providers;
mod replicas;
