//! Writing and deleting final entities, with their index postings.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use backstage_backend::services::database::Dialect;
use sea_query::{Expr, ExprTrait, Query};
use serde_json::Value;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::dict::{Dictionary, KnownIds, max_id};
use super::entries::{IndexEntry, index_entries};
use super::error::StoreError;
use super::schema::{ENTITIES, POSTINGS};
use super::{CatalogStore, lowercase, text, version};
use crate::statement_chunks::StatementChunks;

/// How often a write is retried when a concurrent writer took the same new
/// id or ref (or a deadlock was broken).
const ATTEMPTS: usize = 8;

/// Postings per insert statement.
const INSERT_CHUNK: usize = 2000;

/// Entities written with one set of batched statements.
const WRITE_CHUNK: usize = 200;

/// Entities per multi-row insert (6 bound values each).
const ENTITY_INSERT_CHUNK: usize = 100;

/// Refs or uids per lookup.
const LOOKUP_CHUNK: usize = 200;

/// Postings per delete statement.
const DELETE_CHUNK: usize = 100;

/// What a write did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteKind {
    /// The entity was new.
    Created,
    /// The entity's content changed: new JSON, new etag, index updated.
    Updated,
    /// The content was the same: nothing was written.
    Unchanged,
}

/// The outcome of writing one entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteResult {
    /// The lowercased `kind:namespace/name`.
    pub entity_ref: String,
    /// `metadata.uid` as stored.
    pub uid: String,
    /// `metadata.etag` as stored.
    pub etag: String,
    /// What happened.
    pub kind: WriteKind,
}

/// An entity checked, hashed and flattened: everything a write needs that
/// does not ask the database, worked out apart from the write (so a caller
/// can prepare the next entities while the database stores the last ones).
///
/// It keeps the entity as JSON text, not as a parsed value (a fraction of
/// the memory while chunks wait for the database): the text has its
/// `metadata.etag` set and a gap where the write puts the `metadata.uid`.
#[derive(Debug)]
pub struct PreparedEntity {
    json: UidSlot,
    entity_ref: String,
    hash: String,
    /// The `metadata.uid` the entity carried.
    uid: Option<String>,
    /// The index entries of the entity, except those of `metadata.uid` and
    /// `metadata.etag` (known only once the write knows the uid).
    entries: Vec<IndexEntry>,
}

impl PreparedEntity {
    /// Checks `entity` (a JSON object with `kind` and `metadata.name`, a
    /// ref of at most 255 characters, a well-formed `metadata.uid` if any),
    /// hashes its content and works out its index entries.
    pub fn new(entity: Value) -> Result<Self, StoreError> {
        prepare(entity)
    }

    /// The lowercased ref.
    pub fn entity_ref(&self) -> &str {
        &self.entity_ref
    }
}

/// The stored row of an entity.
struct Existing {
    id: i64,
    uid: String,
    hash: String,
    json: String,
}

impl CatalogStore {
    /// Writes (inserts or replaces) a stitched entity, keyed by its
    /// lowercased ref. A new entity keeps the `metadata.uid` it carries or
    /// gets a random one; an existing one keeps its uid. `metadata.etag` is
    /// the hash of the content without uid and etag: when it equals the
    /// stored one nothing is written ([`WriteKind::Unchanged`]). The JSON
    /// and the index change in one transaction.
    pub async fn write_entity(&self, entity: &Value) -> Result<WriteResult, StoreError> {
        let mut results = self.write_entities(std::slice::from_ref(entity)).await?;
        results
            .pop()
            .ok_or_else(|| StoreError::Corrupt("a write returned no result".to_owned()))
    }

