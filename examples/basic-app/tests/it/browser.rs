//! The portal in headless Chromium, as a user walks it: the sidebar to the
//! catalog, filters, search, paging, an entity page, a relation link, the
//! demo plugin's tab — and the hostile entity never runs; and registering a
//! component from a URL through the import form.
//!
//! Needs `BACKSTAGE_TEST_CHROMEDRIVER` (e.g. `chromedriver --port=9515 &`
//! and `http://127.0.0.1:9515`); skipped with a message without it, a
//! failure when `CI=true`. A failure saves a screenshot.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, ensure};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use super::portal::{all_in_one, eventually, overrides, start};

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

/// The text of `#catalog-count`, once the page shows it.
async fn count(c: &Client) -> anyhow::Result<String> {
    Ok(c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#catalog-count"))
        .await?
        .text()
        .await?)
}

/// Waits until `#catalog-count` reads `text` (a picker submits the form,
/// which loads a new page).
async fn count_becomes(c: &Client, text: &str) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let now = count(c).await.unwrap_or_default();
        if now == text {
            return Ok(());
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "count stayed {now:?}, wanted {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the browser's URL satisfies `test`.
async fn until_url(c: &Client, test: impl Fn(&url::Url) -> bool) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let url = c.current_url().await?;
        if test(&url) {
            return Ok(());
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "the browser stayed at {url}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn rows(c: &Client) -> anyhow::Result<Vec<String>> {
    let value = c
        .execute(
            "return Array.from(document.querySelectorAll('tr[data-entity-ref]')).map(r => r.dataset.entityRef);",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(value)?)
}

/// Picks the option of `select` whose value satisfies `js_test` (a JS
/// expression over `o`), as a user would; the page's script submits.
async fn pick(c: &Client, select: &str, js_test: &str) -> anyhow::Result<String> {
    let value = c
        .execute(
            &format!(
                "const o = Array.from(document.querySelectorAll('{select} option')).find(o => {js_test}); return o ? o.value : null;"
            ),
            vec![],
        )
        .await?;
    let value = value
        .as_str()
        .with_context(|| format!("no option in {select} for {js_test}"))?
        .to_owned();
    c.find(Locator::Css(select))
        .await?
        .select_by_value(&value)
        .await?;
    Ok(value)
}

async fn walk(c: &Client, base: &str) -> anyhow::Result<()> {
    c.goto(&format!("{base}/")).await?;
    // The sidebar leads to the catalog.
    c.find(Locator::Css("nav.bs-sidebar a[href='/catalog']"))
        .await?
        .click()
        .await?;
    count_becomes(c, "Components (13)").await?;
    ensure!(
        rows(c).await?.len() == 13,
        "all components on one page of 25"
    );

    // Kind, then owner: the pickers submit on change.
    pick(c, "#catalog-filter-kind", "o.value === 'api'").await?;
    count_becomes(c, "APIs (7)").await?;
    let owner = pick(
        c,
        "#catalog-filter-owner",
        "o.value.toLowerCase().endsWith('/fleet-ops')",
    )
    .await?;
    count_becomes(c, "APIs (2)").await?;
    let apis = rows(c).await?;
    ensure!(
        apis.contains(&"api:default/dock-control-api".to_owned())
            && apis.contains(&"api:default/dock-telemetry".to_owned()),
        "fleet-ops' APIs: {apis:?}"
    );
    // The URL holds the view: reloading it shows the same.
    let url = c.current_url().await?;
    ensure!(url.query().is_some_and(|q| q.contains("kind=api")), "{url}");
    c.goto(url.as_str()).await?;
    count_becomes(c, "APIs (2)").await?;
    let selected = c
        .find(Locator::Css("#catalog-filter-owner"))
        .await?
        .prop("value")
        .await?;
    ensure!(
        selected.as_deref() == Some(owner.as_str()),
        "owner picker after reload: {selected:?}"
    );

    // Search, from a clean view of components.
    c.goto(&format!("{base}/catalog")).await?;
    count_becomes(c, "Components (13)").await?;
    c.find(Locator::Id("catalog-search"))
        .await?
        .send_keys("gateway")
        .await?;
    c.find(Locator::Css("#catalog-filters button[type=submit]"))
        .await?
        .click()
        .await?;
    count_becomes(c, "Components (2)").await?;
    let found = rows(c).await?;
    ensure!(
        found
            == [
                "component:default/dock-gateway",
                "component:default/dock-simulator"
            ],
        "search: {found:?}"
    );

    // Paging: ten a page, then forwards.
    c.goto(&format!("{base}/catalog")).await?;
    count_becomes(c, "Components (13)").await?;
    pick(c, "#catalog-page-size", "o.value === '10'").await?;
    until_url(c, |u| u.query().is_some_and(|q| q.contains("limit=10"))).await?;
    ensure!(rows(c).await?.len() == 10, "first page");
    c.find(Locator::Css("a[rel=next]")).await?.click().await?;
    until_url(c, |u| u.query().is_some_and(|q| q.contains("cursor="))).await?;
    let second = rows(c).await?;
    ensure!(
        second.len() == 3 && second.contains(&"component:default/trip-service".to_owned()),
        "second page: {second:?}"
    );

    // An entity page, then a relation link to its owner.
    c.find(Locator::Css("tr[data-entity-ref='component:default/trip-service'] a[href='/catalog/default/component/trip-service']"))
        .await?
        .click()
        .await?;
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("catalog-about"))
        .await?;
    let heading = c.find(Locator::Css("main h1")).await?.text().await?;
    ensure!(
        heading.to_lowercase().contains("trip"),
        "entity heading: {heading}"
    );
    c.find(Locator::Css(
        "#catalog-relations [data-relation='ownedBy'] a",
    ))
    .await?
    .click()
    .await?;
    until_url(c, |u| u.path() == "/catalog/default/group/rider-apps").await?;
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("catalog-members"))
        .await?;
    let owned = c.find(Locator::Id("catalog-owned")).await?.text().await?;
    ensure!(
        owned.contains("trip-service") || owned.to_lowercase().contains("trip"),
        "owned entities: {owned}"
    );

    // The demo plugin's tab.
    c.back().await?;
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("catalog-about"))
        .await?;
    c.find(Locator::LinkText("Runbook")).await?.click().await?;
    let runbook = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("runbook"))
        .await?;
    ensure!(
        runbook.text().await?.contains("rider-apps"),
        "the runbook names the owner"
    );
    let current = c
        .find(Locator::Css(".bs-tab--active"))
        .await?
        .text()
        .await?;
    ensure!(current == "Runbook", "active tab: {current}");

    // The hostile entity: on its page and in the index, nothing runs.
    for path in ["/catalog/default/component/xss-canary", "/catalog?q=canary"] {
        c.goto(&format!("{base}{path}")).await?;
        c.wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("main h1"))
            .await?;
        ensure!(c.get_alert_text().await.is_err(), "{path}: an alert opened");
        let state = c
            .execute(
                "return [document.title, typeof window.__xssCanary, document.querySelectorAll('main script, main img, main svg').length];",
                vec![],
            )
            .await?;
        ensure!(
            state[0].as_str().is_some_and(|t| !t.contains("pwned"))
                && state[1] == "undefined"
                && state[2] == 0,
            "{path}: injected markup ran or exists: {state}"
        );
        let text = c.find(Locator::Css("main")).await?.text().await?;
        ensure!(
            text.contains("<script>alert(1)</script>"),
            "{path}: the description is shown as text"
        );
    }
    let hrefs = c
        .execute(
            "return Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'));",
            vec![],
        )
        .await?;
    ensure!(
        !hrefs.to_string().to_lowercase().contains("javascript:"),
        "javascript: links: {hrefs}"
    );
    Ok(())
}

