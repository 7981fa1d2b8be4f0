//! Locations, refresh (and unchanged url targets answered from the
//! processor cache), orphans and conflicts, entity providers and several
//! replicas, through a real backend (and, for replicas, engines sharing a
//! database) on every configured database.

mod api;
mod etag;
mod files;
mod orphans;
mod providers;
mod replicas;
