//! The catalog index with 100 rows out of a 20,000-entity catalog, as a
//! browser gets it from the all-in-one portal:
//! `cargo bench -p basic-app --bench catalog_page`.
//!
//! Generates a company of 20,000 entities (teams, users, systems, APIs and
//! components with owners, systems and APIs) in one catalog file, starts
//! the basic-app binary (bench profile) on it, waits until the catalog has
//! ingested everything, then:
//!
//! * times `GET /catalog?kind=component&limit=100` over loopback — the
//!   server renders it from one page of `GET /entities/by-query` and two
//!   `GET /entity-facets` calls to its own catalog API — and prints the
//!   median, p90, minimum and maximum; then the same with a different
//!   owner filter each time (so no cache answers a repeated request);
//! * sums the bytes of that page and every asset it loads (stylesheets,
//!   scripts), as sent without and with `Accept-Encoding: gzip`.
//!
//! Set `CATALOG_PAGE_ENTITIES` for another catalog size.

#![allow(clippy::unwrap_used, clippy::print_stdout)] // a bench binary reports by printing

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 200;
const PAGE: &str = "/catalog?kind=component&limit=100";

/// A company of `n` entities as one multi-document YAML file; the number
/// of components in it.
fn company(n: usize) -> (String, usize) {
    let teams = (n / 100).max(2);
    let users = n / 5;
    let systems = (n / 200).max(1);
    let apis = n / 10;
    let components = n - teams - users - systems - apis;
    let mut yaml = String::with_capacity(n * 400);
    let doc = |yaml: &mut String, kind: &str, name: &str, description: &str, spec: &str| {
        let _ = write!(
            yaml,
            "---\napiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n  description: {description}\n  tags: [bench, {kind_tag}]\nspec:\n{spec}",
            kind_tag = kind.to_lowercase()
        );
    };
    for t in 0..teams {
        doc(
            &mut yaml,
            "Group",
            &format!("team-{t}"),
            &format!("Team number {t}"),
            "  type: team\n  children: []\n",
        );
    }
    for u in 0..users {
        doc(
            &mut yaml,
            "User",
            &format!("user-{u}"),
            "A person",
            &format!(
                "  profile:\n    displayName: User {u}\n    email: user-{u}@example.com\n  memberOf: [team-{}]\n",
                u % teams
            ),
        );
    }
    for s in 0..systems {
        doc(
            &mut yaml,
            "System",
            &format!("system-{s}"),
            "A system",
            &format!("  owner: team-{}\n", s % teams),
        );
    }
    for a in 0..apis {
        doc(
            &mut yaml,
            "API",
            &format!("api-{a}"),
            "An API",
            &format!(
                "  type: openapi\n  lifecycle: production\n  owner: team-{}\n  system: system-{}\n  definition: |\n    openapi: 3.0.0\n    info: {{ title: api-{a}, version: '1' }}\n",
                a % teams,
                a % systems
            ),
        );
    }
    let types = ["service", "website", "library"];
    let lifecycles = ["production", "experimental", "deprecated"];
    for c in 0..components {
        doc(
            &mut yaml,
            "Component",
            &format!("component-{c:05}"),
            &format!("Component {c} of the generated company, which does one thing well"),
            &format!(
                "  type: {}\n  lifecycle: {}\n  owner: team-{}\n  system: system-{}\n  providesApis: [api-{}]\n",
                types[c % 3],
                lifecycles[c % 3],
                c % teams,
                c % systems,
                c % apis.max(1)
            ),
        );
    }
    (yaml, components)
}

/// (status, headers, body) of one GET over a fresh connection.
fn fetch(address: &str, path: &str, gzip: bool) -> (u16, String, Vec<u8>) {
    let encoding = if gzip {
        "Accept-Encoding: gzip\r\n"
    } else {
        ""
    };
    fetch_with(address, path, encoding)
}

/// Like [`fetch`], with extra header lines (each ending in `\r\n`).
fn fetch_with(address: &str, path: &str, headers: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\n{headers}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head[9..12].parse().unwrap();
    (status, head, response[split + 4..].to_vec())
}

fn asset_urls(page: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (i, _) in page.match_indices(attr) {
            let rest = &page[i + attr.len()..];
            let url = &rest[..rest.find('"').unwrap_or(0)];
            if url.starts_with("/static/") && !urls.iter().any(|u| u == url) {
                urls.push(url.to_owned());
            }
        }
    }
    urls
}

