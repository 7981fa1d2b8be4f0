//! The demo plugin: a greeting from config, greetings counted per name in
//! the plugin's own database with the counts cached, open routes and one
//! route that needs a credential.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use backstage_backend::BoxError;
use backstage_backend::backstage_core::config::ConfigSection;
use backstage_backend::http::ApiError;
use backstage_backend::prelude::*;
use backstage_backend::services::Logger;
use backstage_backend::services::cache::{CACHE, CacheService, CacheServiceExt};
use backstage_backend::services::database::{DATABASE, Migration, Migrations, PluginDatabase};
use schemars::JsonSchema;
use sea_query::{Expr, ExprTrait, OnConflict, Query};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::AssertSqlSafe;

/// `greeter` in app-config.yaml.
#[derive(Debug, Deserialize, JsonSchema, ConfigSection)]
#[config_section(path = "greeter", crate = "backstage_backend::backstage_core")]
pub(crate) struct GreeterConfig {
    /// What `GET /api/greeter/greeting` answers.
    #[schemars(extend("visibility" = "frontend"))]
    pub(crate) greeting: String,
}

/// The greeter's tables. One list for SQLite and PostgreSQL, and MySQL's
/// own where its key column needs a binary collation.
const MIGRATIONS: Migrations = Migrations::new(&[Migration::new(
    1,
    "count greetings per name",
    include_str!("../migrations/001_greetings.sql"),
)])
.mysql(&[Migration::new(
    1,
    "count greetings per name",
    include_str!("../migrations/001_greetings.mysql.sql"),
)]);

/// How long a count stays in the cache. Greeting someone refreshes it.
const COUNT_TTL: Duration = Duration::from_secs(60);

/// The longest name, in characters.
const MAX_NAME: usize = 64;

#[derive(Clone)]
struct Greeter {
    greeting: Arc<str>,
    db: Arc<PluginDatabase>,
    cache: Arc<dyn CacheService>,
    logger: Logger,
}

/// The greeter plugin:
///
/// - `GET /api/greeter/greeting` answers the configured greeting;
/// - `POST /api/greeter/greetings/{name}` greets `name` and counts it;
/// - `GET /api/greeter/greetings/{name}` tells how often `name` was greeted
///   (from the cache when it can);
/// - `GET /api/greeter/whoami` tells an authenticated caller who they are.
///
/// All but `whoami` are open to anyone.
pub(crate) fn greeter_plugin() -> BackendPlugin {
    BackendPlugin::builder("greeter")
        .package(env!("CARGO_PKG_NAME"))
        .description("Greets visitors and counts greetings; the example of a backend plugin")
        .config_schema(GreeterConfig::schema())
        .init(|ctx| async move {
            let config = GreeterConfig::from_config(ctx.config())?;
            let db = ctx.service(&DATABASE).await?;
            db.migrate(&MIGRATIONS).await?;
            let greeter = Greeter {
                greeting: config.greeting.into(),
                db,
                cache: ctx.service(&CACHE).await?,
                logger: ctx.logger().clone(),
            };
            ctx.http_router().use_router(
                Router::new()
                    .route("/greeting", get(greeting))
                    .route("/greetings/{name}", get(count).post(greet))
                    .route(
                        "/whoami",
                        get(
                            |Extension(credentials): Extension<Credentials>| async move {
                                Json(json!({ "subject": credentials.service_subject() }))
                            },
                        ),
                    )
                    .with_state(greeter),
            );
            ctx.http_router()
                .add_auth_policy("/greeting", Access::Unauthenticated);
            ctx.http_router()
                .add_auth_policy("/greetings", Access::Unauthenticated);
            ctx.logger().info("greeter ready");
            Ok::<_, BoxError>(())
        })
}

async fn greeting(State(greeter): State<Greeter>) -> Json<Value> {
    Json(json!({ "greeting": &*greeter.greeting }))
}

