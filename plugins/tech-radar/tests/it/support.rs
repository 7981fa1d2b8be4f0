//! A radar config and an app serving it.

use axum::body::Body;
use backstage_common::config::Config;
use backstage_frontend::App;
use http::Request;
use serde_json::{Value, json};
use tower::ServiceExt;

pub(crate) const HOSTILE_TITLE: &str = "</script><img src=x onerror=alert(1)>";

pub(crate) fn radar_config() -> Value {
    json!({
        "quadrants": [
            {"id": "languages", "name": "Languages"},
            {"id": "platforms", "name": "Platforms"},
            {"id": "datastores", "name": "Data stores"},
            {"id": "tools", "name": "Tools"}
        ],
        "rings": [
            {"id": "adopt", "name": "Adopt", "color": "#5ba300"},
            {"id": "trial", "name": "Trial", "color": "#009eb0"},
            {"id": "hold", "name": "Hold", "color": "#e09b96"}
        ],
        "entries": [
            {"id": "rust", "title": "Rust", "quadrant": "languages",
             "timeline": [{"moved": 1, "ringId": "adopt", "date": "2026-02-01", "description": "Moved in after a year of trial"}],
             "description": "Systems language we use for services.", "url": "https://www.rust-lang.org"},
            {"id": "cobol", "title": "COBOL", "quadrant": "languages",
             "timeline": [{"moved": -1, "ringId": "hold", "date": "2026-02-01"}],
             "description": "Only for the ledger."},
            {"id": "k8s", "title": "Kubernetes", "quadrant": "platforms",
             "timeline": [{"moved": 0, "ringId": "adopt", "date": "2025-06-01"}]},
            {"id": "pg", "title": "PostgreSQL", "quadrant": "datastores",
             "timeline": [{"moved": 0, "ringId": "adopt", "date": "2025-06-01"}]},
            {"id": "hostile", "title": HOSTILE_TITLE, "quadrant": "tools",
             "timeline": [{"moved": 0, "ringId": "trial", "date": "2026-01-01"}],
             "description": "<b>bold?</b>", "url": "javascript:alert(1)"}
        ]
    })
}

pub(crate) fn app_with(tech_radar: Value) -> Result<App, backstage_frontend::app::AppError> {
    App::builder()
        .config(Config::from_value(
            json!({ "app": {"title": "Radar test"}, "techRadar": tech_radar }),
        ))
        .plugin(backstage_plugin_tech_radar::plugin())
        .build()
}

pub(crate) async fn get(router: &axum::Router, uri: &str) -> (u16, Vec<u8>) {
    let response = router
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, body.to_vec())
}

/// The `/static/` URLs a page loads (scripts and stylesheets).
pub(crate) fn asset_urls(page: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (i, _) in page.match_indices(attr) {
            let rest = &page[i + attr.len()..];
            let url = &rest[..rest.find('"').unwrap_or(0)];
            if url.starts_with("/static/") {
                urls.push(url.to_owned());
            }
        }
    }
    urls
}
