//! The radar page over HTTP: data embedded safely, scripts from files,
//! and a small transfer.

use super::support::*;

#[tokio::test]
async fn the_page_embeds_the_data_and_loads_the_radar_script() {
    let router = app_with(radar_config()).unwrap().router();
    let (status, body) = get(&router, "/tech-radar").await;
    assert_eq!(status, 200);
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains(r#"<script type="application/json" id="tech-radar-data">"#));
    assert!(page.contains(r#"id="tech-radar-svg""#) && page.contains("<svg "));
    assert!(
        page.contains("/static/tech-radar/radar.") && page.contains("/static/tech-radar/radar.")
    );
    // The hostile title cannot close the data element or add markup.
    assert!(
        !page.contains(HOSTILE_TITLE),
        "raw hostile title in the page"
    );
    assert!(
        page.contains("\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e"),
        "escaped title"
    );
    let data_start = page.find(r#"id="tech-radar-data">"#).unwrap();
    let data_end = data_start + page[data_start..].find("</script>").unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&page[data_start + r#"id="tech-radar-data">"#.len()..data_end])
            .unwrap();
    assert_eq!(json["entries"][4]["title"], HOSTILE_TITLE);
    assert_eq!(json["entries"][0]["timeline"][0]["moved"], 1);
    assert_eq!(json["entries"][0]["timeline"][0]["ringId"], "adopt");
}

#[tokio::test]
async fn the_page_with_its_assets_stays_under_100_kb() {
    let router = app_with(radar_config()).unwrap().router();
    let (_, page) = get(&router, "/tech-radar").await;
    let urls = asset_urls(&String::from_utf8_lossy(&page));
    assert_eq!(
        urls.len(),
        5,
        "theme.css, shell.css, radar.css, shell.js, radar.js: {urls:?}"
    );
    let mut total = page.len();
    for url in &urls {
        let (status, body) = get(&router, url).await;
        assert_eq!(status, 200, "{url}");
        total += body.len();
    }
    assert!(total < 100 * 1024, "the radar page transfers {total} bytes");
}

#[tokio::test]
async fn the_path_can_be_moved_in_config() {
    let app = backstage_frontend::App::builder()
        .config(backstage_common::config::Config::from_value(
            serde_json::json!({
                "app": {"extensions": [{"page:tech-radar": {"config": {"path": "/radar"}}}]}
            }),
        ))
        .plugin(backstage_plugin_tech_radar::plugin())
        .build()
        .unwrap();
    assert_eq!(app.page_paths(), ["/radar"]);
    assert_eq!(app.nav_items()[0].href, "/radar");
}
