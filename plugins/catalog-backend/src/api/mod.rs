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

use axum::Router;
use axum::routing::{get, post};

use crate::store::CatalogStore;

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
