//! Concurrent HTTP load: `concurrency` keep-alive connections, each sending
//! one request after the other for a fixed time, recording every latency.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Makes the path of the `n`th request.
pub(crate) type Paths = Arc<dyn Fn(usize) -> String + Send + Sync>;

/// What a load run measured.
#[derive(Debug)]
pub(crate) struct LoadReport {
    /// Requests answered with 200 in the measured window.
    pub(crate) requests: usize,
    /// The measured window.
    pub(crate) elapsed: Duration,
    /// Median latency.
    pub(crate) p50: Duration,
    /// 99th percentile latency.
    pub(crate) p99: Duration,
    /// Mean response body size in bytes.
    pub(crate) mean_bytes: usize,
}

impl LoadReport {
    /// Requests per second.
    pub(crate) fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

/// The settings of a load run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Load {
    /// Connections, each with one request in flight.
    pub(crate) concurrency: usize,
    /// Unmeasured time first.
    pub(crate) warmup: Duration,
    /// Measured time.
    pub(crate) duration: Duration,
}

/// Sends GET requests to `address` with the paths `paths` yields (called
/// with a running counter, so each connection walks its own sequence).
/// Any status but 200 fails the run.
pub(crate) async fn run(load: Load, address: &str, paths: Paths) -> anyhow::Result<LoadReport> {
    let start = Instant::now();
    let measure_from = start + load.warmup;
    let end = measure_from + load.duration;
    let mut workers = Vec::with_capacity(load.concurrency);
    for worker in 0..load.concurrency {
        let address = address.to_owned();
        let paths = Arc::clone(&paths);
        workers.push(tokio::spawn(async move {
            connection(
                &address,
                worker,
                load.concurrency,
                measure_from,
                end,
                &*paths,
            )
            .await
        }));
    }
    let mut latencies = Vec::new();
    let mut bytes = 0usize;
    for worker in workers {
        let (worker_latencies, worker_bytes) = worker.await.context("load worker panicked")??;
        latencies.extend(worker_latencies);
        bytes += worker_bytes;
    }
    if latencies.is_empty() {
        bail!("no request completed in the measured window");
    }
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    Ok(LoadReport {
        requests: latencies.len(),
        elapsed: load.duration,
        p50: at(0.50),
        p99: at(0.99),
        mean_bytes: bytes / latencies.len(),
    })
}

/// One connection's loop: latencies and body bytes of the requests that
/// started in the measured window.
async fn connection(
    address: &str,
    worker: usize,
    stride: usize,
    measure_from: Instant,
    end: Instant,
    paths: &(dyn Fn(usize) -> String + Send + Sync),
) -> anyhow::Result<(Vec<Duration>, usize)> {
    let stream = TcpStream::connect(address)
        .await
        .with_context(|| format!("connecting to {address}"))?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut latencies = Vec::new();
    let mut bytes = 0;
    let mut counter = worker;
    loop {
        let sent = Instant::now();
        if sent >= end {
            break;
        }
        let path = paths(counter);
        counter += stride;
        let request = http::Request::get(path.as_str())
            .header(http::header::HOST, address)
            .body(Empty::<Bytes>::new())?;
        sender.ready().await?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        if status != http::StatusCode::OK {
            bail!(
                "GET {path} answered {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            );
        }
        if sent >= measure_from {
            latencies.push(sent.elapsed());
            bytes += body.len();
        }
    }
    Ok((latencies, bytes))
}

/// One GET on a fresh connection: the status and body.
pub(crate) async fn get(address: &str, path: &str) -> anyhow::Result<(http::StatusCode, Bytes)> {
    let stream = TcpStream::connect(address)
        .await
        .with_context(|| format!("connecting to {address}"))?;
    let (mut sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let request = http::Request::get(path)
        .header(http::header::HOST, address)
        .body(Empty::<Bytes>::new())?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    Ok((status, response.into_body().collect().await?.to_bytes()))
}

/// `totalItems` of the whole catalog, from `/entities/by-query`.
pub(crate) async fn total_items(address: &str) -> anyhow::Result<usize> {
    let (status, body) = get(address, "/api/catalog/entities/by-query?limit=1").await?;
    if status != http::StatusCode::OK {
        bail!("by-query answered {status}");
    }
    let body: serde_json::Value = serde_json::from_slice(&body)?;
    body["totalItems"]
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .context("no totalItems in the by-query answer")
}
