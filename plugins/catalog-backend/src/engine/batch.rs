//! Statement helpers for writing many rows at once: the engine writes a
//! batch of entities with a handful of statements, not a few per entity.

use backstage_backend::services::database::Dialect;
use sea_query::Query;
use sqlx::{AnyConnection, AssertSqlSafe};

use super::EngineError;
use super::schema::REFERENCES;
use crate::statement_chunks::StatementChunks;

/// Rows per lookup (`IN (…)`) or multi-row insert; every dialect's
/// bound-variable limit stays far away.
pub(crate) const CHUNK: usize = 200;

/// Runs a multi-row `INSERT` or `UPDATE` that cannot fail half-way — it
/// repeats no unique key and puts no NULL into a NOT NULL column, by
/// construction — in its `OR IGNORE` form on SQLite. Otherwise SQLite keeps
/// a statement journal for it (the original of every page it changes,
/// written to a temporary file in case it has to undo the statement alone),
/// and those journals were a third of all that ingesting 20,000 entities
/// wrote. Other databases run the statement as built.
pub(crate) async fn execute_unabortable<S: sea_query_sqlx::SqlxBinder>(
    conn: &mut AnyConnection,
    dialect: Dialect,
    statement: &S,
) -> Result<u64, EngineError> {
    let (sql, values) = dialect.build(statement);
    let sql = if dialect == Dialect::Sqlite {
        or_ignore(sql)
    } else {
        sql
    };
    run(conn, sql, values).await
}

/// `INSERT …` / `UPDATE …` as `INSERT OR IGNORE …` / `UPDATE OR IGNORE …`.
fn or_ignore(sql: String) -> String {
    for verb in ["INSERT ", "UPDATE "] {
        if let Some(rest) = sql.strip_prefix(verb) {
            return format!("{verb}OR IGNORE {rest}");
        }
    }
    sql
}

/// Runs a sea-query statement.
pub(crate) async fn execute<S: sea_query_sqlx::SqlxBinder>(
    conn: &mut AnyConnection,
    dialect: Dialect,
    statement: &S,
) -> Result<u64, EngineError> {
    let (sql, values) = dialect.build(statement);
    run(conn, sql, values).await
}

/// Runs built SQL; how many rows it changed.
async fn run(
    conn: &mut AnyConnection,
    sql: String,
    values: sea_query_sqlx::SqlxValues,
) -> Result<u64, EngineError> {
    let done = sqlx::query_with(AssertSqlSafe(sql), values)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Runs `select` (one text column) and collects its values.
pub(crate) async fn fetch_strings(
    conn: &mut AnyConnection,
    dialect: Dialect,
    select: &sea_query::SelectStatement,
) -> Result<Vec<String>, EngineError> {
    let (sql, values) = dialect.build(select);
    let rows = sqlx::query_with(AssertSqlSafe(sql), values)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| sqlx::Row::try_get(row, 0).map_err(EngineError::from))
        .collect()
}

/// Inserts `(source_key, source_entity_ref, target_entity_ref)` reference
/// rows.
pub(crate) async fn insert_references(
    conn: &mut AnyConnection,
    dialect: Dialect,
    rows: &[(Option<&str>, Option<&str>, &str)],
) -> Result<(), EngineError> {
    for chunk in rows.statement_chunks(CHUNK) {
        let mut insert = Query::insert();
        insert.into_table(REFERENCES).columns([
            "source_key",
            "source_entity_ref",
            "target_entity_ref",
        ]);
        for (source_key, source_ref, target) in chunk {
            insert.values_panic([
                source_key.map(str::to_owned).into(),
                source_ref.map(str::to_owned).into(),
                (*target).to_owned().into(),
            ]);
        }
        execute(conn, dialect, &insert).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::or_ignore;

    #[test]
    fn or_ignore_goes_right_after_the_verb_and_nothing_else_changes() {
        assert_eq!(
            or_ignore("INSERT INTO \"t\" (\"a\") VALUES (?)".to_owned()),
            "INSERT OR IGNORE INTO \"t\" (\"a\") VALUES (?)"
        );
        assert_eq!(
            or_ignore("UPDATE \"t\" SET \"a\" = ? WHERE \"b\" IN (?)".to_owned()),
            "UPDATE OR IGNORE \"t\" SET \"a\" = ? WHERE \"b\" IN (?)"
        );
        assert_eq!(
            or_ignore("DELETE FROM \"t\"".to_owned()),
            "DELETE FROM \"t\""
        );
    }
}
