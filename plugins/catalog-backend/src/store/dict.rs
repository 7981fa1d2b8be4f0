//! The key and value dictionaries: text to small integer ids.
//!
//! Dictionary rows are only ever added, never changed or deleted: once a
//! row is committed, its id names the same text for good, in every
//! replica. That is what lets [`KnownIds`] keep ids across transactions
//! without any invalidation.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use backstage_backend::services::database::Dialect;
use sea_query::{Expr, ExprTrait, Query};
use sqlx::{AnyConnection, AssertSqlSafe};

use super::error::StoreError;
use super::schema::{KEYS, MAX_TEXT_BYTES, VALUES};
use super::text;
use crate::statement_chunks::StatementChunks;

/// Rows per dictionary lookup or insert.
const CHUNK: usize = 400;

/// The most ids [`KnownIds`] keeps of each dictionary before it starts
/// over: a bound on its memory (about 2 MiB per dictionary when full).
const KNOWN_LIMIT: usize = 20_000;

/// Hash maps keyed by dictionary text: a fast hash, since the texts come
/// from the entities the store writes and ids are looked up by the
/// hundred thousand while ingesting.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The original-case text a dictionary row stores beside the lowercased
/// one: `""` when it is the lowercased text itself, or too long to keep.
pub(crate) fn stored_original<'a>(lower: &str, original: &'a str) -> &'a str {
    if original == lower || original.len() > MAX_TEXT_BYTES {
        ""
    } else {
        original
    }
}

/// Ids resolved for one transaction (or one query).
#[derive(Default, Debug)]
pub(crate) struct Dictionary {
    keys: Map<String, i64>,
    /// Lowercased text → each casing known: the stored original (see
    /// [`stored_original`]) and its id. Nearly always one.
    values: Map<String, Vec<(String, i64)>>,
    /// Keys and values read from the database, for
    /// [`KnownIds::remember`] once the transaction has committed.
    found_keys: Vec<(String, i64)>,
    found_values: Vec<(String, String, i64)>,
}

impl Dictionary {
    /// The id of `key`, when resolved.
    pub(crate) fn key_id(&self, key: &str) -> Option<i64> {
        self.keys.get(key).copied()
    }

    /// The id of the value `(lower, original)`, when resolved.
    pub(crate) fn value_id(&self, lower: &str, original: &str) -> Option<i64> {
        let original = stored_original(lower, original);
        self.values
            .get(lower)?
            .iter()
            .find(|(o, _)| o == original)
            .map(|(_, id)| *id)
    }

    /// The ids of every casing of `lower` loaded so far (all of them after
    /// [`resolve_values_by_lower`](Self::resolve_values_by_lower)).
    pub(crate) fn ids_of_lower(&self, lower: &str) -> Vec<i64> {
        self.values
            .get(lower)
            .map(|casings| casings.iter().map(|(_, id)| *id).collect())
            .unwrap_or_default()
    }

    fn add_value(&mut self, lower: &str, original: &str, id: i64) {
        let casings = match self.values.get_mut(lower) {
            Some(casings) => casings,
            None => self.values.entry(lower.to_owned()).or_default(),
        };
        if !casings.iter().any(|(o, _)| o == original) {
            casings.push((original.to_owned(), id));
        }
    }