    /// Writes several entities in one transaction (as
    /// [`write_entity`](Self::write_entity) each); all or none are stored.
    /// Two entities with the same ref in one call are refused.
    pub async fn write_entities(&self, entities: &[Value]) -> Result<Vec<WriteResult>, StoreError> {
        let prepared = entities
            .iter()
            .map(|entity| prepare(entity.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        self.write_prepared(prepared).await
    }

    /// Writes entities prepared with [`PreparedEntity::new`], in one
    /// transaction, as [`write_entities`](Self::write_entities) does.
    pub async fn write_prepared(
        &self,
        mut prepared: Vec<PreparedEntity>,
    ) -> Result<Vec<WriteResult>, StoreError> {
        let mut refs = HashSet::new();
        if let Some(dup) = prepared
            .iter()
            .find(|p| !refs.insert(p.entity_ref.as_str()))
        {
            return Err(StoreError::Input(format!(
                "the entity {} appears twice in one write; write each entity once",
                dup.entity_ref
            )));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_write(&mut prepared).await {
                Err(e) if e.is_retryable() && attempt < ATTEMPTS => {
                    tracing::debug!(error = %e, attempt, "catalog store: retrying a write");
                }
                other => return other,
            }
        }
    }

    async fn try_write(
        &self,
        prepared: &mut [PreparedEntity],
    ) -> Result<Vec<WriteResult>, StoreError> {
        let dialect = self.dialect();
        let mut tx = self
            .pool()
            .await?
            .begin()
            .await
            .map_err(StoreError::query("starting a write"))?;
        let mut dict = Dictionary::default();
        let mut results = Vec::with_capacity(prepared.len());
        let mut next_id = None;
        for chunk in prepared.chunks_mut(WRITE_CHUNK) {
            results.extend(
                write_chunk(&mut tx, dialect, &mut dict, &self.ids, &mut next_id, chunk).await?,
            );
        }
        let changed = results.iter().any(|r| r.kind != WriteKind::Unchanged);
        let version = if changed {
            Some(version::bump(&mut tx, dialect).await?)
        } else {
            None
        };
        tx.commit()
            .await
            .map_err(StoreError::query("committing a write"))?;
        self.ids.remember(&mut dict);
        if let Some(version) = version {
            self.known.raise(version);
        }
        Ok(results)
    }

    /// Deletes the entity with this uid and its index postings; whether
    /// there was one.
    pub async fn delete_by_uid(&self, uid: &str) -> Result<bool, StoreError> {
        self.delete_where("uid", uid.to_owned()).await
    }

    /// Deletes the entity with this ref (any case) and its index postings;
    /// whether there was one.
    pub async fn delete_by_ref(&self, entity_ref: &str) -> Result<bool, StoreError> {
        self.delete_where("entity_ref", lowercase(entity_ref)).await
    }

    async fn delete_where(&self, column: &'static str, value: String) -> Result<bool, StoreError> {
        let dialect = self.dialect();
        let mut tx = self
            .pool()
            .await?
            .begin()
            .await
            .map_err(StoreError::query("starting a delete"))?;
        let Some(existing) = load_existing(&mut tx, dialect, column, [value.as_str()])
            .await?
            .remove(&value)
        else {
            return Ok(false);
        };
        let old = entries_of_json(&existing.json)?;
        let mut dict = Dictionary::default();
        resolve(&mut tx, dialect, &mut dict, &self.ids, &old, false).await?;
        let postings = postings_of(&dict, &old);
        delete_postings(&mut tx, dialect, existing.id, &postings).await?;
        let delete = Query::delete()
            .from_table(ENTITIES)
            .and_where(Expr::col("id").eq(existing.id))
            .to_owned();
        exec(&mut tx, dialect, &delete, "deleting an entity").await?;
        let version = version::bump(&mut tx, dialect).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("committing a delete"))?;
        self.ids.remember(&mut dict);
        self.known.raise(version);
        Ok(true)
    }

    /// Rewrites the whole index from the stored entities (after a change
    /// of the flattening rules). Runs in one transaction.
    pub async fn rebuild_index(&self) -> Result<(), StoreError> {
        let dialect = self.dialect();
        let mut tx = self
            .pool()
            .await?
            .begin()
            .await
            .map_err(StoreError::query("starting an index rebuild"))?;
        let delete = Query::delete().from_table(POSTINGS).to_owned();
        exec(&mut tx, dialect, &delete, "clearing the index").await?;
        let select = Query::select()
            .columns(["id", "entity"])
            .from(ENTITIES)
            .to_owned();
        let (sql, values) = dialect.build(&select);
        let rows = sqlx::query_with(AssertSqlSafe(sql), values)
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::query("reading entities to index"))?;
        let mut dict = Dictionary::default();
        for row in &rows {
            let id: i64 = row
                .try_get(0)
                .map_err(StoreError::query("reading an entity id"))?;
            let entries = entries_of_json(&text(row, 1)?)?;
            resolve(&mut tx, dialect, &mut dict, &self.ids, &entries, true).await?;
            let postings: Vec<(i64, i64, i64)> = postings_of(&dict, &entries)
                .into_iter()
                .map(|(key, value)| (key, value, id))
                .collect();
            insert_postings(&mut tx, dialect, &postings).await?;
        }
        tx.commit()
            .await
            .map_err(StoreError::query("committing an index rebuild"))?;
        self.ids.remember(&mut dict);
        Ok(())
    }
}

