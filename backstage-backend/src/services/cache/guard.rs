//! The guard around a store: every call has a timeout; after a failure the
//! store is skipped for a short while (calls are instant misses) and then
//! tried again; failures are logged at most once per interval.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::store::{Store, StoreError};

/// How long after a failure calls skip the store before one tries it again.
const RETRY_AFTER: Duration = Duration::from_millis(500);
/// At most one warning per store per this interval.
const WARN_INTERVAL: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Health {
    /// Set while the store is considered down: calls before this instant
    /// skip it.
    skip_until: Option<Instant>,
    /// When the last warning was logged.
    last_warning: Option<Instant>,
    /// Failures since the last warning (not logged individually).
    suppressed: u64,
    /// Whether the store is failing (for the "available again" message).
    failing: bool,
}

/// A store with timeouts, a short back-off after failures and rate-limited
/// warnings. Never returns an error: failures are misses or dropped writes.
pub(crate) struct Guarded {
    store: Box<dyn Store>,
    timeout: Duration,
    /// A fast path: while false, calls go straight to the store.
    degraded: AtomicBool,
    health: Mutex<Health>,
}

impl std::fmt::Debug for Guarded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guarded")
            .field("store", &self.store.name())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Guarded {
    pub(crate) fn new(store: Box<dyn Store>, timeout: Duration) -> Self {
        Self {
            store,
            timeout,
            degraded: AtomicBool::new(false),
            health: Mutex::new(Health::default()),
        }
    }

    pub(crate) fn store_name(&self) -> &'static str {
        self.store.name()
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether to try the store now. While it is skipped, one caller per
    /// `RETRY_AFTER` is let through to probe it.
    fn admit(&self) -> bool {
        if !self.degraded.load(Ordering::Acquire) {
            return true;
        }
        let mut health = self.health();
        match health.skip_until {
            Some(until) if Instant::now() < until => false,
            Some(_) => {
                health.skip_until = Some(Instant::now() + RETRY_AFTER);
                true
            }
            None => true,
        }
    }

    fn succeeded(&self) {
        if !self.degraded.load(Ordering::Acquire) {
            return;
        }
        let mut health = self.health();
        self.degraded.store(false, Ordering::Release);
        health.skip_until = None;
        if health.failing {
            health.failing = false;
            health.last_warning = None;
            tracing::info!(store = self.store.name(), "cache store is available again");
        }
    }

    fn failed(&self, operation: &str, error: &StoreError) {
        self.store.reset();
        let now = Instant::now();
        let mut health = self.health();
        health.skip_until = Some(now + RETRY_AFTER);
        health.failing = true;
        self.degraded.store(true, Ordering::Release);
        let due = health
            .last_warning
            .is_none_or(|last| now.duration_since(last) >= WARN_INTERVAL);
        if due {
            let suppressed = std::mem::take(&mut health.suppressed);
            health.last_warning = Some(now);
            drop(health);
            tracing::warn!(
                store = self.store.name(),
                suppressed,
                "cache store failed ({operation}: {error}); reads are misses and writes are dropped until it answers again"
            );
        } else {
            health.suppressed += 1;
        }
    }

    async fn run<T, F>(&self, operation: &str, call: F) -> Option<T>
    where
        F: Future<Output = Result<T, StoreError>>,
    {
        if !self.admit() {
            return None;
        }
        let result = match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::new(format!(
                "no answer within {:?} (backend.cache.timeout)",
                self.timeout
            ))),
        };
        match result {
            Ok(value) => {
                self.succeeded();
                Some(value)
            }
            Err(error) => {
                self.failed(operation, &error);
                None
            }
        }
    }

    pub(crate) async fn get(&self, ns: &str, key: &str) -> Option<Value> {
        self.run("get", self.store.get(ns, key)).await.flatten()
    }

    pub(crate) async fn set(&self, ns: &str, key: &str, value: Value, ttl: Option<Duration>) {
        self.run("set", self.store.set(ns, key, value, ttl)).await;
    }

    pub(crate) async fn delete(&self, ns: &str, key: &str) {
        self.run("delete", self.store.delete(ns, key)).await;
    }

    /// Clearing may take several round trips; it gets ten timeouts' worth.
    pub(crate) async fn clear(&self, ns: &str) {
        if !self.admit() {
            return;
        }
        let limit = self.timeout.saturating_mul(10);
        let result = match tokio::time::timeout(limit, self.store.clear(ns)).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::new(format!(
                "clear did not finish within {limit:?}"
            ))),
        };
        match result {
            Ok(()) => self.succeeded(),
            Err(error) => self.failed("clear", &error),
        }
    }
}
