//! The cache service. The same test bodies run against every store the
//! environment names: memory always, Redis with `BACKSTAGE_TEST_REDIS_URL`
//! (with and without `useRedisSets`), memcached with
//! `BACKSTAGE_TEST_MEMCACHE_URL`. Each test works in namespaces of its own,
//! clears them at the end, and never stops a shared server: outages go
//! through a TCP relay the test cuts and restores.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use backstage_backend::backstage_core::config::{Config, merge};
use backstage_backend::services::cache::{
    CACHE, CacheClient, CacheManager, CacheOptions, CacheService, CacheServiceExt,
};
use backstage_backend::{Backend, BackendError, BackendPlugin};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::support::{start, start_err};

// --- the stores under test ----------------------------------------------

#[derive(Clone, Debug)]
enum Kind {
    Memory,
    Redis { url: String, sets: bool },
    Memcache { address: String },
}

/// One configured store.
#[derive(Clone, Debug)]
struct TestStore {
    name: &'static str,
    kind: Kind,
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The value of `var`; when unset, one line (per process) says the store is
/// skipped — or, in CI, the test fails.
fn store_env(var: &str, store: &str) -> Option<String> {
    static REDIS: Once = Once::new();
    static MEMCACHE: Once = Once::new();
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => Some(value.trim().to_owned()),
        _ => {
            assert!(
                !in_ci(),
                "{var} is not set: CI must test the {store} cache store (.ci/run exports it)"
            );
            let once = if store == "redis" { &REDIS } else { &MEMCACHE };
            once.call_once(|| {
                eprintln!("cache tests: {store} store skipped: {var} is not set");
            });
            None
        }
    }
}

/// `memcache://host:port` (or `host:port`) → `host:port`.
fn memcache_address(url: &str) -> String {
    url.trim_start_matches("memcache://")
        .trim_start_matches("memcached://")
        .trim_end_matches('/')
        .to_owned()
}

fn stores() -> Vec<TestStore> {
    let mut stores = vec![TestStore {
        name: "memory",
        kind: Kind::Memory,
    }];
    if let Some(url) = store_env("BACKSTAGE_TEST_REDIS_URL", "redis") {
        stores.push(TestStore {
            name: "redis (useRedisSets)",
            kind: Kind::Redis {
                url: url.clone(),
                sets: true,
            },
        });
        stores.push(TestStore {
            name: "redis (scan)",
            kind: Kind::Redis { url, sets: false },
        });
    }
    if let Some(url) = store_env("BACKSTAGE_TEST_MEMCACHE_URL", "memcache") {
        stores.push(TestStore {
            name: "memcache",
            kind: Kind::Memcache {
                address: memcache_address(&url),
            },
        });
    }
    stores
}

/// Runs `body` once for every configured store.
async fn for_each_store<F, Fut>(test: &str, body: F)
where
    F: Fn(TestStore) -> Fut,
    Fut: Future<Output = ()>,
{
    for store in stores() {
        eprintln!("{test}: {}", store.name);
        body(store).await;
    }
}

/// A namespace (plugin id) no other test or test run uses.
fn unique(label: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "it{}-{nanos}-{}-{label}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Replaces the `host:port` of a `redis://[user@]host:port[/db]` URL.
fn redis_url_via(url: &str, address: SocketAddr) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let userinfo = authority.rsplit_once('@').map(|(u, _)| format!("{u}@"));
    let path = if path.is_empty() {
        String::new()
    } else {
        format!("/{path}")
    };
    format!("{scheme}://{}{address}{path}", userinfo.unwrap_or_default())
}

/// The `host:port` a redis URL points at.
fn redis_address(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    let authority = rest.split('/').next().unwrap();
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, a)| a)
        .to_owned()
}

impl TestStore {
    /// `backend.cache` for this store, with `extra`'s keys on top (a null
    /// removes a key). Values the tests leave behind expire within two
    /// minutes.
    fn cache_config(&self, extra: Value) -> Value {
        let mut config = match &self.kind {
            Kind::Memory => json!({"store": "memory"}),
            Kind::Redis { url, sets } => {
                json!({"store": "redis", "connection": url, "useRedisSets": sets})
            }
            Kind::Memcache { address } => json!({"store": "memcache", "connection": address}),
        };
        let map = config.as_object_mut().unwrap();
        map.insert("defaultTtl".into(), json!("2m"));
        for (key, value) in extra.as_object().cloned().unwrap_or_default() {
            if value.is_null() {
                map.remove(&key);
            } else {
                map.insert(key, value);
            }
        }
        config
    }

