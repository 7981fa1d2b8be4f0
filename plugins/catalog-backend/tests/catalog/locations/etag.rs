//! A `url` location whose target has not changed is not downloaded and
//! parsed again: the catalog sends the target's `ETag` back
//! (`If-None-Match`), and on `304 Not Modified` re-emits the entities it
//! read last time from its processor cache.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::api::{entity, status_messages};
use super::files::{component, eventually};
use crate::support::{TestCatalog, databases};

/// What the server serves, and what it saw.
#[derive(Debug, Default)]
struct Target {
    text: String,
    etag: String,
    /// Answer 500 to every request.
    failing: bool,
    /// Full answers (200 with the content).
    full: u32,
    /// 304 answers.
    not_modified: u32,
    /// The `If-None-Match` of every request that had one, in order.
    if_none_match: Vec<String>,
}

/// Serves one catalog file at `/catalog-info.yaml` with an `ETag`, answering
/// `304` when a request's `If-None-Match` is that tag.
struct EtagHost {
    addr: SocketAddr,
    target: Arc<Mutex<Target>>,
    task: tokio::task::JoinHandle<()>,
}

impl EtagHost {
    async fn start(text: &str, etag: &str) -> Self {
        let target = Arc::new(Mutex::new(Target {
            text: text.to_owned(),
            etag: etag.to_owned(),
            ..Target::default()
        }));
        let router = Router::new()
            .route("/catalog-info.yaml", get(serve))
            .with_state(Arc::clone(&target));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self { addr, target, task }
    }

    fn url(&self) -> String {
        format!("http://{}/catalog-info.yaml", self.addr)
    }

    fn reading(&self) -> Value {
        json!({"reading": {"allow": [{"host": self.addr.to_string()}]}})
    }

    /// Serves `text` with the tag `etag` from now on.
    fn set(&self, text: &str, etag: &str) {
        let mut target = self.target.lock().unwrap();
        target.text = text.to_owned();
        etag.clone_into(&mut target.etag);
    }

    fn fail(&self, failing: bool) {
        self.target.lock().unwrap().failing = failing;
    }

    /// (full answers, 304 answers).
    fn counts(&self) -> (u32, u32) {
        let target = self.target.lock().unwrap();
        (target.full, target.not_modified)
    }

    fn if_none_match(&self) -> Vec<String> {
        self.target.lock().unwrap().if_none_match.clone()
    }
}

