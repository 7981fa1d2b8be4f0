//! The write side of the catalog API: `/locations` (register, list, get,
//! query, delete, by entity), `POST /refresh`, `DELETE
//! /entities/by-uid/{uid}` and `POST /analyze-location`.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use backstage_backend::http::ApiError;
use backstage_backend::services::url_reader::UrlReaderService;
use backstage_common::catalog::EntityRef;
use backstage_common::catalog::annotations::MANAGED_BY_ORIGIN_LOCATION;
use backstage_plugin_catalog_common::EntityPredicate;
use backstage_plugin_catalog_common::api::{
    CreateLocationResponse, Location, LocationEnvelope, LocationInput, LocationsPageInfo,
    LocationsQueryRequest, LocationsQueryResponse, OnConflict, RefreshRequest,
};
use backstage_plugin_catalog_node::{LocationSpec, ProcessorError};
use base64::Engine as _;
use serde_json::{Value, json};

use super::errors::from_store;
use super::params::Params;
use crate::engine::{EngineError, ProcessingEngine, RegisteredLocation};

/// How the API lets users register locations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocationOptions {
    /// The location types `POST /locations` accepts (default `["url"]`).
    pub allowed_types: Vec<String>,
    /// `catalog.readonly`: no registering or deleting.
    pub readonly: bool,
    /// `catalog.defaultLocationConflictStrategy`: what `POST /locations`
    /// does with a location registered already when the request does not
    /// say (`onConflict`).
    pub on_conflict: OnConflict,
    /// `catalog.maxFileBytes`, for `POST /analyze-location`.
    pub max_file_bytes: u64,
}

impl Default for LocationOptions {
    fn default() -> Self {
        Self {
            allowed_types: vec!["url".to_owned()],
            readonly: false,
            on_conflict: OnConflict::Reject,
            max_file_bytes: crate::processing::builtin::DEFAULT_MAX_FILE_BYTES,
        }
    }
}

/// What the write handlers use.
#[derive(Clone)]
pub(crate) struct WriteState {
    pub(crate) engine: Arc<ProcessingEngine>,
    pub(crate) options: Arc<LocationOptions>,
    pub(crate) reader: Option<Arc<dyn UrlReaderService>>,
}

/// An engine failure as an HTTP error: a registered location is a 409,
/// anything else a 500 that says what failed.
pub(crate) fn from_engine(error: EngineError) -> ApiError {
    match error {
        e @ EngineError::LocationExists { .. } => ApiError::conflict(e.to_string()),
        EngineError::Store(e) => from_store(e),
        e => {
            tracing::error!("catalog write failed: {e}");
            ApiError::internal(e.to_string())
        }
    }
}

fn to_api(location: &RegisteredLocation) -> Location {
    Location {
        id: location.id.clone(),
        location_type: location.location_type.clone(),
        target: location.target.clone(),
        entity_ref: Some(location.entity_ref()),
    }
}

fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(b)| b)
        .map_err(|e| ApiError::input(format!("invalid request body: {}", e.body_text())))
}

fn not_readonly(options: &LocationOptions) -> Result<(), ApiError> {
    if options.readonly {
        return Err(ApiError::not_allowed(
            "This catalog is read-only (catalog.readonly: true): locations cannot be registered or removed through the API",
        ));
    }
    Ok(())
}

/// `POST /locations[?dryRun=true][&onConflict=reject|refresh]`.
pub(crate) async fn create(
    State(state): State<WriteState>,
    RawQuery(raw): RawQuery,
    request: Result<Json<LocationInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let input = body(request)?;
    let params = Params::parse(raw.as_deref());
    let dry_run = params.one("dryRun") == Some("true");
    let on_conflict = match params.one("onConflict") {
        None => state.options.on_conflict,
        Some("reject") => OnConflict::Reject,
        Some("refresh") => OnConflict::Refresh,
        Some(other) => {
            return Err(ApiError::input(format!(
                "invalid onConflict {other:?}: use reject or refresh"
            )));
        }
    };
    let spec = checked_spec(&state.options, &input)?;
    let existing = state
        .engine
        .location_for(&spec)
        .await
        .map_err(from_engine)?;

    if dry_run {
        let entities = state
            .engine
            .dry_run(&spec)
            .await
            .map_err(|errors| ApiError::input(describe(&spec, &errors)))?;
        let location = existing.as_ref().map_or_else(
            || Location {
                id: spec.key(),
                location_type: spec.location_type.clone(),
                target: spec.target.clone(),
                entity_ref: Some(crate::engine::root_ref(&spec)),
            },
            to_api,
        );
        return created(&json!({
            "location": location,
            "entities": entities,
            "exists": existing.is_some(),
        }));
    }

    not_readonly(&state.options)?;
    if let Some(existing) = existing {
        return match on_conflict {
            OnConflict::Reject => Err(from_engine(EngineError::LocationExists {
                location: spec.key(),
                id: existing.id,
            })),
            OnConflict::Refresh => {
                state
                    .engine
                    .refresh(&existing.entity_ref())
                    .await
                    .map_err(from_engine)?;
                created(&CreateLocationResponse {
                    location: to_api(&existing),
                    entities: Vec::new(),
                    exists: Some(true),
                })
            }
        };
    }
    let registered = state
        .engine
        .register_location(&spec)
        .await
        .map_err(from_engine)?;
    created(&CreateLocationResponse {
        location: to_api(&registered),
        entities: Vec::new(),
        exists: None,
    })
}