fn start(config: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_basic-app"))
        .arg("--config")
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let line = BufReader::new(stdout).lines().next().unwrap().unwrap();
    let address = line
        .strip_prefix("basic-app listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    (child, address)
}

fn main() {
    let entities: usize = std::env::var("CATALOG_PAGE_ENTITIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let dir = tempfile::tempdir().unwrap();
    let (yaml, components) = company(entities);
    let file = dir.path().join("company.yaml");
    std::fs::write(&file, &yaml).unwrap();
    let config = dir.path().join("app-config.yaml");
    std::fs::write(
        &config,
        format!(
            "app:\n  title: Bench portal\n  backendAuth:\n    token: bench-token\nbackend:\n  baseUrl: http://localhost\n  listen:\n    host: 127.0.0.1\n    port: 0\n  logger:\n    level: error\n  auth:\n    externalAccess:\n      - type: static\n        options:\n          token: bench-token\n          subject: bench\ngreeter:\n  greeting: hi\ncatalog:\n  maxFileBytes: {}\n  locations:\n    - type: file\n      target: {}\n  rules:\n    - allow: [Component, API, System, Group, User, Location]\n",
            yaml.len() + 1024,
            file.display()
        ),
    )
    .unwrap();

    println!(
        "catalog_page: {entities} entities ({components} components), {} KiB of YAML",
        yaml.len() / 1024
    );
    let started = Instant::now();
    let (mut child, address) = start(&config);
    let expected = format!("Components ({components})");
    loop {
        let (status, _, body) = fetch(&address, "/catalog?kind=component&limit=10", false);
        if status == 200 && String::from_utf8_lossy(&body).contains(&expected) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the catalog did not ingest the company in 10 minutes"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    println!("  ingested in {:.1} s", started.elapsed().as_secs_f64());

    for _ in 0..20 {
        fetch(&address, PAGE, false);
    }
    let mut times = Vec::with_capacity(RUNS);
    let mut page = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let (status, _, body) = fetch(&address, PAGE, false);
        times.push(t.elapsed());
        assert_eq!(status, 200);
        page = body;
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let text = String::from_utf8_lossy(&page).into_owned();
    let rows = text.matches("<tr data-entity-ref=").count();
    assert_eq!(rows, 100, "the page shows 100 rows");
    println!(
        "  GET {PAGE}: median {:.2} ms, p90 {:.2} ms, min {:.2} ms, max {:.2} ms ({RUNS} runs, loopback, {rows} rows)",
        ms(times[RUNS / 2]),
        ms(times[RUNS * 9 / 10]),
        ms(times[0]),
        ms(times[RUNS - 1])
    );

    // The same view for a different owner each time, so no cache above
    // the catalog's database can answer it.
    let teams = (entities / 100).max(2);
    let mut varied = Vec::with_capacity(RUNS);
    for i in 0..RUNS {
        let path = format!(
            "/catalog?kind=component&limit=100&owner=group%3Adefault%2Fteam-{}&sort=lifecycle",
            i % teams
        );
        let t = Instant::now();
        let (status, _, body) = fetch(&address, &path, false);
        varied.push(t.elapsed());
        assert_eq!(status, 200);
        assert!(
            String::from_utf8_lossy(&body).contains("<tr data-entity-ref="),
            "{path} has rows"
        );
    }
    varied.sort();
    println!(
        "  GET /catalog?kind=component&limit=100&owner=<a different team each time>&sort=lifecycle: median {:.2} ms, p90 {:.2} ms, min {:.2} ms, max {:.2} ms ({RUNS} runs)",
        ms(varied[RUNS / 2]),
        ms(varied[RUNS * 9 / 10]),
        ms(varied[0]),
        ms(varied[RUNS - 1])
    );

    // The catalog API alone, for the same kind of query (a different owner
    // each time, descending so that it is not the page's cached query):
    // what of the page's time is the catalog's.
    let mut api = Vec::with_capacity(RUNS);
    for i in 0..RUNS {
        let path = format!(
            "/api/catalog/entities/by-query?filter=kind%3Dcomponent%2Crelations.ownedBy%3Dgroup%3Adefault%2Fteam-{}&orderField=spec.lifecycle%2Cdesc&limit=100&totalItems=include",
            i % teams
        );
        let t = Instant::now();
        let (status, _, _) = fetch_with(&address, &path, "Authorization: Bearer bench-token\r\n");
        api.push(t.elapsed());
        assert_eq!(status, 200);
    }
    api.sort();
    println!(
        "  of which the catalog API (GET /api/catalog/entities/by-query, same shape): median {:.2} ms, p90 {:.2} ms",
        ms(api[RUNS / 2]),
        ms(api[RUNS * 9 / 10])
    );

    let assets = asset_urls(&text);
    for gzip in [false, true] {
        let (_, _, body) = fetch(&address, PAGE, gzip);
        let mut total = body.len();
        let mut parts = vec![format!("page {} B", body.len())];
        for url in &assets {
            let (status, _, bytes) = fetch(&address, url, gzip);
            assert_eq!(status, 200, "{url}");
            total += bytes.len();
            parts.push(format!(
                "{} {} B",
                url.rsplit('/').next().unwrap_or(url),
                bytes.len()
            ));
        }
        println!(
            "  bytes {}: {:.1} KB in all ({})",
            if gzip { "gzip" } else { "uncompressed" },
            total as f64 / 1000.0,
            parts.join(", ")
        );
    }
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();
}
