//! Requests per second of a trivial plugin route through the full backend
//! stack (root router, plugin dispatch, auth policy with a static token,
//! metrics, error layer, compression, tracing layer) against a bare axum
//! router serving the same handler, measured in one run.
//!
//! `cargo bench -p backstage-backend --bench http_stack`
//!
//! The load generator runs in-process on loopback: `BENCH_CONNECTIONS`
//! keep-alive HTTP/1.1 connections (default 32), each sending GET requests
//! back to back for `BENCH_WARMUP_MS` (default 1000, not counted) plus
//! `BENCH_DURATION_MS` (default 3000, counted). Bare and full run
//! alternately `BENCH_ROUNDS` times each (default 3); the figures are the
//! medians of the rounds and the ratio is full/bare (the project aims for
//! at least 0.8). The servers run on their own multi-thread runtime
//! (`BENCH_SERVER_THREADS`, default 2) and the load generator on another
//! (`BENCH_CLIENT_THREADS`, default 1). `BENCH_ONLY=bare` or `BENCH_ONLY=full`
//! runs one setup alone (for profiling, e.g. under callgrind); no ratio is
//! printed then.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use backstage_backend::backstage_core::config::Config;
use backstage_backend::{Backend, BackendPlugin, RunningBackend};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

/// The static token the full backend accepts.
const TOKEN: &str = "bench-token-0123456789abcdef";
/// The route both servers answer.
const PATH: &str = "/api/bench/ping";
/// The body of a successful answer.
const PONG: &[u8] = b"pong";
/// A hard cap on requests per connection per run, so a run is bounded in
/// count as well as in time.
const MAX_REQUESTS_PER_CONNECTION: u64 = 5_000_000;
/// How long one request may take before the connection gives up.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// The handler both setups serve.
async fn ping() -> &'static str {
    "pong"
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a non-negative integer, got {value:?}")),
        Err(_) => default,
    }
}

struct Settings {
    connections: u64,
    warmup: Duration,
    duration: Duration,
    rounds: u64,
    server_threads: usize,
    client_threads: usize,
    only: Option<String>,
}

impl Settings {
    fn from_env() -> Self {
        Self {
            connections: env_u64("BENCH_CONNECTIONS", 32).max(1),
            warmup: Duration::from_millis(env_u64("BENCH_WARMUP_MS", 1000)),
            duration: Duration::from_millis(env_u64("BENCH_DURATION_MS", 3000).max(100)),
            rounds: env_u64("BENCH_ROUNDS", 3).max(1),
            server_threads: env_u64("BENCH_SERVER_THREADS", 2).max(1) as usize,
            client_threads: env_u64("BENCH_CLIENT_THREADS", 1).max(1) as usize,
            only: std::env::var("BENCH_ONLY").ok().map(|only| {
                assert!(
                    only == "bare" || only == "full",
                    "BENCH_ONLY must be 'bare' or 'full', got {only:?}"
                );
                only
            }),
        }
    }
}

fn runtime(threads: usize, name: &str) -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name(name)
        .enable_all()
        .build()
        .unwrap()
}

/// The full backend: one plugin with the `ping` route, behind a static token.
async fn start_full() -> RunningBackend {
    let plugin = BackendPlugin::builder("bench").init(|ctx| async move {
        ctx.http_router()
            .use_router(Router::new().route("/ping", get(ping)));
        Ok::<_, std::convert::Infallible>(())
    });
    let config = Config::from_value(json!({"backend": {
        "listen": {"host": "127.0.0.1", "port": 0},
        "baseUrl": "http://127.0.0.1",
        "logger": {"level": "error"},
        "auth": {"externalAccess": [
            {"type": "static", "options": {"token": TOKEN, "subject": "bench"}}
        ]}
    }}));
    Backend::builder()
        .add(plugin)
        .config(config)
        .start()
        .await
        .unwrap()
}

/// A bare axum router serving the same handler at the same path.
async fn start_bare() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = Router::new().route(PATH, get(ping));
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

/// What one connection saw in the measured window.
#[derive(Default)]
struct ConnectionResult {
    completed: u64,
    errors: u64,
    latencies_ns: Vec<u64>,
}

