//! The URL reader service against real HTTP servers on 127.0.0.1 and real
//! files in a temporary directory. Servers count the requests they get, so
//! a refusal is shown to happen before anything is sent.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use backstage_backend::backstage_core::config::Config;
use backstage_backend::services::url_reader::{
    ReadUrlOptions, ReadUrlResponse, URL_READER, Url, UrlReader, UrlReaderError, UrlReaderService,
    UrlReaders,
};
use backstage_backend::{Backend, BackendError, BackendPlugin, BoxError};
use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use crate::support::start;

const CATALOG_YAML: &str = "kind: Component\nmetadata:\n  name: a\n";
const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Sun, 06 Nov 1994 08:49:37 GMT";

/// A server on 127.0.0.1 that counts the requests it gets.
struct Server {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Server {
    async fn start(router: Router) -> Self {
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let router = router.layer(middleware::from_fn(move |request: Request, next: Next| {
            counter.fetch_add(1, Ordering::SeqCst);
            next.run(request)
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self { addr, hits, task }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn etagged(headers: HeaderMap) -> Response {
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == ETAG.as_bytes())
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    ([(header::ETAG, ETAG)], CATALOG_YAML).into_response()
}

async fn dated(headers: HeaderMap) -> Response {
    if headers
        .get(header::IF_MODIFIED_SINCE)
        .is_some_and(|v| v.as_bytes() == LAST_MODIFIED.as_bytes())
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    ([(header::LAST_MODIFIED, LAST_MODIFIED)], "dated").into_response()
}

/// The server under test; `outside` is where `/redirect/outside` points.
async fn main_server(outside: &str) -> Server {
    let outside = outside.to_owned();
    let router = Router::new()
        .route("/catalog/a.yaml", get(etagged))
        .route("/catalog/dated", get(dated))
        .route("/private/secret", get(|| async { "secret" }))
        .route(
            "/redirect/inside",
            get(|| async { Redirect::temporary("/catalog/a.yaml") }),
        )
        .route(
            "/redirect/twice",
            get(|| async { Redirect::permanent("/redirect/inside") }),
        )
        .route(
            "/redirect/private",
            get(|| async { Redirect::to("/private/secret") }),
        )
        .route(
            "/redirect/outside",
            get(move || {
                let outside = outside.clone();
                async move { Redirect::temporary(&outside) }
            }),
        )
        .route(
            "/redirect/loop",
            get(|| async { Redirect::temporary("/redirect/loop") }),
        )
        .route(
            "/big/announced",
            get(|| async { vec![b'x'; 2048] }), // Content-Length: 2048
        )
        .route(
            "/big/announced-then-stalls",
            get(|| async {
                // Announces 2048 bytes and sends none: only a reader that
                // refuses by the Content-Length answers before the timeout.
                let body = Body::from_stream(stream::pending::<Result<Bytes, Infallible>>());
                ([(header::CONTENT_LENGTH, "2048")], body)
            }),
        )
        .route(
            "/big/endless",
            get(|| async {
                // No Content-Length and no end: only a reader that stops at
                // the limit returns.
                let chunk = Bytes::from(vec![b'y'; 512]);
                Body::from_stream(stream::repeat_with(move || {
                    Ok::<_, Infallible>(chunk.clone())
                }))
            }),
        )
        .route(
            "/big/just-fits",
            get(|| async {
                let chunks = (0..4).map(|_| Ok::<_, Infallible>(Bytes::from(vec![b'z'; 256])));
                Body::from_stream(stream::iter(chunks))
            }),
        )
        .route(
            "/stall/headers",
            get(|| async {
                // Far beyond the 400 ms timeout, but finite: without a
                // timeout the read would succeed, and the test fail.
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .route(
            "/stall/body",
            get(|| async {
                let first = stream::iter([Ok::<_, Infallible>(Bytes::from_static(b"start"))]);
                let late = stream::once(async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    Ok(Bytes::from_static(b"end"))
                });
                Body::from_stream(first.chain(late))
            }),
        )
        .route(
            "/failing/oops",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "oops") }),
        );
    Server::start(router).await
}

/// A server that is not in the allow-list.
async fn outside_server() -> Server {
    Server::start(Router::new().route("/catalog/a.yaml", get(|| async { CATALOG_YAML }))).await
}

/// Config allowing `host` under the test paths, plus `extra` in
/// `backend.reading`.
fn config(host: &str, extra: Value) -> Config {
    let mut reading = json!({
        "allow": [{
            "host": host,
            "paths": ["/catalog", "/redirect/", "/big", "/stall", "/missing", "/failing"]
        }],
        "maxBytes": 1024,
        "timeout": 400
    });
    if let (Some(reading), Value::Object(extra)) = (reading.as_object_mut(), extra) {
        reading.extend(extra);
    }
    Config::from_value(json!({"backend": {"reading": reading}}))
}

struct Setup {
    server: Server,
    outside: Server,
    readers: UrlReaders,
}

async fn setup() -> Setup {
    let outside = outside_server().await;
    let server = main_server(&outside.url("/catalog/a.yaml")).await;
    let readers = UrlReaders::from_config(&config(&server.addr.to_string(), json!({}))).unwrap();
    Setup {
        server,
        outside,
        readers,
    }
}

async fn read(readers: &UrlReaders, url: &str) -> Result<ReadUrlResponse, UrlReaderError> {
    readers.read_url(url, &ReadUrlOptions::new()).await
}

// --- http: allowed and refused --------------------------------------------

#[tokio::test]
async fn an_allowed_url_is_read_with_its_etag() {
    let s = setup().await;
    let url = s.server.url("/catalog/a.yaml");
    let response = read(&s.readers, &url).await.unwrap();
    assert_eq!(response.text().unwrap(), CATALOG_YAML);
    assert_eq!(response.etag.as_deref(), Some(ETAG));
    assert_eq!(response.url.as_str(), url);
    assert_eq!(s.server.hits(), 1);
}

#[tokio::test]
async fn a_host_outside_the_allow_list_is_refused_before_any_request() {
    let s = setup().await;
    // The same server under another name: not in the list.
    let url = format!("http://localhost:{}/catalog/a.yaml", s.server.addr.port());
    let err = read(&s.readers, &url).await.unwrap_err();
    assert!(matches!(err, UrlReaderError::NotAllowed { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("backend.reading.allow"), "{message}");
    assert!(
        message.contains(&format!("- host: localhost:{}", s.server.addr.port())),
        "{message}"
    );
    // Another port of the allowed host is another host.
    let err = read(&s.readers, &s.outside.url("/catalog/a.yaml"))
        .await
        .unwrap_err();
    assert!(err.is_not_allowed(), "{err:?}");
    assert_eq!(s.server.hits() + s.outside.hits(), 0);
}

#[tokio::test]
async fn a_path_outside_the_allowed_paths_is_refused() {
    let s = setup().await;
    let err = read(&s.readers, &s.server.url("/private/secret"))
        .await
        .unwrap_err();
    assert!(err.is_not_allowed(), "{err:?}");
    assert!(err.to_string().contains("'/private/secret'"), "{err}");
    // Dot segments do not lead out of an allowed path.
    let err = read(&s.readers, &s.server.url("/catalog/../private/secret"))
        .await
        .unwrap_err();
    assert!(err.is_not_allowed(), "{err:?}");
    // A prefix is matched at segment boundaries: /catalog does not cover /catalogue.
    let err = read(&s.readers, &s.server.url("/catalogue"))
        .await
        .unwrap_err();
    assert!(err.is_not_allowed(), "{err:?}");
    assert_eq!(s.server.hits(), 0);
}

#[tokio::test]
async fn nothing_is_allowed_without_an_allow_list() {
    let server = main_server("http://127.0.0.1:1/").await;
    let readers = UrlReaders::from_config(&Config::from_value(json!({}))).unwrap();
    let err = read(&readers, &server.url("/catalog/a.yaml"))
        .await
        .unwrap_err();
    assert!(err.is_not_allowed(), "{err:?}");
    assert!(
        err.to_string().contains("backend.reading.allow is empty"),
        "{err}"
    );
    assert_eq!(server.hits(), 0);
}

// --- redirects -----------------------------------------------------------

#[tokio::test]
async fn redirects_within_the_allow_list_are_followed() {
    let s = setup().await;
    let response = read(&s.readers, &s.server.url("/redirect/twice"))
        .await
        .unwrap();
    assert_eq!(response.text().unwrap(), CATALOG_YAML);
    assert_eq!(response.url.as_str(), s.server.url("/catalog/a.yaml"));
    assert_eq!(response.etag.as_deref(), Some(ETAG));
    assert_eq!(s.server.hits(), 3);
}

#[tokio::test]
async fn a_redirect_to_a_refused_host_is_refused_and_not_followed() {
    let s = setup().await;
    let err = read(&s.readers, &s.server.url("/redirect/outside"))
        .await
        .unwrap_err();
    let UrlReaderError::NotAllowed { url, reason } = &err else {
        panic!("expected NotAllowed, got {err:?}");
    };
    assert_eq!(url, &s.outside.url("/catalog/a.yaml"));
    assert!(reason.contains("redirected to it"), "{reason}");
    assert!(reason.contains("backend.reading.allow"), "{reason}");
    assert_eq!(s.server.hits(), 1);
    assert_eq!(
        s.outside.hits(),
        0,
        "the refused redirect target was contacted"
    );
}

#[tokio::test]
async fn a_redirect_to_a_refused_path_is_refused() {
    let s = setup().await;
    let err = read(&s.readers, &s.server.url("/redirect/private"))
        .await
        .unwrap_err();
    assert!(err.is_not_allowed(), "{err:?}");
    assert!(err.to_string().contains("/private/secret"), "{err}");
    assert_eq!(s.server.hits(), 1);
}

#[tokio::test]
async fn redirect_loops_end() {
    let s = setup().await;
    let err = read(&s.readers, &s.server.url("/redirect/loop"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, UrlReaderError::TooManyRedirects { max: 5, .. }),
        "{err:?}"
    );
    assert_eq!(s.server.hits(), 6);
}

// --- conditional reads ------------------------------------------------------

#[tokio::test]
async fn the_etag_of_a_read_makes_the_next_read_not_modified() {
    let s = setup().await;
    let url = s.server.url("/catalog/a.yaml");
    let first = read(&s.readers, &url).await.unwrap();
    let etag = first.etag.unwrap();
    let err = s
        .readers
        .read_url(&url, &ReadUrlOptions::new().etag(etag))
        .await
        .unwrap_err();
    assert!(err.is_not_modified(), "{err:?}");
    // A stale etag reads the content again.
    let again = s
        .readers
        .read_url(&url, &ReadUrlOptions::new().etag("\"v0\""))
        .await
        .unwrap();
    assert_eq!(again.text().unwrap(), CATALOG_YAML);
    // Through a redirect, too.
    let err = s
        .readers
        .read_url(
            &s.server.url("/redirect/inside"),
            &ReadUrlOptions::new().etag(ETAG),
        )
        .await
        .unwrap_err();
    assert!(err.is_not_modified(), "{err:?}");
}

#[tokio::test]
async fn last_modified_is_sent_as_if_modified_since() {
    let s = setup().await;
    let url = s.server.url("/catalog/dated");
    let first = read(&s.readers, &url).await.unwrap();
    let since = first.last_modified.expect("the server sent Last-Modified");
    let err = s
        .readers
        .read_url(&url, &ReadUrlOptions::new().last_modified(since))
        .await
        .unwrap_err();
    assert!(err.is_not_modified(), "{err:?}");
}

// --- limits --------------------------------------------------------------

#[tokio::test]
async fn a_content_length_over_the_limit_is_refused() {
    let s = setup().await;
    let err = read(&s.readers, &s.server.url("/big/announced"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, UrlReaderError::TooLarge { limit: 1024, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("backend.reading.maxBytes"),
        "{err}"
    );
    let err = read(&s.readers, &s.server.url("/big/announced-then-stalls"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, UrlReaderError::TooLarge { limit: 1024, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_streamed_body_is_cut_at_the_limit() {
    let s = setup().await;
    // The body never ends: anything but stopping at the limit would time out.
    let err = read(&s.readers, &s.server.url("/big/endless"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, UrlReaderError::TooLarge { limit: 1024, .. }),
        "{err:?}"
    );
    // Exactly the limit, streamed, is fine.
    let fits = read(&s.readers, &s.server.url("/big/just-fits"))
        .await
        .unwrap();
    assert_eq!(fits.body.len(), 1024);
}

#[tokio::test]
async fn a_read_may_set_a_lower_limit_but_not_a_higher_one() {
    let s = setup().await;
    let url = s.server.url("/catalog/a.yaml");
    let err = s
        .readers
        .read_url(&url, &ReadUrlOptions::new().max_bytes(8))
        .await
        .unwrap_err();
    assert!(
        matches!(err, UrlReaderError::TooLarge { limit: 8, .. }),
        "{err:?}"
    );
    let err = s
        .readers
        .read_url(
            &s.server.url("/big/announced"),
            &ReadUrlOptions::new().max_bytes(1 << 30),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, UrlReaderError::TooLarge { limit: 1024, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_server_that_stalls_times_out() {
    let s = setup().await;
    for path in ["/stall/headers", "/stall/body"] {
        let err = read(&s.readers, &s.server.url(path)).await.unwrap_err();
        let UrlReaderError::Timeout { timeout, .. } = &err else {
            panic!("{path}: expected Timeout, got {err:?}");
        };
        assert_eq!(*timeout, Duration::from_millis(400));
        assert!(err.to_string().contains("backend.reading.timeout"), "{err}");
    }
}

// --- failures ------------------------------------------------------------

#[tokio::test]
async fn a_missing_page_is_not_found() {
    let s = setup().await;
    let err = read(&s.readers, &s.server.url("/missing/catalog-info.yaml"))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[tokio::test]
async fn other_statuses_are_errors_with_the_status() {
    let s = setup().await;
    let err = read(&s.readers, &s.server.url("/failing/oops"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, UrlReaderError::Status { status: 500, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let readers = UrlReaders::from_config(&config(&addr.to_string(), json!({}))).unwrap();
    let err = read(&readers, &format!("http://{addr}/catalog/a.yaml"))
        .await
        .unwrap_err();
    assert!(matches!(err, UrlReaderError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
}

#[tokio::test]
async fn targets_that_are_not_urls_or_have_no_reader_are_errors() {
    let s = setup().await;
    let err = read(&s.readers, "catalog-info.yaml").await.unwrap_err();
    assert!(matches!(err, UrlReaderError::InvalidUrl { .. }), "{err:?}");
    let err = read(&s.readers, "ftp://example.com/a.yaml")
        .await
        .unwrap_err();
    assert!(matches!(err, UrlReaderError::Unsupported { .. }), "{err:?}");
}

// --- files -------------------------------------------------------------------

struct Files {
    _root: tempfile::TempDir,
    allowed: PathBuf,
    outside: PathBuf,
}

fn files() -> Files {
    let root = tempfile::tempdir().unwrap();
    let allowed = root.path().join("catalog");
    let outside = root.path().join("elsewhere");
    std::fs::create_dir_all(allowed.join("nested")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(allowed.join("nested/a.yaml"), CATALOG_YAML).unwrap();
    std::fs::write(allowed.join("big.yaml"), vec![b'x'; 2048]).unwrap();
    std::fs::write(outside.join("secret.yaml"), "secret").unwrap();
    std::os::unix::fs::symlink(outside.join("secret.yaml"), allowed.join("link.yaml")).unwrap();
    Files {
        _root: root,
        allowed,
        outside,
    }
}

fn file_readers(directories: &[&Path]) -> UrlReaders {
    let dirs: Vec<String> = directories
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    UrlReaders::from_config(&config("example.com", json!({"allowedDirectories": dirs}))).unwrap()
}

fn file_url(path: &Path) -> String {
    Url::from_file_path(path).unwrap().to_string()
}

#[tokio::test]
async fn a_file_in_an_allowed_directory_is_read_by_url_or_path() {
    let f = files();
    let readers = file_readers(&[&f.allowed]);
    let path = f.allowed.join("nested/a.yaml");
    let by_url = read(&readers, &file_url(&path)).await.unwrap();
    assert_eq!(by_url.text().unwrap(), CATALOG_YAML);
    assert!(by_url.last_modified.is_some());
    let by_path = read(&readers, path.to_str().unwrap()).await.unwrap();
    assert_eq!(by_path.body, by_url.body);
    assert_eq!(by_path.etag, by_url.etag);
    assert_eq!(by_path.url.as_str(), file_url(&path));
}

#[tokio::test]
async fn a_file_etag_makes_the_next_read_not_modified_until_the_content_changes() {
    let f = files();
    let readers = file_readers(&[&f.allowed]);
    let path = f.allowed.join("nested/a.yaml");
    let url = file_url(&path);
    let etag = read(&readers, &url).await.unwrap().etag.unwrap();
    let err = readers
        .read_url(&url, &ReadUrlOptions::new().etag(etag.clone()))
        .await
        .unwrap_err();
    assert!(err.is_not_modified(), "{err:?}");
    std::fs::write(&path, "kind: Component\nmetadata:\n  name: b\n").unwrap();
    let changed = readers
        .read_url(&url, &ReadUrlOptions::new().etag(etag.clone()))
        .await
        .unwrap();
    assert_ne!(changed.etag.as_deref(), Some(etag.as_str()));
    assert!(changed.text().unwrap().contains("name: b"));
}

#[tokio::test]
async fn files_outside_the_allowed_directories_are_refused() {
    let f = files();
    let readers = file_readers(&[&f.allowed]);
    let secret = f.outside.join("secret.yaml");
    for target in [
        file_url(&secret),
        secret.display().to_string(),
        format!("{}/../elsewhere/secret.yaml", f.allowed.display()),
        "/etc/passwd".to_owned(),
    ] {
        let err = read(&readers, &target).await.unwrap_err();
        assert!(err.is_not_allowed(), "{target}: {err:?}");
        assert!(
            err.to_string()
                .contains("backend.reading.allowedDirectories"),
            "{err}"
        );
    }
    // Refused, not "not found": a refusal says nothing about what exists.
    let missing = f.outside.join("no-such-file.yaml");
    let err = read(&readers, missing.to_str().unwrap()).await.unwrap_err();
    assert!(err.is_not_allowed(), "{err:?}");
    // A sibling whose name extends the allowed directory's is outside.
    let sibling = PathBuf::from(format!("{}-2/a.yaml", f.allowed.display()));
    assert!(
        read(&readers, sibling.to_str().unwrap())
            .await
            .unwrap_err()
            .is_not_allowed()
    );
}

#[tokio::test]
async fn a_symbolic_link_out_of_an_allowed_directory_is_refused() {
    let f = files();
    let readers = file_readers(&[&f.allowed]);
    let err = read(&readers, f.allowed.join("link.yaml").to_str().unwrap())
        .await
        .unwrap_err();
    assert!(err.is_not_allowed(), "{err:?}");
    assert!(err.to_string().contains("symbolic link"), "{err}");
    // Allowing the link's target directory too makes it readable.
    let both = file_readers(&[&f.allowed, &f.outside]);
    let read_through = read(&both, f.allowed.join("link.yaml").to_str().unwrap())
        .await
        .unwrap();
    assert_eq!(read_through.text().unwrap(), "secret");
}

#[tokio::test]
async fn without_allowed_directories_no_file_is_read() {
    let f = files();
    let readers = file_readers(&[]);
    let err = read(&readers, f.allowed.join("nested/a.yaml").to_str().unwrap())
        .await
        .unwrap_err();
    assert!(err.is_not_allowed(), "{err:?}");
    assert!(err.to_string().contains("none is configured"), "{err}");
}

#[tokio::test]
async fn missing_and_oversized_files() {
    let f = files();
    let readers = file_readers(&[&f.allowed]);
    let err = read(&readers, f.allowed.join("nope.yaml").to_str().unwrap())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = read(&readers, f.allowed.join("big.yaml").to_str().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, UrlReaderError::TooLarge { limit: 1024, .. }),
        "{err:?}"
    );
    let err = read(&readers, f.allowed.join("nested").to_str().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, UrlReaderError::Read { .. }), "{err:?}");
}

// --- the seam for SCM readers ------------------------------------------------

/// Answers for `scm.example` from memory.
#[derive(Debug)]
struct FakeScm;

#[async_trait]
impl UrlReader for FakeScm {
    fn name(&self) -> &str {
        "fake-scm"
    }

    fn handles(&self, url: &Url) -> bool {
        url.host_str() == Some("scm.example")
    }

    async fn read_url(
        &self,
        url: &Url,
        options: &ReadUrlOptions,
    ) -> Result<ReadUrlResponse, UrlReaderError> {
        assert_eq!(
            options.max_bytes,
            Some(1024),
            "the service passes its limit"
        );
        Ok(ReadUrlResponse::new(url.clone(), "from the scm").with_etag("\"scm\""))
    }
}

#[tokio::test]
async fn added_readers_are_asked_before_the_built_in_ones() {
    let readers = UrlReaders::from_config(&config("example.com", json!({})))
        .unwrap()
        .with_reader(Arc::new(FakeScm));
    assert_eq!(readers.reader_names(), ["fake-scm", "file", "http"]);
    // Not in the allow-list, but the integration reader handles it.
    let response = read(&readers, "https://scm.example/org/repo/catalog-info.yaml")
        .await
        .unwrap();
    assert_eq!(response.text().unwrap(), "from the scm");
    // Other hosts still go to the HTTP reader and its allow-list.
    let err = read(&readers, "https://other.example/x").await.unwrap_err();
    assert!(err.is_not_allowed(), "{err:?}");
}

// --- as a service of a backend -------------------------------------------

#[tokio::test]
async fn plugins_get_the_url_reader_configured_from_the_root_config() {
    let s = setup().await;
    let url = s.server.url("/catalog/a.yaml");
    let refused = format!("http://localhost:{}/catalog/a.yaml", s.server.addr.port());
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = Arc::clone(&seen);
    let plugin = BackendPlugin::builder("reader").init(move |ctx| {
        let (url, refused, record) = (url.clone(), refused.clone(), Arc::clone(&record));
        async move {
            let reader = ctx.service(&URL_READER).await?;
            let page = reader.read_url(&url, &ReadUrlOptions::new()).await?;
            let err = reader
                .read_url(&refused, &ReadUrlOptions::new())
                .await
                .unwrap_err();
            let mut seen = record.lock().unwrap();
            seen.push(page.text()?.to_owned());
            seen.push(err.to_string());
            Ok::<_, BoxError>(())
        }
    });
    let reading = json!({"backend": {"reading": {
        "allow": [{"host": s.server.addr.to_string(), "paths": ["/catalog/"]}]
    }}});
    let backend = start(Backend::builder().add(plugin), reading).await;
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0], CATALOG_YAML);
        assert!(seen[1].contains("backend.reading.allow"), "{}", seen[1]);
    }
    backend.stop().await;
}

#[tokio::test]
async fn a_bad_allow_list_stops_the_backend_and_names_the_key() {
    let plugin = BackendPlugin::builder("reader").init(|ctx| async move {
        ctx.service(&URL_READER).await?;
        Ok::<_, BackendError>(())
    });
    let message = crate::support::start_err(
        Backend::builder().add(plugin),
        json!({"backend": {"reading": {"allow": [{"host": "prod.*.example.com"}]}}}),
    )
    .await;
    assert!(
        message.contains("backend.reading.allow[0].host"),
        "{message}"
    );
}