/// What a chunk's write does to one entity, worked out before the
/// database is touched again.
struct Planned<'a> {
    prepared: &'a PreparedEntity,
    uid: String,
    /// `Some` when the content changed (or is new): the JSON to store.
    json: Option<String>,
    existing_id: Option<i64>,
    added: Vec<IndexEntry>,
    removed: Vec<IndexEntry>,
}

/// Writes up to [`WRITE_CHUNK`] entities with a handful of statements:
/// one lookup of the stored rows, one dictionary pass for all their index
/// entries, multi-row inserts of the new entities and of all postings, and
/// one update (plus exact posting deletes) per changed entity.
async fn write_chunk(
    conn: &mut AnyConnection,
    dialect: Dialect,
    dict: &mut Dictionary,
    known: &KnownIds,
    next_id: &mut Option<i64>,
    chunk: &mut [PreparedEntity],
) -> Result<Vec<WriteResult>, StoreError> {
    let mut existing = load_existing(
        conn,
        dialect,
        "entity_ref",
        chunk.iter().map(|p| p.entity_ref.as_str()),
    )
    .await?;
    check_carried_uids(conn, dialect, chunk, &existing).await?;

    let mut plans = Vec::with_capacity(chunk.len());
    for prepared in chunk.iter_mut() {
        let stored = existing.remove(&prepared.entity_ref);
        if let Some(stored) = &stored
            && stored.hash == prepared.hash
        {
            plans.push(Planned {
                prepared,
                uid: stored.uid.clone(),
                json: None,
                existing_id: Some(stored.id),
                added: Vec::new(),
                removed: Vec::new(),
            });
            continue;
        }
        let uid = match (&stored, &prepared.uid) {
            (Some(stored), _) => stored.uid.clone(),
            (None, Some(uid)) => uid.clone(),
            (None, None) => new_uid()?,
        };
        let json = prepared.json.with_uid(&uid);
        let identity = identity_entries(&uid, &prepared.hash);
        let new_entries: Vec<&IndexEntry> = prepared.entries.iter().chain(&identity).collect();
        let (added, removed) = match &stored {
            None => (new_entries.into_iter().cloned().collect(), Vec::new()),
            Some(stored) => {
                let old_entries = entries_of_json(&stored.json)?;
                let new_set: HashSet<&IndexEntry> = new_entries.iter().copied().collect();
                let old_set: HashSet<&IndexEntry> = old_entries.iter().collect();
                let added = new_entries
                    .iter()
                    .filter(|e| !old_set.contains(*e))
                    .map(|e| (*e).clone())
                    .collect();
                let removed = old_entries
                    .iter()
                    .filter(|e| !new_set.contains(e))
                    .cloned()
                    .collect();
                (added, removed)
            }
        };
        plans.push(Planned {
            prepared,
            uid,
            json: Some(json),
            existing_id: stored.map(|s| s.id),
            added,
            removed,
        });
    }

    let removed: Vec<IndexEntry> = plans
        .iter()
        .flat_map(|p| p.removed.iter().cloned())
        .collect();
    let added: Vec<IndexEntry> = plans.iter().flat_map(|p| p.added.iter().cloned()).collect();
    resolve(conn, dialect, dict, known, &removed, false).await?;
    resolve(conn, dialect, dict, known, &added, true).await?;

    let now = now_ms();
    let mut inserts = Vec::new();
    let mut postings = Vec::new();
    let mut results = Vec::with_capacity(plans.len());
    for plan in &plans {
        let Some(json) = &plan.json else {
            results.push(plan.result(WriteKind::Unchanged));
            continue;
        };
        let id = match plan.existing_id {
            Some(id) => {
                delete_postings(conn, dialect, id, &postings_of(dict, &plan.removed)).await?;
                let update = Query::update()
                    .table(ENTITIES)
                    .value("hash", plan.prepared.hash.clone())
                    .value("entity", json.clone())
                    .value("updated_at", now)
                    .and_where(Expr::col("id").eq(id))
                    .to_owned();
                exec(conn, dialect, &update, "updating an entity").await?;
                results.push(plan.result(WriteKind::Updated));
                id
            }
            None => {
                let id = match next_id {
                    Some(id) => *id,
                    None => max_id(conn, dialect, ENTITIES).await? + 1,
                };
                *next_id = Some(id + 1);
                inserts.push((id, plan, json));
                results.push(plan.result(WriteKind::Created));
                id
            }
        };
        postings.extend(
            postings_of(dict, &plan.added)
                .into_iter()
                .map(|(key, value)| (key, value, id)),
        );
    }
    for rows in inserts.statement_chunks(ENTITY_INSERT_CHUNK) {
        let mut insert = Query::insert();
        insert.into_table(ENTITIES).columns([
            "id",
            "uid",
            "entity_ref",
            "hash",
            "entity",
            "updated_at",
        ]);
        for (id, plan, json) in rows {
            insert.values_panic([
                (*id).into(),
                plan.uid.clone().into(),
                plan.prepared.entity_ref.clone().into(),
                plan.prepared.hash.clone().into(),
                (*json).clone().into(),
                now.into(),
            ]);
        }
        exec(conn, dialect, &insert, "inserting entities").await?;
    }
    // In primary-key order: the index B-tree is written front to back.
    postings.sort_unstable();
    insert_postings(conn, dialect, &postings).await?;
    Ok(results)
}