    fn manager(&self, extra: Value) -> CacheManager {
        let config = json!({"backend": {"cache": self.cache_config(extra)}});
        CacheManager::from_config(&Config::from_value(config)).unwrap()
    }

    /// The address of the real server (for a relay in front of it).
    async fn upstream(&self) -> Option<SocketAddr> {
        let address = match &self.kind {
            Kind::Memory => return None,
            Kind::Redis { url, .. } => redis_address(url),
            Kind::Memcache { address } => address.clone(),
        };
        tokio::net::lookup_host(address).await.unwrap().next()
    }

    /// This store's config, reaching the server through `relay`.
    fn via(&self, relay: SocketAddr) -> Value {
        match &self.kind {
            Kind::Memory => json!({}),
            Kind::Redis { url, .. } => json!({"connection": redis_url_via(url, relay)}),
            Kind::Memcache { .. } => json!({"connection": relay.to_string()}),
        }
    }

    /// Redis keys that start with `prefix` (checked on the server itself,
    /// not through the cache).
    async fn redis_keys(&self, prefix: &str) -> Option<Vec<String>> {
        let Kind::Redis { url, .. } = &self.kind else {
            return None;
        };
        let client = redis::Client::open(url.as_str()).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let mut keys = Vec::new();
        let mut cursor: u64 = 0;
        loop {
            let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("{prefix}*"))
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut conn)
                .await
                .unwrap();
            keys.extend(batch);
            if next == 0 {
                break;
            }
            cursor = next;
        }
        Some(keys)
    }
}

/// Clears `caches`' namespaces and checks (on Redis) that nothing is left.
async fn clean_up(store: &TestStore, caches: &[&CacheClient]) {
    for cache in caches {
        cache.clear().await;
        if let Some(left) = store.redis_keys(cache.namespace()).await {
            assert!(left.is_empty(), "{}: left behind {left:?}", store.name);
        }
    }
}

