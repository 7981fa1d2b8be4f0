//! A stub catalog backend on 127.0.0.1 (the endpoints the pages call,
//! answering from a list of entities with the real filter semantics of
//! catalog-common), and an app that talks to it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get as get_route, post};
use backstage_common::config::Config;
use backstage_frontend::{App, FrontendPlugin};
use backstage_plugin_catalog_common::EntityFilter;
use http::Request;
use serde_json::{Value, json};
use tower::ServiceExt;

pub(crate) const TOKEN: &str = "test-token";

/// A request the stub saw: path with query, and the Authorization header.
pub(crate) type Seen = (String, Option<String>);

/// How the stub behaves.
#[derive(Clone, Default)]
pub(crate) struct Stub {
    pub(crate) entities: Arc<Vec<Value>>,
    /// Every answer waits this long first.
    pub(crate) delay: Option<Duration>,
    /// Every answer is this error status.
    pub(crate) fail_with: Option<u16>,
    /// `POST /locations` answers with this status and body.
    pub(crate) locations: Option<(u16, Value)>,
    /// What was asked: path and query, and the Authorization header.
    pub(crate) seen: Arc<Mutex<Vec<Seen>>>,
}

impl Stub {
    pub(crate) fn with(entities: Vec<Value>) -> Self {
        Self {
            entities: Arc::new(entities),
            ..Default::default()
        }
    }

    pub(crate) fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// An error body in Backstage's wire format.
pub(crate) fn error_body(status: u16, name: &str, message: &str) -> Value {
    json!({ "error": { "name": name, "message": message }, "response": { "statusCode": status } })
}

pub(crate) fn component(name: &str, owner: &str, spec_type: &str) -> Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": { "name": name, "namespace": "default", "description": format!("The {name} component"), "tags": ["rust"] },
        "spec": { "type": spec_type, "lifecycle": "production", "owner": owner, "system": "shop" },
        "relations": [{ "type": "ownedBy", "targetRef": format!("group:default/{owner}") }]
    })
}

fn field_values(entity: &Value, path: &str) -> Vec<String> {
    if let Some(relation) = path.strip_prefix("relations.") {
        return entity["relations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| {
                r["type"]
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case(relation))
            })
            .filter_map(|r| r["targetRef"].as_str().map(str::to_owned))
            .collect();
    }
    let mut value = entity;
    for part in path.split('.') {
        value = &value[part];
    }
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Value::Null if path == "metadata.namespace" => vec!["default".to_owned()],
        _ => Vec::new(),
    }
}

fn pairs(query: &Option<String>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn all<'a>(pairs: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

async fn gate(
    stub: &Stub,
    path: String,
    query: &Option<String>,
    headers: &HeaderMap,
) -> Option<Response> {
    let full = match query {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    stub.seen.lock().unwrap().push((full, auth));
    if let Some(delay) = stub.delay {
        tokio::time::sleep(delay).await;
    }
    stub.fail_with.map(|status| {
        (
            StatusCode::from_u16(status).unwrap(),
            axum::Json(error_body(status, "Error", "stub failure")),
        )
            .into_response()
    })
}

fn matching(stub: &Stub, filters: &[&str]) -> Vec<Value> {
    let filter = EntityFilter::parse(filters.iter().copied()).unwrap();
    stub.entities
        .iter()
        .filter(|e| filter.as_ref().is_none_or(|f| f.matches(e)))
        .cloned()
        .collect()
}

async fn by_query(
    State(stub): State<Stub>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Some(r) = gate(&stub, "/entities/by-query".into(), &query, &headers).await {
        return r;
    }
    let mut params = pairs(&query);
    let mut offset = 0usize;
    if let Some(cursor) = all(&params, "cursor").first() {
        // The stub's cursor: "<offset>|<original query>".
        let Some((Ok(o), original)) = cursor.split_once('|').map(|(o, q)| (o.parse(), q)) else {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(error_body(400, "InputError", "Malformed cursor")),
            )
                .into_response();
        };
        offset = o;
        let limit = all(&params, "limit").first().map(|s| (*s).to_owned());
        params = pairs(&Some(original.to_owned()));
        params.retain(|(k, _)| k != "limit");
        if let Some(limit) = limit {
            params.push(("limit".into(), limit));
        }
    }
    let original: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().filter(|(k, _)| k != "limit" && k != "cursor"))
        .finish();
    let mut items = matching(&stub, &all(&params, "filter"));
    if let Some(term) = all(&params, "fullTextFilterTerm").first() {
        let term = term.to_lowercase();
        items.retain(|e| {
            ["name", "title", "description"].iter().any(|f| {
                e["metadata"][f]
                    .as_str()
                    .is_some_and(|v| v.to_lowercase().contains(&term))
            })
        });
    }
    if let Some(order) = all(&params, "orderField").first() {
        let (field, dir) = order.split_once(',').unwrap_or((order, "asc"));
        items.sort_by_key(|e| {
            field_values(e, field)
                .first()
                .cloned()
                .unwrap_or_default()
                .to_lowercase()
        });
        if dir == "desc" {
            items.reverse();
        }
    }
    let limit: usize = all(&params, "limit")
        .first()
        .map(|l| l.parse().unwrap())
        .unwrap_or(20);
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    let mut page_info = json!({});
    if offset + limit < total {
        page_info["nextCursor"] = json!(format!("{}|{original}", offset + limit));
    }
    if offset > 0 {
        page_info["prevCursor"] = json!(format!("{}|{original}", offset.saturating_sub(limit)));
    }
    axum::Json(json!({ "items": page, "totalItems": total, "pageInfo": page_info })).into_response()
}

