//! `POST /validate-entity`: would this entity, read from this location,
//! process cleanly? Nothing is stored.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use backstage_backend::http::ApiError;
use backstage_common::catalog::LocationRef;
use backstage_plugin_catalog_node::{LocationSpec, ProcessorError};
use serde_json::{Value, json};

use super::entities::json_text;
use crate::processing::EntityValidator;

/// 200 with an empty body when the entity is valid; 400
/// `{errors: [{name, message}]}` when it is not, or when `location` or
/// `entity` is missing or malformed (as Backstage answers). A body that is
/// not JSON at all is a 400 in the usual error format.
pub(crate) async fn validate_entity(
    State(validator): State<Arc<EntityValidator>>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) =
        body.map_err(|e| ApiError::input(format!("invalid request body: {}", e.body_text())))?;
    let (entity, location) = match read_request(body) {
        Ok(request) => request,
        Err(message) => return Ok(invalid(&[ProcessorError::input(message)])),
    };
    let errors = validator.validate(entity, &location).await;
    if errors.is_empty() {
        Ok(StatusCode::OK.into_response())
    } else {
        Ok(invalid(&errors))
    }
}

/// The entity and location of a request body, or what is wrong with it.
fn read_request(body: Value) -> Result<(Value, LocationSpec), String> {
    const SHAPE: &str =
        "send {\"location\": \"url:<address of the catalog file>\", \"entity\": {...}}";
    let Value::Object(mut body) = body else {
        return Err(format!("the request body must be a JSON object; {SHAPE}"));
    };
    let location = match body.remove("location") {
        Some(Value::String(location)) => location,
        Some(other) => {
            return Err(format!(
                "location must be a string of the form type:target, not {}; {SHAPE}",
                json_type(&other)
            ));
        }
        None => return Err(format!("the request body has no location; {SHAPE}")),
    };
    let entity = match body.remove("entity") {
        Some(entity @ Value::Object(_)) => entity,
        Some(other) => {
            return Err(format!(
                "entity must be a JSON object (an entity with apiVersion, kind and metadata), not {}",
                json_type(&other)
            ));
        }
        None => return Err(format!("the request body has no entity; {SHAPE}")),
    };
    let location_ref = LocationRef::parse(&location).map_err(|e| e.to_string())?;
    // As in Backstage: a validation request may not make the catalog read
    // files on its own disk.
    if location_ref.location_type() != "url" {
        return Err(format!(
            "location {location:?} has the type '{}', but only url locations can be validated; write url:<address>, e.g. url:https://github.com/org/repo/blob/main/catalog-info.yaml",
            location_ref.location_type()
        ));
    }
    Ok((
        entity,
        LocationSpec::new(location_ref.location_type(), location_ref.target()),
    ))
}

/// What kind of JSON value `value` is, for messages.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The 400 answer listing `errors`.
fn invalid(errors: &[ProcessorError]) -> Response {
    let errors: Vec<Value> = errors
        .iter()
        .map(|e| json!({"name": e.name, "message": e.message}))
        .collect();
    let mut response = json_text(json!({ "errors": errors }).to_string());
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response
}
