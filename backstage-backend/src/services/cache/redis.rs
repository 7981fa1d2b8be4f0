//! The `redis` store (Redis and Valkey): one `ConnectionManager` per
//! backend, single-key commands only (so a cluster proxy or a sharded
//! deployment never sees a cross-slot command), and `clear()` either through
//! a set of the namespace's keys (`useRedisSets`) or by scanning its prefix.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde_json::Value;

use super::key::{redis_key, redis_match_prefix, redis_set_key};
use super::store::{Store, StoreError, decode};

/// Keys per SCAN / SSCAN step and per pipeline of deletions.
const BATCH: usize = 500;

/// The redis store.
pub(crate) struct RedisStore {
    client: redis::Client,
    use_sets: bool,
    timeout: Duration,
    /// Made on first use, and again after a failure: a fresh manager never
    /// waits on a connection that went silent.
    manager: Mutex<Option<ConnectionManager>>,
}

impl RedisStore {
    /// A store for `url` (`redis://[user:pass@]host:port[/db]`); connects on
    /// first use. Fails only when the URL is malformed.
    pub(crate) fn new(url: &str, use_sets: bool, timeout: Duration) -> Result<Self, String> {
        // The URL may hold a password: the message never repeats it.
        let client = redis::Client::open(url).map_err(|e| {
            format!(
                "backend.cache.connection is not a valid Redis URL ({:?}); expected redis://[user:pass@]host:port",
                e.kind()
            )
        })?;
        Ok(Self {
            client,
            use_sets,
            timeout,
            manager: Mutex::new(None),
        })
    }

    fn manager_slot(&self) -> std::sync::MutexGuard<'_, Option<ConnectionManager>> {
        self.manager
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn connection(&self) -> Result<ConnectionManager, StoreError> {
        let mut slot = self.manager_slot();
        if let Some(manager) = slot.as_ref() {
            return Ok(manager.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let manager = ConnectionManager::new_lazy_with_config(self.client.clone(), config)?;
        *slot = Some(manager.clone());
        Ok(manager)
    }

    /// Deletes `keys` one command each, in one round trip.
    async fn delete_keys(
        &self,
        conn: &mut ConnectionManager,
        keys: &[Vec<u8>],
        set: Option<&str>,
    ) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        for key in keys {
            pipe.cmd("DEL").arg(key).ignore();
        }
        if let Some(set) = set {
            pipe.cmd("SREM").arg(set).arg(keys).ignore();
        }
        pipe.query_async::<()>(conn).await?;
        Ok(())
    }
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl Store for RedisStore {
    fn name(&self) -> &'static str {
        "redis"
    }

    async fn get(&self, ns: &str, key: &str) -> Result<Option<Value>, StoreError> {
        let mut conn = self.connection()?;
        let bytes: Option<Vec<u8>> = redis::cmd("GET")
            .arg(redis_key(ns, key))
            .query_async(&mut conn)
            .await?;
        Ok(bytes.as_deref().and_then(decode))
    }

    async fn set(
        &self,
        ns: &str,
        key: &str,
        value: Value,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        let full = redis_key(ns, key);
        if self.use_sets {
            // Tracked before it is written: a failed write leaves a harmless
            // member, never an untracked key.
            redis::cmd("SADD")
                .arg(redis_set_key(ns))
                .arg(&full)
                .query_async::<()>(&mut conn)
                .await?;
        }
        let bytes = serde_json::to_vec(&value).map_err(|e| StoreError::new(e.to_string()))?;
        let mut set = redis::cmd("SET");
        set.arg(&full).arg(bytes);
        if let Some(ttl) = ttl {
            set.arg("PX").arg(millis(ttl));
        }
        set.query_async::<()>(&mut conn).await?;
        Ok(())
    }

    async fn delete(&self, ns: &str, key: &str) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        let full = redis_key(ns, key);
        redis::cmd("DEL")
            .arg(&full)
            .query_async::<()>(&mut conn)
            .await?;
        if self.use_sets {
            redis::cmd("SREM")
                .arg(redis_set_key(ns))
                .arg(&full)
                .query_async::<()>(&mut conn)
                .await?;
        }
        Ok(())
    }

    async fn clear(&self, ns: &str) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        let mut cursor: u64 = 0;
        if self.use_sets {
            let set = redis_set_key(ns);
            loop {
                let (next, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SSCAN")
                    .arg(&set)
                    .arg(cursor)
                    .arg("COUNT")
                    .arg(BATCH)
                    .query_async(&mut conn)
                    .await?;
                self.delete_keys(&mut conn, &keys, Some(&set)).await?;
                if next == 0 {
                    break;
                }
                cursor = next;
            }
        } else {
            let pattern = redis_match_prefix(&redis_key(ns, ""));
            loop {
                let (next, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(BATCH)
                    .query_async(&mut conn)
                    .await?;
                self.delete_keys(&mut conn, &keys, None).await?;
                if next == 0 {
                    break;
                }
                cursor = next;
            }
        }
        Ok(())
    }

    fn reset(&self) {
        *self.manager_slot() = None;
    }
}
