//! A source host on 127.0.0.1 whose files a test can change, and polling.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::{Value, json};

/// Files served at `http://<addr>/<path>`; anything else is a 404.
#[derive(Clone, Default)]
pub(crate) struct Files(Arc<Mutex<HashMap<String, String>>>);

impl Files {
    pub(crate) fn set(&self, path: &str, text: &str) {
        self.0
            .lock()
            .unwrap()
            .insert(path.to_owned(), text.to_owned());
    }
}

/// A running source host.
pub(crate) struct Host {
    pub(crate) addr: SocketAddr,
    pub(crate) files: Files,
    task: tokio::task::JoinHandle<()>,
}

impl Host {
    pub(crate) async fn start() -> Self {
        let files = Files::default();
        let router = Router::new()
            .route("/{*path}", get(serve))
            .with_state(files.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self { addr, files, task }
    }

    /// The URL of `path`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}/{path}", self.addr)
    }

    /// `backend.reading` allowing this host (and nothing else).
    pub(crate) fn reading(&self) -> Value {
        json!({"reading": {"allow": [{"host": self.addr.to_string()}]}})
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(State(files): State<Files>, Path(path): Path<String>) -> Result<String, StatusCode> {
    files
        .0
        .lock()
        .unwrap()
        .get(&path)
        .cloned()
        .ok_or(StatusCode::NOT_FOUND)
}

/// A component's YAML.
pub(crate) fn component(name: &str, description: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  description: {description}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
}

/// Polls `check` every 20 ms until it gives `Some`, for up to 60 s.
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
