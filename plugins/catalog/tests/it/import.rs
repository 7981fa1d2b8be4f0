//! The import page's form against a stub of `POST /api/catalog/locations`:
//! the preview of a dry run, the import, and every error shown in the form.
//! (The end-to-end import against the real backend comes with the
//! locations endpoints.)

use axum::body::Body;
use http::Request;
use serde_json::json;
use tower::ServiceExt;

use super::support::*;

async fn post(router: &axum::Router, body: &str, origin: Option<&str>) -> (u16, String) {
    let mut request = Request::post("/catalog-import")
        .header("host", "portal.test")
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

fn created(exists: bool) -> serde_json::Value {
    json!({
        "location": { "id": "1", "type": "url", "target": "https://git.example/r/catalog-info.yaml" },
        "entities": [component("new-service", "team-a", "service")],
        "exists": exists
    })
}

const URL_FORM: &str = "url=https%3A%2F%2Fgit.example%2Fr%2Fcatalog-info.yaml";
const SAME_SITE: Option<&str> = Some("http://portal.test");

#[tokio::test]
async fn the_form_previews_a_dry_run_then_imports() {
    let stub = Stub {
        locations: Some((201, created(false))),
        ..Stub::default()
    };
    let base = serve(stub.clone()).await;
    let router = app(&base, json!({}), vec![]).router();

    let (status, page) = get(&router, "/catalog-import").await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"catalog-import-form\"") && page.contains("method=\"post\""));

    let (status, preview) = post(&router, &format!("{URL_FORM}&action=analyze"), SAME_SITE).await;
    assert_eq!(status, 200, "{preview}");
    assert!(preview.contains("id=\"catalog-import-preview\""));
    assert!(preview.contains("href=\"/catalog/default/component/new-service\""));
    assert!(preview.contains("name=\"action\" value=\"import\""));
    let (status, done) = post(&router, &format!("{URL_FORM}&action=import"), SAME_SITE).await;
    assert_eq!(status, 200);
    assert!(done.contains("id=\"catalog-import-done\""));

    let calls: Vec<String> = stub.requests().into_iter().map(|(p, _)| p).collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(
        calls[0].contains("dryRun=true")
            && calls[0].contains(r#""target":"https://git.example/r/catalog-info.yaml""#)
    );
    assert!(
        !calls[1].contains("dryRun"),
        "the import is not a dry run: {}",
        calls[1]
    );
}

#[tokio::test]
async fn errors_are_shown_in_the_form_with_the_url_kept() {
    // The catalog refuses the location: its message is shown.
    let refused = error_body(400, "InputError", "Unable to read url, <NotFound>");
    let stub = Stub {
        locations: Some((400, refused)),
        ..Stub::default()
    };
    let router = app(&serve(stub).await, json!({}), vec![]).router();
    let (status, page) = post(&router, URL_FORM, SAME_SITE).await;
    assert_eq!(status, 200);
    assert!(page.contains("role=\"alert\""));
    assert!(
        page.contains("The catalog refused this location: Unable to read url, &lt;NotFound&gt;")
    );
    assert!(
        page.contains("value=\"https://git.example/r/catalog-info.yaml\""),
        "the URL stays in the box"
    );
    assert!(page.contains("aria-invalid=\"true\""));

    // Registered already.
    let conflict = error_body(409, "ConflictError", "exists");
    let stub = Stub {
        locations: Some((409, conflict)),
        ..Stub::default()
    };
    let router = app(&serve(stub).await, json!({}), vec![]).router();
    let (_, page) = post(&router, &format!("{URL_FORM}&action=import"), SAME_SITE).await;
    assert!(page.contains("registered already"));

    // Not an http(s) URL: refused before any call.
    let stub = Stub::default();
    let router = app(&serve(stub.clone()).await, json!({}), vec![]).router();
    let (_, page) = post(&router, "url=javascript%3Aalert(1)", SAME_SITE).await;
    assert!(page.contains("must start with https://"));
    let (_, page) = post(&router, "url=", SAME_SITE).await;
    assert!(page.contains("Enter the URL"));
    assert!(stub.requests().is_empty());

    // The catalog is down.
    let router = app(&closed_port().await, json!({}), vec![]).router();
    let (status, page) = post(&router, URL_FORM, SAME_SITE).await;
    assert_eq!(status, 200);
    assert!(page.contains("could not be reached"));
}

#[tokio::test]
async fn posts_from_other_sites_and_to_other_pages_are_refused() {
    let stub = Stub {
        locations: Some((201, created(false))),
        ..Stub::default()
    };
    let router = app(&serve(stub.clone()).await, json!({}), vec![]).router();
    let (status, _) = post(
        &router,
        &format!("{URL_FORM}&action=import"),
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(status, 403);
    assert!(
        stub.requests().is_empty(),
        "a cross-site post reaches no backend"
    );

    let response = router
        .clone()
        .oneshot(
            Request::post("/catalog")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("q=x"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
}
