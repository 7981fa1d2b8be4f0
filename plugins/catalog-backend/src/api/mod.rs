//! Backstage's catalog REST API over the [store](crate::store), mounted by
//! the plugin at `/api/catalog`: the read endpoints (`/entities`,
//! `/entities/by-uid`, `/entities/by-name`, `/entities/by-refs`,
//! `/entities/by-query`, `/entity-facets`).
//!
//! Entities are answered from their stored JSON text, spliced into the
//! response without being parsed again (unless `fields` asks for parts).

mod cursor;
mod entities;
mod errors;
mod facets;
mod params;
mod query;
mod read_cache;

use axum::Router;
use axum::routing::{get, post};

use std::sync::Arc;

use crate::store::CatalogStore;

pub use read_cache::{ReadCache, ReadCacheConfig};

/// Puts the [read cache](read_cache) in front of `router`'s read
/// endpoints.
pub fn with_read_cache(router: Router, cache: Arc<ReadCache>) -> Router {
    router.layer(axum::middleware::from_fn_with_state(
        cache,
        read_cache::middleware,
    ))
}

/// The read API's routes, relative to the plugin's base path.
pub fn router(store: CatalogStore) -> Router {
    Router::new()
        .route("/entities", get(entities::list))
        .route("/entities/by-uid/{uid}", get(entities::by_uid))
        .route(
            "/entities/by-name/{kind}/{namespace}/{name}",
            get(entities::by_name),
        )
        .route("/entities/by-refs", post(entities::by_refs))
        .route(
            "/entities/by-query",
            get(query::query_get).post(query::query_post),
        )
        .route(
            "/entity-facets",
            get(facets::facets_get).post(facets::facets_post),
        )
        .with_state(store)
}
