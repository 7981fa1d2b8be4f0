//! The example portal: `cargo run -p basic-app`.
//!
//! Reads `app-config.yaml` next to this crate (or the `--config` files),
//! starts the backend with the catalog and the demo plugin, and serves until
//! SIGINT/SIGTERM.

mod greeter;

use std::process::ExitCode;

use backstage_backend::Backend;
use backstage_backend::backstage_core::config::ConfigLoader;

/// mimalloc returns freed memory to the system: after the catalog's first
/// ingest (a burst of parsing and stitching) the portal shrinks back
/// instead of keeping the peak in glibc's per-thread arenas.
// ANCHOR: allocator
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
// ANCHOR_END: allocator

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("basic-app: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), backstage_backend::BackendError> {
    // Without --config, read the example's own app-config*.yaml.
    let loader = ConfigLoader::new()
        .root_dir(env!("CARGO_MANIFEST_DIR"))
        .args(std::env::args())?;
    let backend = Backend::builder()
        .config_loader(loader)
        .add(greeter::greeter_plugin())
        .add(backstage_plugin_catalog_backend::catalog_plugin())
        .start()
        .await?;
    println!("basic-app listening on {}", backend.url());
    backend.wait_for_shutdown_signal().await;
    backend.stop().await;
    Ok(())
}