impl Planned<'_> {
    fn result(&self, kind: WriteKind) -> WriteResult {
        WriteResult {
            entity_ref: self.prepared.entity_ref.clone(),
            uid: self.uid.clone(),
            etag: self.prepared.hash.clone(),
            kind,
        }
    }
}

/// Refuses new entities that carry a `metadata.uid` another entity (stored,
/// or earlier in the chunk) already has.
async fn check_carried_uids(
    conn: &mut AnyConnection,
    dialect: Dialect,
    chunk: &[PreparedEntity],
    existing: &HashMap<String, Existing>,
) -> Result<(), StoreError> {
    let carried: Vec<&PreparedEntity> = chunk
        .iter()
        .filter(|p| p.uid.is_some() && !existing.contains_key(&p.entity_ref))
        .collect();
    if carried.is_empty() {
        return Ok(());
    }
    let taken = load_existing(
        conn,
        dialect,
        "uid",
        carried.iter().filter_map(|p| p.uid.as_deref()),
    )
    .await?;
    let mut seen = HashSet::new();
    for prepared in carried {
        let Some(uid) = prepared.uid.as_deref() else {
            continue;
        };
        if taken.contains_key(uid) || !seen.insert(uid) {
            return Err(StoreError::Conflict(format!(
                "the uid {uid} of {} belongs to another entity already; remove metadata.uid to get a new one",
                prepared.entity_ref
            )));
        }
    }
    Ok(())
}

