//! Locations registered through the API, in a table of the catalog's
//! database. Each one is a root `Location` entity owned by the source key
//! [`REGISTERED`]; the ones from `catalog.locations` are owned by `config`
//! and are not listed here.

use backstage_backend::services::database::PluginDatabase;
use backstage_plugin_catalog_node::LocationSpec;
use sea_query::{Expr, ExprTrait, Order, Query};
use sqlx::{AssertSqlSafe, Row};

use super::EngineError;
use super::hash::hash_text;
use super::root::root_ref;
use super::schema::LOCATIONS;
use super::state::now_ms;

/// The source key that owns the roots of registered locations.
pub(crate) const REGISTERED: &str = "registered-locations";

/// A location registered through the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredLocation {
    /// Its id (a random UUID).
    pub id: String,
    /// Its type, e.g. `url`.
    pub location_type: String,
    /// Its target, e.g. a URL.
    pub target: String,
}

impl RegisteredLocation {
    /// The location as the processors read it.
    pub fn spec(&self) -> LocationSpec {
        LocationSpec::new(&self.location_type, &self.target)
    }

    /// The ref of its root `Location` entity,
    /// `location:default/generated-<hash>`.
    pub fn entity_ref(&self) -> String {
        root_ref(&self.spec())
    }
}

fn key_hash(location: &LocationSpec) -> String {
    hash_text(&location.key())
}

/// A random version 4 UUID.
pub(crate) fn new_id() -> Result<String, EngineError> {
    crate::uuid::random_uuid().map_err(|e| EngineError::Corrupt {
        entity_ref: String::new(),
        message: e.to_string(),
    })
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<RegisteredLocation, EngineError> {
    Ok(RegisteredLocation {
        id: row.try_get(0)?,
        location_type: row.try_get(1)?,
        target: row.try_get(2)?,
    })
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns(["id", "location_type", "target"])
        .from(LOCATIONS)
        .to_owned()
}

/// Every registered location, oldest first.
pub(crate) async fn list(db: &PluginDatabase) -> Result<Vec<RegisteredLocation>, EngineError> {
    let query = select()
        .order_by("created_at", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned();
    let (sql, values) = db.dialect().build(&query);
    let rows = sqlx::query_with(AssertSqlSafe(sql), values)
        .fetch_all(db.pool().await?)
        .await?;
    rows.iter().map(from_row).collect()
}

/// The location with this id.
pub(crate) async fn by_id(
    db: &PluginDatabase,
    id: &str,
) -> Result<Option<RegisteredLocation>, EngineError> {
    let query = select().and_where(Expr::col("id").eq(id)).to_owned();
    let (sql, values) = db.dialect().build(&query);
    let row = sqlx::query_with(AssertSqlSafe(sql), values)
        .fetch_optional(db.pool().await?)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The registered location of this type and target.
pub(crate) async fn by_spec(
    db: &PluginDatabase,
    location: &LocationSpec,
) -> Result<Option<RegisteredLocation>, EngineError> {
    let query = select()
        .and_where(Expr::col("key_hash").eq(key_hash(location)))
        .to_owned();
    let (sql, values) = db.dialect().build(&query);
    let row = sqlx::query_with(AssertSqlSafe(sql), values)
        .fetch_optional(db.pool().await?)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Inserts `location` with a new id, inside `conn`'s transaction; `None`
/// when it is registered already (the unique key decides, so two replicas
/// registering one location at once end with one row).
pub(crate) async fn insert(
    conn: &mut sqlx::AnyConnection,
    dialect: backstage_backend::services::database::Dialect,
    location: &LocationSpec,
) -> Result<Option<RegisteredLocation>, EngineError> {
    let id = new_id()?;
    let insert = Query::insert()
        .into_table(LOCATIONS)
        .columns(["id", "location_type", "target", "key_hash", "created_at"])
        .values_panic([
            id.clone().into(),
            location.location_type.clone().into(),
            location.target.clone().into(),
            key_hash(location).into(),
            now_ms().into(),
        ])
        .to_owned();
    let (sql, values) = dialect.build(&insert);
    match sqlx::query_with(AssertSqlSafe(sql), values)
        .execute(&mut *conn)
        .await
    {
        Ok(_) => Ok(Some(RegisteredLocation {
            id,
            location_type: location.location_type.clone(),
            target: location.target.clone(),
        })),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Deletes the location with this id inside `conn`'s transaction; whether
/// there was one.
pub(crate) async fn delete(
    conn: &mut sqlx::AnyConnection,
    dialect: backstage_backend::services::database::Dialect,
    id: &str,
) -> Result<bool, EngineError> {
    let delete = Query::delete()
        .from_table(LOCATIONS)
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    let (sql, values) = dialect.build(&delete);
    let done = sqlx::query_with(AssertSqlSafe(sql), values)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Gives the location `id` a new type and target inside `conn`'s
/// transaction; `None` when there is no such location, `Some(false)` when
/// another location has that type and target already.
pub(crate) async fn update(
    conn: &mut sqlx::AnyConnection,
    dialect: backstage_backend::services::database::Dialect,
    id: &str,
    location: &LocationSpec,
) -> Result<Option<bool>, EngineError> {
    let update = Query::update()
        .table(LOCATIONS)
        .value("location_type", location.location_type.clone())
        .value("target", location.target.clone())
        .value("key_hash", key_hash(location))
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    let (sql, values) = dialect.build(&update);
    match sqlx::query_with(AssertSqlSafe(sql), values)
        .execute(&mut *conn)
        .await
    {
        Ok(done) if done.rows_affected() == 0 => Ok(None),
        Ok(_) => Ok(Some(true)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(Some(false)),
        Err(e) => Err(e.into()),
    }
}
