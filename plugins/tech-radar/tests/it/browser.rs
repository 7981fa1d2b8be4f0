//! The radar in headless Chromium: it draws every entry, hover shows an
//! entry's details, and no request leaves the page after it loads.
//!
//! Needs `BACKSTAGE_TEST_CHROMEDRIVER`; skipped with a message without it,
//! a failure when `CI=true`. A failure saves a screenshot.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, ensure};
use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use super::support::*;

async fn browser(test: &str) -> anyhow::Result<Option<(Client, tempfile::TempDir)>> {
    let Ok(webdriver) = std::env::var("BACKSTAGE_TEST_CHROMEDRIVER") else {
        if std::env::var("CI").as_deref() == Ok("true") {
            anyhow::bail!(
                "{test}: BACKSTAGE_TEST_CHROMEDRIVER is not set, and CI=true requires the browser tests to run"
            );
        }
        eprintln!(
            "skipped browser test {test}: BACKSTAGE_TEST_CHROMEDRIVER is not set (run `chromedriver --port=9515 &` and export BACKSTAGE_TEST_CHROMEDRIVER=http://127.0.0.1:9515)"
        );
        return Ok(None);
    };
    let profile = tempfile::tempdir()?;
    let binary =
        std::env::var("BACKSTAGE_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let serde_json::Value::Object(capabilities) = json!({
        "goog:chromeOptions": {
            "binary": binary,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }
    }) else {
        anyhow::bail!("capabilities must be an object");
    };
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&webdriver)
        .await
        .with_context(|| format!("cannot start Chromium through chromedriver at {webdriver}"))?;
    Ok(Some((client, profile)))
}

async fn with_browser<F, Fut>(test: &str, body: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let (client, _profile) = match browser(test).await {
        Ok(Some(session)) => session,
        Ok(None) => return,
        Err(err) => panic!("{err:#}"),
    };
    let result = body(client.clone()).await;
    if let Err(err) = &result {
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("browser-{test}.png"));
        match client.screenshot().await {
            Ok(png) if std::fs::write(&path, &png).is_ok() => {
                eprintln!("screenshot of the failure: {}", path.display())
            }
            _ => eprintln!("could not save a screenshot of the failure"),
        }
        let _ = client.close().await;
        panic!("{test} failed: {err:#}");
    }
    let _ = client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn radar_draws_entries_hover_shows_details_and_no_request_follows() {
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let router = app_with(radar_config())
        .unwrap()
        .router()
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    next.run(request).await
                }
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });

    with_browser("tech-radar", |c| async move {
        c.goto(&format!("{base}/tech-radar")).await?;
        c.wait().for_element(Locator::Css("#tech-radar-svg[data-entries]")).await?;
        let after_load = requests.load(Ordering::SeqCst);

        // Every entry is drawn, with its legend item; moved entries are triangles.
        let blips = c.find_all(Locator::Css(".tech-radar-blip")).await?;
        ensure!(blips.len() == 5, "blips drawn: {}", blips.len());
        let legend = c.find_all(Locator::Css(".tech-radar__legend-item")).await?;
        ensure!(legend.len() == 5, "legend items: {}", legend.len());
        let shapes = c
            .execute("return Array.from(document.querySelectorAll('.tech-radar-blip')).map(b => [b.dataset.entryId, b.querySelector('.tech-radar-blip__shape').tagName]);", vec![])
            .await?;
        ensure!(shapes.as_array().is_some_and(|s| s.contains(&json!(["rust", "path"])) && s.contains(&json!(["k8s", "circle"]))), "shapes: {shapes}");
        let legend_text = c.find(Locator::Id("tech-radar-legend")).await?.text().await?;
        ensure!(legend_text.contains("Languages") && legend_text.to_lowercase().contains("adopt") && legend_text.contains("Rust"), "legend: {legend_text}");
        // The hostile title is shown as text, not markup.
        ensure!(legend_text.contains(HOSTILE_TITLE), "hostile title shown as text: {legend_text}");
        let injected = c.execute("return document.querySelectorAll('#tech-radar img').length;", vec![]).await?;
        ensure!(injected == 0, "markup injected from data: {injected}");

        // Hover a blip: it and its legend item are highlighted, details appear.
        let rust = c.find(Locator::Css(".tech-radar-blip[data-entry-id=rust]")).await?;
        let hover = MouseActions::new("mouse".to_owned()).then(PointerAction::MoveToElement {
            element: rust,
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        c.perform_actions(hover).await?;
        let details = c.find(Locator::Id("tech-radar-details")).await?.text().await?;
        ensure!(details.contains("Rust") && details.contains("Adopt") && details.contains("Languages"), "details: {details}");
        ensure!(details.contains("Moved in") && details.contains("Systems language we use for services."), "details: {details}");
        let highlighted = c
            .execute("return Array.from(document.querySelectorAll('.is-highlighted')).map(e => e.dataset.entryId);", vec![])
            .await?;
        ensure!(highlighted == json!(["rust", "rust"]), "highlighted: {highlighted}");
        let link = c.find(Locator::Css("#tech-radar-details a")).await?.attr("href").await?;
        ensure!(link.as_deref() == Some("https://www.rust-lang.org"), "link: {link:?}");

        // Hover the hostile entry in the legend: a javascript: URL is never a link.
        let hostile = c.find(Locator::Css(".tech-radar__legend-item[data-entry-id=hostile]")).await?;
        let hover = MouseActions::new("mouse".to_owned()).then(PointerAction::MoveToElement {
            element: hostile,
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        c.perform_actions(hover).await?;
        let details = c.find(Locator::Id("tech-radar-details")).await?.text().await?;
        ensure!(details.contains("<b>bold?</b>"), "description as text: {details}");
        let links = c.find_all(Locator::Css("#tech-radar-details a")).await?;
        ensure!(links.is_empty(), "a javascript: link was rendered");

        // No request after load: not to this server, nor anywhere else.
        tokio::time::sleep(Duration::from_millis(500)).await;
        ensure!(requests.load(Ordering::SeqCst) == after_load, "requests after load: {} -> {}", after_load, requests.load(Ordering::SeqCst));
        let resources = c
            .execute("return performance.getEntriesByType('resource').map(r => r.name);", vec![])
            .await?;
        let resources = resources.as_array().cloned().unwrap_or_default();
        ensure!(resources.len() == 5, "resources fetched: {resources:?}");
        ensure!(
            resources.iter().all(|r| r.as_str().is_some_and(|r| r.starts_with(&format!("{base}/static/")))),
            "every resource is one of the page's own assets: {resources:?}"
        );
        Ok(())
    })
    .await;
}
