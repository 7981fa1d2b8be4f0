//! Start-to-ready time and idle memory of the basic-app binary, as an
//! operator runs it: `cargo bench -p basic-app --bench startup`.
//!
//! Starts the binary (built with the bench profile) several times with a
//! config that binds port 0, measures the time from spawning the process to
//! the first `200` from `/.backstage/health/v1/readiness`, then lets it idle
//! for a second and reads its resident set size from `/proc`. Prints the
//! median, minimum and maximum of each.

#![allow(clippy::unwrap_used, clippy::print_stdout)] // a bench binary reports by printing

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 10;

fn readiness(address: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(address).ok()?;
    write!(
        stream,
        "GET /.backstage/health/v1/readiness HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.get(9..12)?.parse().ok()
}

/// Resident set size in KiB, from /proc (Linux).
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();
}

/// One start: (time to ready, idle RSS in KiB).
fn measure(config: &std::path::Path) -> (Duration, u64) {
    let spawned = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_basic-app"))
        .arg("--config")
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let line = BufReader::new(stdout).lines().next().unwrap().unwrap();
    let address = line
        .strip_prefix("basic-app listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    while readiness(&address) != Some(200) {
        assert!(
            spawned.elapsed() < Duration::from_secs(30),
            "basic-app did not become ready"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
    let ready = spawned.elapsed();
    std::thread::sleep(Duration::from_secs(1));
    let rss = rss_kib(child.id()).unwrap_or(0);
    stop(&mut child);
    (ready, rss)
}

fn summary<T: Copy + Ord>(mut values: Vec<T>) -> (T, T, T) {
    values.sort();
    (
        values[values.len() / 2],
        values[0],
        values[values.len() - 1],
    )
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument that does not name
    // this bench skips it.
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with('-') && !"startup".contains(a.as_str()))
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("app-config.bench.yaml");
    std::fs::write(
        &config,
        "backend:\n  baseUrl: http://localhost\n  listen:\n    host: 127.0.0.1\n    port: 0\n  logger:\n    level: warn\ngreeter:\n  greeting: hello\n",
    )
    .unwrap();
    let mut times = Vec::new();
    let mut memory = Vec::new();
    for _ in 0..RUNS {
        let (ready, rss) = measure(&config);
        times.push(ready);
        memory.push(rss);
    }
    let (median, min, max) = summary(times);
    println!(
        "basic-app start to ready: median {:.1} ms (min {:.1}, max {:.1}) over {RUNS} starts",
        median.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
    let (median, min, max) = summary(memory);
    println!(
        "basic-app idle RSS after 1 s: median {:.1} MiB (min {:.1}, max {:.1})",
        median as f64 / 1024.0,
        min as f64 / 1024.0,
        max as f64 / 1024.0
    );
}
