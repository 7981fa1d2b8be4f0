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
//! # Two kinds of answers, two budgets
//!
//! Lookups of single entities (`by-name`, `by-uid`, `by-refs`) are many,
//! small and cheap to answer again; lists (`/entities`, `by-query`,
//! `entity-facets`) are few, large and expensive. They are kept in two
//! caches, three quarters of `catalog.cache.maxBytes` for lookups (enough
//! for every entity of a 20,000-entity catalog at the default 32 MiB) and a
//! quarter for lists: in one cache, a
//! catalog of 100,000 entities fills the memory with one-entity answers,
//! and the size-aware admission (a newcomer must be asked for more often
//! than every answer it would evict together) then refuses every page of
//! 100 entities, however often it is asked for.
//!
//! Only `200` answers of a known size up to a quarter of their cache are
//! kept: the whole catalog streamed by an unpaged `GET /entities` is not.
//! Answers do not depend on the caller today; a permission-filtered catalog
//! must add the caller's decision to the key.

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
    /// 32 MiB), three quarters for lookups of single entities and a quarter
    /// for lists.
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

/// Which of the two caches an answer belongs to (see the
/// [module documentation](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AnswerKind {
    /// One or a few entities named by the request.
    Lookup,
    /// Lists, pages and facets.
    List,
}

/// One of the two caches: answers by `(version, method, uri, body)`.
#[derive(Debug)]
struct Answers {
    entries: moka::future::Cache<String, Cached>,
    max_entry_bytes: usize,
}

impl Answers {
    fn new(max_bytes: u64) -> Self {
        let entries = moka::future::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|key: &String, value: &Cached| {
                u32::try_from(key.len() + value.body.len() + 256).unwrap_or(u32::MAX)
            })
            .build();
        Self {
            entries,
            max_entry_bytes: usize::try_from(max_bytes / 4).unwrap_or(usize::MAX),
        }
    }

    async fn usage(&self) -> CacheUsage {
        self.entries.run_pending_tasks().await;
        CacheUsage {
            answers: self.entries.entry_count(),
            bytes: self.entries.weighted_size(),
        }
    }
}

/// How much of a cache is in use, from [`ReadCache::usage`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheUsage {
    /// Answers kept.
    pub answers: u64,
    /// Their approximate size in bytes (body, key and bookkeeping).
    pub bytes: u64,
}

/// What [`ReadCache::usage`] reports: each of the two caches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadCacheUsage {
    /// Lookups of single entities (`by-name`, `by-uid`, `by-refs`).
    pub lookups: CacheUsage,
    /// Lists, pages and facets (`/entities`, `by-query`, `entity-facets`).
    pub lists: CacheUsage,
}

/// The cache of one catalog (see the [module documentation](self)).
#[derive(Debug)]
pub struct ReadCache {
    store: CatalogStore,
    lookups: Answers,
    lists: Answers,
    /// Misses being answered right now, so identical ones wait for them.
    flights: SingleFlight<Cached>,
    seen: AtomicU64,
}

impl ReadCache {
    /// A cache of `store`'s answers taking at most `config.max_bytes`.
    pub fn new(store: CatalogStore, config: &ReadCacheConfig) -> Self {
        Self {
            store,
            lookups: Answers::new(config.max_bytes - config.max_bytes / 4),
            lists: Answers::new(config.max_bytes / 4),
            flights: SingleFlight::default(),
            seen: AtomicU64::new(0),
        }
    }

    /// What the caches hold right now, after pending evictions are done:
    /// for metrics, and to check that answers stay where they should.
    pub async fn usage(&self) -> ReadCacheUsage {
        ReadCacheUsage {
            lookups: self.lookups.usage().await,
            lists: self.lists.usage().await,
        }
    }

    fn answers(&self, kind: AnswerKind) -> &Answers {
        match kind {
            AnswerKind::Lookup => &self.lookups,
            AnswerKind::List => &self.lists,
        }
    }

    /// The current version; drops the answers of older ones (they can never
    /// be asked for again) the first time it changes.
    fn current_version(&self) -> u64 {
        let version = self.store.version();
        if self.seen.swap(version, Ordering::AcqRel) != version {
            self.lookups.entries.invalidate_all();
            self.lists.entries.invalidate_all();
        }
        version
    }
}

/// Which cache the answer to `method path` goes to, if it may be cached:
/// the read endpoints, not ancestry (it depends on processing state the
/// version does not follow) and not validation.
fn cacheable(method: &Method, path: &str) -> Option<AnswerKind> {
    let lookup = match *method {
        Method::GET => {
            if path == "/entities" || path == "/entities/by-query" || path == "/entity-facets" {
                false
            } else if path.starts_with("/entities/by-uid/")
                || (path.starts_with("/entities/by-name/") && !path.ends_with("/ancestry"))
            {
                true
            } else {
                return None;
            }
        }
        Method::POST => match path {
            "/entities/by-refs" => true,
            "/entities/by-query" | "/entity-facets" => false,
            _ => return None,
        },
        _ => return None,
    };
    Some(if lookup {
        AnswerKind::Lookup
    } else {
        AnswerKind::List
    })
}

/// The middleware: answers from the cache, or asks the routes and keeps
/// their answer.
pub(crate) async fn middleware(
    State(cache): State<Arc<ReadCache>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(kind) = cacheable(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let answers = cache.answers(kind);
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
    if let Some(hit) = answers.entries.get(&key).await {
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
        || size.is_none_or(|n| usize::try_from(n).map_or(true, |n| n > answers.max_entry_bytes))
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, answers.max_entry_bytes).await else {
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
        answers.entries.insert(key, answer.clone()).await;
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
    fn only_reads_are_cacheable_and_lookups_are_apart_from_lists() {
        let lookup = Some(AnswerKind::Lookup);
        let list = Some(AnswerKind::List);
        assert_eq!(cacheable(&Method::GET, "/entities"), list);
        assert_eq!(
            cacheable(&Method::GET, "/entities/by-name/component/default/a"),
            lookup
        );
        assert_eq!(cacheable(&Method::GET, "/entities/by-uid/x"), lookup);
        assert_eq!(
            cacheable(
                &Method::GET,
                "/entities/by-name/component/default/a/ancestry"
            ),
            None
        );
        assert_eq!(cacheable(&Method::GET, "/entity-facets"), list);
        assert_eq!(cacheable(&Method::POST, "/entities/by-query"), list);
        assert_eq!(cacheable(&Method::POST, "/entities/by-refs"), lookup);
        assert_eq!(cacheable(&Method::POST, "/validate-entity"), None);
        assert_eq!(cacheable(&Method::DELETE, "/entities/by-uid/x"), None);
        assert_eq!(cacheable(&Method::POST, "/locations"), None);
    }
}
