//! Server time to render a page in the app shell (`cargo bench -p backstage-frontend`).

use std::hint::black_box;

use backstage_frontend::components::{Cell, Column, Table, TableState};
use backstage_frontend::{App, FrontendPlugin, create_page_extension};
use criterion::{Criterion, criterion_group, criterion_main};
use maud::html;

fn app() -> App {
    let mut plugins = Vec::new();
    for i in 0..8 {
        let id = format!("plugin-{i}");
        plugins.push(FrontendPlugin::new(id).extension(create_page_extension! {
            path: "/p",
            title: "Plugin",
            nav: { title: "Plugin" },
            render: |_req| async { Ok(html! { p { "Plugin page" } }) },
        }));
    }
    let mut builder = App::builder().plugin(FrontendPlugin::new("services").extension(create_page_extension! {
        path: "/services",
        title: "Services",
        nav: { title: "Services" },
        render: |req| async move {
            let rows = (0..50)
                .map(|i| vec![Cell::text(format!("service-{i}")), Cell::text(format!("team-{}", i % 7)), Cell::number(f64::from(i))])
                .collect();
            let table = Table {
                caption: "Services",
                columns: vec![Column::new("name", "Name"), Column::new("owner", "Owner"), Column::new("score", "Score")],
                rows,
                page_size: 20,
            };
            let state = TableState::from_pairs(req.query_pairs(), "");
            Ok(html! { h1 { "Services" } (table.render(&state)) })
        },
    }));
    // Distinct paths for the eight small plugins.
    let extensions: Vec<serde_json::Value> = (0..8)
        .map(|i| serde_json::json!({ format!("page:plugin-{i}"): { "config": { "path": format!("/p{i}") } } }))
        .collect();
    builder = builder.config(backstage_common::config::Config::from_value(
        serde_json::json!({ "app": { "title": "Bench", "extensions": extensions } }),
    ));
    for plugin in plugins {
        builder = builder.plugin(plugin);
    }
    match builder.build() {
        Ok(app) => app,
        Err(err) => panic!("bench app: {err}"),
    }
}

fn bench(c: &mut Criterion) {
    let app = app();
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(rt) => rt,
        Err(err) => panic!("runtime: {err}"),
    };
    let query = vec![
        ("sort".to_owned(), "owner".to_owned()),
        ("page".to_owned(), "2".to_owned()),
    ];
    c.bench_function("render /services (50-row table) in the shell", |b| {
        b.iter(|| {
            let (status, page) =
                runtime.block_on(app.render_path(black_box("/services"), query.clone()));
            black_box((status, page.into_string().len()))
        })
    });
    c.bench_function("render the 404 page in the shell", |b| {
        b.iter(|| {
            black_box(
                runtime
                    .block_on(app.render_path(black_box("/missing"), Vec::new()))
                    .1
                    .into_string()
                    .len(),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