async fn facets(
    State(stub): State<Stub>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Some(r) = gate(&stub, "/entity-facets".into(), &query, &headers).await {
        return r;
    }
    let params = pairs(&query);
    let items = matching(&stub, &all(&params, "filter"));
    let mut out = serde_json::Map::new();
    for facet in all(&params, "facet") {
        let mut counts: Vec<(String, u64)> = Vec::new();
        for entity in &items {
            for value in field_values(entity, facet) {
                match counts.iter_mut().find(|(v, _)| *v == value) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((value, 1)),
                }
            }
        }
        out.insert(
            facet.to_owned(),
            counts
                .into_iter()
                .map(|(value, count)| json!({ "value": value, "count": count }))
                .collect(),
        );
    }
    axum::Json(json!({ "facets": out })).into_response()
}

async fn by_name(
    State(stub): State<Stub>,
    headers: HeaderMap,
    Path((kind, namespace, name)): Path<(String, String, String)>,
) -> Response {
    if let Some(r) = gate(
        &stub,
        format!("/entities/by-name/{kind}/{namespace}/{name}"),
        &None,
        &headers,
    )
    .await
    {
        return r;
    }
    let found = stub.entities.iter().find(|e| {
        e["kind"]
            .as_str()
            .is_some_and(|k| k.eq_ignore_ascii_case(&kind))
            && field_values(e, "metadata.namespace")
                .first()
                .is_some_and(|n| n.eq_ignore_ascii_case(&namespace))
            && e["metadata"]["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(&name))
    });
    match found {
        Some(entity) => axum::Json(entity.clone()).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(error_body(404, "NotFoundError", "no such entity")),
        )
            .into_response(),
    }
}

async fn locations(
    State(stub): State<Stub>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: String,
) -> Response {
    if let Some(r) = gate(&stub, format!("/locations body={body}"), &query, &headers).await {
        return r;
    }
    let (status, body) = stub.locations.clone().unwrap_or((500, json!({})));
    (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response()
}

/// Serves `stub` on a free port; the base URL of its backend.
pub(crate) async fn serve(stub: Stub) -> String {
    let router = Router::new()
        .route("/api/catalog/entities/by-query", get_route(by_query))
        .route("/api/catalog/entity-facets", get_route(facets))
        .route(
            "/api/catalog/entities/by-name/{kind}/{namespace}/{name}",
            get_route(by_name),
        )
        .route("/api/catalog/locations", post(locations))
        .with_state(stub);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    base
}

/// A base URL where nothing listens.
pub(crate) async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    base
}

pub(crate) fn app(backend: &str, extra: Value, plugins: Vec<FrontendPlugin>) -> App {
    let mut config = json!({
        "app": { "title": "Test portal", "backendAuth": { "token": TOKEN } },
        "backend": { "baseUrl": backend }
    });
    if let (Value::Object(app), Value::Object(extra)) = (&mut config["app"], extra) {
        app.extend(extra);
    }
    let mut builder = App::builder()
        .config(Config::from_value(config))
        .plugin(backstage_plugin_catalog::plugin());
    for plugin in plugins {
        builder = builder.plugin(plugin);
    }
    builder.build().unwrap()
}

pub(crate) async fn get(router: &Router, uri: &str) -> (u16, String) {
    let response = router
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

/// The `href` of the first `<a rel="{rel}">`, HTML entities decoded.
pub(crate) fn rel_link(page: &str, rel: &str) -> Option<String> {
    let at = page.find(&format!("rel=\"{rel}\""))?;
    let start = page[..at].rfind("<a ")?;
    let tag = &page[start..];
    let href = tag.split("href=\"").nth(1)?;
    Some(href[..href.find('"')?].replace("&amp;", "&"))
}

/// How many table rows of entities the page has.
pub(crate) fn rows(page: &str) -> usize {
    page.matches("<tr data-entity-ref=").count()
}