/// Polls `check` until it holds, failing after `deadline`.
async fn eventually<F, Fut>(what: &str, deadline: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if check().await {
            return;
        }
        assert!(
            start.elapsed() < deadline,
            "{what}: not so within {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Generous "it did not hang" bound for calls to an unreachable store.
const NO_HANG: Duration = Duration::from_secs(5);
/// Generous deadline for expiry and recovery.
const DEADLINE: Duration = Duration::from_secs(20);

// --- basic operations -------------------------------------------------------

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Weather {
    city: String,
    celsius: f64,
}

#[tokio::test]
async fn get_set_delete() {
    for_each_store("get_set_delete", |store| async move {
        let ns = unique("basic");
        let cache = store.manager(json!({})).for_plugin(&ns);
        assert_eq!(cache.get("missing").await, None, "{}", store.name);

        cache.set("k", json!({"a": [1, 2, 3]}), None).await;
        assert_eq!(
            cache.get("k").await,
            Some(json!({"a": [1, 2, 3]})),
            "{}",
            store.name
        );
        cache.set("k", json!("overwritten"), None).await;
        assert_eq!(cache.get("k").await, Some(json!("overwritten")));
        cache.set("null", Value::Null, None).await;
        assert_eq!(cache.get("null").await, Some(Value::Null));

        let oslo = Weather {
            city: "Oslo".into(),
            celsius: 4.5,
        };
        cache.set_json("typed", &oslo, None).await.unwrap();
        assert_eq!(cache.get_json::<Weather>("typed").await, Some(oslo));
        // Another shape is a miss, not an error.
        assert_eq!(cache.get_json::<Vec<u8>>("typed").await, None);

        cache.delete("k").await;
        assert_eq!(cache.get("k").await, None, "{}", store.name);
        cache.delete("never-set").await;
        // A zero TTL stores nothing and removes the key.
        cache.set("typed", json!(1), Some(Duration::ZERO)).await;
        assert_eq!(cache.get("typed").await, None);

        clean_up(&store, &[&cache]).await;
    })
    .await;
}

#[tokio::test]
async fn entries_expire_after_their_ttl() {
    for_each_store("entries_expire_after_their_ttl", |store| async move {
        let ns = unique("ttl");
        let manager = store.manager(json!({"defaultTtl": null}));
        let cache = manager.for_plugin(&ns);
        cache
            .set(
                "short",
                json!("soon gone"),
                Some(Duration::from_millis(1500)),
            )
            .await;
        cache.set("forever", json!("stays"), None).await;
        cache
            .set("long", json!("stays"), Some(Duration::from_secs(120)))
            .await;
        assert_eq!(
            cache.get("short").await,
            Some(json!("soon gone")),
            "{}",
            store.name
        );
        eventually(
            &format!("{}: 'short' expires", store.name),
            DEADLINE,
            || async { cache.get("short").await.is_none() },
        )
        .await;
        assert_eq!(cache.get("forever").await, Some(json!("stays")));
        assert_eq!(cache.get("long").await, Some(json!("stays")));
        // Setting again restarts the TTL with the new value.
        cache
            .set("long", json!("again"), Some(Duration::from_millis(300)))
            .await;
        eventually(
            &format!("{}: 'long' expires after reset", store.name),
            DEADLINE,
            || async { cache.get("long").await.is_none() },
        )
        .await;
        clean_up(&store, &[&cache]).await;
    })
    .await;
}

#[tokio::test]
async fn default_ttls_from_config_and_with_options() {
    for_each_store(
        "default_ttls_from_config_and_with_options",
        |store| async move {
            let ns = unique("defaults");
            // From config: 1500 ms as a number.
            let manager = store.manager(json!({"defaultTtl": 1500}));
            let cache = manager.for_plugin(&ns);
            let forever = cache.with_options(CacheOptions { default_ttl: None });
            let short = forever.with_options(CacheOptions {
                default_ttl: Some(Duration::from_millis(1200)),
            });
            cache.set("config-default", json!(1), None).await;
            short.set("options-default", json!(2), None).await;
            forever.set("no-ttl", json!(3), None).await;
            // An explicit TTL wins over the default.
            short
                .set("explicit", json!(4), Some(Duration::from_secs(120)))
                .await;
            assert_eq!(
                cache.get("config-default").await,
                Some(json!(1)),
                "{}",
                store.name
            );
            assert_eq!(forever.get("options-default").await, Some(json!(2)));
            eventually(
                &format!("{}: defaults expire", store.name),
                DEADLINE,
                || async {
                    cache.get("config-default").await.is_none()
                        && cache.get("options-default").await.is_none()
                },
            )
            .await;
            // Same namespace, so every client sees the survivors.
            assert_eq!(short.get("no-ttl").await, Some(json!(3)));
            assert_eq!(cache.get("explicit").await, Some(json!(4)));
            clean_up(&store, &[&cache]).await;
        },
    )
    .await;
}

#[tokio::test]
async fn plugins_cannot_see_each_others_keys() {
    for_each_store("plugins_cannot_see_each_others_keys", |store| async move {
        let (a_ns, b_ns) = (unique("a"), unique("b"));
        let manager = store.manager(json!({}));
        let a = manager.for_plugin(&a_ns);
        let b = manager.for_plugin(&b_ns);
        a.set("shared-name", json!("a's"), None).await;
        assert_eq!(b.get("shared-name").await, None, "{}", store.name);
        b.set("shared-name", json!("b's"), None).await;
        assert_eq!(a.get("shared-name").await, Some(json!("a's")));
        assert_eq!(b.get("shared-name").await, Some(json!("b's")));
        b.delete("shared-name").await;
        assert_eq!(a.get("shared-name").await, Some(json!("a's")));
        // A namespace that looks like a prefix of a key is still apart.
        let tricky = manager.for_plugin(&format!("{a_ns}:shared"));
        assert_eq!(tricky.get("name").await, None);
        if !matches!(store.kind, Kind::Memory) {
            // Another backend (replica) sharing the server sees A's value
            // under A's namespace only.
            let replica = store.manager(json!({}));
            assert_eq!(
                replica.for_plugin(&a_ns).get("shared-name").await,
                Some(json!("a's"))
            );
            assert_eq!(replica.for_plugin(&b_ns).get("shared-name").await, None);
        }
        clean_up(&store, &[&a, &b]).await;
    })
    .await;
}

#[tokio::test]
async fn clear_removes_only_its_namespace() {
    for_each_store("clear_removes_only_its_namespace", |store| async move {
        let (a_ns, b_ns) = (unique("clear-a"), unique("clear-b"));
        let manager = store.manager(json!({}));
        let a = manager.for_plugin(&a_ns);
        let b = manager.for_plugin(&b_ns);
        // Enough keys for several SCAN / SSCAN steps.
        for i in 0..1200 {
            a.set(&format!("k{i}"), json!(i), None).await;
        }
        a.set("odd key with spaces", json!("x"), None).await;
        b.set("k1", json!("b"), None).await;
        a.clear().await;
        for key in ["k0", "k1", "k599", "k1199", "odd key with spaces"] {
            assert_eq!(
                a.get(key).await,
                None,
                "{}: {key} survived clear",
                store.name
            );
        }
        assert_eq!(b.get("k1").await, Some(json!("b")), "{}", store.name);
        if let Some(left) = store.redis_keys(&a_ns).await {
            // Gone from the server, not just hidden.
            assert!(left.is_empty(), "{}: {} keys left", store.name, left.len());
        }
        // The namespace works after a clear, and a second client of it (a
        // plugin's other handle) sees the clear too.
        a.set("after", json!(true), None).await;
        let other = manager.for_plugin(&a_ns);
        assert_eq!(other.get("after").await, Some(json!(true)));
        assert_eq!(other.get("k5").await, None);
        clean_up(&store, &[&a, &b]).await;
    })
    .await;
}

#[tokio::test]
async fn long_and_odd_keys() {
    for_each_store("long_and_odd_keys", |store| async move {
        let ns = unique("keys");
        let cache = store.manager(json!({})).for_plugin(&ns);
        let long = "x".repeat(1000);
        let long_too = format!("{}y", "x".repeat(999));
        let keys = [
            long.as_str(),
            long_too.as_str(),
            "with space",
            "with\nnewline",
            "tab\tand\r\ncrlf",
            "ünïcödé 🔑",
            "~looks-hashed",
            "colon:separated:key",
            "glob*[chars]?",
            "",
        ];
        for (i, key) in keys.iter().enumerate() {
            cache.set(key, json!(i), None).await;
        }
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(
                cache.get(key).await,
                Some(json!(i)),
                "{}: key {:?}",
                store.name,
                &key[..key.len().min(20)]
            );
        }
        cache.delete(&long).await;
        assert_eq!(cache.get(&long).await, None);
        assert_eq!(cache.get(&long_too).await, Some(json!(1)));
        clean_up(&store, &[&cache]).await;
    })
    .await;
}

// --- outages ----------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Forward to the server.
    Open,
    /// Close every connection; accept new ones and close them at once.
    Refuse,
    /// Connections stay open but nothing gets through (a silent network).
    Blackhole,
}