impl Drop for EtagHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(State(target): State<Arc<Mutex<Target>>>, headers: HeaderMap) -> Response {
    let mut target = target.lock().unwrap();
    if target.failing {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let asked = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(asked) = asked {
        let matches = asked == target.etag;
        target.if_none_match.push(asked);
        if matches {
            target.not_modified += 1;
            return (
                StatusCode::NOT_MODIFIED,
                [(header::ETAG, target.etag.clone())],
            )
                .into_response();
        }
    }
    target.full += 1;
    (
        StatusCode::OK,
        [(header::ETAG, target.etag.clone())],
        target.text.clone(),
    )
        .into_response()
}

fn two(first: &str, second: &str) -> String {
    format!("{first}---\n{second}")
}

/// `(uid, etag)` of a served entity.
fn identity(entity: &Value) -> (String, String) {
    (
        entity["metadata"]["uid"].as_str().unwrap().to_owned(),
        entity["metadata"]["etag"].as_str().unwrap().to_owned(),
    )
}

/// Both components, served, neither an orphan.
async fn served(catalog: &TestCatalog) -> (Value, Value) {
    let alpha = entity(catalog, "component", "alpha").await;
    let beta = entity(catalog, "component", "beta").await;
    let (Some(alpha), Some(beta)) = (alpha.clone(), beta.clone()) else {
        panic!("a component of the location is gone: {alpha:?} {beta:?}");
    };
    for component in [&alpha, &beta] {
        assert!(
            component["metadata"]["annotations"]["backstage.io/orphan"].is_null(),
            "{component}"
        );
    }
    (alpha, beta)
}

#[tokio::test]
async fn an_unchanged_url_target_is_answered_from_the_cache_and_changes_still_flow() {
    for database in databases() {
        let name = database.name;
        println!("etag: {name}");
        let host = EtagHost::start(
            &two(&component("alpha", "First"), &component("beta", "Steady")),
            "\"v1\"",
        )
        .await;
        // Every entity is due again 1–1.5 s after it was processed; an
        // orphan would be deleted within 50 ms.
        let catalog = TestCatalog::start_with(
            &database,
            "etag",
            host.reading(),
            json!({
                "processingInterval": {"seconds": 1},
                "orphanCleanupInterval": {"milliseconds": 50}
            }),
            Vec::new(),
        )
        .await;
        let created = catalog
            .post("/locations", &json!({"type": "url", "target": host.url()}))
            .await;
        assert_eq!(created.status, 201, "{name}: {}", created.text);
        let root = created.json["location"]["entityRef"]
            .as_str()
            .unwrap()
            .trim_start_matches("location:default/")
            .to_owned();
        eventually("both components", || async {
            let alpha = entity(&catalog, "component", "alpha").await?;
            entity(&catalog, "component", "beta").await?;
            Some(alpha)
        })
        .await;
        let (alpha, beta) = served(&catalog).await;
        let (alpha_id, beta_id) = (identity(&alpha), identity(&beta));
        let location = entity(&catalog, "location", &root).await.unwrap();
        let location_id = identity(&location);
        assert_eq!(host.counts().0, 1, "{name}: one full read so far");

        // Refreshed on its interval: the catalog asks with the tag, the
        // server answers 304 and nothing is downloaded again.
        eventually("two 304 answers", || async {
            (host.counts().1 >= 2).then_some(())
        })
        .await;
        let (full, not_modified) = host.counts();
        assert_eq!(
            full, 1,
            "{name}: a full read after a 304 ({not_modified} 304s)"
        );
        let asked = host.if_none_match();
        assert!(
            asked.len() >= 2 && asked.iter().all(|tag| tag == "\"v1\""),
            "{name}: {asked:?}"
        );
        // The entities stay served, unchanged, and are no orphans.
        let (alpha, beta) = served(&catalog).await;
        assert_eq!(identity(&alpha), alpha_id, "{name}: {alpha}");
        assert_eq!(identity(&beta), beta_id, "{name}: {beta}");
        let location = entity(&catalog, "location", &root).await.unwrap();
        assert_eq!(identity(&location), location_id, "{name}: {location}");
        assert!(status_messages(&location).is_empty(), "{location}");

        // A change (a new tag) is read in full and shows; the component
        // whose text did not change keeps its etag.
        host.set(
            &two(&component("alpha", "Second"), &component("beta", "Steady")),
            "\"v2\"",
        );
        eventually("the changed description", || async {
            let alpha = entity(&catalog, "component", "alpha").await?;
            (alpha["metadata"]["description"] == "Second").then_some(())
        })
        .await;
        let (alpha, beta) = served(&catalog).await;
        assert_eq!(host.counts().0, 2, "{name}");
        assert_eq!(identity(&alpha).0, alpha_id.0, "{name}: the uid stays");
        assert_ne!(identity(&alpha).1, alpha_id.1, "{name}: a new etag");
        assert_eq!(identity(&beta), beta_id, "{name}: {beta}");
        let before = host.counts().1;
        eventually("a 304 for the new tag", || async {
            (host.counts().1 > before).then_some(())
        })
        .await;
        assert_eq!(host.if_none_match().last().unwrap(), "\"v2\"", "{name}");
        let alpha_id = identity(&alpha);

        // A failing server is the location's error; its entities stay.
        host.fail(true);
        eventually("the error on the location", || async {
            let location = entity(&catalog, "location", &root).await?;
            (!status_messages(&location).is_empty()).then_some(())
        })
        .await;
        let (alpha, beta) = served(&catalog).await;
        assert_eq!(identity(&alpha), alpha_id, "{name}: {alpha}");
        assert_eq!(identity(&beta), beta_id, "{name}: {beta}");

        // Back again: the cache outlived the failed runs, so the target is
        // answered with a 304 again, not read in full.
        let before = host.counts();
        host.fail(false);
        eventually("the error to go", || async {
            let location = entity(&catalog, "location", &root).await?;
            status_messages(&location).is_empty().then_some(())
        })
        .await;
        let after = host.counts();
        assert_eq!(after.0, before.0, "{name}: a full read after the failure");
        assert!(after.1 > before.1, "{name}: {before:?} {after:?}");
        let (alpha, beta) = served(&catalog).await;
        assert_eq!(identity(&alpha), alpha_id, "{name}: {alpha}");
        assert_eq!(identity(&beta), beta_id, "{name}: {beta}");
        catalog.stop().await;
    }
}
