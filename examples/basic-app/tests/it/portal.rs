//! The portal as a user's browser sees it over plain HTTP: the UI at `/`
//! and the API at `/api` in one process, and the same pages from a
//! separate frontend process talking to a backend process.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{get, wait_for_address};

/// A running basic-app that is killed when dropped.
pub(crate) struct Portal {
    child: Child,
    pub(crate) address: String,
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Test overrides on top of the example's app-config.yaml: a free port on
/// 127.0.0.1, quiet logs.
pub(crate) fn overrides(dir: &tempfile::TempDir, name: &str, extra: &str) -> PathBuf {
    let path = dir.path().join(name);
    let mut file = std::fs::File::create(&path).unwrap();
    write!(
        file,
        "backend:\n  baseUrl: http://localhost\n  listen:\n    host: 127.0.0.1\n    port: 0\n  logger:\n    level: warn\n{extra}"
    )
    .unwrap();
    path
}

/// Starts basic-app from the repository root (as the README says) with
/// the example's config, `overrides` and `role`.
pub(crate) fn start(role: &str, overrides: &Path) -> Portal {
    let mut child = Command::new(env!("CARGO_BIN_EXE_basic-app"))
        .current_dir(crate_dir().join("../.."))
        .arg("--role")
        .arg(role)
        .arg("--config")
        .arg(crate_dir().join("app-config.yaml"))
        .arg("--config")
        .arg(overrides)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let address = wait_for_address(&mut child);
    Portal { child, address }
}

/// Polls `path` until its body contains `text` (the catalog ingests the
/// example's files in the background after startup).
pub(crate) fn eventually(address: &str, path: &str, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = get(address, path);
        if status == 200 && body.contains(text) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "{path} never showed {text:?}; last answer {status}: {body}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The all-in-one portal, with the example catalog ingested.
pub(crate) fn all_in_one(dir: &tempfile::TempDir) -> Portal {
    let portal = start("all", &overrides(dir, "all.yaml", ""));
    eventually(&portal.address, "/catalog", "Components (13)");
    portal
}

#[test]
fn one_process_serves_the_ui_at_the_root_and_the_api_below_api() {
    let dir = tempfile::tempdir().unwrap();
    let portal = all_in_one(&dir);
    let address = &portal.address;

    let (status, home) = get(address, "/");
    assert_eq!(status, 200);
    for link in [
        "href=\"/catalog\"",
        "href=\"/tech-radar\"",
        "href=\"/catalog-import\"",
    ] {
        assert!(home.contains(link), "home links {link}");
    }
    assert_eq!(get(address, "/tech-radar").0, 200);
    // The API is still the API, and still guarded.
    assert_eq!(get(address, "/api/catalog/entities").0, 401);
    assert_eq!(get(address, "/.backstage/health/v1/readiness").0, 200);

    let (_, catalog) = get(address, "/catalog?kind=group");
    assert!(
        catalog.contains("href=\"/catalog/default/group/fleet-ops\""),
        "groups listed"
    );

    let (status, entity) = get(address, "/catalog/default/component/dock-gateway");
    assert_eq!(status, 200);
    assert!(
        entity.contains("href=\"/catalog/default/group/fleet-ops\""),
        "owner link"
    );
    assert!(
        entity.contains("data-relation=\"providesApi\""),
        "relations"
    );
    // The demo plugin's tab is on services and websites only.
    assert!(entity.contains("href=\"/catalog/default/component/dock-gateway/runbook\""));
    let (status, runbook) = get(address, "/catalog/default/component/dock-gateway/runbook");
    assert_eq!(status, 200);
    assert!(runbook.contains("id=\"runbook\""));
    let (_, api) = get(address, "/catalog/default/api/dock-control-api");
    assert!(!api.contains("/runbook\""), "no runbook tab on an API");
    let (status, _) = get(address, "/catalog/default/api/dock-control-api/runbook");
    assert_eq!(status, 404);

    let (status, missing) = get(address, "/catalog/default/component/no-such-thing");
    assert_eq!(status, 404);
    assert!(missing.contains("404"));

    // The hostile entity is text.
    let (status, hostile) = get(address, "/catalog/default/component/xss-canary");
    assert_eq!(status, 200);
    let main = &hostile[hostile.find("<main").unwrap()..];
    assert!(main.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!main.contains("<script") && !main.contains("<img"));
    assert!(!hostile.to_lowercase().contains("href=\"javascript:"));
}

#[test]
fn a_frontend_process_talks_to_a_backend_process_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let backend = start("backend", &overrides(&dir, "backend.yaml", ""));
    // The backend process serves no UI.
    eventually(&backend.address, "/.backstage/health/v1/readiness", "ok");
    assert_eq!(get(&backend.address, "/catalog").0, 404);

    let frontend_config = overrides(
        &dir,
        "frontend.yaml",
        "app:\n  listen:\n    host: 127.0.0.1\n    port: 0\n  extensions:\n    - api:plugin.catalog.service:\n        config:\n          timeoutMs: 2000\n",
    );
    // backend.baseUrl points the frontend at the backend process.
    let with_base = dir.path().join("frontend-base.yaml");
    std::fs::write(
        &with_base,
        format!("backend:\n  baseUrl: http://{}\n", backend.address),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_basic-app"))
        .current_dir(crate_dir().join("../.."))
        .args(["--role", "frontend", "--config"])
        .arg(crate_dir().join("app-config.yaml"))
        .arg("--config")
        .arg(&frontend_config)
        .arg("--config")
        .arg(&with_base)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let address = wait_for_address(&mut child);
    let frontend = Portal { child, address };

    let catalog = eventually(&frontend.address, "/catalog", "Components (13)");
    assert!(catalog.contains("href=\"/catalog/default/component/dock-gateway\""));
    let (status, _) = get(&frontend.address, "/catalog/default/component/dock-gateway");
    assert_eq!(status, 200);
    // The frontend process serves no API.
    assert_ne!(get(&frontend.address, "/api/catalog/entities").0, 200);

    // The backend goes away: the pages say so, in the shell.
    drop(backend);
    let (status, page) = get(&frontend.address, "/catalog");
    assert_eq!(status, 503);
    assert!(
        page.contains("could not be reached") && page.contains("bs-sidebar"),
        "{page}"
    );
}
