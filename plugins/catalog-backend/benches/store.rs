//! The catalog store at scale: fills SQLite (a file) — and PostgreSQL when
//! BACKSTAGE_TEST_POSTGRES_URL names a server — with generated entities
//! (STORE_BENCH_ENTITIES, default 100,000), then prints the index's row
//! counts and size, the query plans of the main filters, and their timings.
//!
//! `cargo bench -p backstage-plugin-catalog-backend --bench store`

use std::sync::Arc;
use std::time::{Duration, Instant};

use backstage_backend::backstage_core::config::Config;
use backstage_backend::services::database::DatabaseManager;
use backstage_plugin_catalog_backend::store::{CatalogStore, EntityQuery, PagePosition};
use backstage_plugin_catalog_common::{EntityOrder, EntityPredicate};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Row};

/// An imaginary company of `n` entities: groups, users, systems, APIs and
/// components with owners, tags, annotations and relations.
fn entity(i: usize, n: usize) -> Value {
    let groups = (n / 100).max(1);
    let systems = (n / 25).max(1);
    let group = |j: usize| format!("team-{:04}", j % groups);
    let file = format!(
        "url:https://git.example.com/org/repo-{:05}/blob/main/catalog-info.yaml",
        i / 10
    );
    let langs = [
        "java",
        "go",
        "rust",
        "python",
        "typescript",
        "kotlin",
        "scala",
    ];
    let annotations = json!({
        "backstage.io/managed-by-location": file,
        "backstage.io/managed-by-origin-location": "url:https://git.example.com/org/catalog/all.yaml",
        "backstage.io/source-location": format!("url:https://git.example.com/org/repo-{:05}/", i / 10),
    });
    let owner = group(i * 7);
    let api_type = ["openapi", "grpc", "asyncapi"][i % 3];
    let component_type = ["service", "website", "library"][i % 3];
    let lifecycle = ["production", "experimental", "deprecated"][(i / 3) % 3];
    match i % 100 {
        // 1% groups
        0 => json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Group",
            "metadata": {"name": group(i / 100), "annotations": annotations},
            "spec": {"type": "team", "children": []},
            "relations": [{"type": "childOf", "targetRef": "group:default/engineering"}]
        }),
        // 20% users
        1..=20 => json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "User",
            "metadata": {"name": format!("user-{i:06}"), "annotations": annotations},
            "spec": {"profile": {"displayName": format!("User {i}"), "email": format!("user-{i}@example.com")},
                     "memberOf": [owner.clone()]},
            "relations": [{"type": "memberOf", "targetRef": format!("group:default/{owner}")}]
        }),
        // 4% systems
        21..=24 => json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "System",
            "metadata": {"name": format!("system-{:05}", (i / 100) * 4 + i % 100 - 21), "annotations": annotations},
            "spec": {"owner": owner.clone()},
            "relations": [{"type": "ownedBy", "targetRef": format!("group:default/{owner}")}]
        }),
        // 15% APIs
        25..=39 => json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "API",
            "metadata": {"name": format!("api-{i:06}"), "annotations": annotations,
                         "tags": [langs[i % langs.len()]], "description": format!("The API number {i} of the company")},
            "spec": {"type": api_type, "lifecycle": "production", "owner": owner.clone(),
                     "system": format!("system-{:05}", i % systems), "definition": "openapi: 3.0.0"},
            "relations": [
                {"type": "ownedBy", "targetRef": format!("group:default/{owner}")},
                {"type": "partOf", "targetRef": format!("system:default/system-{:05}", i % systems)},
            ]
        }),
        // 60% components
        _ => json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": format!("component-{i:06}"), "title": format!("Component {i}"),
                         "description": format!("Component {i} does useful things for team {owner}"),
                         "annotations": annotations,
                         "tags": [langs[i % langs.len()], langs[(i / 7) % langs.len()]],
                         "links": [{"url": format!("https://dash.example.com/c/{i}"), "title": "Dashboard"}]},
            "spec": {"type": component_type,
                     "lifecycle": lifecycle,
                     "owner": owner.clone(), "system": format!("system-{:05}", i % systems),
                     "providesApis": [format!("api-{:06}", (i / 100) * 100 + 25 + i % 15)]},
            "relations": [
                {"type": "ownedBy", "targetRef": format!("group:default/{owner}")},
                {"type": "partOf", "targetRef": format!("system:default/system-{:05}", i % systems)},
                {"type": "providesApi", "targetRef": format!("api:default/api-{:06}", (i / 100) * 100 + 25 + i % 15)},
            ]
        }),
    }
}