/// Checks the entity's identity, hashes its content and flattens it.
fn prepare(entity: Value) -> Result<PreparedEntity, StoreError> {
    let Some(root) = entity.as_object() else {
        return Err(StoreError::Input(
            "an entity must be a JSON object with kind and metadata.name".to_owned(),
        ));
    };
    let kind = root
        .get("kind")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            StoreError::Input("the entity has no kind (a non-empty string)".to_owned())
        })?;
    let meta = root
        .get("metadata")
        .and_then(Value::as_object)
        .ok_or_else(|| StoreError::Input(format!("the {kind} entity has no metadata object")))?;
    let name = meta
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            StoreError::Input(format!(
                "the {kind} entity has no metadata.name (a non-empty string)"
            ))
        })?;
    let namespace = match meta.get("namespace") {
        None => "default",
        Some(Value::String(ns)) if !ns.is_empty() => ns,
        Some(_) => {
            return Err(StoreError::Input(format!(
                "the {kind} entity {name} has a metadata.namespace that is not a non-empty string"
            )));
        }
    };
    let entity_ref = lowercase(&format!("{kind}:{namespace}/{name}"));
    if entity_ref.chars().count() > 255 {
        return Err(StoreError::Input(format!(
            "the entity ref {entity_ref} is longer than 255 characters; shorten the kind, namespace or name"
        )));
    }
    let uid = match meta.get("uid") {
        None | Some(Value::Null) => None,
        Some(Value::String(uid)) if !uid.is_empty() && uid.chars().count() <= 255 => {
            Some(uid.clone())
        }
        Some(_) => {
            return Err(StoreError::Input(format!(
                "the metadata.uid of {entity_ref} must be a non-empty string of at most 255 characters"
            )));
        }
    };
    let mut digest = Digest(ring::digest::Context::new(&ring::digest::SHA256));
    write_canonical(&entity, &mut digest, Level::Root);
    let hash = digest
        .0
        .finish()
        .as_ref()
        .iter()
        .fold(String::with_capacity(64), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        });
    let mut entries = index_entries(&entity);
    entries.retain(|e| !is_identity_key(&e.key));
    let json = UidSlot::new(entity, &hash)?;
    Ok(PreparedEntity {
        json,
        entity_ref,
        hash,
        uid,
        entries,
    })
}

/// An entity's JSON text with its `metadata.etag` set and a gap for the
/// value of `metadata.uid`, which only the write knows (the stored
/// entity's uid, the one the entity carries, or a new one). The keys stay
/// where they were; a `uid` or `etag` the entity lacked comes last in
/// `metadata`.
#[derive(Debug)]
struct UidSlot {
    text: String,
    /// Byte offset of the gap: the uid's JSON string goes here.
    at: usize,
}

impl UidSlot {
    fn new(mut entity: Value, etag: &str) -> Result<Self, StoreError> {
        let unserializable = |e: serde_json::Error| {
            StoreError::Input(format!("the entity cannot be serialized: {e}"))
        };
        let Some(root) = entity.as_object_mut() else {
            return Err(StoreError::Input(
                "an entity must be a JSON object".to_owned(),
            ));
        };
        if let Some(meta) = root.get_mut("metadata").and_then(Value::as_object_mut) {
            // Inserted as a placeholder so that the key keeps its place.
            meta.insert("uid".to_owned(), Value::Null);
            meta.insert("etag".to_owned(), Value::String(etag.to_owned()));
        }
        let mut out = Vec::with_capacity(1024);
        let mut at = None;
        out.push(b'{');
        for (i, (key, value)) in root.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, key).map_err(unserializable)?;
            out.push(b':');
            match value {
                Value::Object(meta) if key == "metadata" => {
                    out.push(b'{');
                    for (j, (key, value)) in meta.iter().enumerate() {
                        if j > 0 {
                            out.push(b',');
                        }
                        serde_json::to_writer(&mut out, key).map_err(unserializable)?;
                        out.push(b':');
                        if key == "uid" {
                            at = Some(out.len());
                        } else {
                            serde_json::to_writer(&mut out, value).map_err(unserializable)?;
                        }
                    }
                    out.push(b'}');
                }
                value => serde_json::to_writer(&mut out, value).map_err(unserializable)?,
            }
        }
        out.push(b'}');
        let text = String::from_utf8(out)
            .map_err(|e| StoreError::Input(format!("the entity cannot be serialized: {e}")))?;
        let at =
            at.ok_or_else(|| StoreError::Input("the entity has no metadata object".to_owned()))?;
        Ok(Self { text, at })
    }

    /// The entity's JSON text with `uid` in the gap.
    fn with_uid(&self, uid: &str) -> String {
        let quoted = Value::String(uid.to_owned()).to_string();
        let mut json = String::with_capacity(self.text.len() + quoted.len());
        json.push_str(&self.text[..self.at]);
        json.push_str(&quoted);
        json.push_str(&self.text[self.at..]);
        json
    }
}

/// Whether `key` is one of the index keys a write sets itself.
fn is_identity_key(key: &str) -> bool {
    key == "metadata.uid" || key == "metadata.etag"
}

