//! The app with `app-config.production.yaml` against a real PostgreSQL and
//! Redis, named by BACKSTAGE_TEST_POSTGRES_URL and BACKSTAGE_TEST_REDIS_URL
//! (skipped when they are unset, except under CI=true).
//!
//! The production file is used unchanged; a third config file only moves
//! the server to a free local port and gives the databases a prefix of
//! their own, which the test drops at the end.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::{AssertSqlSafe, Connection};

use super::request;

const POSTGRES_VAR: &str = "BACKSTAGE_TEST_POSTGRES_URL";
const REDIS_VAR: &str = "BACKSTAGE_TEST_REDIS_URL";

/// The servers, or `None` (after saying so) when the environment does not
/// name them. Under CI=true every one must be named.
fn servers() -> Option<(String, String)> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    match (var(POSTGRES_VAR), var(REDIS_VAR)) {
        (Some(postgres), Some(redis)) => Some((postgres, redis)),
        (postgres, redis) => {
            let missing: Vec<&str> = [(POSTGRES_VAR, postgres), (REDIS_VAR, redis)]
                .into_iter()
                .filter(|(_, value)| value.is_none())
                .map(|(name, _)| name)
                .collect();
            let missing = missing.join(" and ");
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{missing} not set, and CI=true requires every server"
            );
            println!("skipped the production config test: {missing} not set");
            None
        }
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The running app; killed if the test fails before stopping it.
struct App {
    child: Child,
    output: Arc<Mutex<String>>,
    address: String,
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl App {
    /// Starts basic-app with the base and production configs plus
    /// `overrides`, and waits until it prints its address.
    fn start(overrides: &Path, env: &[(&str, &str)]) -> App {
        let dir = manifest_dir();
        let mut child = Command::new(env!("CARGO_BIN_EXE_basic-app"))
            .arg("--config")
            .arg(dir.join("app-config.yaml"))
            .arg("--config")
            .arg(dir.join("app-config.production.yaml"))
            .arg("--config")
            .arg(overrides)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        let (found, address) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let log = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("basic-app listening on http://") {
                    let _ = found.send(address.to_owned());
                }
                log.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        let mut stderr = child.stderr.take().unwrap();
        let log = output.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            log.lock().unwrap().push_str(&text);
        });
        let mut app = App {
            child,
            output,
            address: String::new(),
        };
        match address.recv_timeout(Duration::from_secs(30)) {
            Ok(address) => app.address = address,
            Err(_) => {
                let _ = app.child.kill();
                let _ = app.child.wait();
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "basic-app did not start; its output:\n{}",
                    app.output.lock().unwrap()
                );
            }
        }
        app
    }

    fn call(&self, method: &str, path: &str) -> (u16, Value) {
        let (status, body) = request(&self.address, method, path);
        let json = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e} in {body:?}"));
        (status, json)
    }

    /// SIGTERM, then the exit code.
    fn stop(mut self) -> Option<i32> {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "basic-app did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A prefix no other run uses, short enough for PostgreSQL's 63 bytes.
fn unique_prefix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("basicapp_{}_{}_", std::process::id(), nanos % 1_000_000)
}

#[test]
fn runs_with_the_production_config_on_postgres_and_redis() {
    let Some((postgres, redis)) = servers() else {
        return;
    };
    let prefix = unique_prefix();
    // Cache keys are namespaced by plugin, not by prefix: a name of its own
    // keeps parallel runs on one Redis apart.
    let name = format!("tester-{}", prefix.trim_end_matches('_'));
    sqlx::any::install_default_drivers();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let overrides = dir.path().join("app-config.test.yaml");
    std::fs::write(
        &overrides,
        format!(
            "backend:\n  listen:\n    host: 127.0.0.1\n    port: 0\n  logger:\n    level: warn\n  database:\n    prefix: {prefix}\n"
        ),
    )
    .unwrap();

    let outcome = std::panic::catch_unwind(|| {
        let app = App::start(
            &overrides,
            &[
                ("POSTGRES_URL", &postgres),
                ("REDIS_URL", &redis),
                ("BASIC_APP_TOKEN", "production-test-token"),
            ],
        );
        let path = format!("/api/greeter/greetings/{name}");
        let (status, body) = app.call("GET", &path);
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (&body["times"], &body["cached"]),
            (&0.into(), &false.into())
        );
        app.call("POST", &path);
        let (status, body) = app.call("POST", &path);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["times"], 2, "{body}");
        // The count comes from Redis now...
        let (_, body) = app.call("GET", &path);
        assert_eq!((&body["times"], &body["cached"]), (&2.into(), &true.into()));
        runtime.block_on(async {
            let mut redis_conn = redis::Client::open(redis.as_str())
                .unwrap()
                .get_multiplexed_async_connection()
                .await
                .unwrap();
            let cached: Option<String> = redis::cmd("GET")
                .arg(format!("greeter:greetings:{name}"))
                .query_async(&mut redis_conn)
                .await
                .unwrap();
            assert_eq!(cached.as_deref(), Some("2"));
            // ...and from the greeter's own PostgreSQL database.
            let mut db = sqlx::AnyConnection::connect(&database_url(&postgres, &prefix))
                .await
                .unwrap();
            let times: i64 = sqlx::query_scalar("SELECT times FROM greetings WHERE name = $1")
                .bind(&name)
                .fetch_one(&mut db)
                .await
                .unwrap();
            assert_eq!(times, 2);
            let _ = db.close().await;
        });
        assert_eq!(app.stop(), Some(0));
    });

    runtime.block_on(cleanup(&postgres, &redis, &prefix, &name));
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// The greeter's database on the server `postgres` names.
fn database_url(postgres: &str, prefix: &str) -> String {
    let (server, _) = postgres
        .split_once('?')
        .map_or((postgres, ""), |(s, q)| (s, q));
    let scheme_end = server.find("://").map_or(0, |i| i + 3);
    let server = match server[scheme_end..].find('/') {
        Some(slash) => &server[..scheme_end + slash],
        None => server,
    };
    format!("{server}/{prefix}greeter")
}

/// Drops the databases with `prefix` and the cache keys of `name`.
async fn cleanup(postgres: &str, redis: &str, prefix: &str, name: &str) {
    let mut admin = sqlx::AnyConnection::connect(postgres).await.unwrap();
    let databases: Vec<String> =
        sqlx::query_scalar("SELECT datname::text FROM pg_database WHERE datname LIKE $1")
            .bind(format!("{prefix}%"))
            .fetch_all(&mut admin)
            .await
            .unwrap();
    for database in databases {
        sqlx::raw_sql(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await
        .unwrap();
    }
    let _ = admin.close().await;
    let mut conn = redis::Client::open(redis)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let key = format!("greeter:greetings:{name}");
    let _: () = redis::cmd("DEL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    let _: () = redis::cmd("SREM")
        .arg("greeter~keys")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
}
