//! What stitching adds to a final entity besides its processed form and
//! relations: the `backstage.io/orphan` annotation when nothing emits the
//! entity any more, and a status item for each entity it emitted that
//! another location owns (a conflict).

use std::collections::{BTreeMap, BTreeSet};

use backstage_backend::services::database::PluginDatabase;
use sea_query::{Expr, ExprTrait, Query};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Row};

use super::EngineError;
use super::batch::CHUNK;
use super::schema::CONFLICTS;
use super::state::key_of;
use crate::statement_chunks::StatementChunks;

/// The annotation an entity no longer emitted by anything carries.
pub const ORPHAN_ANNOTATION: &str = "backstage.io/orphan";

/// The status item type of catalog processing problems.
const PROCESSING_STATUS: &str = "backstage.io/catalog-processing";

/// A conflict: `entity_ref` was emitted from `location_key`, but
/// `owner_key` provides it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Conflict {
    pub(crate) entity_ref: String,
    pub(crate) location_key: String,
    pub(crate) owner_key: Option<String>,
}

impl Conflict {
    /// The warning shown on the emitting entity's status.
    pub(crate) fn message(&self) -> String {
        format!(
            "ConflictError: {} from {} was not stored: it is already provided by {}; the first location to provide an entity owns it, so remove it from one of the two",
            self.entity_ref,
            self.location_key,
            self.owner_key.as_deref().unwrap_or("another source")
        )
    }
}

/// The recorded conflicts of each of `parents`.
pub(crate) async fn conflicts_of(
    conn: &mut sqlx::AnyConnection,
    dialect: backstage_backend::services::database::Dialect,
    parents: &[&str],
) -> Result<BTreeMap<String, BTreeSet<Conflict>>, EngineError> {
    let mut out: BTreeMap<String, BTreeSet<Conflict>> = BTreeMap::new();
    for chunk in parents.statement_chunks(CHUNK) {
        let select = Query::select()
            .columns([
                "parent_entity_ref",
                "entity_ref",
                "location_key",
                "owner_key",
            ])
            .from(CONFLICTS)
            .and_where(Expr::col("parent_entity_ref").is_in(chunk.iter().copied()))
            .to_owned();
        let (sql, values) = dialect.build(&select);
        for row in sqlx::query_with(AssertSqlSafe(sql), values)
            .fetch_all(&mut *conn)
            .await?
        {
            out.entry(row.try_get(0)?).or_default().insert(Conflict {
                entity_ref: row.try_get(1)?,
                location_key: row.try_get(2)?,
                owner_key: row.try_get(3)?,
            });
        }
    }
    Ok(out)
}

/// Adds the orphan annotation and conflict warnings to a chunk of
/// stitched entities (each with its lowercased ref).
pub(crate) async fn decorate(db: &PluginDatabase, batch: &mut [Value]) -> Result<(), EngineError> {
    let refs: Vec<String> = batch
        .iter()
        .filter_map(|entity| crate::processing::entity_ref_of(entity).ok())
        .map(|r| key_of(&r))
        .collect();
    if refs.is_empty() {
        return Ok(());
    }
    let dialect = db.dialect();
    let mut conn = db.pool().await?.acquire().await?;
    let referenced = super::prune::referenced(&mut conn, dialect, &refs).await?;
    let keys: Vec<&str> = refs.iter().map(String::as_str).collect();
    let conflicts = conflicts_of(&mut conn, dialect, &keys).await?;
    for entity in batch.iter_mut() {
        let Ok(entity_ref) = crate::processing::entity_ref_of(entity) else {
            continue;
        };
        let key = key_of(&entity_ref);
        set_orphan(entity, !referenced.contains(&key));
        if let Some(conflicts) = conflicts.get(&key) {
            add_conflicts(entity, conflicts);
        }
    }
    Ok(())
}

fn set_orphan(entity: &mut Value, orphan: bool) {
    let Some(metadata) = entity.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if orphan {
        let annotations = metadata.entry("annotations").or_insert_with(|| json!({}));
        if let Some(map) = annotations.as_object_mut() {
            map.insert(ORPHAN_ANNOTATION.to_owned(), json!("true"));
        }
    } else if let Some(map) = metadata
        .get_mut("annotations")
        .and_then(Value::as_object_mut)
    {
        map.remove(ORPHAN_ANNOTATION);
    }
}

fn add_conflicts(entity: &mut Value, conflicts: &BTreeSet<Conflict>) {
    let Some(object) = entity.as_object_mut() else {
        return;
    };
    let status = object.entry("status").or_insert_with(|| json!({}));
    let Some(status) = status.as_object_mut() else {
        return;
    };
    let items = status.entry("items").or_insert_with(|| json!([]));
    let Some(items) = items.as_array_mut() else {
        return;
    };
    for conflict in conflicts {
        let message = conflict.message();
        let detail = message.trim_start_matches("ConflictError: ").to_owned();
        items.push(json!({
            "type": PROCESSING_STATUS,
            "level": "warning",
            "message": message,
            "error": {"name": "ConflictError", "message": detail},
        }));
    }
}