/// The index entries of `metadata.uid` and `metadata.etag`, under the same
/// rules as every other entry.
fn identity_entries(uid: &str, etag: &str) -> Vec<IndexEntry> {
    let mut entries = index_entries(&serde_json::json!({"metadata": {"uid": uid, "etag": etag}}));
    entries.retain(|e| is_identity_key(&e.key));
    entries
}

/// A SHA-256 that canonical JSON is written into as it is produced.
struct Digest(ring::digest::Context);

impl Digest {
    fn push(&mut self, text: &str) {
        self.0.update(text.as_bytes());
    }

    /// A JSON value's text (strings quoted and escaped).
    fn json(&mut self, value: &impl serde::Serialize) {
        // Writing into a digest cannot fail.
        let _ = serde_json::to_writer(&mut *self, value);
    }
}

impl std::io::Write for Digest {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Where [`write_canonical`] is in the entity.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// The entity itself.
    Root,
    /// Its `metadata` object.
    Metadata,
    /// Anywhere below.
    Other,
}

/// JSON with object keys sorted, so equal content hashes equally whatever
/// the key order. `metadata.uid` and `metadata.etag` are left out: they are
/// not content.
fn write_canonical(value: &Value, out: &mut Digest, level: Level) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map
                .keys()
                .filter(|k| {
                    level != Level::Metadata || (k.as_str() != "uid" && k.as_str() != "etag")
                })
                .collect();
            keys.sort();
            out.push("{");
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(",");
                }
                out.json(key);
                out.push(":");
                let child_level = if level == Level::Root && key.as_str() == "metadata" {
                    Level::Metadata
                } else {
                    Level::Other
                };
                if let Some(child) = map.get(*key) {
                    write_canonical(child, out, child_level);
                }
            }
            out.push("}");
        }
        Value::Array(items) => {
            out.push("[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(",");
                }
                write_canonical(item, out, Level::Other);
            }
            out.push("]");
        }
        scalar => out.json(scalar),
    }
}

/// A new entity's uid.
fn new_uid() -> Result<String, StoreError> {
    crate::uuid::random_uuid().map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn entries_of_json(json: &str) -> Result<Vec<IndexEntry>, StoreError> {
    let value: Value = serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("a stored entity is not JSON: {e}")))?;
    Ok(index_entries(&value))
}

/// The stored rows whose `column` (`entity_ref` or `uid`) is one of
/// `values`, keyed by that column.
async fn load_existing<'a>(
    conn: &mut AnyConnection,
    dialect: Dialect,
    column: &'static str,
    values: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, Existing>, StoreError> {
    let mut wanted: Vec<&str> = values.into_iter().collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut found = HashMap::with_capacity(wanted.len());
    for chunk in wanted.statement_chunks(LOOKUP_CHUNK) {
        let select = Query::select()
            .columns(["id", "uid", "hash", "entity", "entity_ref"])
            .from(ENTITIES)
            .and_where(Expr::col(column).is_in(chunk.iter().copied()))
            .to_owned();
        let (sql, values) = dialect.build(&select);
        let rows = sqlx::query_with(AssertSqlSafe(sql), values)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::query("reading the stored entities"))?;
        for row in &rows {
            let existing = Existing {
                id: row
                    .try_get(0)
                    .map_err(StoreError::query("reading an entity id"))?,
                uid: text(row, 1)?,
                hash: text(row, 2)?,
                json: text(row, 3)?,
            };
            let key = if column == "uid" {
                existing.uid.clone()
            } else {
                text(row, 4)?
            };
            found.insert(key, existing);
        }
    }
    Ok(found)
}

/// Resolves the dictionary ids of `entries` (creating missing ones when
/// `create`).
async fn resolve(
    conn: &mut AnyConnection,
    dialect: Dialect,
    dict: &mut Dictionary,
    known: &KnownIds,
    entries: &[IndexEntry],
    create: bool,
) -> Result<(), StoreError> {
    dict.resolve_keys(
        conn,
        dialect,
        entries.iter().map(|e| e.key.as_str()),
        create,
        known,
    )
    .await?;
    let values = entries
        .iter()
        .filter_map(|e| e.value.as_ref())
        .map(|(lower, original)| (lower.as_str(), original.as_str()));
    dict.resolve_values(conn, dialect, values, create, known)
        .await
}

