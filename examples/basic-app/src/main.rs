//! The example portal: `cargo run -p basic-app`.
//!
//! Reads `app-config.yaml` next to this crate (or the `--config` files) and
//! serves until SIGINT/SIGTERM. `--role` picks what this process is:
//!
//! * `all` (default): the backend (catalog, greeter) with the UI mounted at
//!   `/` — one process on `backend.listen`;
//! * `backend`: the backend alone;
//! * `frontend`: the UI alone on `app.listen` (default `127.0.0.1:3000`),
//!   calling the backend over HTTP at `backend.baseUrl` (or
//!   `discovery.endpoints`), with the token in `app.backendAuth.token`.

mod greeter;
mod home;
mod runbook;
mod ui;

use std::process::ExitCode;

use backstage_backend::Backend;
use backstage_backend::backstage_core::config::ConfigLoader;
use backstage_frontend::App;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// What this process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    All,
    Backend,
    Frontend,
}

fn role(args: &[String]) -> Result<Role, String> {
    let mut role = Role::All;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let value = if arg == "--role" {
            iter.next().map(String::as_str)
        } else if let Some(v) = arg.strip_prefix("--role=") {
            Some(v)
        } else {
            continue;
        };
        role = match value {
            Some("all") => Role::All,
            Some("backend") => Role::Backend,
            Some("frontend") => Role::Frontend,
            other => {
                return Err(format!(
                    "--role must be all, backend or frontend (got {})",
                    other.unwrap_or("nothing")
                ));
            }
        };
    }
    Ok(role)
}

/// mimalloc, handing freed memory back to the system within 100 ms:
/// after the catalog's first ingest (a burst of parsing and stitching) the
/// portal shrinks back instead of keeping the peak.
// ANCHOR: allocator
#[global_allocator]
static ALLOCATOR: backstage_allocator::PortalAllocator = backstage_allocator::PortalAllocator;
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

async fn run() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    let role = role(&args)?;
    // Without --config, read the example's own app-config*.yaml.
    let loader = ConfigLoader::new()
        .root_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args.iter().cloned())?;
    if role == Role::Frontend {
        return run_frontend(loader).await;
    }
    // ANCHOR: backend
    let mut builder = Backend::builder()
        .config_loader(loader)
        .add(greeter::greeter_plugin())
        .add(backstage_plugin_catalog_backend::catalog_plugin());
    for schema in App::config_schemas(&ui::plugins()) {
        builder = builder.config_schema(schema);
    }
    if role == Role::All {
        builder = builder.add(ui::app_backend_plugin());
    }
    let backend = builder.start().await?;
    // ANCHOR_END: backend
    println!("basic-app listening on {}", backend.url());
    backend.wait_for_shutdown_signal().await;
    backend.stop().await;
    Ok(())
}

/// The frontend process: the UI alone, calling the backend over HTTP.
async fn run_frontend(loader: ConfigLoader) -> Result<(), Error> {
    let loaded = loader.schemas(App::config_schemas(&ui::plugins())).load()?;
    let config = loaded.config;
    for warning in &loaded.warnings {
        eprintln!("basic-app: {warning}");
    }
    let host = config
        .get_optional_string("app.listen.host")?
        .unwrap_or("127.0.0.1")
        .to_owned();
    let port = config
        .get_optional_integer("app.listen.port")?
        .unwrap_or(3000);
    let port = u16::try_from(port)
        .map_err(|_| format!("app.listen.port must be a port number, not {port}"))?;
    let app = ui::build_app(config, None)?;
    let listener = tokio::net::TcpListener::bind((host.as_str(), port)).await?;
    println!("basic-app listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app.router())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_come_from_the_flag() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(role(&args(&["basic-app"])), Ok(Role::All));
        assert_eq!(
            role(&args(&["x", "--role", "frontend"])),
            Ok(Role::Frontend)
        );
        assert_eq!(role(&args(&["x", "--role=backend"])), Ok(Role::Backend));
        assert!(role(&args(&["x", "--role", "both"])).is_err());
        assert!(role(&args(&["x", "--role"])).is_err());
    }
}