fn pred(value: Value) -> anyhow::Result<EntityPredicate> {
    Ok(serde_json::from_value(value)?)
}

async fn bench(name: &str, store: &CatalogStore, n: usize) -> anyhow::Result<()> {
    println!("\n=== {name}: {n} entities ===");
    let started = Instant::now();
    let batch = 500;
    let mut i = 0;
    while i < n {
        let entities: Vec<Value> = (i..(i + batch).min(n)).map(|j| entity(j, n)).collect();
        store.write_entities(&entities).await?;
        i += batch;
    }
    let fill = started.elapsed();
    println!(
        "filled in {:.1} s ({:.0} entities/s, batches of {batch})",
        fill.as_secs_f64(),
        n as f64 / fill.as_secs_f64()
    );
    let stats = store.index_stats().await?;
    println!(
        "rows: entities {}, keys {}, values {}, postings {} ({:.1} per entity)",
        stats.entities,
        stats.keys,
        stats.values,
        stats.postings,
        stats.postings as f64 / stats.entities.max(1) as f64
    );
    // An unchanged rewrite of 1,000 entities: hashes only, no writes.
    let entities: Vec<Value> = (0..1000.min(n)).map(|j| entity(j, n)).collect();
    let t = Instant::now();
    store.write_entities(&entities).await?;
    println!(
        "unchanged rewrite of {} entities: {:.1} ms",
        entities.len(),
        ms(t.elapsed())
    );

    let queries: Vec<(&str, EntityQuery)> = vec![
        (
            "kind=component (page of 100)",
            page(pred(json!({"kind": "component"}))?, None),
        ),
        (
            "spec.type=service + spec.owner (page of 100)",
            page(
                pred(json!({"spec.type": "service", "spec.owner": "team-0350"}))?,
                None,
            ),
        ),
        (
            "relations.ownedBy (page of 100)",
            page(
                pred(json!({"relations.ownedBy": "group:default/team-0350"}))?,
                None,
            ),
        ),
        (
            "metadata.tags contains rust (page of 100)",
            page(pred(json!({"metadata.tags": {"$contains": "rust"}}))?, None),
        ),
        (
            "kind=user ordered by metadata.name (page of 100)",
            page(
                pred(json!({"kind": "user"}))?,
                Some(EntityOrder::asc("metadata.name")),
            ),
        ),
        (
            "metadata.name hasPrefix component-0999 (page of 100)",
            page(
                pred(json!({"metadata.name": {"$hasPrefix": "component-0999"}}))?,
                None,
            ),
        ),
    ];
    for (label, query) in &queries {
        println!("\n-- {label}");
        for line in store.explain_query(query).await? {
            println!("   {line}");
        }
        let (per, page) = time(|| store.query_entities(query)).await?;
        println!(
            "   {:.2} ms per query (with COUNT), {} items, total {:?}",
            ms(per),
            page.items.len(),
            page.total_items
        );
        let no_count = EntityQuery {
            count_total: false,
            ..query.clone()
        };
        let (per, _) = time(|| store.query_entities(&no_count)).await?;
        println!("   {:.2} ms per query without COUNT", ms(per));
        if let Some(last) = page.items.last() {
            let next = EntityQuery {
                position: PagePosition::After(last.position()),
                ..no_count.clone()
            };
            let (per, _) = time(|| store.query_entities(&next)).await?;
            println!("   {:.2} ms per next page (keyset cursor)", ms(per));
        }
    }
    let facet_filter = pred(json!({"kind": "component"}))?;
    println!("\n-- facet spec.type over kind=component");
    for line in store
        .explain_facet("spec.type", Some(&facet_filter))
        .await?
    {
        println!("   {line}");
    }
    let facets = ["spec.type".to_owned()];
    let (per, counts) = time(|| store.facets(&facets, Some(&facet_filter))).await?;
    println!("   {:.2} ms per facet query: {:?}", ms(per), counts[0].1);
    let tags = ["metadata.tags".to_owned()];
    let (per, _) = time(|| store.facets(&tags, None)).await?;
    println!("-- facet metadata.tags (no filter): {:.2} ms", ms(per));
    let kinds = ["kind".to_owned()];
    let (per, _) = time(|| store.facets(&kinds, None)).await?;
    println!("-- facet kind (no filter): {:.2} ms", ms(per));
    let refs = ["component:default/component-000042".to_owned()];
    let (per, _) = time(|| store.entities_by_refs(&refs)).await?;
    println!("-- by ref: {:.3} ms", ms(per));
    Ok(())
}

