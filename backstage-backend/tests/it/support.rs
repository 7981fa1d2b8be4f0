//! Helpers: a config that binds port 0, an HTTP client, a started backend.

use std::sync::Once;

use backstage_backend::{BackendBuilder, RunningBackend};
use backstage_core::config::Config;
use serde_json::{Value, json};

/// A config for tests: loopback, a free port, plus `extra` merged in.
pub(crate) fn config(extra: Value) -> Config {
    let base = json!({"backend": {
        "listen": {"host": "127.0.0.1", "port": 0},
        "baseUrl": "http://portal.example.com",
        "logger": {"level": "error"}
    }});
    Config::from_value(backstage_core::config::merge(base, extra))
}

pub(crate) fn client() -> reqwest::Client {
    static PROVIDER: Once = Once::new();
    PROVIDER.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder().build().unwrap()
}

pub(crate) async fn start(builder: BackendBuilder, extra: Value) -> RunningBackend {
    builder.config(config(extra)).start().await.unwrap()
}

/// GET `path` and return status and JSON body (Null when not JSON).
pub(crate) async fn get_json(
    backend: &RunningBackend,
    path: &str,
    token: Option<&str>,
) -> (u16, Value) {
    let mut request = client().get(format!("{}{path}", backend.url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A static token configured for tests.
pub(crate) const TEST_TOKEN: &str = "test-token-0123456789";

/// Config that accepts [`TEST_TOKEN`] as subject `tester`.
pub(crate) fn static_token() -> Value {
    json!({"backend": {"auth": {"externalAccess": [
        {"type": "static", "options": {"token": TEST_TOKEN, "subject": "tester"}}
    ]}}})
}

/// Starts `builder` with the test config plus `extra`, expecting failure;
/// returns the error message.
pub(crate) async fn start_err(builder: BackendBuilder, extra: Value) -> String {
    builder
        .config(config(extra))
        .start()
        .await
        .unwrap_err()
        .to_string()
}