    /// Looks up (and with `create`, adds) the ids of `keys`, taking those
    /// `known` has from it.
    pub(crate) async fn resolve_keys(
        &mut self,
        conn: &mut AnyConnection,
        dialect: Dialect,
        keys: impl IntoIterator<Item = &str>,
        create: bool,
        known: &KnownIds,
    ) -> Result<(), StoreError> {
        let wanted: HashSet<&str, foldhash::fast::RandomState> = keys
            .into_iter()
            .filter(|k| !self.keys.contains_key(*k))
            .collect();
        let mut wanted: Vec<&str> = known.fill_keys(self, wanted);
        if wanted.is_empty() {
            return Ok(());
        }
        wanted.sort_unstable();
        for chunk in wanted.statement_chunks(CHUNK) {
            let select = Query::select()
                .columns(["id", "search_key"])
                .from(KEYS)
                .and_where(Expr::col("search_key").is_in(chunk.iter().copied()))
                .to_owned();
            let (sql, values) = dialect.build(&select);
            let rows = sqlx::query_with(AssertSqlSafe(sql), values)
                .fetch_all(&mut *conn)
                .await
                .map_err(StoreError::query("looking up search keys"))?;
            for row in &rows {
                let id: i64 = sqlx::Row::try_get(row, 0)
                    .map_err(StoreError::query("reading a search key id"))?;
                let key = text(row, 1)?;
                self.found_keys.push((key.clone(), id));
                self.keys.insert(key, id);
            }
        }
        if !create {
            return Ok(());
        }
        let missing: Vec<&str> = wanted
            .into_iter()
            .filter(|k| !self.keys.contains_key(*k))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let mut next = max_id(conn, dialect, KEYS).await? + 1;
        for chunk in missing.statement_chunks(CHUNK) {
            let mut insert = Query::insert();
            insert.into_table(KEYS).columns(["id", "search_key"]);
            for key in chunk {
                insert.values_panic([next.into(), (*key).into()]);
                self.keys.insert((*key).to_owned(), next);
                next += 1;
            }
            let (sql, values) = dialect.build(&insert);
            sqlx::query_with(AssertSqlSafe(sql), values)
                .execute(&mut *conn)
                .await
                .map_err(StoreError::query("adding search keys"))?;
        }
        Ok(())
    }

    /// Looks up (and with `create`, adds) the ids of `values`, each
    /// `(lowercased, original)`, taking those `known` has from it.
    pub(crate) async fn resolve_values<'a>(
        &mut self,
        conn: &mut AnyConnection,
        dialect: Dialect,
        values: impl IntoIterator<Item = (&'a str, &'a str)>,
        create: bool,
        known: &KnownIds,
    ) -> Result<(), StoreError> {
        let wanted: HashSet<(&str, &str), foldhash::fast::RandomState> = values
            .into_iter()
            .map(|(lower, original)| (lower, stored_original(lower, original)))
            .filter(|(lower, original)| self.value_id(lower, original).is_none())
            .collect();
        let mut wanted = known.fill_values(self, wanted);
        if wanted.is_empty() {
            return Ok(());
        }
        wanted.sort_unstable();
        self.select_values(conn, dialect, wanted.iter().map(|(l, _)| *l))
            .await?;
        if !create {
            return Ok(());
        }
        let missing: Vec<(&str, &str)> = wanted
            .into_iter()
            .filter(|(lower, original)| self.value_id(lower, original).is_none())
            .collect();
        self.insert_values(conn, dialect, &missing).await
    }

    /// Loads every stored casing of the lowercased texts `lowers`.
    async fn select_values<'a>(
        &mut self,
        conn: &mut AnyConnection,
        dialect: Dialect,
        lowers: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), StoreError> {
        let mut lowers: Vec<&str> = lowers.into_iter().collect();
        lowers.sort_unstable();
        lowers.dedup();
        for chunk in lowers.statement_chunks(CHUNK) {
            let select = Query::select()
                .columns(["id", "lower_value", "original_value"])
                .from(VALUES)
                .and_where(Expr::col("lower_value").is_in(chunk.iter().copied()))
                .to_owned();
            let (sql, binds) = dialect.build(&select);
            let rows = sqlx::query_with(AssertSqlSafe(sql), binds)
                .fetch_all(&mut *conn)
                .await
                .map_err(StoreError::query("looking up search values"))?;
            for row in &rows {
                let id: i64 = sqlx::Row::try_get(row, 0)
                    .map_err(StoreError::query("reading a search value id"))?;
                let (lower, original) = (text(row, 1)?, text(row, 2)?);
                self.add_value(&lower, &original, id);
                self.found_values.push((lower, original, id));
            }
        }
        Ok(())
    }

    /// Inserts `values` with new ids.
    async fn insert_values(
        &mut self,
        conn: &mut AnyConnection,
        dialect: Dialect,
        values: &[(&str, &str)],
    ) -> Result<(), StoreError> {
        if values.is_empty() {
            return Ok(());
        }
        let mut next = max_id(conn, dialect, VALUES).await? + 1;
        for chunk in values.statement_chunks(CHUNK) {
            let mut insert = Query::insert();
            insert
                .into_table(VALUES)
                .columns(["id", "lower_value", "original_value"]);
            for (lower, original) in chunk {
                insert.values_panic([next.into(), (*lower).into(), (*original).into()]);
                self.add_value(lower, original, next);
                next += 1;
            }
            let (sql, binds) = dialect.build(&insert);
            sqlx::query_with(AssertSqlSafe(sql), binds)
                .execute(&mut *conn)
                .await
                .map_err(StoreError::query("adding search values"))?;
        }
        Ok(())
    }

    /// Loads every dictionary value whose lowercased text is one of
    /// `lowers` (all original casings).
    pub(crate) async fn resolve_values_by_lower(
        &mut self,
        conn: &mut AnyConnection,
        dialect: Dialect,
        lowers: impl IntoIterator<Item = &str>,
    ) -> Result<(), StoreError> {
        self.select_values(conn, dialect, lowers).await
    }
}