async fn send_one(
    sender: &mut hyper::client::conn::http1::SendRequest<Body>,
    address: SocketAddr,
) -> Result<(), String> {
    sender.ready().await.map_err(|e| e.to_string())?;
    let request = Request::get(PATH)
        .header(header::HOST, address.to_string())
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap();
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = axum::body::to_bytes(Body::new(response.into_body()), 1 << 16)
        .await
        .map_err(|e| e.to_string())?;
    if status != StatusCode::OK || body.as_ref() != PONG {
        return Err(format!(
            "unexpected answer {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    Ok(())
}

/// One keep-alive connection sending requests back to back until `end`.
async fn connection_loop(
    address: SocketAddr,
    measure_from: Instant,
    end: Instant,
) -> ConnectionResult {
    let mut result = ConnectionResult::default();
    let mut last_error = None;
    let mut sent = 0;
    'connect: while Instant::now() < end && sent < MAX_REQUESTS_PER_CONNECTION {
        let stream = match TcpStream::connect(address).await {
            Ok(stream) => stream,
            Err(e) => {
                result.errors += 1;
                last_error = Some(e.to_string());
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (mut sender, connection) =
            match hyper::client::conn::http1::handshake(TokioIo::new(stream)).await {
                Ok(pair) => pair,
                Err(e) => {
                    result.errors += 1;
                    last_error = Some(e.to_string());
                    continue;
                }
            };
        let driver = tokio::spawn(connection);
        loop {
            let started = Instant::now();
            if started >= end || sent >= MAX_REQUESTS_PER_CONNECTION {
                break;
            }
            sent += 1;
            let outcome = tokio::time::timeout(REQUEST_TIMEOUT, send_one(&mut sender, address))
                .await
                .unwrap_or_else(|_| Err("request timed out".to_owned()));
            let finished = Instant::now();
            let counted = started >= measure_from && finished <= end;
            match outcome {
                Ok(()) if counted => {
                    result.completed += 1;
                    result
                        .latencies_ns
                        .push((finished - started).as_nanos() as u64);
                }
                Ok(()) => {}
                Err(e) => {
                    result.errors += 1;
                    last_error = Some(e);
                    driver.abort();
                    continue 'connect;
                }
            }
        }
        drop(sender);
        let _ = driver.await;
        break;
    }
    if let Some(error) = last_error {
        eprintln!(
            "  a connection to {address} saw {} error(s), the last: {error}",
            result.errors
        );
    }
    result
}

/// The figures of one run against one server.
struct Run {
    requests_per_second: f64,
    errors: u64,
    latencies_ns: Vec<u64>,
}

async fn run_load(address: SocketAddr, settings: &Settings) -> Run {
    let start = Instant::now();
    let measure_from = start + settings.warmup;
    let end = measure_from + settings.duration;
    let tasks: Vec<_> = (0..settings.connections)
        .map(|_| tokio::spawn(connection_loop(address, measure_from, end)))
        .collect();
    let mut completed = 0;
    let mut errors = 0;
    let mut latencies_ns = Vec::new();
    for task in tasks {
        let result = task.await.unwrap();
        completed += result.completed;
        errors += result.errors;
        latencies_ns.extend(result.latencies_ns);
    }
    Run {
        requests_per_second: completed as f64 / settings.duration.as_secs_f64(),
        errors,
        latencies_ns,
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The `q` quantile (0..=1) of sorted samples, in microseconds.
fn quantile_us(sorted_ns: &[u64], q: f64) -> f64 {
    if sorted_ns.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted_ns.len() - 1) as f64 * q).round() as usize;
    sorted_ns[index] as f64 / 1000.0
}

/// All the runs of one setup.
#[derive(Default)]
struct Setup {
    rates: Vec<f64>,
    errors: u64,
    latencies_ns: Vec<u64>,
}

impl Setup {
    fn add(&mut self, run: Run) {
        self.rates.push(run.requests_per_second);
        self.errors += run.errors;
        self.latencies_ns.extend(run.latencies_ns);
    }

    /// Median req/s, p50 and p99 latency in microseconds.
    fn summary(&mut self) -> (f64, f64, f64) {
        self.latencies_ns.sort_unstable();
        (
            median(&mut self.rates.clone()),
            quantile_us(&self.latencies_ns, 0.50),
            quantile_us(&self.latencies_ns, 0.99),
        )
    }
}

/// The medians of both setups and their ratio.
fn print_summary(bare: &mut Setup, fullstack: &mut Setup) {
    let (bare_rps, bare_p50, bare_p99) = bare.summary();
    let (full_rps, full_p50, full_p99) = fullstack.summary();
    let ratio = full_rps / bare_rps;
    println!(
        "bare axum router: {bare_rps:>9.0} req/s (median)  p50 {bare_p50:>7.1} us  p99 {bare_p99:>7.1} us  errors {}",
        bare.errors
    );
    println!(
        "full backend:     {full_rps:>9.0} req/s (median)  p50 {full_p50:>7.1} us  p99 {full_p99:>7.1} us  errors {}",
        fullstack.errors
    );
    println!(
        "ratio full/bare:  {ratio:.3} (target >= 0.80){}",
        if ratio >= 0.8 { "" } else { "  BELOW TARGET" }
    );
    if bare.errors + fullstack.errors > 0 {
        println!("warning: some requests failed; see the messages above");
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a name filter that excludes us skips the run.
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    if !filter.is_empty() && !"http_stack".contains(filter.as_str()) {
        return;
    }
    let settings = Settings::from_env();
    let server = runtime(settings.server_threads, "bench-server");
    let client = runtime(settings.client_threads, "bench-client");

    // The backend installs the global tracing subscriber (level error) and
    // the metrics recorder; the bare server shares the same process state.
    let full = server.block_on(start_full());
    let full_address = full.address();
    let bare_address = server.block_on(start_bare());

    println!(
        "http_stack: GET {PATH}, {} keep-alive HTTP/1.1 connections, {} ms warm-up + {} ms measured per run, {} round(s), server {} thread(s), client {} thread(s)",
        settings.connections,
        settings.warmup.as_millis(),
        settings.duration.as_millis(),
        settings.rounds,
        settings.server_threads,
        settings.client_threads,
    );
    let mut bare = Setup::default();
    let mut fullstack = Setup::default();
    for round in 1..=settings.rounds {
        for (name, address, setup) in [
            ("bare", bare_address, &mut bare),
            ("full", full_address, &mut fullstack),
        ] {
            if settings.only.as_deref().is_some_and(|only| only != name) {
                continue;
            }
            let run = client.block_on(run_load(address, &settings));
            let mut sorted = run.latencies_ns.clone();
            sorted.sort_unstable();
            println!(
                "  round {round} {name:4}: {:>9.0} req/s  p50 {:>7.1} us  p99 {:>7.1} us  errors {}",
                run.requests_per_second,
                quantile_us(&sorted, 0.50),
                quantile_us(&sorted, 0.99),
                run.errors,
            );
            setup.add(run);
        }
    }

    if settings.only.is_none() {
        print_summary(&mut bare, &mut fullstack);
    }

    server.block_on(full.stop());
    drop(client);
    server.shutdown_timeout(Duration::from_secs(1));
}