/// The location a request asks for, if its type may be registered and it
/// has a target.
fn checked_spec(
    options: &LocationOptions,
    input: &LocationInput,
) -> Result<LocationSpec, ApiError> {
    if !options.allowed_types.contains(&input.location_type) {
        return Err(ApiError::input(format!(
            "Registered locations must be of an allowed type {}",
            serde_json::to_string(&options.allowed_types).unwrap_or_default()
        )));
    }
    if input.target.trim().is_empty() {
        return Err(ApiError::input(
            "the location has an empty target; give the address of a catalog file",
        ));
    }
    Ok(LocationSpec::new(&input.location_type, &input.target))
}

/// `PUT /locations/{id}`: a new type and target for a registered location
/// (200 with the location; 404 for an unknown id, 409 when another
/// location has that type and target, 400 for a type that may not be
/// registered). The entities of the old target go, those of the new one
/// are read at once.
pub(crate) async fn update(
    State(state): State<WriteState>,
    Path(id): Path<String>,
    request: Result<Json<LocationInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    not_readonly(&state.options)?;
    let input = body(request)?;
    let spec = checked_spec(&state.options, &input)?;
    match state
        .engine
        .update_location(&id, &spec)
        .await
        .map_err(from_engine)?
    {
        Some(location) => Ok(Json(to_api(&location)).into_response()),
        None => Err(no_location(&id)),
    }
}

fn describe(location: &LocationSpec, errors: &[ProcessorError]) -> String {
    let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!("{location} cannot be registered: {}", list.join("; "))
}