/// Dictionary ids found in the database, kept across transactions so that
/// the texts many entities share (owners, systems, tags, kinds, keys) are
/// looked up once rather than once per write. Safe without invalidation
/// since dictionary rows never change (see the [module
/// documentation](self)); bounded by [`KNOWN_LIMIT`] per dictionary.
///
/// Only ids read from the database are kept, and only once the
/// transaction that read them has committed ([`remember`](Self::remember)):
/// a transaction sees the rows it added itself, and those would be wrong
/// if it rolled back.
#[derive(Default, Debug)]
pub(crate) struct KnownIds {
    ids: Mutex<Dictionary>,
}

impl KnownIds {
    fn lock(&self) -> std::sync::MutexGuard<'_, Dictionary> {
        // A panic while holding the lock leaves at worst a partial map of
        // correct ids.
        self.ids.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Copies the known ids of `wanted` into `dict`; returns the rest.
    fn fill_keys<'a>(
        &self,
        dict: &mut Dictionary,
        wanted: HashSet<&'a str, foldhash::fast::RandomState>,
    ) -> Vec<&'a str> {
        let known = self.lock();
        wanted
            .into_iter()
            .filter(|key| match known.key_id(key) {
                Some(id) => {
                    dict.keys.insert((*key).to_owned(), id);
                    false
                }
                None => true,
            })
            .collect()
    }

    /// Copies the known ids of `wanted` (stored forms) into `dict`;
    /// returns the rest.
    fn fill_values<'a>(
        &self,
        dict: &mut Dictionary,
        wanted: HashSet<(&'a str, &'a str), foldhash::fast::RandomState>,
    ) -> Vec<(&'a str, &'a str)> {
        let known = self.lock();
        wanted
            .into_iter()
            .filter(|(lower, original)| match known.value_id(lower, original) {
                Some(id) => {
                    dict.add_value(lower, original, id);
                    false
                }
                None => true,
            })
            .collect()
    }

    /// Keeps the ids `dict` read from the database. Call it only after
    /// the transaction `dict` served has committed (or for a read-only
    /// one).
    pub(crate) fn remember(&self, dict: &mut Dictionary) {
        let (keys, values) = (
            std::mem::take(&mut dict.found_keys),
            std::mem::take(&mut dict.found_values),
        );
        if keys.is_empty() && values.is_empty() {
            return;
        }
        let mut known = self.lock();
        if known.keys.len() + keys.len() > KNOWN_LIMIT {
            known.keys.clear();
        }
        known.keys.extend(keys.into_iter().take(KNOWN_LIMIT));
        if known.values.len() + values.len() > KNOWN_LIMIT {
            known.values.clear();
        }
        for (lower, original, id) in values.into_iter().take(KNOWN_LIMIT) {
            known.add_value(&lower, &original, id);
        }
    }
}

/// The largest id in `table`, 0 when empty.
pub(crate) async fn max_id(
    conn: &mut AnyConnection,
    dialect: Dialect,
    table: &str,
) -> Result<i64, StoreError> {
    let select = Query::select()
        .expr(Expr::col("id").max())
        .from(table.to_owned())
        .to_owned();
    let (sql, values) = dialect.build(&select);
    let max: Option<i64> = sqlx::query_scalar_with(AssertSqlSafe(sql), values)
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::query("allocating an id"))?;
    Ok(max.unwrap_or(0))
}
