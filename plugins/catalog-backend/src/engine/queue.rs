//! The stitch queue: before a run writes a batch of results it records
//! every entity that batch may need stitched, under a claim of its own;
//! once the run has stitched, it deletes its entries. A replica that dies
//! in between leaves entries whose claim runs out, and the next run of any
//! replica takes them over and stitches them, so no written result stays
//! unstitched.

use std::collections::BTreeSet;

use backstage_backend::services::database::PluginDatabase;
use sea_query::{Expr, ExprTrait, Query};
use sqlx::{AssertSqlSafe, Row};

use super::EngineError;
use super::batch::{CHUNK, execute, fetch_strings};
use super::schema::{RELATIONS, STITCH_QUEUE};
use super::state::{DueRow, key_of, now_ms};
use crate::processing::ProcessingResult;
use crate::statement_chunks::StatementChunks;

/// Everything writing `outcomes` may ask to stitch: the entities, the
/// sources of the relations they emitted before and emit now, and their
/// children (whose orphan status may change).
pub(crate) async fn affected(
    db: &PluginDatabase,
    outcomes: &[(DueRow, ProcessingResult)],
    children: &BTreeSet<(String, String)>,
) -> Result<BTreeSet<String>, EngineError> {
    let mut out: BTreeSet<String> = outcomes
        .iter()
        .map(|(row, _)| row.entity_ref.clone())
        .collect();
    for (_, result) in outcomes {
        out.extend(result.relations.iter().map(|r| key_of(&r.source)));
    }
    out.extend(children.iter().map(|(_, child)| child.clone()));
    let origins: Vec<&str> = outcomes
        .iter()
        .map(|(row, _)| row.entity_ref.as_str())
        .collect();
    let dialect = db.dialect();
    let pool = db.pool().await?;
    for chunk in origins.statement_chunks(CHUNK) {
        let select = Query::select()
            .distinct()
            .column("source_entity_ref")
            .from(RELATIONS)
            .and_where(Expr::col("originating_entity_ref").is_in(chunk.iter().copied()))
            .to_owned();
        let (sql, values) = dialect.build(&select);
        for row in sqlx::query_with(AssertSqlSafe(sql), values)
            .fetch_all(pool)
            .await?
        {
            out.insert(row.try_get(0)?);
        }
    }
    Ok(out)
}

/// Records `refs` under `token`, claimed until `until`.
pub(crate) async fn enqueue(
    db: &PluginDatabase,
    refs: &BTreeSet<String>,
    token: &str,
    until: i64,
) -> Result<(), EngineError> {
    let dialect = db.dialect();
    let mut conn = db.pool().await?.acquire().await?;
    let refs: Vec<&String> = refs.iter().collect();
    for chunk in refs.statement_chunks(CHUNK) {
        let mut insert = Query::insert();
        insert
            .into_table(STITCH_QUEUE)
            .columns(["entity_ref", "claimed_by", "claim_until"]);
        for entity_ref in chunk {
            insert.values_panic([
                (*entity_ref).clone().into(),
                token.to_owned().into(),
                until.into(),
            ]);
        }
        execute(&mut conn, dialect, &insert).await?;
    }
    Ok(())
}

/// Takes over the entries whose claim ran out (their replica died before
/// stitching) and returns their refs.
pub(crate) async fn take_expired(
    db: &PluginDatabase,
    token: &str,
    until: i64,
) -> Result<BTreeSet<String>, EngineError> {
    let dialect = db.dialect();
    let mut conn = db.pool().await?.acquire().await?;
    let update = Query::update()
        .table(STITCH_QUEUE)
        .value("claimed_by", token.to_owned())
        .value("claim_until", until)
        .and_where(Expr::col("claim_until").lte(now_ms()))
        .to_owned();
    if execute(&mut conn, dialect, &update).await? == 0 {
        return Ok(BTreeSet::new());
    }
    let select = Query::select()
        .distinct()
        .column("entity_ref")
        .from(STITCH_QUEUE)
        .and_where(Expr::col("claimed_by").eq(token))
        .to_owned();
    Ok(fetch_strings(&mut conn, dialect, &select)
        .await?
        .into_iter()
        .collect())
}

/// Deletes the entries of `token` (they are stitched).
pub(crate) async fn done(db: &PluginDatabase, token: &str) -> Result<(), EngineError> {
    let dialect = db.dialect();
    let mut conn = db.pool().await?.acquire().await?;
    let delete = Query::delete()
        .from_table(STITCH_QUEUE)
        .and_where(Expr::col("claimed_by").eq(token))
        .to_owned();
    execute(&mut conn, dialect, &delete).await?;
    Ok(())
}
