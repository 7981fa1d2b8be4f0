//! The catalog under load.
//!
//! ```text
//! cargo run --release -p catalog-bench -- --entities 1000,20000,100000
//! ```
//!
//! For each size: generates a company of that many entities into one
//! `catalog-info.yaml`, starts a catalog backend on it in a child process
//! (SQLite, default settings otherwise), and prints the time until every
//! entity is queryable, the child's memory after ingest and after load, and
//! requests per second with p50/p99 latency for a by-name lookup, a filtered
//! and ordered page of 100 from by-query, entity facets and the users list,
//! each under concurrent keep-alive connections.

#![allow(clippy::print_stdout)] // a bench binary reports by printing

mod company;
mod load;
mod server;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;

use crate::load::Load;
use crate::server::Server;

/// The catalog is measured with the allocator the example portal ships
/// with: mimalloc, handing freed memory back to the system within
/// 100 ms.
#[global_allocator]
static ALLOCATOR: backstage_allocator::PortalAllocator = backstage_allocator::PortalAllocator;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(about = "Load benchmark of the catalog backend")]
struct Args {
    /// Catalog sizes to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "20000")]
    entities: Vec<usize>,
    /// Concurrent connections of the load generator.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Measured seconds per scenario (after one unmeasured second).
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Where the catalog keeps its tables: `file` (SQLite files in a
    /// temporary directory) or `memory` (in-memory SQLite).
    #[arg(long, default_value = "file")]
    database: String,
    /// Turn the catalog's read cache off (`catalog.cache.enabled: false`),
    /// to measure every request against the database.
    #[arg(long)]
    no_cache: bool,
    /// Only write the catalog file and config of the first size into this
    /// directory (to profile or inspect the server with `--serve
    /// DIR/app-config.yaml`), then exit.
    #[arg(long)]
    write_to: Option<PathBuf>,
    /// Internal: run the catalog server from this config (the child
    /// process).
    #[arg(long, hide = true)]
    serve: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(config) = &args.serve {
        return server::serve(config).await;
    }
    if let Some(dir) = &args.write_to {
        let n = args.entities.first().copied().unwrap_or(20_000);
        std::fs::create_dir_all(dir)?;
        let dir = dir.canonicalize()?;
        let company = company::generate(n);
        let catalog_file = dir.join("catalog-info.yaml");
        std::fs::write(&catalog_file, &company.yaml)?;
        let config = write_config(
            &dir,
            &catalog_file,
            &args.database,
            company.yaml.len(),
            !args.no_cache,
        )?;
        println!(
            "wrote {} entities; serve with --serve {}",
            company.entities,
            config.display()
        );
        return Ok(());
    }
    let load = Load {
        concurrency: args.concurrency.max(1),
        warmup: Duration::from_secs(1),
        duration: Duration::from_secs(args.seconds.max(1)),
    };
    println!(
        "catalog-bench: {} connections, {} s per scenario, SQLite ({}), read cache {}, {} cores",
        load.concurrency,
        load.duration.as_secs(),
        args.database,
        if args.no_cache { "off" } else { "on" },
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for &n in &args.entities {
        measure(n, load, &args.database, !args.no_cache).await?;
    }
    Ok(())
}

fn write_config(
    dir: &Path,
    catalog_file: &Path,
    database: &str,
    file_bytes: usize,
    cache: bool,
) -> anyhow::Result<PathBuf> {
    let connection = match database {
        "file" => serde_json::json!({"directory": dir.join("db")}),
        "memory" => serde_json::json!(":memory:"),
        other => bail!("--database {other:?}: use file or memory"),
    };
    let config = serde_json::json!({
        "backend": {
            "baseUrl": "http://127.0.0.1",
            "listen": {"host": "127.0.0.1", "port": 0},
            "logger": {"level": "warn"},
            "database": {"client": "better-sqlite3", "connection": connection},
            "auth": {"dangerouslyDisableDefaultAuthPolicy": true},
        },
        "catalog": {
            "maxFileBytes": file_bytes + 1024,
            "cache": {"enabled": cache},
            "locations": [{"type": "file", "target": catalog_file}],
            "rules": [{"allow": ["Component", "API", "System", "Domain", "Resource", "Group", "User", "Location"]}],
        },
    });
    // JSON is YAML: the config loader reads it as is.
    let path = dir.join("app-config.yaml");
    std::fs::write(&path, serde_json::to_string_pretty(&config)?)?;
    Ok(path)
}

async fn measure(n: usize, load: Load, database: &str, cache: bool) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let company = company::generate(n);
    let catalog_file = dir.path().join("catalog-info.yaml");
    std::fs::write(&catalog_file, &company.yaml)?;
    let config = write_config(
        dir.path(),
        &catalog_file,
        database,
        company.yaml.len(),
        cache,
    )?;
    println!(
        "\n== {} entities ({:.1} MiB of YAML in one file, {} users) ==",
        company.entities,
        company.yaml.len() as f64 / 1048576.0,
        company.users
    );

    let server = tokio::task::spawn_blocking(move || Server::start(&config))
        .await
        .context("starting the catalog")??;
    // The location entity itself is in the catalog too.
    let expected = company.entities + 1;
    let total = load::total_items(&server.address).await?;
    if total != expected {
        bail!("the catalog holds {total} entities after startup, expected {expected}");
    }
    let (rss, _) = server.memory_kib()?;
    println!(
        "all {expected} queryable after {:.2} s (process start to ready); RSS after ingest {:.1} MiB",
        server.ready_after.as_secs_f64(),
        rss as f64 / 1024.0
    );

    let names = Arc::new(company.component_names);
    let scenarios: Vec<(&str, load::Paths)> = vec![
        ("by-name", {
            let names = Arc::clone(&names);
            Arc::new(move |i: usize| {
                format!(
                    "/api/catalog/entities/by-name/component/default/{}",
                    names[(i * 7919) % names.len()]
                )
            })
        }),
        (
            "by-query page of 100",
            Arc::new(|i: usize| {
                let lifecycle = ["production", "experimental", "deprecated"][i % 3];
                format!(
                    "/api/catalog/entities/by-query?filter=kind=component,spec.lifecycle={lifecycle}&limit=100&orderField=metadata.name,asc"
                )
            }),
        ),
        (
            "entity-facets",
            Arc::new(|_| {
                "/api/catalog/entity-facets?facet=kind&facet=spec.lifecycle&facet=metadata.tags"
                    .to_owned()
            }),
        ),
        (
            "users list",
            Arc::new(|_| "/api/catalog/entities?filter=kind=user&fields=metadata.name".to_owned()),
        ),
    ];
    println!(
        "{:<22} {:>10} {:>10} {:>10} {:>12}",
        "scenario", "req/s", "p50 ms", "p99 ms", "body bytes"
    );
    for (name, paths) in scenarios {
        let report = load::run(load, &server.address, paths).await?;
        println!(
            "{:<22} {:>10.0} {:>10.2} {:>10.2} {:>12}",
            name,
            report.rate(),
            report.p50.as_secs_f64() * 1e3,
            report.p99.as_secs_f64() * 1e3,
            report.mean_bytes
        );
    }
    let (rss, peak) = server.memory_kib()?;
    println!(
        "RSS after load {:.1} MiB, peak {:.1} MiB",
        rss as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    drop(server);
    Ok(())
}
