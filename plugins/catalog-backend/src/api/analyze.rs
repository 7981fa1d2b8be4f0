//! `POST /analyze-location`: what a `url` location holds, before it is
//! registered.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::response::{IntoResponse, Response};
use backstage_backend::http::ApiError;
use backstage_plugin_catalog_common::api::AnalyzeLocationRequest;
use backstage_plugin_catalog_node::LocationSpec;
use serde_json::{Value, json};

use super::locations::{WriteState, from_engine};
use crate::processing::builtin::{read_url_text, resolve_url};
use crate::processing::parse_documents;

/// The catalog file looked for when the target is not a file itself.
const DEFAULT_CATALOG_FILE: &str = "catalog-info.yaml";

/// The catalog file a target names: the target when it ends in `.yaml` or
/// `.yml`, else `catalog_file` inside it (as a folder).
fn catalog_file(target: &str, catalog_file: &str) -> String {
    let path = target.split(['?', '#']).next().unwrap_or(target);
    if path.ends_with(".yaml") || path.ends_with(".yml") {
        return target.to_owned();
    }
    let folder = if target.ends_with('/') {
        target.to_owned()
    } else {
        format!("{target}/")
    };
    resolve_url(&folder, catalog_file)
}

/// A name for a component generated for `target`: the last path segment
/// that is not a file name, cleaned to what an entity name allows.
fn suggested_name(target: &str) -> String {
    let path = target
        .split("://")
        .nth(1)
        .unwrap_or(target)
        .split(['?', '#'])
        .next()
        .unwrap_or_default();
    let segment = path
        .split('/')
        .skip(1)
        .filter(|s| !s.is_empty() && !s.contains('.'))
        .filter(|s| !matches!(*s, "blob" | "tree" | "main" | "master" | "-"))
        .last()
        .unwrap_or("component");
    let cleaned: String = segment
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(63)
        .collect();
    let cleaned = cleaned.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if cleaned.is_empty() {
        "component".to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// `{existingEntityFiles, generateEntities}`: the entities of the catalog
/// file at the location, each with whether that file is registered; or,
/// when there is no such file, a minimal `Component` to fill in.
pub(crate) async fn analyze(
    State(state): State<WriteState>,
    request: Result<Json<AnalyzeLocationRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) =
        request.map_err(|e| ApiError::input(format!("invalid request body: {}", e.body_text())))?;
    if request.location.location_type != "url" {
        return Err(ApiError::input(format!(
            "locations of type {:?} cannot be analyzed; only url locations can",
            request.location.location_type
        )));
    }
    let Some(reader) = &state.reader else {
        return Err(ApiError::service_unavailable(
            "this catalog has no URL reader to analyze locations with",
        ));
    };
    let file = catalog_file(
        &request.location.target,
        request
            .catalog_file_name
            .as_deref()
            .unwrap_or(DEFAULT_CATALOG_FILE),
    );
    let text = read_url_text(reader.as_ref(), &file, state.options.max_file_bytes)
        .await
        .map_err(|e| ApiError::input(format!("{file} cannot be analyzed: {e}")))?;
    let Some(text) = text else {
        let name = suggested_name(&request.location.target);
        return Ok(Json(json!({
            "existingEntityFiles": [],
            "generateEntities": [{
                "entity": {
                    "apiVersion": "backstage.io/v1alpha1",
                    "kind": "Component",
                    "metadata": {"name": name},
                    "spec": {"type": "other", "lifecycle": "unknown"},
                },
                "fields": [{
                    "field": "spec.owner",
                    "state": "needsUserInput",
                    "value": null,
                    "description": "Entity owner is recommended",
                }],
            }],
        }))
        .into_response());
    };
    let documents = parse_documents(&text)
        .map_err(|e| ApiError::input(format!("{file} is not valid catalog YAML: {e}")))?;
    let location = LocationSpec::new("url", &file);
    let registered = state
        .engine
        .location_for(&location)
        .await
        .map_err(from_engine)?
        .is_some();
    let existing: Vec<Value> = documents
        .into_iter()
        .map(|entity| {
            json!({
                "location": {"type": "url", "target": file},
                "isRegistered": registered,
                "entity": entity,
            })
        })
        .collect();
    Ok(Json(json!({"existingEntityFiles": existing, "generateEntities": []})).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_target_gets_the_catalog_file_name() {
        assert_eq!(
            catalog_file("https://example.com/org/repo", "catalog-info.yaml"),
            "https://example.com/org/repo/catalog-info.yaml"
        );
        assert_eq!(
            catalog_file("https://example.com/org/repo/x.yml", "catalog-info.yaml"),
            "https://example.com/org/repo/x.yml"
        );
        assert_eq!(suggested_name("https://github.com/acme/Web_App"), "Web_App");
        assert_eq!(
            suggested_name("https://github.com/acme/web/blob/main/catalog-info.yaml"),
            "web"
        );
        assert_eq!(suggested_name("https://example.com/"), "component");
    }
}
