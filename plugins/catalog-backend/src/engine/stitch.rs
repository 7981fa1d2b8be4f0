//! Stitching: the final form of an entity, from its processed form, the
//! relations whose source it is, and its processing errors.

use std::collections::BTreeSet;

use backstage_backend::services::database::PluginDatabase;
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Row};

use super::EngineError;
use super::schema::{RELATIONS, STATE};
use crate::store::CatalogStore;

/// Entities written to the store per call.
const CHUNK: usize = 200;

/// Stitches `refs` (lowercased) and writes them to the store; returns how
/// many were stitched. An entity that never processed successfully has no
/// final form yet and is skipped.
pub(crate) async fn stitch(
    db: &PluginDatabase,
    store: &CatalogStore,
    refs: &BTreeSet<String>,
) -> Result<usize, EngineError> {
    let dialect = db.dialect();
    let pool = db.pool().await?;
    let mut stitched = 0;
    let mut batch = Vec::with_capacity(CHUNK);
    for entity_ref in refs {
        let row = sqlx::query(AssertSqlSafe(dialect.positional(&format!(
            "SELECT processed_entity, errors FROM {STATE} WHERE entity_ref = $1"
        ))))
        .bind(entity_ref.clone())
        .fetch_optional(pool)
        .await?;
        let Some(row) = row else { continue };
        let processed: Option<String> = row.try_get(0)?;
        let errors: Option<String> = row.try_get(1)?;
        let Some(processed) = processed else { continue };
        let corrupt = |message: String| EngineError::Corrupt {
            entity_ref: entity_ref.clone(),
            message,
        };
        let mut entity: Value =
            serde_json::from_str(&processed).map_err(|e| corrupt(e.to_string()))?;
        let relations = sqlx::query(AssertSqlSafe(dialect.positional(&format!(
            "SELECT DISTINCT relation_type, target_entity_ref FROM {RELATIONS} WHERE source_entity_ref = $1 \
             ORDER BY relation_type, target_entity_ref"
        ))))
        .bind(entity_ref.clone())
        .fetch_all(pool)
        .await?;
        let relations = relations
            .into_iter()
            .map(|r| {
                Ok(json!({
                    "type": r.try_get::<String, _>(0)?,
                    "targetRef": r.try_get::<String, _>(1)?,
                }))
            })
            .collect::<Result<Vec<Value>, sqlx::Error>>()?;
        if let Some(object) = entity.as_object_mut() {
            object.insert("relations".to_owned(), Value::Array(relations));
            object.remove("status");
            if let Some(errors) = errors {
                let errors: Vec<Value> =
                    serde_json::from_str(&errors).map_err(|e| corrupt(e.to_string()))?;
                let items: Vec<Value> = errors
                    .into_iter()
                    .map(|error| {
                        let name = error["name"].as_str().unwrap_or("Error").to_owned();
                        let message = error["message"].as_str().unwrap_or_default().to_owned();
                        json!({
                            "type": "backstage.io/catalog-processing",
                            "level": "error",
                            "message": format!("{name}: {message}"),
                            "error": {"name": name, "message": message},
                        })
                    })
                    .collect();
                if !items.is_empty() {
                    object.insert("status".to_owned(), json!({"items": items}));
                }
            }
        }
        batch.push(entity);
        if batch.len() == CHUNK {
            stitched += batch.len();
            store.write_entities(&batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        stitched += batch.len();
        store.write_entities(&batch).await?;
    }
    Ok(stitched)
}