fn created(body: &impl serde::Serialize) -> Result<Response, ApiError> {
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET /locations`: `[{data: Location}]`, registered locations only.
pub(crate) async fn list(State(state): State<WriteState>) -> Result<Response, ApiError> {
    let items: Vec<LocationEnvelope> = state
        .engine
        .locations()
        .await
        .map_err(from_engine)?
        .iter()
        .map(|l| LocationEnvelope { data: to_api(l) })
        .collect();
    Ok(Json(items).into_response())
}

fn no_location(id: &str) -> ApiError {
    ApiError::not_found(format!("Found no location with ID {id}"))
}

/// `GET /locations/{id}`.
pub(crate) async fn get_one(
    State(state): State<WriteState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    match state.engine.location(&id).await.map_err(from_engine)? {
        Some(location) => Ok(Json(to_api(&location)).into_response()),
        None => Err(no_location(&id)),
    }
}

/// `DELETE /locations/{id}`: 204; its entities go, unless another source
/// still provides them.
pub(crate) async fn delete(
    State(state): State<WriteState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    not_readonly(&state.options)?;
    if state
        .engine
        .unregister_location(&id)
        .await
        .map_err(from_engine)?
    {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(no_location(&id))
    }
}

/// `GET /locations/by-entity/{kind}/{namespace}/{name}`: the registered
/// location the entity originates from (its
/// `backstage.io/managed-by-origin-location`).
pub(crate) async fn by_entity(
    State(state): State<WriteState>,
    Path((kind, namespace, name)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let entity_ref = format!("{kind}:{namespace}/{name}");
    let Some(stored) = state
        .engine
        .store()
        .entity_by_ref(&entity_ref)
        .await
        .map_err(from_store)?
    else {
        return Err(ApiError::not_found(format!(
            "found no entity for ref {}",
            entity_ref.to_lowercase()
        )));
    };
    let entity: Value = serde_json::from_str(&stored.json).unwrap_or(Value::Null);
    let Some(origin) = entity["metadata"]["annotations"][MANAGED_BY_ORIGIN_LOCATION].as_str()
    else {
        return Err(ApiError::not_found(format!(
            "found no origin annotation for ref {}",
            stored.entity_ref
        )));
    };
    let Some((location_type, target)) = origin.split_once(':') else {
        return Err(ApiError::not_found(format!(
            "the origin location {origin:?} of {} is not of the form type:target",
            stored.entity_ref
        )));
    };
    match state
        .engine
        .location_for(&LocationSpec::new(location_type, target))
        .await
        .map_err(from_engine)?
    {
        Some(location) => Ok(Json(to_api(&location)).into_response()),
        None => Err(ApiError::not_found(format!(
            "Found no location with type {location_type} and target {target}"
        ))),
    }
}

/// The default page size of `POST /locations/by-query`.
const QUERY_LIMIT: u64 = 200;

/// `POST /locations/by-query`: registered locations matching `query` (a
/// predicate over `id`, `type`, `target`), a page at a time; the cursor
/// carries the query and the position.
pub(crate) async fn query(
    State(state): State<WriteState>,
    request: Result<Json<LocationsQueryRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let mut request = match request {
        Ok(Json(request)) => request,
        Err(JsonRejection::MissingJsonContentType(_)) => LocationsQueryRequest::default(),
        Err(e) => return body(Err(e)),
    };
    let mut offset = 0u64;
    if let Some(cursor) = request.cursor.take() {
        let cursor = decode_cursor(&cursor)?;
        request.query = cursor.0;
        request.limit = request.limit.or(Some(cursor.1));
        offset = cursor.2;
    }
    let limit = request.limit.unwrap_or(QUERY_LIMIT);
    if limit == 0 {
        return Err(ApiError::input(
            "invalid limit 0: ask for at least one location",
        ));
    }
    let all = state.engine.locations().await.map_err(from_engine)?;
    let matching: Vec<Location> = all
        .iter()
        .map(to_api)
        .filter(|location| {
            request.query.as_ref().is_none_or(|predicate| {
                predicate.matches(&json!({
                    "id": location.id,
                    "type": location.location_type,
                    "target": location.target,
                }))
            })
        })
        .collect();
    let total = matching.len() as u64;
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(matching.len());
    let end = start
        .saturating_add(usize::try_from(limit).unwrap_or(usize::MAX))
        .min(matching.len());
    let next_cursor =
        (end < matching.len()).then(|| encode_cursor(request.query.as_ref(), limit, end as u64));
    Ok(Json(LocationsQueryResponse {
        items: matching[start..end].to_vec(),
        total_items: total,
        page_info: LocationsPageInfo { next_cursor },
    })
    .into_response())
}

type Cursor = (Option<EntityPredicate>, u64, u64);

fn encode_cursor(query: Option<&EntityPredicate>, limit: u64, offset: u64) -> String {
    let value = json!({"query": query, "limit": limit, "offset": offset});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

fn decode_cursor(cursor: &str) -> Result<Cursor, ApiError> {
    let invalid = |why: String| ApiError::input(format!("invalid cursor: {why}"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|e| invalid(e.to_string()))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| invalid(e.to_string()))?;
    let query = match value.get("query") {
        None | Some(Value::Null) => None,
        Some(q) => Some(serde_json::from_value(q.clone()).map_err(|e| invalid(e.to_string()))?),
    };
    let number = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_u64)
            .ok_or_else(|| invalid(format!("it has no {key}")))
    };
    Ok((query, number("limit")?, number("offset")?))
}

/// `POST /refresh` `{entityRef}`: reprocesses the entity and the entities
/// it came from, now. 404 for an entity the catalog does not know.
pub(crate) async fn refresh(
    State(state): State<WriteState>,
    request: Result<Json<RefreshRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let request = body(request)?;
    let entity_ref: EntityRef = request
        .entity_ref
        .parse()
        .map_err(|e| ApiError::input(format!("invalid entityRef {:?}: {e}", request.entity_ref)))?;
    let key = format!(
        "{}:{}/{}",
        entity_ref.kind(),
        entity_ref.namespace(),
        entity_ref.name()
    );
    if state.engine.refresh(&key).await.map_err(from_engine)? {
        Ok(StatusCode::OK.into_response())
    } else {
        Err(ApiError::not_found(format!(
            "Entity {} not found; nothing to refresh",
            key.to_lowercase()
        )))
    }
}

/// `DELETE /entities/by-uid/{uid}`: 204. If the entity's location still
/// emits it, it comes back on that location's next processing (which is
/// right away).
pub(crate) async fn delete_by_uid(
    State(state): State<WriteState>,
    Path(uid): Path<String>,
) -> Result<Response, ApiError> {
    let Some(stored) = state
        .engine
        .store()
        .entity_by_uid(&uid)
        .await
        .map_err(from_store)?
    else {
        return Err(ApiError::not_found(format!("No entity with uid {uid}")));
    };
    state
        .engine
        .delete_entity(&stored.entity_ref)
        .await
        .map_err(from_engine)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
