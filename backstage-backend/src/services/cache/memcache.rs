//! The `memcache` store: a small pool of text-protocol connections
//! (async-memcached is one connection per client), optional ASCII
//! authentication, keys that fit the protocol, TTLs in seconds, and
//! `clear()` through a per-namespace generation counter, since memcached
//! cannot list keys.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_memcached::{AsciiProtocol, Client, Error as McError, ErrorKind, Status};
use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::key::{memcache_generation_key, memcache_key};
use super::store::{Store, StoreError, decode};
use crate::sync::lock;

/// Connections per backend.
const POOL_SIZE: usize = 4;
/// How long a namespace's generation is used before it is read again, so
/// that a `clear()` on another replica takes effect here within this time.
const GENERATION_REFRESH: Duration = Duration::from_secs(1);
/// memcached reads an expiry above 30 days as an absolute Unix time.
pub(crate) const MAX_RELATIVE_TTL_SECS: i64 = 30 * 24 * 3600;

/// Where memcached is and how to log in.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct MemcacheTarget {
    /// `host:port`.
    pub(crate) address: String,
    /// User and password for memcached's ASCII authentication (`-Y`).
    pub(crate) credentials: Option<(String, String)>,
}

impl std::fmt::Debug for MemcacheTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemcacheTarget")
            .field("address", &self.address)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish()
    }
}

impl MemcacheTarget {
    /// Parses `[memcache://][user:pass@]host:port`.
    pub(crate) fn parse(connection: &str) -> Result<Self, String> {
        let rest = connection
            .strip_prefix("memcache://")
            .or_else(|| connection.strip_prefix("memcached://"))
            .unwrap_or(connection);
        let rest = rest.trim_end_matches('/');
        let (credentials, address) = match rest.rsplit_once('@') {
            Some((auth, address)) => {
                let (user, password) = auth.split_once(':').ok_or_else(|| {
                    "backend.cache.connection: credentials must be user:password@host:port"
                        .to_owned()
                })?;
                let bad = |s: &str| {
                    s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control())
                };
                if bad(user) || bad(password) {
                    return Err("backend.cache.connection: the memcached user and password must be non-empty and without spaces".to_owned());
                }
                (Some((user.to_owned(), password.to_owned())), address)
            }
            None => (None, rest),
        };
        let valid_port = address
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if !valid_port {
            return Err(format!(
                "backend.cache.connection: {address:?} is not host:port (expected [user:pass@]host:port)"
            ));
        }
        Ok(Self {
            address: address.to_owned(),
            credentials,
        })
    }
}

/// A TTL as memcached's expiry in seconds: rounded up (an entry lives at
/// least its TTL), never above 30 days (a larger number would be read as an
/// absolute time), 0 for no expiry.
pub(crate) fn expiry_secs(ttl: Option<Duration>) -> i64 {
    match ttl {
        None => 0,
        Some(ttl) => {
            let secs = i64::try_from(ttl.as_millis().div_ceil(1000)).unwrap_or(i64::MAX);
            secs.clamp(1, MAX_RELATIVE_TTL_SECS)
        }
    }
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The memcache store.
pub(crate) struct MemcacheStore {
    target: MemcacheTarget,
    idle: Mutex<Vec<Client>>,
    permits: Semaphore,
    /// Each namespace's generation, and when it was read.
    generations: Mutex<HashMap<String, (u64, Instant)>>,
}

/// A pooled connection; goes back to the pool only through `release`, so a
/// connection whose call failed or was cancelled is dropped.
struct Pooled<'a> {
    client: Option<Client>,
    store: &'a MemcacheStore,
    _permit: SemaphorePermit<'a>,
}

impl Pooled<'_> {
    fn client(&mut self) -> Result<&mut Client, StoreError> {
        self.client
            .as_mut()
            .ok_or_else(|| StoreError::new("no connection"))
    }

    fn release(mut self) {
        if let Some(client) = self.client.take()
            && !client.is_closed()
        {
            lock(&self.store.idle).push(client);
        }
    }
}

fn is_status(error: &McError, status: &Status) -> bool {
    matches!(error, McError::Protocol(s) if s == status)
}

impl MemcacheStore {
    pub(crate) fn new(target: MemcacheTarget) -> Self {
        Self {
            target,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(POOL_SIZE),
            generations: Mutex::new(HashMap::new()),
        }
    }

