//! The key and value dictionaries: text to small integer ids.

use std::collections::{HashMap, HashSet};

use backstage_backend::services::database::Dialect;
use sea_query::{Expr, ExprTrait, Query};
use sqlx::{AnyConnection, AssertSqlSafe};

use super::error::StoreError;
use super::schema::{KEYS, MAX_TEXT_BYTES, VALUES};
use super::text;

/// Rows per dictionary lookup or insert.
const CHUNK: usize = 400;

/// A value as the dictionary stores it: the lowercased text, and the
/// original text or `""` when it is the lowercased text.
pub(crate) type ValueText = (String, String);

/// The dictionary form of `(lower, original)`.
pub(crate) fn value_text(lower: &str, original: &str) -> ValueText {
    let original = if original == lower || original.len() > MAX_TEXT_BYTES {
        ""
    } else {
        original
    };
    (lower.to_owned(), original.to_owned())
}

/// Ids already looked up within one transaction.
#[derive(Default, Debug)]
pub(crate) struct Dictionary {
    pub(crate) keys: HashMap<String, i64>,
    pub(crate) values: HashMap<ValueText, i64>,
}

impl Dictionary {
    /// Looks up (and with `create`, adds) the ids of `keys`.
    pub(crate) async fn resolve_keys(
        &mut self,
        conn: &mut AnyConnection,
        dialect: Dialect,
        keys: impl IntoIterator<Item = &str>,
        create: bool,
    ) -> Result<(), StoreError> {
        let wanted: Vec<String> = unique(keys.into_iter().filter(|k| !self.keys.contains_key(*k)));
        for chunk in wanted.chunks(CHUNK) {
            let select = Query::select()
                .columns(["id", "search_key"])
                .from(KEYS)
                .and_where(Expr::col("search_key").is_in(chunk.iter().map(String::as_str)))
                .to_owned();
            let (sql, values) = dialect.build(&select);
            let rows = sqlx::query_with(AssertSqlSafe(sql), values)
                .fetch_all(&mut *conn)
                .await
                .map_err(StoreError::query("looking up search keys"))?;
            for row in &rows {
                let id: i64 = sqlx::Row::try_get(row, 0)
                    .map_err(StoreError::query("reading a search key id"))?;
                self.keys.insert(text(row, 1)?, id);
            }
        }
        if !create {
            return Ok(());
        }
        let missing: Vec<String> = wanted
            .into_iter()
            .filter(|k| !self.keys.contains_key(k))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let mut next = max_id(conn, dialect, KEYS).await? + 1;
        for chunk in missing.chunks(CHUNK) {
            let mut insert = Query::insert();
            insert.into_table(KEYS).columns(["id", "search_key"]);
            for key in chunk {
                insert.values_panic([next.into(), key.clone().into()]);
                self.keys.insert(key.clone(), next);
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

    /// Looks up (and with `create`, adds) the ids of `values`.
    pub(crate) async fn resolve_values(
        &mut self,
        conn: &mut AnyConnection,
        dialect: Dialect,
        values: impl IntoIterator<Item = ValueText>,
        create: bool,
    ) -> Result<(), StoreError> {
        let wanted: HashSet<ValueText> = values
            .into_iter()
            .filter(|v| !self.values.contains_key(v))
            .collect();
        let lowers: Vec<String> = unique(wanted.iter().map(|(lower, _)| lower.as_str()));
        for chunk in lowers.chunks(CHUNK) {
            let select = Query::select()
                .columns(["id", "lower_value", "original_value"])
                .from(VALUES)
                .and_where(Expr::col("lower_value").is_in(chunk.iter().map(String::as_str)))
                .to_owned();
            let (sql, binds) = dialect.build(&select);
            let rows = sqlx::query_with(AssertSqlSafe(sql), binds)
                .fetch_all(&mut *conn)
                .await
                .map_err(StoreError::query("looking up search values"))?;
            for row in &rows {
                let id: i64 = sqlx::Row::try_get(row, 0)
                    .map_err(StoreError::query("reading a search value id"))?;
                self.values.insert((text(row, 1)?, text(row, 2)?), id);
            }
        }
        if !create {
            return Ok(());
        }
        let mut missing: Vec<ValueText> = wanted
            .into_iter()
            .filter(|v| !self.values.contains_key(v))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        missing.sort();
        let mut next = max_id(conn, dialect, VALUES).await? + 1;
        for chunk in missing.chunks(CHUNK) {
            let mut insert = Query::insert();
            insert
                .into_table(VALUES)
                .columns(["id", "lower_value", "original_value"]);
            for (lower, original) in chunk {
                insert.values_panic([next.into(), lower.clone().into(), original.clone().into()]);
                self.values.insert((lower.clone(), original.clone()), next);
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

    /// The ids of every stored value whose lowercased text is `lower`
    /// (after [`resolve_values_by_lower`](Self::resolve_values_by_lower)).
    pub(crate) fn ids_of_lower(&self, lower: &str) -> Vec<i64> {
        self.values
            .iter()
            .filter(|((l, _), _)| l == lower)
            .map(|(_, id)| *id)
            .collect()
    }

    /// Loads every dictionary value whose lowercased text is one of
    /// `lowers` (all original casings).
    pub(crate) async fn resolve_values_by_lower(
        &mut self,
        conn: &mut AnyConnection,
        dialect: Dialect,
        lowers: impl IntoIterator<Item = &str>,
    ) -> Result<(), StoreError> {
        let lowers = unique(lowers.into_iter());
        // Every casing is wanted: ask for the lowercased texts themselves.
        let wanted = lowers.into_iter().map(|l| (l, String::from("\u{0}")));
        self.resolve_values(conn, dialect, wanted, false).await
    }
}

fn unique<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut list: Vec<String> = items.map(str::to_owned).collect();
    list.sort();
    list.dedup();
    list
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
