//! Backstage's catalog REST API over the [store](crate::store), mounted by
//! the plugin at `/api/catalog`: the read endpoints (`/entities`,
//! `/entities/by-uid`, `/entities/by-name` and its `/ancestry`,
//! `/entities/by-refs`, `/entities/by-query`, `/entity-facets`) and
//! `/validate-entity`.
//!
//! Entities are answered from their stored JSON text, spliced into the
//! response without being parsed again (unless `fields` asks for parts).

mod ancestry;
mod cursor;
mod entities;
mod errors;
mod facets;
mod params;
mod query;
mod read_cache;
mod validate;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};

use crate::engine::Lineage;
use crate::processing::EntityValidator;
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

/// What the handlers read from; each takes the part it needs.
#[derive(Clone, FromRef)]
struct ApiState {
    store: CatalogStore,
    lineage: Lineage,
    validator: Arc<EntityValidator>,
}

/// The API's routes, relative to the plugin's base path: entities from
/// `store`, their ancestry from the engine's `lineage`, and
/// `/validate-entity` through `validator` (built from the same processors
/// and rules as the engine's pipeline).
pub fn router(store: CatalogStore, lineage: Lineage, validator: EntityValidator) -> Router {
    Router::new()
        .route("/entities", get(entities::list))
        .route("/entities/by-uid/{uid}", get(entities::by_uid))
        .route(
            "/entities/by-name/{kind}/{namespace}/{name}",
            get(entities::by_name),
        )
        .route(
            "/entities/by-name/{kind}/{namespace}/{name}/ancestry",
            get(ancestry::ancestry),
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
        .route("/validate-entity", post(validate::validate_entity))
        .with_state(ApiState {
            store,
            lineage,
            validator: Arc::new(validator),
        })
}
