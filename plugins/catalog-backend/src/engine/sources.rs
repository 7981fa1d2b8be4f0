//! Sources that own entities without being entities: `config` (the
//! configured locations), the registered locations, and entity providers.
//! Each owns the state rows it references with its `source_key`.

use std::collections::HashSet;

use backstage_backend::services::database::Dialect;
use backstage_plugin_catalog_node::LocationSpec;
use sea_query::{Expr, ExprTrait, Query};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::EngineError;
use super::batch::{CHUNK, execute, fetch_strings, insert_references};
use super::root::{location_entity, root_ref};
use super::schema::{REFERENCES, STATE};
use super::unprocessed::{Unprocessed, upsert_unprocessed};
use crate::statement_chunks::StatementChunks;

/// The refs `source_key` references.
pub(crate) async fn owned_by(
    conn: &mut AnyConnection,
    dialect: Dialect,
    source_key: &str,
) -> Result<Vec<String>, EngineError> {
    let select = Query::select()
        .column("target_entity_ref")
        .from(REFERENCES)
        .and_where(Expr::col("source_key").eq(source_key))
        .to_owned();
    fetch_strings(conn, dialect, &select).await
}

/// Upserts `items` as entities owned by `source_key`: the first location
/// to claim an entity owns it, so an item whose ref another location owns
/// is left out (with a warning). Each owned item gets one reference from
/// `source_key`. Returns, per item, whether it is owned.
pub(crate) async fn attach(
    conn: &mut AnyConnection,
    dialect: Dialect,
    source_key: &str,
    items: &[Unprocessed],
) -> Result<Vec<bool>, EngineError> {
    let owned = upsert_unprocessed(conn, dialect, items).await?;
    let mut existing = HashSet::new();
    let refs: Vec<&str> = items.iter().map(|i| i.entity_ref.as_str()).collect();
    for chunk in refs.statement_chunks(CHUNK) {
        let select = Query::select()
            .column("target_entity_ref")
            .from(REFERENCES)
            .and_where(Expr::col("source_key").eq(source_key))
            .and_where(Expr::col("target_entity_ref").is_in(chunk.iter().copied()))
            .to_owned();
        let (sql, values) = dialect.build(&select);
        for row in sqlx::query_with(AssertSqlSafe(sql), values)
            .fetch_all(&mut *conn)
            .await?
        {
            existing.insert(row.try_get::<String, _>(0)?);
        }
    }
    let mut references = Vec::new();
    for (item, owned) in items.iter().zip(&owned) {
        if !owned {
            tracing::warn!(
                entity = %item.entity_ref,
                source = %source_key,
                location = %item.location_key,
                "detected a conflicting entity ref: another location already provides it; this one is ignored"
            );
        } else if existing.insert(item.entity_ref.clone()) {
            references.push((Some(source_key), None, item.entity_ref.as_str()));
        }
    }
    insert_references(conn, dialect, &references).await?;
    Ok(owned)
}

/// Removes the references `source_key` holds to `targets`.
pub(crate) async fn detach(
    conn: &mut AnyConnection,
    dialect: Dialect,
    source_key: &str,
    targets: &[String],
) -> Result<(), EngineError> {
    for chunk in targets.statement_chunks(CHUNK) {
        let delete = Query::delete()
            .from_table(REFERENCES)
            .and_where(Expr::col("source_key").eq(source_key))
            .and_where(Expr::col("target_entity_ref").is_in(chunk.iter().map(String::as_str)))
            .to_owned();
        execute(conn, dialect, &delete).await?;
    }
    Ok(())
}

/// Makes each of `locations` a root `Location` entity owned by
/// `source_key`, due now. A root that never processed gets its generated
/// entity as its processed form, so that when reading its target fails
/// the error shows on the location's entity (its status) instead of the
/// location being invisible. Returns the roots' refs.
pub(crate) async fn attach_roots(
    conn: &mut AnyConnection,
    dialect: Dialect,
    source_key: &str,
    locations: &[LocationSpec],
) -> Result<Vec<String>, EngineError> {
    let roots: Vec<Unprocessed> = locations
        .iter()
        .map(|location| Unprocessed::new(root_ref(location), &location_entity(location), location))
        .collect();
    attach(conn, dialect, source_key, &roots).await?;
    let refs: Vec<String> = roots.iter().map(|r| r.entity_ref.clone()).collect();
    for chunk in refs.statement_chunks(CHUNK) {
        let due = Query::update()
            .table(STATE)
            .value("next_update_at", 0i64)
            .and_where(Expr::col("entity_ref").is_in(chunk.iter().map(String::as_str)))
            .to_owned();
        execute(conn, dialect, &due).await?;
        let seed = Query::update()
            .table(STATE)
            .value("processed_entity", Expr::col("unprocessed_entity"))
            .and_where(Expr::col("entity_ref").is_in(chunk.iter().map(String::as_str)))
            .and_where(Expr::col("processed_entity").is_null())
            .to_owned();
        execute(conn, dialect, &seed).await?;
    }
    Ok(refs)
}