/// `POST /greetings/{name}`: counts the greeting and answers it.
async fn greet(
    State(greeter): State<Greeter>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let name = normalize(&name)?;
    let now = epoch_ms();
    // Insert the first greeting, or count one more: ON CONFLICT on SQLite
    // and PostgreSQL, ON DUPLICATE KEY on MySQL — sea-query writes each.
    let upsert = Query::insert()
        .into_table("greetings")
        .columns(["name", "times", "last_greeted_at"])
        .values_panic([name.clone().into(), 1.into(), now.into()])
        .on_conflict(
            OnConflict::column("name")
                .value("times", Expr::col(("greetings", "times")).add(1))
                .value("last_greeted_at", Expr::val(now))
                .to_owned(),
        )
        .to_owned();
    let (sql, values) = greeter.db.dialect().build(&upsert);
    let pool = greeter.db.pool().await.map_err(|e| greeter.failed(e))?;
    sqlx::query_with(AssertSqlSafe(sql), values)
        .execute(pool)
        .await
        .map_err(|e| greeter.failed(e))?;
    let times = greeter.times(&name).await?;
    greeter
        .cache
        .set(&cache_key(&name), json!(times), Some(COUNT_TTL))
        .await;
    Ok(Json(json!({
        "greeting": format!("{}, {name}!", greeter.greeting),
        "name": name,
        "times": times,
    })))
}

/// `GET /greetings/{name}`: how often `name` was greeted; `cached` tells
/// whether the count came from the cache.
async fn count(
    State(greeter): State<Greeter>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let name = normalize(&name)?;
    let key = cache_key(&name);
    if let Some(times) = greeter.cache.get_json::<i64>(&key).await {
        return Ok(Json(
            json!({ "name": name, "times": times, "cached": true }),
        ));
    }
    let times = greeter.times(&name).await?;
    greeter.cache.set(&key, json!(times), Some(COUNT_TTL)).await;
    Ok(Json(
        json!({ "name": name, "times": times, "cached": false }),
    ))
}

impl Greeter {
    /// The count in the database (0 for a name never greeted).
    async fn times(&self, name: &str) -> Result<i64, ApiError> {
        let select = Query::select()
            .column("times")
            .from("greetings")
            .and_where(Expr::col("name").eq(name))
            .to_owned();
        let (sql, values) = self.db.dialect().build(&select);
        let pool = self.db.pool().await.map_err(|e| self.failed(e))?;
        let times: Option<i64> = sqlx::query_scalar_with(AssertSqlSafe(sql), values)
            .fetch_optional(pool)
            .await
            .map_err(|e| self.failed(e))?;
        Ok(times.unwrap_or(0))
    }

    /// Logs a database error; the caller gets a 500 without the details.
    fn failed(&self, error: impl std::fmt::Display) -> ApiError {
        self.logger
            .error(&format!("greetings database of plugin 'greeter': {error}"));
        ApiError::internal("the greetings could not be counted; see the backend log")
    }
}

/// Names are keys: trimmed and lowercased, so "Ada" and "ada " are one name.
fn normalize(name: &str) -> Result<String, ApiError> {
    let name = name.trim().to_lowercase();
    let length = name.chars().count();
    if length == 0 || length > MAX_NAME {
        return Err(ApiError::input(format!(
            "a name has 1 to {MAX_NAME} characters; got {length}"
        )));
    }
    Ok(name)
}

fn cache_key(name: &str) -> String {
    format!("greetings:{name}")
}

fn epoch_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_lowercased_and_bounded() {
        assert_eq!(normalize(" Ada ").unwrap(), "ada");
        assert_eq!(normalize("ÉLODIE").unwrap(), "élodie");
        assert_eq!(normalize("  ").unwrap_err().status(), 400);
        assert!(normalize(&"n".repeat(MAX_NAME)).is_ok());
        assert!(normalize(&"n".repeat(MAX_NAME + 1)).is_err());
    }
}
