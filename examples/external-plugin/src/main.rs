//! Starts a backend with the external plugins on a free port, checks that
//! they answer, and stops: the smoke test CI runs.

use backstage_backend::Backend;
use backstage_backend::backstage_core::config::Config;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_value(serde_json::json!({
        "backend": {
            "listen": { "host": "127.0.0.1", "port": 0 },
            "logger": { "level": "warn" },
            "auth": { "externalAccess": [
                { "type": "static", "options": { "token": "external-example-token", "subject": "ci" } }
            ] }
        },
        "todo": { "initial": ["write the plugin"] }
    }));
    let backend = Backend::builder()
        .config(config)
        .add(external_plugin::todo_plugin())
        .add(external_plugin::reminders())
        .add(external_plugin::ping())
        .start()
        .await?;
    let items = fetch(backend.address(), "/api/todo/items", Some("external-example-token")).await?;
    let pong = fetch(backend.address(), "/api/ping/", None).await?;
    backend.stop().await;
    println!("todo items: {items}");
    println!("ping: {pong}");
    if items != r#"["write the plugin","water the plants"]"# || pong != "pong" {
        return Err("the external plugins did not answer as expected".into());
    }
    Ok(())
}

/// A tiny HTTP/1.1 GET over a plain TCP stream (keeps the example free of an
/// HTTP client dependency).
async fn fetch(
    address: std::net::SocketAddr,
    path: &str,
    token: Option<&str>,
) -> Result<String, Box<dyn std::error::Error>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n{auth}Connection: close\r\n\r\n").as_bytes())
        .await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let (head, body) = response.split_once("\r\n\r\n").ok_or("malformed response")?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!("GET {path}: {head}").into());
    }
    Ok(body.to_owned())
}
