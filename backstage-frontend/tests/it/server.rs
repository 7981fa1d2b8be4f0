//! Serving the app over HTTP: the shell, 404 and error pages, assets and
//! security headers; hostile text is escaped everywhere.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use backstage_frontend::{App, FrontendPlugin, PageError, create_page_extension};
use http::HeaderMap;
use maud::html;
use serde_json::json;
use tower::ServiceExt;

use super::support::*;

const HOSTILE: &str = "<script>alert('x')</script>\"'&";

async fn get(app: axum::Router, uri: &str) -> (StatusCode, HeaderMap, String) {
    get_with(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn get_with(app: axum::Router, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn assert_security_headers(headers: &HeaderMap) {
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(
        headers[header::REFERRER_POLICY],
        "strict-origin-when-cross-origin"
    );
}

/// Every `<script` element loads a file or holds JSON data: nothing inline runs.
fn assert_no_inline_scripts(page: &str) {
    for (i, _) in page.match_indices("<script") {
        let tag = &page[i..page[i..].find('>').map_or(page.len(), |e| i + e)];
        assert!(
            tag.contains(" src=\"") || tag.contains("type=\"application/json\""),
            "inline script: {tag}"
        );
    }
}

fn failing_plugin() -> FrontendPlugin {
    FrontendPlugin::new("failing")
        .extension(create_page_extension! {
            name: "internal",
            path: "/fail/internal",
            title: "Fails",
            render: |_req| async move {
                Err::<maud::Markup, _>(PageError::internal(std::io::Error::other("db password=hunter2 at 10.0.0.7")))
            },
        })
        .extension(create_page_extension! {
            name: "panic",
            path: "/fail/panic",
            title: "Panics",
            render: |_req| async move {
                if std::hint::black_box(true) {
                    panic!("secret panic detail");
                }
                Ok(html! {})
            },
        })
        .extension(create_page_extension! {
            name: "missing",
            path: "/fail/missing/:name",
            title: "Missing",
            render: |req| async move {
                Err::<maud::Markup, _>(PageError::NotFound(format!("No entity named {}", req.param("name").unwrap_or_default())))
            },
        })
        .extension(create_page_extension! {
            name: "echo",
            path: "/echo",
            title: "Echo",
            render: |req| async move { Ok(html! { p #echo { (req.query("q").unwrap_or_default()) } }) },
        })
}

fn app() -> axum::Router {
    builder(json!({"app": {"title": "My <Portal>"}}))
        .plugin(failing_plugin())
        .plugin(plugin_with(
            "hostile",
            nav_link("bad", HOSTILE, "javascript:alert(1)"),
        ))
        .build()
        .unwrap()
        .router()
}

#[tokio::test]
async fn the_shell_wraps_every_page() {
    let (status, headers, page) = get(app(), "/catalog").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_security_headers(&headers);
    assert_no_inline_scripts(&page);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(
        page.contains("<title>Catalog | My &lt;Portal&gt;</title>"),
        "{page}"
    );
    assert!(page.contains(r#"<a class="bs-nav-item bs-nav-item--active" href="/catalog" data-icon="catalog" aria-current="page">Catalog</a>"#), "{page}");
    assert!(
        page.contains(r#"<a class="bs-nav-item" href="/docs" data-icon="">Docs</a>"#),
        "{page}"
    );
    assert!(page.contains(r#"id="theme-toggle""#));
    assert!(page.contains("<h1>All entities</h1>"));
    assert!(
        page.contains(r#"href="/catalog/default/component/web""#),
        "links built from route refs"
    );
    for asset in [
        "/static/app/theme.",
        "/static/app/shell.",
        "/static/app/shell.",
    ] {
        assert!(page.contains(asset), "{asset}");
    }
}

#[tokio::test]
async fn pages_get_params_and_components_from_other_plugins() {
    let (status, _, page) = get(app(), "/catalog/default/component/a%20b").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<h1 id="entity-name">a b</h1>"#), "{page}");
    assert!(
        page.contains(r#"<section class="docs-card">Docs for a b</section>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"aria-current="page">Catalog</a>"#),
        "sub-pages keep their section current"
    );
}

#[tokio::test]
async fn unknown_paths_get_the_404_page_in_the_shell() {
    let (status, headers, page) = get(app(), "/nope/%3Cb%3E").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_security_headers(&headers);
    assert!(
        page.contains("404") && page.contains("bs-sidebar"),
        "{page}"
    );

    let (status, _, page) = get(app(), "/fail/missing/%3Cimg%20src%3Dx%3E").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("No entity named &lt;img src=x&gt;"), "{page}");
}

#[tokio::test]
async fn errors_never_leak_internals() {
    for path in ["/fail/internal", "/fail/panic"] {
        let (status, headers, page) = get(app(), path).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert_security_headers(&headers);
        assert!(
            page.contains("Something went wrong") && page.contains("Reference: <code>"),
            "{page}"
        );
        for secret in [
            "hunter2",
            "10.0.0.7",
            "secret panic detail",
            "io::Error",
            "panicked",
        ] {
            assert!(!page.contains(secret), "{path} leaked {secret}");
        }
    }
}

#[tokio::test]
async fn only_reads_are_allowed() {
    let request = Request::post("/catalog").body(Body::empty()).unwrap();
    let (status, headers, _) = get_with(app(), request).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "GET, HEAD");
    assert_security_headers(&headers);
}

#[tokio::test]
async fn hostile_text_is_escaped_everywhere() {
    let (_, _, page) = get(app(), "/echo?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert!(
        page.contains("<p id=\"echo\">&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        "{page}"
    );
    assert!(!page.contains("<script>alert"), "{page}");
    // A hostile nav title is text; a javascript: target is not a link.
    assert!(
        page.contains("&lt;script&gt;alert('x')&lt;/script&gt;&quot;'&amp;"),
        "{page}"
    );
    assert!(!page.contains("javascript:"), "{page}");
    assert_no_inline_scripts(&page);
}

#[tokio::test]
async fn assets_have_hashed_urls_and_long_cache_headers() {
    let built = builder(json!({})).build().unwrap();
    let url = built.asset_url("app", "shell.js").unwrap().to_owned();
    assert!(
        url.starts_with("/static/app/shell.")
            && url.ends_with(".js")
            && url.len() > "/static/app/shell..js".len() + 8,
        "{url}"
    );
    let router = built.router();
    let (status, headers, body) = get(router.clone(), &url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_security_headers(&headers);
    assert!(body.contains("theme-toggle"));

    let etag = headers[header::ETAG].clone();
    let request = Request::get(&url)
        .header(header::IF_NONE_MATCH, etag)
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = get_with(router.clone(), request).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());

    let (status, headers, _) = get(router, "/static/app/shell.0000.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn the_theme_stylesheet_follows_the_system_and_the_users_choice() {
    let built = App::builder().build().unwrap();
    let url = built.asset_url("app", "theme.css").unwrap().to_owned();
    let (_, _, css) = get(built.router(), &url).await;
    assert!(css.contains(":root { color-scheme: light;"), "{css}");
    assert!(
        css.contains(
            "@media (prefers-color-scheme: dark) {\n:root:not([data-theme]) { color-scheme: dark;"
        ),
        "{css}"
    );
    assert!(
        css.contains(":root[data-theme=\"dark\"]") && css.contains(":root[data-theme=\"light\"]"),
        "{css}"
    );
}

fn form_app() -> axum::Router {
    use backstage_frontend::{AttachPoint, Extension, ExtensionData, PageContent, core_data};
    let page = Extension::new(Some("page"), None)
        .attach_to(AttachPoint::new("app/routes", "routes"))
        .output(&[core_data::ROUTE_PATH.spec(), core_data::PAGE.spec()])
        .factory(|_| {
            let content = PageContent::new(|req| async move {
                Ok(match req.form("name") {
                    Some(name) => html! { p #posted { "Posted " (name) } },
                    None => html! { form method="post" { input name="name"; } },
                })
            })
            .accept_form_posts();
            Ok(ExtensionData::new()
                .with(core_data::ROUTE_PATH, "/form".to_owned())
                .with(core_data::PAGE, content))
        });
    App::builder()
        .plugin(FrontendPlugin::new("form").extension(page))
        .build()
        .unwrap()
        .router()
}

fn form_post(origin: Option<&str>, site: Option<&str>, content_type: &str) -> Request<Body> {
    let mut request = Request::post("/form")
        .header(header::HOST, "portal.test")
        .header(header::CONTENT_TYPE, content_type);
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    if let Some(site) = site {
        request = request.header("sec-fetch-site", site);
    }
    request.body(Body::from("name=%3CAda%3E+L")).unwrap()
}

#[tokio::test]
async fn a_page_that_accepts_form_posts_reads_them_from_its_own_site_only() {
    const FORM: &str = "application/x-www-form-urlencoded";
    let (status, headers, page) = get_with(
        form_app(),
        form_post(Some("http://portal.test"), Some("same-origin"), FORM),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<p id=\"posted\">Posted &lt;Ada&gt; L</p>"),
        "{page}"
    );
    assert_security_headers(&headers);
    // Without Origin (a non-browser client) it is read too.
    let (status, _, _) = get_with(form_app(), form_post(None, None, FORM)).await;
    assert_eq!(status, StatusCode::OK);
    // From another site: refused before the page runs.
    for (origin, site) in [
        (Some("https://evil.example"), None),
        (Some("http://portal.test"), Some("cross-site")),
        (None, Some("same-site")),
    ] {
        let (status, _, page) = get_with(form_app(), form_post(origin, site, FORM)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin:?} {site:?}");
        assert!(!page.contains("Posted"));
    }
    let (status, _, _) = get_with(form_app(), form_post(None, None, "application/json")).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, _, page) = get(form_app(), "/form").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<form method=\"post\">"));
}