    async fn checkout(&self) -> Result<Pooled<'_>, StoreError> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::new("the connection pool is closed"))?;
        let reused = {
            let mut idle = lock(&self.idle);
            std::iter::from_fn(|| idle.pop()).find(|c| !c.is_closed())
        };
        let client = match reused {
            Some(client) => client,
            None => self.connect().await?,
        };
        Ok(Pooled {
            client: Some(client),
            store: self,
            _permit: permit,
        })
    }

    async fn connect(&self) -> Result<Client, StoreError> {
        let mut client = Client::new(format!("tcp://{}", self.target.address))
            .await
            .map_err(|e| {
                StoreError::new(format!("cannot connect to {}: {e}", self.target.address))
            })?;
        if let Some((user, password)) = &self.target.credentials {
            // ASCII authentication: the first command is a `set` whose data
            // is "user password"; the key is ignored.
            let login = format!("{user} {password}");
            client
                .set("auth", login.as_str(), None, None)
                .await
                .map_err(|e| match e {
                    McError::Protocol(Status::Error(ErrorKind::Client(_))) => {
                        StoreError::new(format!(
                            "memcached at {} refused the credentials in backend.cache.connection",
                            self.target.address
                        ))
                    }
                    other => StoreError::from(other),
                })?;
        }
        Ok(client)
    }

    /// The namespace's current generation: data keys carry it, and `clear()`
    /// increments it. A missing counter starts at the current time in
    /// milliseconds, so a counter that was evicted comes back larger than
    /// before and old entries stay invisible.
    async fn generation(&self, client: &mut Client, ns: &str) -> Result<u64, StoreError> {
        if let Some((generation, read_at)) = lock(&self.generations).get(ns)
            && read_at.elapsed() < GENERATION_REFRESH
        {
            return Ok(*generation);
        }
        let key = memcache_generation_key(ns);
        let generation = loop {
            if let Some(value) = client.get(&key).await? {
                let parsed = value
                    .data
                    .as_deref()
                    .and_then(|d| std::str::from_utf8(d).ok())
                    .and_then(|s| s.trim().parse::<u64>().ok());
                if let Some(generation) = parsed {
                    break generation;
                }
                // Not a number: overwrite it with a fresh start.
                let start = now_millis();
                client.set(&key, start, None, None).await?;
                break start;
            }
            let start = now_millis();
            match client.add(&key, start, None, None).await {
                Ok(()) => break start,
                // Another process created it meanwhile: read theirs.
                Err(e) if is_status(&e, &Status::NotStored) => continue,
                Err(e) => return Err(e.into()),
            }
        };
        self.remember(ns, generation);
        Ok(generation)
    }

    fn remember(&self, ns: &str, generation: u64) {
        lock(&self.generations).insert(ns.to_owned(), (generation, Instant::now()));
    }
}

#[async_trait]
impl Store for MemcacheStore {
    fn name(&self) -> &'static str {
        "memcache"
    }

    async fn get(&self, ns: &str, key: &str) -> Result<Option<Value>, StoreError> {
        let mut conn = self.checkout().await?;
        let client = conn.client()?;
        let generation = self.generation(client, ns).await?;
        let value = client.get(memcache_key(ns, generation, key)).await?;
        conn.release();
        Ok(value.and_then(|v| v.data).as_deref().and_then(decode))
    }

    async fn set(
        &self,
        ns: &str,
        key: &str,
        value: Value,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(&value).map_err(|e| StoreError::new(e.to_string()))?;
        let mut conn = self.checkout().await?;
        let client = conn.client()?;
        let generation = self.generation(client, ns).await?;
        let stored_key = memcache_key(ns, generation, key);
        match client
            .set(&stored_key, bytes.as_slice(), Some(expiry_secs(ttl)), None)
            .await
        {
            Ok(()) => {}
            // The server refused this value (too large, out of memory): the
            // write is dropped, the connection is fine.
            Err(McError::Protocol(Status::Error(ErrorKind::Server(message)))) => {
                tracing::debug!(%message, "cache: memcached did not store a value");
            }
            Err(e) => return Err(e.into()),
        }
        conn.release();
        Ok(())
    }

    async fn delete(&self, ns: &str, key: &str) -> Result<(), StoreError> {
        let mut conn = self.checkout().await?;
        let client = conn.client()?;
        let generation = self.generation(client, ns).await?;
        match client.delete(memcache_key(ns, generation, key)).await {
            Ok(()) => {}
            Err(e) if is_status(&e, &Status::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        conn.release();
        Ok(())
    }

    async fn clear(&self, ns: &str) -> Result<(), StoreError> {
        let mut conn = self.checkout().await?;
        let client = conn.client()?;
        let key = memcache_generation_key(ns);
        let generation = match client.increment(&key, 1).await {
            Ok(generation) => generation,
            Err(e) if is_status(&e, &Status::NotFound) => {
                // No counter: any new start is past every generation in use
                // here; a concurrent creator is fine either way.
                let known = lock(&self.generations).get(ns).map_or(0, |(g, _)| *g);
                let start = now_millis().max(known + 1);
                client.set(&key, start, None, None).await?;
                start
            }
            Err(e) => return Err(e.into()),
        };
        self.remember(ns, generation);
        conn.release();
        Ok(())
    }

    fn reset(&self) {
        lock(&self.idle).clear();
        lock(&self.generations).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_become_seconds_within_thirty_days() {
        assert_eq!(expiry_secs(None), 0);
        assert_eq!(expiry_secs(Some(Duration::from_millis(1))), 1);
        assert_eq!(expiry_secs(Some(Duration::from_millis(1500))), 2);
        assert_eq!(expiry_secs(Some(Duration::from_secs(60))), 60);
        assert_eq!(
            expiry_secs(Some(Duration::from_secs(31 * 24 * 3600))),
            MAX_RELATIVE_TTL_SECS
        );
        assert_eq!(
            expiry_secs(Some(Duration::from_secs(u64::MAX))),
            MAX_RELATIVE_TTL_SECS
        );
    }

    #[test]
    fn connections_parse_with_and_without_credentials() {
        let plain = MemcacheTarget::parse("127.0.0.1:11211").unwrap();
        assert_eq!(plain.address, "127.0.0.1:11211");
        assert!(plain.credentials.is_none());
        let auth = MemcacheTarget::parse("memcache://alice:s3:cret@cache.internal:11211").unwrap();
        assert_eq!(auth.address, "cache.internal:11211");
        assert_eq!(
            auth.credentials,
            Some(("alice".to_owned(), "s3:cret".to_owned()))
        );
        assert!(MemcacheTarget::parse("cache.internal").is_err());
        assert!(MemcacheTarget::parse("alice@host:1").is_err());
        let err = MemcacheTarget::parse("alice:pw d@host:1").unwrap_err();
        assert!(!err.contains("pw d"), "{err}");
    }
}