fn page(filter: EntityPredicate, order: Option<EntityOrder>) -> EntityQuery {
    EntityQuery {
        filter: Some(filter),
        order,
        limit: Some(100),
        count_total: true,
        ..EntityQuery::default()
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `f` a few times after a warm-up; the mean time and the last result.
async fn time<T, F, Fut>(f: F) -> anyhow::Result<(Duration, T)>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, backstage_plugin_catalog_backend::store::StoreError>>,
{
    let mut last = f().await?;
    let runs = 10;
    let t = Instant::now();
    for _ in 0..runs {
        last = f().await?;
    }
    Ok((t.elapsed() / runs, last))
}

fn open(
    section: Value,
) -> anyhow::Result<(
    Arc<backstage_backend::services::database::PluginDatabase>,
    CatalogStore,
)> {
    let manager = DatabaseManager::new(Arc::new(Config::from_value(
        json!({"backend": {"database": section}}),
    )));
    let db = Arc::new(manager.for_plugin("catalog")?);
    Ok((Arc::clone(&db), CatalogStore::new(db)))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::var("STORE_BENCH_ENTITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let (db, store) = open(json!({"client": "sqlite", "connection": {"directory": dir.path()}}))?;
    store.migrate().await?;
    bench("SQLite (file)", &store, n).await?;
    let pool = db.pool().await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(pool)
        .await
        .ok();
    let mut total = 0;
    for entry in std::fs::read_dir(dir.path())? {
        let entry = entry?;
        let len = entry.metadata()?.len();
        println!(
            "file {}: {:.1} MiB",
            entry.file_name().to_string_lossy(),
            len as f64 / 1048576.0
        );
        total += len;
    }
    println!("database size: {:.1} MiB", total as f64 / 1048576.0);
    let sizes = sqlx::query("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
        .fetch_all(pool)
        .await;
    match sizes {
        Ok(rows) => {
            for row in rows {
                let name: String = row.try_get(0)?;
                let size: i64 = row.try_get(1)?;
                println!("  {name}: {:.1} MiB", size as f64 / 1048576.0);
            }
        }
        Err(e) => println!("  (no per-table sizes: {e})"),
    }
    db.close().await;

    if let Some(url) = std::env::var("BACKSTAGE_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        let prefix = format!("storebench{}_", std::process::id());
        let (db, store) = open(json!({"client": "pg", "connection": url, "prefix": prefix}))?;
        store.migrate().await?;
        let pool = db.pool().await?;
        let outcome = async {
            bench("PostgreSQL", &store, n).await?;
            sqlx::query("VACUUM ANALYZE").execute(pool).await?;
            println!("(after VACUUM ANALYZE)");
            let q = page(pred(json!({"spec.type": "service", "spec.owner": "team-0350"}))?, None);
            for line in store.explain_query(&q).await? {
                println!("   {line}");
            }
            let rows = sqlx::query(AssertSqlSafe(
                "SELECT relname::text, pg_total_relation_size(oid)::bigint FROM pg_class WHERE relname LIKE 'catalog_%' AND relkind = 'r' ORDER BY 2 DESC",
            ))
            .fetch_all(pool)
            .await?;
            for row in rows {
                let name: String = row.try_get(0)?;
                let size: i64 = row.try_get(1)?;
                println!("  {name}: {:.1} MiB (with indexes)", size as f64 / 1048576.0);
            }
            anyhow::Ok(())
        }
        .await;
        db.close().await;
        sqlx::any::install_default_drivers();
        let admin = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await?;
        sqlx::raw_sql(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{prefix}catalog\" WITH (FORCE)"
        )))
        .execute(&admin)
        .await?;
        admin.close().await;
        outcome?;
    } else {
        println!("\nskipped PostgreSQL: BACKSTAGE_TEST_POSTGRES_URL is not set");
    }
    Ok(())
}
