//! The catalog under test runs in a child process — this same binary with
//! `--serve CONFIG` — so its memory is measured apart from the load
//! generator's.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use backstage_backend::Backend;
use backstage_backend::backstage_core::config::ConfigLoader;

/// The line prefix that announces the child's address (its log lines go
/// to stdout too).
const READY: &str = "catalog-bench-ready";

/// Child mode: starts a backend with the catalog plugin from `config`,
/// prints its address once the catalog has ingested its locations (the
/// plugin reports ready only then), and serves until SIGTERM.
pub(crate) async fn serve(config: &Path) -> anyhow::Result<()> {
    let backend = Backend::builder()
        .config_loader(ConfigLoader::new().config_file(config))
        .add(backstage_plugin_catalog_backend::catalog_plugin())
        .start()
        .await?;
    println!("{READY} {}", backend.address());
    backend.wait_for_shutdown_signal().await;
    backend.stop().await;
    Ok(())
}

/// A running catalog child process.
#[derive(Debug)]
pub(crate) struct Server {
    child: Child,
    /// `host:port` it listens on.
    pub(crate) address: String,
    /// From spawning the process to its address line.
    pub(crate) ready_after: Duration,
}

impl Server {
    /// Spawns `--serve config` and waits for the address line.
    pub(crate) fn start(config: &Path) -> anyhow::Result<Self> {
        let spawned = Instant::now();
        let mut child = Command::new(std::env::current_exe()?)
            .arg("--serve")
            .arg(config)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("spawning the catalog process")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let mut address = None;
        for line in lines.by_ref() {
            let line = line?;
            match line.strip_prefix(READY) {
                Some(rest) => {
                    address = Some(rest.trim().to_owned());
                    break;
                }
                None => eprintln!("{line}"),
            }
        }
        let ready_after = spawned.elapsed();
        let Some(address) = address else {
            let status = child.wait()?;
            bail!("the catalog process exited before it was ready ({status})");
        };
        // Keep its later log lines flowing (a full pipe would stall it).
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                eprintln!("{line}");
            }
        });
        Ok(Self {
            child,
            address,
            ready_after,
        })
    }

    /// The child's current and peak resident set size, in KiB (Linux).
    pub(crate) fn memory_kib(&self) -> anyhow::Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .context("reading /proc (the memory figures need Linux)")?;
        let field = |name: &str| -> anyhow::Result<u64> {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .with_context(|| format!("no {name} in /proc status"))
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}
