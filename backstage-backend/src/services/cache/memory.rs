//! The `memory` store: a bounded in-process cache (moka) with a TTL per
//! entry. For local development, tests and single-replica backends.

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use moka::Expiry;
use moka::future::Cache;
use serde_json::Value;

use super::store::{Store, StoreError};

/// The default bound of the memory store: 64 MiB of (estimated) entry size.
pub(crate) const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Key {
    ns: Arc<str>,
    key: String,
}

// Hashes like `KeyRef`, so lookups need no allocation.
impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.ns.as_ref().hash(state);
        self.key.as_str().hash(state);
    }
}

struct KeyRef<'a> {
    ns: &'a str,
    key: &'a str,
}

impl Hash for KeyRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.ns.hash(state);
        self.key.hash(state);
    }
}

impl moka::Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        self.ns == key.ns.as_ref() && self.key == key.key
    }
}

/// A stored value with the TTL it was set with.
#[derive(Debug)]
struct Entry {
    value: Value,
    ttl: Option<Duration>,
}

/// Each entry lives for the TTL it was set with; an update restarts it.
struct PerEntryTtl;

impl Expiry<Key, Arc<Entry>> for PerEntryTtl {
    fn expire_after_create(&self, _: &Key, entry: &Arc<Entry>, _: Instant) -> Option<Duration> {
        entry.ttl
    }

    fn expire_after_update(
        &self,
        _: &Key,
        entry: &Arc<Entry>,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        entry.ttl
    }
}

/// A rough size of a JSON value in memory, for the store's bound.
fn approx_size(value: &Value) -> usize {
    const NODE: usize = 32;
    NODE + match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
        Value::String(s) => s.len(),
        Value::Array(items) => items.iter().map(approx_size).sum(),
        Value::Object(map) => map.iter().map(|(k, v)| k.len() + approx_size(v)).sum(),
    }
}

/// The memory store.
pub(crate) struct MemoryStore {
    cache: Cache<Key, Arc<Entry>>,
}

impl MemoryStore {
    /// A store holding about `max_bytes` of entries; the least useful are
    /// evicted beyond that.
    pub(crate) fn new(max_bytes: u64) -> Self {
        let cache = Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|key: &Key, entry: &Arc<Entry>| {
                let size = key.ns.len() + key.key.len() + approx_size(&entry.value);
                u32::try_from(size).unwrap_or(u32::MAX)
            })
            .expire_after(PerEntryTtl)
            .support_invalidation_closures()
            .build();
        Self { cache }
    }
}

#[async_trait]
impl Store for MemoryStore {
    fn name(&self) -> &'static str {
        "memory"
    }

    async fn get(&self, ns: &str, key: &str) -> Result<Option<Value>, StoreError> {
        Ok(self
            .cache
            .get(&KeyRef { ns, key })
            .await
            .map(|entry| entry.value.clone()))
    }

    async fn set(
        &self,
        ns: &str,
        key: &str,
        value: Value,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError> {
        let key = Key {
            ns: Arc::from(ns),
            key: key.to_owned(),
        };
        self.cache.insert(key, Arc::new(Entry { value, ttl })).await;
        Ok(())
    }

    async fn delete(&self, ns: &str, key: &str) -> Result<(), StoreError> {
        self.cache.invalidate(&KeyRef { ns, key }).await;
        Ok(())
    }

    async fn clear(&self, ns: &str) -> Result<(), StoreError> {
        let ns: Arc<str> = Arc::from(ns);
        self.cache
            .invalidate_entries_if(move |key, _| key.ns == ns)
            .map(|_| ())
            .map_err(|e| StoreError::new(e.to_string()))
    }
}
