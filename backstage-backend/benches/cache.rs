//! Cache get/set operations per second through the cache service (the
//! namespaced client, the guard with its timeout, the store), for each
//! store: memory always, Redis when `BACKSTAGE_TEST_REDIS_URL` is set and
//! memcached when `BACKSTAGE_TEST_MEMCACHE_URL` is set.
//!
//! `cargo bench -p backstage-backend --bench cache`
//!
//! Each figure is measured for `BENCH_DURATION_MS` (default 2000) after a
//! warm-up of `BENCH_WARMUP_MS` (default 300), once with one task calling
//! back to back (latency-bound) and once with `BENCH_TASKS` tasks (default
//! 16) calling concurrently. Values are a small JSON object; keys cycle over
//! 1000 names, so gets are hits. The bench runs on a 2-thread runtime.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use backstage_backend::backstage_core::config::Config;
use backstage_backend::services::cache::{CacheClient, CacheManager, CacheService};
use serde_json::{Value, json};

const KEYS: u64 = 1000;

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a non-negative integer, got {value:?}")),
        Err(_) => default,
    }
}

#[derive(Clone, Copy)]
enum Op {
    Get,
    Set,
}

/// Runs `op` from `tasks` tasks for `duration`; returns operations per second.
///
/// Each task watches the clock itself rather than waiting for a timer: a
/// memory-store call may complete without ever yielding, and tasks that
/// never yield would starve the timer. They also yield now and then, so all
/// of them get turns.
async fn measure(cache: &CacheClient, op: Op, tasks: u64, duration: Duration) -> f64 {
    let count = Arc::new(AtomicU64::new(0));
    let value: Value = json!({"name": "bench", "tags": ["a", "b"], "n": 42});
    let mut handles = Vec::new();
    let started = Instant::now();
    let deadline = started + duration;
    for task in 0..tasks {
        let (cache, count, value) = (cache.clone(), count.clone(), value.clone());
        handles.push(tokio::spawn(async move {
            let mut i = task * 7919;
            let mut done = 0u64;
            while Instant::now() < deadline {
                let key = format!("key-{}", i % KEYS);
                match op {
                    Op::Get => {
                        assert!(cache.get(&key).await.is_some(), "a get missed");
                    }
                    Op::Set => cache.set(&key, value.clone(), None).await,
                }
                i += 1;
                done += 1;
                if done.is_multiple_of(64) {
                    tokio::task::yield_now().await;
                }
            }
            count.fetch_add(done, Ordering::Relaxed);
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    count.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

async fn bench_store(name: &str, cache_config: Value) {
    let duration = Duration::from_millis(env_u64("BENCH_DURATION_MS", 2000));
    let warmup = Duration::from_millis(env_u64("BENCH_WARMUP_MS", 300));
    let tasks = env_u64("BENCH_TASKS", 16).max(1);
    let config = Config::from_value(json!({"backend": {"cache": cache_config}}));
    let manager = CacheManager::from_config(&config).unwrap();
    let namespace = format!("bench-{}", std::process::id());
    let cache = manager.for_plugin(&namespace);
    // Fill every key (gets must hit), and check the store answers at all.
    for i in 0..KEYS {
        cache.set(&format!("key-{i}"), json!({"n": i}), None).await;
    }
    if cache.get("key-0").await.is_none() {
        println!("{name:<10} unreachable; skipped");
        return;
    }
    let mut row = Vec::new();
    for op in [Op::Set, Op::Get] {
        for n in [1, tasks] {
            measure(&cache, op, n, warmup).await;
            row.push(measure(&cache, op, n, duration).await);
        }
    }
    println!(
        "{name:<10} {:>12.0} {:>12.0} {:>12.0} {:>12.0}",
        row[0], row[1], row[2], row[3]
    );
    cache.clear().await;
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let tasks = env_u64("BENCH_TASKS", 16).max(1);
        println!("cache operations per second (1 task / {tasks} tasks)");
        println!(
            "{:<10} {:>12} {:>12} {:>12} {:>12}",
            "store",
            "set x1",
            format!("set x{tasks}"),
            "get x1",
            format!("get x{tasks}")
        );
        bench_store("memory", json!({"store": "memory"})).await;
        match std::env::var("BACKSTAGE_TEST_REDIS_URL") {
            Ok(url) => {
                bench_store(
                    "redis",
                    json!({"store": "redis", "connection": url, "timeout": 2000}),
                )
                .await;
            }
            Err(_) => println!("redis      skipped: BACKSTAGE_TEST_REDIS_URL is not set"),
        }
        match std::env::var("BACKSTAGE_TEST_MEMCACHE_URL") {
            Ok(url) => {
                let address = url.trim_start_matches("memcache://").trim_end_matches('/');
                bench_store(
                    "memcache",
                    json!({"store": "memcache", "connection": address, "timeout": 2000}),
                )
                .await;
            }
            Err(_) => println!("memcache   skipped: BACKSTAGE_TEST_MEMCACHE_URL is not set"),
        }
    });
}
