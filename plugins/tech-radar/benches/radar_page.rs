//! The Tech Radar page: server time to render it, and the bytes a browser
//! transfers for it with its assets (printed once).

use std::hint::black_box;

use axum::body::Body;
use backstage_frontend::App;
use criterion::{Criterion, criterion_group, criterion_main};
use http::Request;
use tower::ServiceExt;

async fn fetch(router: &axum::Router, uri: &str) -> Vec<u8> {
    let request = match Request::get(uri).body(Body::empty()) {
        Ok(r) => r,
        Err(err) => panic!("request: {err}"),
    };
    let response = match router.clone().oneshot(request).await {
        Ok(r) => r,
        Err(err) => match err {},
    };
    match axum::body::to_bytes(response.into_body(), usize::MAX).await {
        Ok(b) => b.to_vec(),
        Err(err) => panic!("body: {err}"),
    }
}

fn bench(c: &mut Criterion) {
    let app = match App::builder()
        .plugin(backstage_plugin_tech_radar::plugin())
        .build()
    {
        Ok(app) => app,
        Err(err) => panic!("app: {err}"),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(rt) => rt,
        Err(err) => panic!("runtime: {err}"),
    };

    // Bytes: the page plus every /static asset it references.
    let router = App::builder()
        .plugin(backstage_plugin_tech_radar::plugin())
        .build()
        .map(App::router)
        .unwrap_or_else(|err| panic!("app: {err}"));
    runtime.block_on(async {
        let page = fetch(&router, "/tech-radar").await;
        let text = String::from_utf8_lossy(&page).into_owned();
        let mut total = page.len();
        let mut parts = vec![format!("page {} B", page.len())];
        for attr in ["src=\"", "href=\""] {
            for (i, _) in text.match_indices(attr) {
                let rest = &text[i + attr.len()..];
                let url = &rest[..rest.find('"').unwrap_or(0)];
                if url.starts_with("/static/") {
                    let body = fetch(&router, url).await;
                    total += body.len();
                    parts.push(format!("{url} {} B", body.len()));
                }
            }
        }
        eprintln!(
            "tech radar page transfer (uncompressed): {total} bytes = {}",
            parts.join(" + ")
        );
    });

    c.bench_function("render /tech-radar in the shell", |b| {
        b.iter(|| {
            black_box(
                runtime
                    .block_on(app.render_path(black_box("/tech-radar"), Vec::new()))
                    .1
                    .into_string()
                    .len(),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