/// A TCP relay in front of a server, which the test can cut and restore.
struct Relay {
    address: SocketAddr,
    mode: watch::Sender<Mode>,
    task: JoinHandle<()>,
}

impl Relay {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (mode, _) = watch::channel(Mode::Open);
        let modes = mode.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let rx = modes.subscribe();
                tokio::spawn(relay_connection(socket, upstream, rx));
            }
        });
        Self {
            address,
            mode,
            task,
        }
    }

    fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
        // Ends every connection task.
        self.mode.send_replace(Mode::Refuse);
    }
}

async fn relay_connection(
    mut socket: TcpStream,
    upstream: SocketAddr,
    mut rx: watch::Receiver<Mode>,
) {
    let mode = *rx.borrow_and_update();
    match mode {
        Mode::Refuse => {
            let _ = socket.shutdown().await;
            return;
        }
        Mode::Blackhole => {
            // Hold the connection, silently, until the mode changes.
            let _ = rx.changed().await;
            return;
        }
        Mode::Open => {}
    }
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut socket, &mut server) => {}
        _ = rx.changed() => {
            if *rx.borrow_and_update() == Mode::Blackhole {
                // Stop forwarding but keep both ends open.
                let _ = rx.changed().await;
            }
        }
    }
}

#[tokio::test]
async fn a_store_outage_is_a_miss_and_recovers() {
    for_each_store(
        "a_store_outage_is_a_miss_and_recovers",
        |store| async move {
            let Some(upstream) = store.upstream().await else {
                return; // the memory store cannot be cut off
            };
            let relay = Relay::start(upstream).await;
            let ns = unique("outage");
            let manager = store.manager(merge(store.via(relay.address), json!({"timeout": 200})));
            let cache = manager.for_plugin(&ns);
            cache.set("before", json!("kept"), None).await;
            assert_eq!(
                cache.get("before").await,
                Some(json!("kept")),
                "{}",
                store.name
            );

            for cut in [Mode::Refuse, Mode::Blackhole] {
                relay.set(cut);
                // Several calls in a row: the first finds out, the next ones are
                // quick misses too. None errors or hangs.
                for round in 0..5 {
                    let started = Instant::now();
                    assert_eq!(
                        cache.get("before").await,
                        None,
                        "{} {cut:?} #{round}",
                        store.name
                    );
                    cache.set("during", json!(round), None).await;
                    cache.delete("before-not").await;
                    assert!(
                        started.elapsed() < NO_HANG,
                        "{} {cut:?}: calls took {:?}",
                        store.name,
                        started.elapsed()
                    );
                }
                let started = Instant::now();
                cache.clear().await;
                assert!(
                    started.elapsed() < NO_HANG,
                    "{} {cut:?}: clear hung",
                    store.name
                );

                relay.set(Mode::Open);
                // Without restarting anything, the value written before the
                // outage is visible again and writes work.
                eventually(
                    &format!("{} recovers after {cut:?}", store.name),
                    DEADLINE,
                    || async { cache.get("before").await == Some(json!("kept")) },
                )
                .await;
                cache.set("after", json!(cut == Mode::Refuse), None).await;
                assert_eq!(cache.get("after").await, Some(json!(cut == Mode::Refuse)));
            }
            clean_up(&store, &[&cache]).await;
        },
    )
    .await;
}

