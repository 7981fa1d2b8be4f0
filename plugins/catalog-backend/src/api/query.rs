//! `GET` and `POST /entities/by-query`: cursor paging with totals.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use backstage_backend::http::ApiError;
use backstage_plugin_catalog_common::api::{QueryEntitiesRequest, TotalItems};
use backstage_plugin_catalog_common::{
    EntityFilter, EntityOrder, EntityPredicate, FieldSelection, parse_order_field_params,
};
use serde_json::{Value, json};

use super::cursor::Cursor;
use super::entities::{fields_of, json_array, json_text, project};
use super::errors::{from_store, input};
use super::params::Params;
use crate::store::{CatalogStore, EntityQuery, FullTextQuery, PagePosition};

/// The page size when none is asked for (Backstage's).
const DEFAULT_LIMIT: u64 = 200;

/// A by-query request, from either form.
struct Request {
    cursor: Option<Cursor>,
    filter: Option<EntityPredicate>,
    order: Option<EntityOrder>,
    full_text: Option<FullTextQuery>,
    total: bool,
    limit: u64,
    offset: u64,
    fields: Option<FieldSelection>,
}

fn full_text(
    term: Option<String>,
    fields: Vec<String>,
    order: Option<&EntityOrder>,
) -> Option<FullTextQuery> {
    let term = term.filter(|t| !t.trim().is_empty())?;
    let fields = if fields.is_empty() {
        vec![order.map_or_else(|| "metadata.uid".to_owned(), |o| o.field.clone())]
    } else {
        fields
    };
    Some(FullTextQuery {
        term: term.trim().to_owned(),
        fields,
    })
}

fn total_items(value: Option<&str>) -> Result<bool, ApiError> {
    match value {
        None | Some("include") => Ok(true),
        Some("exclude") => Ok(false),
        Some(other) => Err(ApiError::input(format!(
            "invalid totalItems {other:?}: use include or exclude"
        ))),
    }
}

fn limit(value: Option<u64>) -> Result<u64, ApiError> {
    match value {
        Some(0) => Err(ApiError::input(
            "invalid limit 0: ask for at least one entity",
        )),
        Some(limit) => Ok(limit),
        None => Ok(DEFAULT_LIMIT),
    }
}

/// `GET /entities/by-query`.
pub(crate) async fn query_get(
    State(store): State<CatalogStore>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    let cursor = match params.one("cursor") {
        Some(text) => Some(Cursor::decode(text).map_err(|e| ApiError::input(e.to_string()))?),
        None => None,
    };
    let orders =
        parse_order_field_params(params.all("orderField")).map_err(|e| input("orderField", e))?;
    if orders.len() > 1 {
        tracing::warn!("GET /entities/by-query: only the first orderField is applied");
    }
    let order = orders.into_iter().next();
    let fields_list: Vec<String> = params
        .all("fullTextFilterFields")
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect();
    let request = Request {
        filter: EntityFilter::parse(params.all("filter"))
            .map_err(|e| input("filter", e))?
            .map(|f| f.to_predicate()),
        full_text: full_text(
            params.one("fullTextFilterTerm").map(str::to_owned),
            fields_list,
            order.as_ref(),
        ),
        order,
        total: total_items(params.one("totalItems"))?,
        limit: limit(params.number("limit")?)?,
        offset: params.number("offset")?.unwrap_or(0),
        fields: fields_of(&params)?,
        cursor,
    };
    run(store, request).await
}

/// `POST /entities/by-query`, with the predicate language in `query`.
pub(crate) async fn query_post(
    State(store): State<CatalogStore>,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let body = match body {
        Ok(Json(body)) => body,
        Err(axum::extract::rejection::JsonRejection::MissingJsonContentType(_)) => json!({}),
        Err(e) => {
            return Err(ApiError::input(format!(
                "invalid request body: {}",
                e.body_text()
            )));
        }
    };
    let body: QueryEntitiesRequest = serde_json::from_value(body)
        .map_err(|e| ApiError::input(format!("invalid request body: {e}")))?;
    let cursor = match &body.cursor {
        Some(text) => Some(Cursor::decode(text).map_err(|e| ApiError::input(e.to_string()))?),
        None => None,
    };
    let mut orders = body.order_by.clone().unwrap_or_default();
    if orders.len() > 1 {
        tracing::warn!("POST /entities/by-query: only the first orderBy is applied");
    }
    let order = if orders.is_empty() {
        None
    } else {
        Some(orders.remove(0))
    };
    let fields = match &body.fields {
        Some(paths) => {
            FieldSelection::from_paths(paths.iter().cloned()).map_err(|e| input("fields", e))?
        }
        None => None,
    };
    let total = !matches!(body.total_items, Some(TotalItems::Exclude));
    let request = Request {
        filter: body.query.clone(),
        full_text: body.full_text_filter.as_ref().and_then(|f| {
            full_text(
                Some(f.term.clone()),
                f.fields.clone().unwrap_or_default(),
                order.as_ref(),
            )
        }),
        order,
        total,
        limit: limit(body.limit)?,
        offset: body.offset.unwrap_or(0),
        fields,
        cursor,
    };
    run(store, request).await
}

async fn run(store: CatalogStore, request: Request) -> Result<Response, ApiError> {
    let (filter, order, full_text, total, position) = match &request.cursor {
        Some(cursor) => (
            cursor.query().cloned(),
            cursor.order().cloned(),
            cursor.full_text(),
            cursor.total(),
            cursor.position(),
        ),
        None => (
            request.filter,
            request.order,
            request.full_text,
            request.total,
            PagePosition::Offset(request.offset),
        ),
    };
    let query = EntityQuery {
        filter: filter.clone(),
        full_text: full_text.clone(),
        order: order.clone(),
        position,
        limit: Some(request.limit),
        count_total: total,
    };
    let page = store.query_entities(&query).await.map_err(from_store)?;
    let items = page
        .items
        .iter()
        .map(|item| project(&item.json, request.fields.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut page_info = serde_json::Map::new();
    if let (true, Some(last)) = (page.has_next, page.items.last()) {
        let cursor = Cursor::new(
            filter.clone(),
            order.clone(),
            full_text.as_ref(),
            total,
            &PagePosition::After(last.position()),
        );
        page_info.insert("nextCursor".to_owned(), Value::String(cursor.encode()));
    }
    if let (true, Some(first)) = (page.has_prev, page.items.first()) {
        let cursor = Cursor::new(
            filter,
            order,
            full_text.as_ref(),
            total,
            &PagePosition::Before(first.position()),
        );
        page_info.insert("prevCursor".to_owned(), Value::String(cursor.encode()));
    }
    let mut body = format!(
        "{{\"items\":{}",
        json_array(items.iter().map(String::as_str))
    );
    // Uncounted (totalItems=exclude) is 0, as Backstage answers; the spec requires the key.
    body.push_str(&format!(
        ",\"totalItems\":{}",
        page.total_items.unwrap_or(0)
    ));
    body.push_str(&format!(",\"pageInfo\":{}}}", Value::Object(page_info)));
    Ok(json_text(body))
}