/// Ends a browser test: on failure, saves a screenshot and panics with
/// the error.
async fn finish(client: Client, test: &str, result: anyhow::Result<()>) {
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
async fn a_user_walks_the_portal_and_the_hostile_entity_never_runs() {
    let test = "portal-walk";
    let (client, _profile) = match browser(test).await {
        Ok(Some(session)) => session,
        Ok(None) => return,
        Err(err) => panic!("{err:#}"),
    };
    let dir = tempfile::tempdir().unwrap();
    let portal = tokio::task::spawn_blocking(move || (all_in_one(&dir), dir))
        .await
        .unwrap();
    let base = format!("http://{}", portal.0.address);
    let result = walk(&client, &base).await;
    finish(client, test, result).await;
}

/// The catalog file the import test registers, served by the test itself.
const IMPORTED: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: imported-widget
  description: Registered through the import form
spec:
  type: service
  lifecycle: experimental
  owner: group:default/fleet-ops
";

/// The import form, as a user fills it: the URL, the preview of what it
/// adds, the import, and the entity in the catalog afterwards.
async fn import(c: &Client, base: &str, url: &str) -> anyhow::Result<()> {
    c.goto(&format!("{base}/catalog-import")).await?;
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#catalog-import-url"))
        .await?
        .send_keys(url)
        .await?;
    c.find(Locator::Css("#catalog-import-form button[type=submit]"))
        .await?
        .click()
        .await?;
    let preview = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#catalog-import-preview"))
        .await
        .context("no preview after Analyze")?
        .text()
        .await?;
    ensure!(
        preview.contains("imported-widget"),
        "the preview lists the file's entity: {preview}"
    );
    // A dry run stores nothing.
    let address = base.trim_start_matches("http://").to_owned();
    let (status, _) = tokio::task::spawn_blocking(move || {
        super::get(&address, "/catalog/default/component/imported-widget")
    })
    .await?;
    ensure!(
        status == 404,
        "the entity exists before the import ({status})"
    );
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#catalog-import-preview button[type=submit]"))
        .await?
        .click()
        .await?;
    let done = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#catalog-import-done"))
        .await
        .context("no confirmation after Import")?
        .text()
        .await?;
    ensure!(
        done.contains(url),
        "the confirmation names the location: {done}"
    );
    // The catalog processes the new location in the background.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        c.goto(&format!("{base}/catalog?kind=component&q=imported-widget"))
            .await?;
        if c.source()
            .await?
            .contains("href=\"/catalog/default/component/imported-widget\"")
        {
            break;
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "imported-widget never appeared in the catalog"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    c.find(Locator::Css(
        "a[href='/catalog/default/component/imported-widget']",
    ))
    .await?
    .click()
    .await?;
    let page = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("main"))
        .await?
        .text()
        .await?;
    ensure!(
        page.contains("Registered through the import form"),
        "the entity page shows the imported entity: {page}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_registers_a_component_from_a_url_through_the_import_form() {
    let test = "portal-import";
    let (client, _profile) = match browser(test).await {
        Ok(Some(session)) => session,
        Ok(None) => return,
        Err(err) => panic!("{err:#}"),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let files = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/repo/catalog-info.yaml",
        axum::routing::get(|| async { IMPORTED }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{files}/repo/catalog-info.yaml");
    let dir = tempfile::tempdir().unwrap();
    // The file server is the one host the catalog may read from.
    let extra = format!("  reading:\n    allow:\n      - host: '{files}'\n");
    let portal = tokio::task::spawn_blocking(move || {
        let portal = start("all", &overrides(&dir, "import.yaml", &extra));
        eventually(&portal.address, "/catalog", "Components (13)");
        (portal, dir)
    })
    .await
    .unwrap();
    let base = format!("http://{}", portal.0.address);
    let result = import(&client, &base, &url).await;
    finish(client, test, result).await;
}
