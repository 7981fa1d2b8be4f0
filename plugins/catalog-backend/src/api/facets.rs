//! `GET` and `POST /entity-facets`: value counts, computed by the database.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use backstage_backend::http::ApiError;
use backstage_plugin_catalog_common::api::EntityFacetsRequest;
use backstage_plugin_catalog_common::{EntityFilter, EntityPredicate};
use serde_json::{Map, Value, json};

use super::entities::json_text;
use super::errors::{from_store, input};
use super::params::Params;
use crate::store::CatalogStore;

async fn facets(
    store: CatalogStore,
    facets: Vec<String>,
    filter: Option<EntityPredicate>,
) -> Result<Response, ApiError> {
    if facets.is_empty() {
        return Err(ApiError::input(
            "no facet given: name at least one field, e.g. facet=kind or facet=spec.type",
        ));
    }
    let counts = store
        .facets(&facets, filter.as_ref())
        .await
        .map_err(from_store)?;
    let mut out = Map::new();
    for (facet, values) in counts {
        let values: Vec<Value> = values
            .into_iter()
            .map(|v| json!({"value": v.value, "count": v.count}))
            .collect();
        out.insert(facet, Value::Array(values));
    }
    Ok(json_text(json!({ "facets": out }).to_string()))
}

/// `GET /entity-facets?facet=kind&filter=...`.
pub(crate) async fn facets_get(
    State(store): State<CatalogStore>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    let filter = EntityFilter::parse(params.all("filter"))
        .map_err(|e| input("filter", e))?
        .map(|f| f.to_predicate());
    let names = params.all("facet").into_iter().map(str::to_owned).collect();
    facets(store, names, filter).await
}

/// `POST /entity-facets` with `{facets, query?}`.
pub(crate) async fn facets_post(
    State(store): State<CatalogStore>,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) =
        body.map_err(|e| ApiError::input(format!("invalid request body: {}", e.body_text())))?;
    let body: EntityFacetsRequest = serde_json::from_value(body)
        .map_err(|e| ApiError::input(format!("invalid request body: {e}")))?;
    facets(store, body.facets, body.query).await
}
