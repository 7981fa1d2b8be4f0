//! The basic-app binary as an operator runs it: it starts, answers
//! readiness, stops cleanly on SIGTERM, and refuses invalid config; and
//! with its production config on PostgreSQL and Redis.

#![allow(clippy::unwrap_used)] // tests unwrap freely; a panic is a failure with a message

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod browser;
mod portal;
mod production;

fn write_config(dir: &tempfile::TempDir, extra: &str) -> std::path::PathBuf {
    let path = dir.path().join("app-config.test.yaml");
    let mut file = std::fs::File::create(&path).unwrap();
    write!(
        file,
        "backend:\n  baseUrl: http://localhost\n  listen:\n    host: 127.0.0.1\n    port: 0\n  logger:\n    level: warn\ngreeter:\n  greeting: hi from the test\n{extra}"
    )
    .unwrap();
    path
}

fn spawn(config: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_basic-app"))
        .arg("--config")
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Reads stdout until the "listening on" line and returns host:port.
fn wait_for_address(child: &mut Child) -> String {
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = lines.next().expect("basic-app printed nothing").unwrap();
    line.strip_prefix("basic-app listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned()
}

/// A minimal HTTP/1.1 GET: status code and body.
fn get(address: &str, path: &str) -> (u16, String) {
    request(address, "GET", path)
}

/// A minimal HTTP/1.1 request without a body: status code and body.
fn request(address: &str, method: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

#[test]
fn serves_readiness_and_stops_on_sigterm_with_exit_code_0() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&dir, "");
    let mut child = spawn(&config);
    let address = wait_for_address(&mut child);
    assert_eq!(get(&address, "/.backstage/health/v1/readiness").0, 200);
    let (status, body) = get(&address, "/api/greeter/greeting");
    assert_eq!(status, 200);
    assert!(body.contains("hi from the test"), "{body}");
    assert_eq!(get(&address, "/api/greeter/whoami").0, 401);
    // The greeter counts greetings in its database (in-memory SQLite here).
    let (status, body) = request(&address, "POST", "/api/greeter/greetings/Ada");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""times":1"#), "{body}");
    let (_, body) = request(&address, "POST", "/api/greeter/greetings/ada");
    assert!(body.contains(r#""times":2"#), "{body}");
    let (_, body) = get(&address, "/api/greeter/greetings/ADA");
    assert!(body.contains(r#""times":2"#), "{body}");
    assert_eq!(
        request(&address, "POST", "/api/greeter/greetings/%20").0,
        400
    );

    let stopped_at = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            stopped_at.elapsed() < Duration::from_secs(5),
            "basic-app did not stop within 5 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_schema_violation_exits_non_zero_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(
        &path,
        "backend:\n  listen:\n    port: not-a-port\ngreeter:\n  greeting: 5\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_basic-app"))
        .arg("--config")
        .arg(&path)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("config key 'backend.listen.port'"),
        "{stderr}"
    );
    assert!(stderr.contains("config key 'greeter.greeting'"), "{stderr}");
}

/// Started from the repository root with its own app-config.yaml, as the
/// README says, the portal serves the example company's catalog.
#[test]
fn serves_the_example_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let overrides = write_config(&dir, "");
    let crate_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_basic-app"))
        .current_dir(crate_dir.join("../.."))
        .arg("--config")
        .arg(crate_dir.join("app-config.yaml"))
        .arg("--config")
        .arg(&overrides)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let address = wait_for_address(&mut child);
    let authorized = |path: &str| {
        let mut stream = TcpStream::connect(&address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer local-development-token\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    };
    let response = authorized("/api/catalog/entities/by-name/component/default/dock-gateway");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"ownedBy\""), "{response}");
    // The default auth policy guards the catalog like any plugin.
    assert_eq!(
        get(
            &address,
            "/api/catalog/entities/by-name/component/default/dock-gateway"
        )
        .0,
        401
    );
    let _ = child.kill();
    let _ = child.wait();
}
