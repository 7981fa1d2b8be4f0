//! `GET /entities`, `/entities/by-uid/{uid}`, `/entities/by-name/...` and
//! `POST /entities/by-refs`.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use backstage_backend::http::ApiError;
use backstage_plugin_catalog_common::{
    AfterCursor, EntityFilter, FieldSelection, parse_order_params,
};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::Value;

use super::errors::{from_store, input};
use super::params::Params;
use crate::store::{CatalogStore, EntityQuery, PageEntity, PagePosition, StoreError};

/// Entities per database round trip when the whole catalog is streamed.
const STREAM_PAGE: u64 = 10_000;

/// How much of an unpaged answer is built before the rest is streamed.
const BUFFERED_BYTES: usize = 4 * 1024 * 1024;

/// A JSON response from text that is already JSON.
pub(crate) fn json_text(body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// The entity's JSON, cut down to `fields` when given.
pub(crate) fn project(json: &str, fields: Option<&FieldSelection>) -> Result<String, ApiError> {
    let Some(fields) = fields else {
        return Ok(json.to_owned());
    };
    let entity: Value = serde_json::from_str(json).map_err(|e| {
        from_store(StoreError::Corrupt(format!(
            "a stored entity is not JSON: {e}"
        )))
    })?;
    Ok(fields.apply(&entity).to_string())
}

/// A JSON array of entities' texts.
pub(crate) fn json_array<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::from("[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item);
    }
    out.push(']');
    out
}

pub(crate) fn fields_of(params: &Params) -> Result<Option<FieldSelection>, ApiError> {
    FieldSelection::parse(params.all("fields")).map_err(|e| input("fields", e))
}