#[tokio::test]
async fn an_unreachable_store_is_a_quick_miss() {
    // Nothing listens on a port we just closed.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    for (store, connection) in [
        ("redis", format!("redis://127.0.0.1:{port}")),
        ("memcache", format!("127.0.0.1:{port}")),
    ] {
        let manager = CacheManager::from_config(&Config::from_value(json!({"backend": {"cache": {
            "store": store, "connection": connection, "timeout": 200
        }}})))
        .unwrap();
        let cache = manager.for_plugin("down");
        let started = Instant::now();
        cache.set("k", json!(1), None).await;
        assert_eq!(cache.get("k").await, None);
        cache.delete("k").await;
        cache.clear().await;
        assert!(
            started.elapsed() < NO_HANG,
            "{store}: {:?}",
            started.elapsed()
        );
    }
}

// --- memcached with credentials ----------------------------------------------

const MEMCACHED: &str = "/usr/bin/memcached";

/// A memcached of our own, killed when dropped.
struct OwnMemcached {
    child: Child,
    address: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for OwnMemcached {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_memcached_with_auth(user: &str, password: &str) -> Option<OwnMemcached> {
    if !Path::new(MEMCACHED).exists() {
        assert!(
            !in_ci(),
            "{MEMCACHED} is missing: CI must test memcached credentials"
        );
        eprintln!("cache tests: memcache credentials skipped: {MEMCACHED} is missing");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let authfile = dir.path().join("auth");
    std::fs::write(&authfile, format!("{user}:{password}\n")).unwrap();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let address: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let child = Command::new(MEMCACHED)
        .args([
            "-l",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            "0",
            "-m",
            "16",
        ])
        // Ignored unless run as root, where memcached insists on a user.
        .args(["-u", "root"])
        .arg("-Y")
        .arg(&authfile)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = OwnMemcached {
        child,
        address,
        _dir: dir,
    };
    eventually("our memcached listens", DEADLINE, || async {
        TcpStream::connect(address).await.is_ok()
    })
    .await;
    Some(server)
}

#[tokio::test]
async fn memcache_with_credentials() {
    let Some(server) = start_memcached_with_auth("portal", "s3cret-pw").await else {
        return;
    };
    let manager = |connection: String| {
        CacheManager::from_config(&Config::from_value(json!({"backend": {"cache": {
            "store": "memcache", "connection": connection, "timeout": 500
        }}})))
        .unwrap()
    };
    let ns = unique("auth");
    let right = manager(format!("portal:s3cret-pw@{}", server.address)).for_plugin(&ns);
    right.set("k", json!("secret value"), None).await;
    assert_eq!(right.get("k").await, Some(json!("secret value")));
    let long_key = "z".repeat(300);
    right.set(&long_key, json!(2), None).await;
    assert_eq!(right.get(&long_key).await, Some(json!(2)));

    for connection in [
        format!("portal:wrong@{}", server.address),
        format!("intruder:s3cret-pw@{}", server.address),
        server.address.to_string(),
    ] {
        let wrong = manager(connection.clone()).for_plugin(&ns);
        let started = Instant::now();
        assert_eq!(wrong.get("k").await, None, "{connection}");
        wrong.set("k", json!("overwritten"), None).await;
        wrong.delete("k").await;
        wrong.clear().await;
        assert!(started.elapsed() < NO_HANG, "{connection}");
    }
    // The refused clients changed nothing.
    assert_eq!(right.get("k").await, Some(json!("secret value")));
    right.clear().await;
    assert_eq!(right.get("k").await, None);
}

// --- through a real backend ----------------------------------------------------

fn caching_plugin(id: &'static str, seen: Arc<Mutex<Vec<String>>>) -> BackendPlugin {
    BackendPlugin::builder(id).init(move |ctx| async move {
        let cache = ctx.service(&CACHE).await?;
        let again = ctx.service(&CACHE).await?;
        assert!(Arc::ptr_eq(&cache, &again), "one cache client per plugin");
        let before = cache.get("who").await;
        cache.set("who", json!(id), None).await;
        let after = cache.get_json::<String>("who").await;
        seen.lock()
            .unwrap()
            .push(format!("{id}: before={before:?} after={after:?}"));
        Ok::<_, BackendError>(())
    })
}

#[tokio::test]
async fn plugins_get_their_cache_from_the_backend() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let backend = start(
        Backend::builder()
            .add(caching_plugin("cache-one", seen.clone()))
            .add(caching_plugin("cache-two", seen.clone())),
        json!({"backend": {"cache": {"store": "memory", "defaultTtl": {"minutes": 5}}}}),
    )
    .await;
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    assert_eq!(
        seen,
        [
            "cache-one: before=None after=Some(\"cache-one\")",
            "cache-two: before=None after=Some(\"cache-two\")",
        ]
    );
    backend.stop().await;
}

#[tokio::test]
async fn a_backend_starts_while_its_cache_store_is_down() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let backend = start(
        Backend::builder().add(caching_plugin("cache-down", seen.clone())),
        json!({"backend": {"cache": {
            "store": "redis", "connection": format!("redis://127.0.0.1:{port}"), "timeout": 200
        }}}),
    )
    .await;
    assert_eq!(
        *seen.lock().unwrap(),
        ["cache-down: before=None after=None"]
    );
    backend.stop().await;
}

#[tokio::test]
async fn bad_cache_config_stops_startup_with_a_clear_message() {
    let plugin = || {
        BackendPlugin::builder("cache-bad").init(|ctx| async move {
            ctx.service(&CACHE).await?;
            Ok::<_, BackendError>(())
        })
    };
    let err = start_err(
        Backend::builder().add(plugin()),
        json!({"backend": {"cache": {"store": "infinispan"}}}),
    )
    .await;
    assert!(err.contains("backend.cache.store"), "{err}");
    let err = start_err(
        Backend::builder().add(plugin()),
        json!({"backend": {"cache": {"store": "memcache", "connection": "no-port"}}}),
    )
    .await;
    assert!(err.contains("backend.cache.connection"), "{err}");
}
