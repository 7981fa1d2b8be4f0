//! Backstage's catalog REST API over the [store](crate::store), mounted by
//! the plugin at `/api/catalog`: the read endpoints (`/entities`,
//! `/entities/by-uid`, `/entities/by-name` and its `/ancestry`,
//! `/entities/by-refs`, `/entities/by-query`, `/entity-facets`) and
//! `/validate-entity` ([`router`]); and the endpoints that change what the
//! catalog holds — `/locations`, `/refresh`, `DELETE
//! /entities/by-uid/{uid}` — with `/analyze-location`, over the processing
//! engine ([`write_router`]).
//!
//! Entities are answered from their stored JSON text, spliced into the
//! response without being parsed again (unless `fields` asks for parts).

mod analyze;
mod ancestry;
mod cursor;
mod entities;
mod errors;
mod facets;
mod locations;
mod params;
mod query;
mod read_cache;
mod single_flight;
mod validate;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{delete, get, post};
use backstage_backend::services::url_reader::UrlReaderService;

use crate::engine::{Lineage, ProcessingEngine};
use crate::processing::EntityValidator;
use crate::store::CatalogStore;

pub use locations::LocationOptions;
pub use read_cache::{CacheUsage, ReadCache, ReadCacheConfig, ReadCacheUsage};

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

/// The routes that change what the catalog holds, relative to the
/// plugin's base path, over `engine`: `POST /locations` (with `dryRun` and
/// `onConflict`), `GET /locations`, `GET`/`PUT`/`DELETE /locations/{id}`, `POST
/// /locations/by-query`, `GET /locations/by-entity/{kind}/{namespace}/{name}`,
/// `POST /refresh`, `DELETE /entities/by-uid/{uid}`, and `POST
/// /analyze-location` (reading through `reader`). Merge it with
/// [`router`].
pub fn write_router(
    engine: Arc<ProcessingEngine>,
    options: LocationOptions,
    reader: Option<Arc<dyn UrlReaderService>>,
) -> Router {
    Router::new()
        .route("/locations", get(locations::list).post(locations::create))
        .route("/locations/by-query", post(locations::query))
        .route(
            "/locations/{id}",
            get(locations::get_one)
                .put(locations::update)
                .delete(locations::delete),
        )
        .route(
            "/locations/by-entity/{kind}/{namespace}/{name}",
            get(locations::by_entity),
        )
        .route("/refresh", post(locations::refresh))
        .route("/entities/by-uid/{uid}", delete(locations::delete_by_uid))
        .route("/analyze-location", post(analyze::analyze))
        .with_state(locations::WriteState {
            engine,
            options: Arc::new(options),
            reader,
        })
}
