//! Browser tests in headless Chromium through chromedriver: the shell
//! renders, the sidebar navigates, the theme switches and is remembered.
//!
//! Set `BACKSTAGE_TEST_CHROMEDRIVER` (e.g. `http://127.0.0.1:9515`) to run
//! them; without it they are skipped with a message, except under `CI=true`
//! where that is a failure. A failing test saves a screenshot and prints its
//! path.

use std::future::Future;
use std::path::PathBuf;

use anyhow::{Context, ensure};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use super::support::*;

/// Starts a browser session, or says why it cannot (`None`: skipped).
async fn browser(test: &str) -> anyhow::Result<Option<(Client, tempfile::TempDir)>> {
    let Ok(webdriver) = std::env::var("BACKSTAGE_TEST_CHROMEDRIVER") else {
        if std::env::var("CI").as_deref() == Ok("true") {
            anyhow::bail!(
                "{test}: BACKSTAGE_TEST_CHROMEDRIVER is not set, and CI=true requires the browser tests to run (.ci/run starts chromedriver and exports it)"
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
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": binary,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        anyhow::bail!("capabilities must be an object");
    };
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&webdriver)
        .await
        .with_context(|| format!("cannot start Chromium through chromedriver at {webdriver}"))?;
    Ok(Some((client, profile)))
}

/// Runs `body` in a fresh browser session; on failure saves a screenshot.
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

/// Serves `router` on 127.0.0.1, port 0; returns the base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_renders_sidebar_navigates_and_theme_switches() {
    let app = builder(json!({"app": {"title": "Test Portal"}}))
        .build()
        .unwrap();
    let base = serve(app.router()).await;
    with_browser("shell", |c| async move {
        c.goto(&format!("{base}/catalog")).await?;
        let title = c.title().await?;
        ensure!(title == "Catalog | Test Portal", "document title: {title}");
        let items = c.find_all(Locator::Css(".bs-sidebar .bs-nav-item")).await?;
        let mut labels = Vec::new();
        for item in &items {
            labels.push(item.text().await?);
        }
        ensure!(labels == ["Catalog", "Docs"], "sidebar: {labels:?}");
        let current = c.find(Locator::Css("[aria-current=page]")).await?.text().await?;
        ensure!(current == "Catalog", "current item: {current}");

        // The sidebar navigates.
        c.find(Locator::LinkText("Docs")).await?.click().await?;
        c.wait().for_element(Locator::XPath("//h1[text()='Documentation']")).await?;
        ensure!(c.current_url().await?.path() == "/docs", "url after click");
        let current = c.find(Locator::Css("[aria-current=page]")).await?.text().await?;
        ensure!(current == "Docs", "current item after navigation: {current}");

        // The theme follows the system (light here), switches, and is remembered.
        let state = "return [document.documentElement.getAttribute('data-theme'), getComputedStyle(document.body).backgroundColor];";
        let before = c.execute(state, vec![]).await?;
        ensure!(before[0].is_null(), "no theme chosen yet: {before}");
        c.find(Locator::Id("theme-toggle")).await?.click().await?;
        let after = c.execute(state, vec![]).await?;
        ensure!(after[0] == "dark", "theme after click: {after}");
        ensure!(after[1] != before[1], "background did not change: {before} -> {after}");
        c.refresh().await?;
        c.wait().for_element(Locator::Id("theme-toggle")).await?;
        let reloaded = c.execute(state, vec![]).await?;
        ensure!(reloaded == after, "theme not remembered: {reloaded}");
        c.find(Locator::Id("theme-toggle")).await?.click().await?;
        let back = c.execute(state, vec![]).await?;
        ensure!(back[0] == "light" && back[1] == before[1], "back to light: {back}");

        // Unknown pages get the 404 page inside the shell.
        c.goto(&format!("{base}/no/such/page")).await?;
        let heading = c.find(Locator::Css("main h1")).await?.text().await?;
        ensure!(heading.contains("404"), "404 heading: {heading}");
        Ok(())
    })
    .await;
}
