//! The read cache: answers of the read endpoints kept in memory, keyed by
//! the request and the [store version](crate::store::CatalogStore::version).
//!
//! # Why a cached answer is correct
//!
//! Every committed change of the entities bumps the store version in the
//! same transaction, and an answer is cached under the version read
//! *before* the database was asked — and only if the version is still the
//! same once the answer is complete. So an answer is never served after a
//! change this process made: its writes raise the known version when they
//! commit, and every later lookup uses the new version. Changes made by
//! another process (a second replica processing entities) are noticed by
//! reading the version from the database every `catalog.cache.maxStaleness`
//! (default 1 s): on the other replicas an answer can be that much older
//! than the database, never more.
//!
//! Only `200` answers of a known size up to an eighth of the cache are kept:
//! the whole catalog streamed by an unpaged `GET /entities` is not. Answers
//! do not depend on the caller today; a permission-filtered catalog must
//! add the caller's decision to the key.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::HttpBody as _;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use backstage_backend::backstage_core::config::{Config, ConfigError};

use super::single_flight::{self, SingleFlight, Turn};
use crate::store::CatalogStore;

/// The largest request body read to form a key: larger requests bypass
/// the cache.
const MAX_KEYED_BODY: usize = 64 * 1024;

/// `catalog.cache`: whether answers are cached, how much memory they may
/// take and how stale they may be on replicas that did not make a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadCacheConfig {
    /// `catalog.cache.enabled` (default `true`).
    pub enabled: bool,
    /// `catalog.cache.maxBytes`: the memory answers may take (default
    /// 32 MiB).
    pub max_bytes: u64,
    /// `catalog.cache.maxStaleness`: how often the store version is read
    /// from the database (default 1 s).
    pub max_staleness: Duration,
}

impl Default for ReadCacheConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_bytes: 32 * 1024 * 1024,
            max_staleness: Duration::from_secs(1),
        }
    }
}

impl ReadCacheConfig {
    /// Reads `catalog.cache`.
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        let mut out = Self::default();
        let Some(cache) = config.get_optional_config("catalog.cache")? else {
            return Ok(out);
        };
        if let Some(enabled) = cache.get_optional_bool("enabled")? {
            out.enabled = enabled;
        }
        if let Some(value) = cache.get_value("maxBytes") {
            out.max_bytes = value.as_u64().ok_or_else(|| ConfigError::Invalid {
                key: cache.path().key("maxBytes"),
                message: format!("{value} is not a number of bytes (e.g. 33554432 for 32 MiB)"),
            })?;
        }
        if cache.get_value("maxStaleness").is_some() {
            let staleness = cache.get_duration("maxStaleness")?;
            out.max_staleness = staleness
                .to_std()
                .map_err(|e| ConfigError::Invalid {
                    key: cache.path().key("maxStaleness"),
                    message: e.to_string(),
                })?
                .max(Duration::from_millis(10));
        }
        Ok(out)
    }
}

/// A cached answer.
#[derive(Clone, Debug)]
struct Cached {
    headers: HeaderMap,
    body: Bytes,
}

impl Cached {
    fn response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.headers_mut() = self.headers;
        response
    }
}

/// The cache of one catalog: answers by `(version, method, uri, body)`.
#[derive(Debug)]
pub struct ReadCache {
    store: CatalogStore,
    entries: moka::future::Cache<String, Cached>,
    /// Misses being answered right now, so identical ones wait for them.
    flights: SingleFlight<Cached>,
    max_entry_bytes: usize,
    seen: AtomicU64,
}

impl ReadCache {
    /// A cache of `store`'s answers taking at most `config.max_bytes`.
    pub fn new(store: CatalogStore, config: &ReadCacheConfig) -> Self {
        let entries = moka::future::Cache::builder()
            .max_capacity(config.max_bytes)
            .weigher(|key: &String, value: &Cached| {
                u32::try_from(key.len() + value.body.len() + 256).unwrap_or(u32::MAX)
            })
            .build();
        Self {
            store,
            entries,
            flights: SingleFlight::default(),
            max_entry_bytes: usize::try_from(config.max_bytes / 8).unwrap_or(usize::MAX),
            seen: AtomicU64::new(0),
        }
    }

    /// The current version; drops the answers of older ones (they can never
    /// be asked for again) the first time it changes.
    fn current_version(&self) -> u64 {
        let version = self.store.version();
        if self.seen.swap(version, Ordering::AcqRel) != version {
            self.entries.invalidate_all();
        }
        version
    }
}

/// Whether the answer to `method path` may be cached: the read endpoints,
/// not ancestry (it depends on processing state the version does not
/// follow) and not validation.
fn cacheable(method: &Method, path: &str) -> bool {
    match *method {
        Method::GET => {
            path == "/entities"
                || path == "/entities/by-query"
                || path == "/entity-facets"
                || path.starts_with("/entities/by-uid/")
                || (path.starts_with("/entities/by-name/") && !path.ends_with("/ancestry"))
        }
        Method::POST => matches!(
            path,
            "/entities/by-query" | "/entities/by-refs" | "/entity-facets"
        ),
        _ => false,
    }
}

/// The middleware: answers from the cache, or asks the routes and keeps
/// their answer.
pub(crate) async fn middleware(
    State(cache): State<Arc<ReadCache>>,
    request: Request,
    next: Next,
) -> Response {
    if !cacheable(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let version = cache.current_version();
    let (parts, body) = request.into_parts();
    let body = if parts.method == Method::POST {
        match axum::body::to_bytes(body, MAX_KEYED_BODY).await {
            Ok(bytes) => bytes,
            Err(_) => {
                return (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "the request body is too large for a catalog read",
                )
                    .into_response();
            }
        }
    } else {
        Bytes::new()
    };
    let mut key = format!("{version} {} {}\n", parts.method, parts.uri);
    key.push_str(&String::from_utf8_lossy(&body));
    if let Some(hit) = cache.entries.get(&key).await {
        return hit.response();
    }
    let leader = match cache.flights.turn(&key) {
        Turn::Lead(leader) => Some(leader),
        Turn::Follow(receiver) => {
            if let Some(answer) = single_flight::wait(receiver).await {
                return answer.response();
            }
            // Nothing to share: answer this request by itself.
            None
        }
    };
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    let size = response.body().size_hint().exact();
    if response.status() != StatusCode::OK
        || size.is_none_or(|n| usize::try_from(n).map_or(true, |n| n > cache.max_entry_bytes))
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, cache.max_entry_bytes).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "reading an answer failed",
        )
            .into_response();
    };
    let answer = Cached {
        headers: parts.headers.clone(),
        body: bytes.clone(),
    };
    // Keep it only if no change committed while it was being computed;
    // the requests that waited for it get it either way (they asked
    // while it was being computed).
    if cache.store.version() == version {
        cache.entries.insert(key, answer.clone()).await;
    }
    if let Some(leader) = leader {
        leader.finish(Some(answer));
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reads_are_cacheable() {
        assert!(cacheable(&Method::GET, "/entities"));
        assert!(cacheable(
            &Method::GET,
            "/entities/by-name/component/default/a"
        ));
        assert!(!cacheable(
            &Method::GET,
            "/entities/by-name/component/default/a/ancestry"
        ));
        assert!(cacheable(&Method::POST, "/entities/by-query"));
        assert!(!cacheable(&Method::POST, "/validate-entity"));
        assert!(!cacheable(&Method::DELETE, "/entities/by-uid/x"));
        assert!(!cacheable(&Method::POST, "/locations"));
    }
}