/// The `(key_id, value_id)` pairs of `entries` whose ids are known.
fn postings_of(dict: &Dictionary, entries: &[IndexEntry]) -> Vec<(i64, i64)> {
    let mut pairs: Vec<(i64, i64)> = entries
        .iter()
        .filter_map(|e| {
            let key = dict.key_id(&e.key)?;
            let value = match &e.value {
                None => 0,
                Some((lower, original)) => dict.value_id(lower, original)?,
            };
            Some((key, value))
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Inserts `(key_id, value_id, entity_id)` postings, many per statement.
/// The ids are our own integers, written into the SQL as literals: a
/// statement of a thousand rows binds no parameters at all, which is much
/// cheaper to send and parse than three thousand bound values.
async fn insert_postings(
    conn: &mut AnyConnection,
    dialect: Dialect,
    postings: &[(i64, i64, i64)],
) -> Result<(), StoreError> {
    // No posting repeats (they are deduplicated, and an entity's are its
    // own), so on SQLite `OR IGNORE` changes nothing but spares the
    // statement journal a multi-row insert that could fail half-way needs.
    let verb = if dialect == Dialect::Sqlite {
        "INSERT OR IGNORE INTO"
    } else {
        "INSERT INTO"
    };
    let mut sql = String::new();
    for chunk in postings.statement_chunks(INSERT_CHUNK) {
        sql.clear();
        let _ = write!(
            sql,
            "{verb} {POSTINGS} (key_id, value_id, entity_id) VALUES "
        );
        for (i, (key, value, entity)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            let _ = write!(sql, "({key},{value},{entity})");
        }
        sqlx::raw_sql(AssertSqlSafe(sql.as_str()))
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query("indexing entities"))?;
    }
    Ok(())
}

async fn delete_postings(
    conn: &mut AnyConnection,
    dialect: Dialect,
    entity_id: i64,
    postings: &[(i64, i64)],
) -> Result<(), StoreError> {
    for chunk in postings.statement_chunks(DELETE_CHUNK) {
        // Exact primary keys, so every database deletes by index lookups.
        let condition = chunk
            .iter()
            .map(|(key, value)| {
                Expr::col("key_id")
                    .eq(*key)
                    .and(Expr::col("value_id").eq(*value))
                    .and(Expr::col("entity_id").eq(entity_id))
            })
            .reduce(ExprTrait::or);
        let Some(condition) = condition else { continue };
        let delete = Query::delete()
            .from_table(POSTINGS)
            .and_where(condition)
            .to_owned();
        exec(conn, dialect, &delete, "removing index postings").await?;
    }
    Ok(())
}

async fn exec<S: sea_query_sqlx::SqlxBinder>(
    conn: &mut AnyConnection,
    dialect: Dialect,
    statement: &S,
    context: &'static str,
) -> Result<u64, StoreError> {
    let (sql, values) = dialect.build(statement);
    let done = sqlx::query_with(AssertSqlSafe(sql), values)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query(context))?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_uid_goes_where_the_entity_had_it_and_is_escaped() {
        let entity = json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": "web", "uid": "carried", "title": "Web \"shop\""},
            "spec": {"owner": "team-a"}
        });
        let slot = UidSlot::new(entity, "abc").unwrap();
        let json = slot.with_uid("a\"b");
        assert_eq!(
            json,
            r#"{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"web","uid":"a\"b","title":"Web \"shop\"","etag":"abc"},"spec":{"owner":"team-a"}}"#
        );
        let parsed: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["metadata"]["uid"], "a\"b");
    }

    #[test]
    fn a_uid_the_entity_lacked_comes_last_before_the_etag_it_lacked() {
        let entity = json!({"kind": "Group", "metadata": {"name": "team-a"}});
        let json = UidSlot::new(entity, "e1").unwrap().with_uid("u1");
        assert_eq!(
            json,
            r#"{"kind":"Group","metadata":{"name":"team-a","uid":"u1","etag":"e1"}}"#
        );
    }
}