/// `GET /entities`: filtered, projected, ordered; paged with
/// `offset`/`limit`/`after` (and a `Link` header to the next page), or the
/// whole match streamed as one array.
pub(crate) async fn list(
    State(store): State<CatalogStore>,
    OriginalUri(uri): OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    let filter = EntityFilter::parse(params.all("filter"))
        .map_err(|e| input("filter", e))?
        .map(|f| f.to_predicate());
    let fields = fields_of(&params)?;
    let order = parse_order_params(params.all("order")).map_err(|e| input("order", e))?;
    if order.len() > 1 {
        tracing::warn!("GET /entities: only the first order is applied");
    }
    let mut offset = params.number("offset")?;
    let mut limit = params.number("limit")?;
    if limit == Some(0) {
        return Err(ApiError::input(
            "invalid limit 0: ask for at least one entity",
        ));
    }
    if let Some(after) = params.one("after") {
        if after.is_empty() {
            return Err(ApiError::input("invalid after: the cursor is empty"));
        }
        let cursor = AfterCursor::decode(after).map_err(|e| input("after", e))?;
        offset = cursor.offset.or(offset);
        limit = cursor.limit.or(limit);
    }
    let query = EntityQuery {
        filter,
        order: order.into_iter().next(),
        ..EntityQuery::default()
    };
    if offset.is_none() && limit.is_none() {
        return stream_all(store, query, fields).await;
    }
    let offset = offset.unwrap_or(0);
    let query = EntityQuery {
        position: PagePosition::Offset(offset),
        limit,
        ..query
    };
    let page = store.query_entities(&query).await.map_err(from_store)?;
    let items = page
        .items
        .iter()
        .map(|item| project(&item.json, fields.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut response = json_text(json_array(items.iter().map(String::as_str)));
    if let (true, Some(limit)) = (page.has_next, limit) {
        let next = AfterCursor {
            limit: Some(limit),
            offset: Some(offset + limit),
        }
        .encode();
        let rest = params.encode_without(&["after", "offset", "limit"]);
        let mut query = url::form_urlencoded::Serializer::new(rest);
        query.append_pair("after", &next);
        let link = format!("<{}?{}>; rel=\"next\"", uri.path(), query.finish());
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

/// Every match as one JSON array. Up to [`BUFFERED_BYTES`] of answer is
/// built in memory and sent as one body of known size (which the read
/// cache can keep); a larger match is streamed on from there a database
/// page at a time, so the whole catalog never sits in memory at once.
async fn stream_all(
    store: CatalogStore,
    query: EntityQuery,
    fields: Option<FieldSelection>,
) -> Result<Response, ApiError> {
    let mut head = String::from("[");
    let mut offset = 0u64;
    let mut empty = true;
    loop {
        let page = store
            .query_entities(&EntityQuery {
                position: PagePosition::Offset(offset),
                limit: Some(STREAM_PAGE),
                ..query.clone()
            })
            .await
            .map_err(from_store)?;
        page_into(&mut head, &page.items, empty, fields.as_ref())?;
        empty = empty && page.items.is_empty();
        offset += page.items.len() as u64;
        if !page.has_next {
            head.push(']');
            return Ok(json_text(head));
        }
        if head.len() >= BUFFERED_BYTES {
            break;
        }
    }
    enum Step {
        Next(u64),
        Done,
    }
    let rest = futures_util::stream::unfold(Step::Next(offset), move |step| {
        let store = store.clone();
        let query = query.clone();
        let fields = fields.clone();
        async move {
            let Step::Next(offset) = step else {
                return None;
            };
            let page_query = EntityQuery {
                position: PagePosition::Offset(offset),
                limit: Some(STREAM_PAGE),
                ..query
            };
            let page = match store.query_entities(&page_query).await {
                Ok(page) => page,
                Err(error) => {
                    tracing::error!("streaming GET /entities failed: {error}");
                    return Some((Err(std::io::Error::other(error.to_string())), Step::Done));
                }
            };
            let mut chunk = String::new();
            if page_into(&mut chunk, &page.items, false, fields.as_ref()).is_err() {
                return Some((
                    Err(std::io::Error::other("a stored entity is not JSON")),
                    Step::Done,
                ));
            }
            let next = if page.has_next {
                Step::Next(offset + page.items.len() as u64)
            } else {
                chunk.push(']');
                Step::Done
            };
            Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), next))
        }
    });
    let head = futures_util::stream::once(async move { Ok(Bytes::from(head)) });
    Ok(json_text(Body::from_stream(head.chain(rest))))
}

/// Appends the page's entities (projected) to a JSON array being written;
/// `first` when nothing precedes them.
fn page_into(
    out: &mut String,
    items: &[PageEntity],
    first: bool,
    fields: Option<&FieldSelection>,
) -> Result<(), ApiError> {
    for (i, item) in items.iter().enumerate() {
        if !first || i > 0 {
            out.push(',');
        }
        out.push_str(&project(&item.json, fields)?);
    }
    Ok(())
}

/// `GET /entities/by-uid/{uid}`.
pub(crate) async fn by_uid(
    State(store): State<CatalogStore>,
    Path(uid): Path<String>,
) -> Result<Response, ApiError> {
    match store.entity_by_uid(&uid).await.map_err(from_store)? {
        Some(entity) => Ok(json_text(entity.json)),
        None => Err(ApiError::not_found(format!("No entity with uid {uid}"))),
    }
}

/// `GET /entities/by-name/{kind}/{namespace}/{name}` (case-insensitive).
pub(crate) async fn by_name(
    State(store): State<CatalogStore>,
    Path((kind, namespace, name)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let entity_ref = format!("{kind}:{namespace}/{name}");
    match store.entity_by_ref(&entity_ref).await.map_err(from_store)? {
        Some(entity) => Ok(json_text(entity.json)),
        None => Err(ApiError::not_found(format!(
            "No entity named '{name}' found, with kind '{kind}' in namespace '{namespace}'"
        ))),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ByRefsBody {
    entity_refs: Vec<String>,
    #[serde(default)]
    fields: Option<Vec<String>>,
}

/// `POST /entities/by-refs`: `{items: [entity | null]}` in request order.
pub(crate) async fn by_refs(
    State(store): State<CatalogStore>,
    RawQuery(raw): RawQuery,
    body: Result<Json<ByRefsBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) =
        body.map_err(|e| ApiError::input(format!("invalid request body: {}", e.body_text())))?;
    let params = Params::parse(raw.as_deref());
    let fields = match &body.fields {
        Some(paths) => {
            FieldSelection::from_paths(paths.iter().cloned()).map_err(|e| input("fields", e))?
        }
        None => fields_of(&params)?,
    };
    let filter = EntityFilter::parse(params.all("filter"))
        .map_err(|e| input("filter", e))?
        .map(|f| f.to_predicate());
    // `kind:name` means the default namespace, as everywhere in the catalog.
    let refs: Vec<String> = body
        .entity_refs
        .iter()
        .map(|r| {
            r.parse::<backstage_common::catalog::EntityRef>()
                .map_or_else(|_| r.clone(), |parsed| parsed.to_string())
        })
        .collect();
    let found = store.entities_by_refs(&refs).await.map_err(from_store)?;
    let mut items = Vec::with_capacity(found.len());
    for entity in found {
        let text = match entity {
            None => "null".to_owned(),
            Some(entity) => {
                if let Some(filter) = &filter {
                    let value: Value = serde_json::from_str(&entity.json).map_err(|e| {
                        from_store(StoreError::Corrupt(format!(
                            "a stored entity is not JSON: {e}"
                        )))
                    })?;
                    if !filter.matches(&value) {
                        items.push("null".to_owned());
                        continue;
                    }
                }
                project(&entity.json, fields.as_ref())?
            }
        };
        items.push(text);
    }
    Ok(json_text(format!(
        "{{\"items\":{}}}",
        json_array(items.iter().map(String::as_str))
    )))
}
