//! Unprocessed entities: the state rows that locations and providers fill.

use std::collections::HashMap;

use backstage_backend::services::database::Dialect;
use backstage_plugin_catalog_node::LocationSpec;
use sea_query::{Expr, ExprTrait, Query};
use serde_json::Value;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::EngineError;
use super::batch::{CHUNK, execute};
use super::hash::hash_text;
use super::schema::STATE;
use crate::statement_chunks::StatementChunks;

/// An unprocessed entity read from a location, ready to be stored.
#[derive(Clone, Debug)]
pub(crate) struct Unprocessed {
    /// The lowercased ref.
    pub(crate) entity_ref: String,
    text: String,
    hash: String,
    location_type: String,
    location_target: String,
    /// The key of the location that claims the entity (empty when the
    /// entity comes without one).
    pub(crate) location_key: String,
    /// Whether the entity comes without a location key: it is stored
    /// without an owner, so any location may take it over.
    keyless: bool,
}

impl Unprocessed {
    /// `entity` (lowercased ref `entity_ref`) as read from `location`.
    pub(crate) fn new(entity_ref: String, entity: &Value, location: &LocationSpec) -> Self {
        Self::from_json(entity_ref, entity.to_string(), location)
    }

    /// An entity given as its JSON text.
    pub(crate) fn from_json(entity_ref: String, text: String, location: &LocationSpec) -> Self {
        Self {
            entity_ref,
            hash: hash_text(&text),
            text,
            location_type: location.location_type.clone(),
            location_target: location.target.clone(),
            location_key: location.key(),
            keyless: false,
        }
    }

    /// Sets the location key that claims the entity (a provider's
    /// choice): `None` claims nothing.
    pub(crate) fn with_location_key(mut self, key: Option<String>) -> Self {
        self.keyless = key.is_none();
        self.location_key = key.unwrap_or_default();
        self
    }

    /// The key stored as the row's owner.
    fn owner_key(&self) -> Option<&str> {
        (!self.keyless).then_some(self.location_key.as_str())
    }
}

/// What the stored row of one ref becomes.
enum Slot {
    /// Stored, and left alone so far.
    Stored { owner: Option<String>, hash: String },
    /// To insert this item.
    Insert(usize),
    /// Stored, to update with this item.
    Update(usize),
}

/// Inserts or updates the state rows of `items`, in order, as if one at a
/// time: a row owned by another location key is left alone (the first
/// location to claim an entity owns it); a changed entity becomes due now.
/// Returns, per item, whether its location owns the row.
pub(crate) async fn upsert_unprocessed(
    conn: &mut AnyConnection,
    dialect: Dialect,
    items: &[Unprocessed],
) -> Result<Vec<bool>, EngineError> {
    let mut slots: HashMap<&str, Slot> = HashMap::with_capacity(items.len());
    let mut refs: Vec<&str> = items.iter().map(|i| i.entity_ref.as_str()).collect();
    refs.sort_unstable();
    refs.dedup();
    for chunk in refs.statement_chunks(CHUNK) {
        let select = Query::select()
            .columns(["entity_ref", "location_key", "unprocessed_hash"])
            .from(STATE)
            .and_where(Expr::col("entity_ref").is_in(chunk.iter().copied()))
            .to_owned();
        let (sql, values) = dialect.build(&select);
        let rows = sqlx::query_with(AssertSqlSafe(sql), values)
            .fetch_all(&mut *conn)
            .await?;
        for row in rows {
            let entity_ref: String = row.try_get(0)?;
            if let Ok(i) = refs.binary_search(&entity_ref.as_str()) {
                slots.insert(
                    refs[i],
                    Slot::Stored {
                        owner: row.try_get(1)?,
                        hash: row.try_get(2)?,
                    },
                );
            }
        }
    }

    let mut owned = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let slot = slots.get_mut(item.entity_ref.as_str());
        let (owner, hash) = match &slot {
            None => {
                slots.insert(&item.entity_ref, Slot::Insert(index));
                owned.push(true);
                continue;
            }
            Some(Slot::Stored { owner, hash }) => (owner.as_deref(), hash.as_str()),
            Some(Slot::Insert(i) | Slot::Update(i)) => {
                (items[*i].owner_key(), items[*i].hash.as_str())
            }
        };
        if owner.is_some_and(|owner| Some(owner) != item.owner_key()) {
            owned.push(false);
            continue;
        }
        owned.push(true);
        if hash != item.hash
            && let Some(slot) = slot
        {
            *slot = match slot {
                Slot::Insert(_) => Slot::Insert(index),
                Slot::Stored { .. } | Slot::Update(_) => Slot::Update(index),
            };
        }
    }

    let mut inserts: Vec<&Unprocessed> = Vec::new();
    let mut updates: Vec<&Unprocessed> = Vec::new();
    for slot in slots.values() {
        match slot {
            Slot::Insert(i) => inserts.push(&items[*i]),
            Slot::Update(i) => updates.push(&items[*i]),
            Slot::Stored { .. } => {}
        }
    }
    inserts.sort_by(|a, b| a.entity_ref.cmp(&b.entity_ref));
    for chunk in inserts.statement_chunks(CHUNK / 2) {
        let mut insert = Query::insert();
        insert.into_table(STATE).columns([
            "entity_ref",
            "unprocessed_entity",
            "unprocessed_hash",
            "location_type",
            "location_target",
            "location_key",
            "next_update_at",
        ]);
        for item in chunk {
            insert.values_panic([
                item.entity_ref.clone().into(),
                item.text.clone().into(),
                item.hash.clone().into(),
                item.location_type.clone().into(),
                item.location_target.clone().into(),
                item.owner_key().map(str::to_owned).into(),
                0i64.into(),
            ]);
        }
        execute(conn, dialect, &insert).await?;
    }
    for item in updates {
        let update = Query::update()
            .table(STATE)
            .value("unprocessed_entity", item.text.clone())
            .value("unprocessed_hash", item.hash.clone())
            .value("location_type", item.location_type.clone())
            .value("location_target", item.location_target.clone())
            .value("location_key", item.owner_key().map(str::to_owned))
            .value("next_update_at", 0i64)
            .and_where(Expr::col("entity_ref").eq(item.entity_ref.clone()))
            .to_owned();
        execute(conn, dialect, &update).await?;
    }
    Ok(owned)
}
