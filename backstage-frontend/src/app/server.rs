//! Serving an app over HTTP: pages in the shell, assets, security headers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::Markup;
use tower_http::catch_panic::CatchPanicLayer;

use super::App;
use super::routes::parse_query;
use super::shell::{self, ShellPage};
use crate::plugin_api::{PageError, PageRequest};

/// The Content-Security-Policy of every response: only this origin's
/// scripts, styles and connections; no inline scripts; never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub(crate) fn router(app: Arc<App>) -> Router {
    let for_panics = app.clone();
    Router::new()
        .route("/static/{plugin}/{file}", get(serve_asset))
        .fallback(serve_page)
        .with_state(app)
        .layer(CatchPanicLayer::custom(
            move |_panic: Box<dyn std::any::Any + Send>| {
                let reference = new_reference();
                tracing::error!(%reference, "a page panicked while rendering");
                html_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    shell::error_page(
                        &for_panics,
                        "/",
                        "Something went wrong",
                        "The page could not be shown. Please try again later.",
                        Some(&reference),
                    ),
                )
            },
        ))
        .layer(middleware::from_fn(security_headers))
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

fn new_reference() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:08x}",
        (nanos ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15)) & 0xffff_ffff
    )
}

fn html_response(status: StatusCode, markup: Markup) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        markup.into_string(),
    )
        .into_response()
}

async fn serve_asset(State(app): State<Arc<App>>, request: Request) -> Response {
    let Some(served) = app.assets.get(request.uri().path()) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, "no-store")],
            "asset not found",
        )
            .into_response();
    };
    let cache = [
        (
            header::CACHE_CONTROL,
            "public, max-age=31536000, immutable".to_owned(),
        ),
        (header::ETAG, served.etag.clone()),
    ];
    let not_modified = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == served.etag));
    if not_modified {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        [(header::CONTENT_TYPE, served.asset.content_type.to_owned())],
        cache,
        served.asset.bytes().to_vec(),
    )
        .into_response()
}

/// The largest form body a page accepts.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Whether a POST comes from a page of this site: `Sec-Fetch-Site` (when
/// the browser sends it) is `same-origin`, and `Origin` (when sent) is
/// this host.
fn same_origin(request: &Request) -> bool {
    let headers = request.headers();
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site")
        && site != "same-origin"
    {
        return false;
    }
    match (text("origin"), text("host")) {
        (Some(origin), Some(host)) => origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .is_some_and(|o| o == host),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

async fn serve_form_post(app: Arc<App>, path: String, request: Request) -> Response {
    if !same_origin(&request) {
        return html_response(
            StatusCode::FORBIDDEN,
            shell::error_page(
                &app,
                &path,
                "Forbidden",
                "Forms can only be sent from pages of this site.",
                None,
            ),
        );
    }
    let form_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';').next().is_some_and(|t| {
                t.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
    if !form_type {
        return html_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            shell::error_page(
                &app,
                &path,
                "Unsupported form",
                "Send the form as a web page does.",
                None,
            ),
        );
    }
    let query = parse_query(request.uri().query().unwrap_or(""));
    let Ok(body) = axum::body::to_bytes(request.into_body(), MAX_FORM_BYTES).await else {
        return html_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            shell::error_page(
                &app,
                &path,
                "Form too large",
                "The form has too much data.",
                None,
            ),
        );
    };
    let form = parse_query(&String::from_utf8_lossy(&body));
    let (status, markup) = app.render_request(&path, query, Some(form)).await;
    html_response(status, markup)
}

async fn serve_page(State(app): State<Arc<App>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if request.method() == Method::POST
        && app
            .pages
            .iter()
            .find(|p| p.pattern.matches(&path).is_some())
            .is_some_and(|p| p.content.accepts_form_posts())
    {
        return serve_form_post(app, path, request).await;
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = html_response(
            StatusCode::METHOD_NOT_ALLOWED,
            shell::error_page(
                &app,
                &path,
                "Method not allowed",
                "Pages can only be read.",
                None,
            ),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let query = parse_query(request.uri().query().unwrap_or(""));
    let (status, markup) = app.render_path(&path, query).await;
    html_response(status, markup)
}

impl App {
    /// Renders the page at `path` in the shell, as the HTTP handler does:
    /// the status and the document. For tests and benchmarks; serve the app
    /// with [`App::router`].
    pub async fn render_path(
        &self,
        path: &str,
        query: Vec<(String, String)>,
    ) -> (StatusCode, Markup) {
        self.render_request(path, query, None).await
    }

    /// Renders the page at `path` for a form post with `form`'s fields (or
    /// a `GET` with `None`), as the HTTP handler does.
    pub async fn render_request(
        &self,
        path: &str,
        query: Vec<(String, String)>,
        form: Option<Vec<(String, String)>>,
    ) -> (StatusCode, Markup) {
        let Some((page, params)) = self
            .pages
            .iter()
            .find_map(|p| p.pattern.matches(path).map(|m| (p, m)))
        else {
            return (StatusCode::NOT_FOUND, shell::not_found(self, path, None));
        };
        let request = PageRequest {
            path: path.to_owned(),
            params,
            query,
            plugin_id: page.plugin_id.clone(),
            apis: self.apis.clone(),
            routes: self.routes.clone(),
            components: page.content.components(),
            identity: None,
            form,
        };
        match page.content.render(request).await {
            Ok(body) => (
                StatusCode::OK,
                shell::render(
                    self,
                    ShellPage {
                        title: page.title.as_deref().unwrap_or(&self.title),
                        path,
                        body,
                        scripts: page.scripts.iter().map(String::as_str).collect(),
                        stylesheets: page.stylesheets.iter().map(String::as_str).collect(),
                    },
                ),
            ),
            Err(PageError::NotFound(message)) => (
                StatusCode::NOT_FOUND,
                shell::not_found(self, path, Some(&message)),
            ),
            Err(PageError::BadRequest(message)) => (
                StatusCode::BAD_REQUEST,
                shell::error_page(self, path, "Bad request", &message, None),
            ),
            Err(PageError::Unavailable(message)) => {
                let reference = new_reference();
                tracing::warn!(%reference, extension = %page.extension, %message, "page unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    shell::error_page(
                        self,
                        path,
                        "Temporarily unavailable",
                        &message,
                        Some(&reference),
                    ),
                )
            }
            Err(PageError::Internal(err)) => {
                let reference = new_reference();
                tracing::error!(%reference, extension = %page.extension, error = %err, "page failed to render");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    shell::error_page(
                        self,
                        path,
                        "Something went wrong",
                        "The page could not be shown. Please try again later.",
                        Some(&reference),
                    ),
                )
            }
        }
    }
}
