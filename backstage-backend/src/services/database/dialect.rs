//! The three SQL dialects, and rendering sea-query statements for each.

use std::fmt;

use sea_query::{MysqlQueryBuilder, PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_sqlx::{SqlxBinder, SqlxValues};

/// Which SQL a plugin's database speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// SQLite (bundled; in memory or a file per plugin).
    Sqlite,
    /// PostgreSQL, the production database.
    Postgres,
    /// MySQL / MariaDB.
    MySql,
}

impl Dialect {
    /// Renders a sea-query statement (select, insert, update, delete) for
    /// this dialect: the SQL text and its bound values, ready for
    /// `sqlx::query_with`.
    ///
    /// ```
    /// use backstage_backend::services::database::Dialect;
    /// use sea_query::{Expr, ExprTrait, Query};
    ///
    /// let select = Query::select()
    ///     .column("title")
    ///     .from("todos")
    ///     .and_where(Expr::col("id").eq(7))
    ///     .to_owned();
    /// let (sql, _values) = Dialect::Postgres.build(&select);
    /// assert_eq!(sql, r#"SELECT "title" FROM "todos" WHERE "id" = $1"#);
    /// let (sql, _values) = Dialect::MySql.build(&select);
    /// assert_eq!(sql, "SELECT `title` FROM `todos` WHERE `id` = ?");
    /// ```
    pub fn build<S: SqlxBinder>(self, statement: &S) -> (String, SqlxValues) {
        match self {
            Dialect::Sqlite => statement.build_sqlx(SqliteQueryBuilder),
            Dialect::Postgres => statement.build_sqlx(PostgresQueryBuilder),
            Dialect::MySql => statement.build_sqlx(MysqlQueryBuilder),
        }
    }

    /// The placeholder for the `n`-th (1-based) bound value in hand-written
    /// SQL: `$n` on PostgreSQL, `?` elsewhere.
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Dialect::Postgres => format!("${n}"),
            Dialect::Sqlite | Dialect::MySql => "?".to_owned(),
        }
    }

    /// Hand-written SQL written with `$1`, `$2`, ... placeholders, in the
    /// order the values are bound and each used once, made right for this
    /// dialect: unchanged on PostgreSQL and SQLite, `?` on MySQL.
    ///
    /// ```
    /// use backstage_backend::services::database::Dialect;
    ///
    /// let sql = "UPDATE todos SET title = $1 WHERE id = $2";
    /// assert_eq!(Dialect::Postgres.positional(sql), sql);
    /// assert_eq!(Dialect::MySql.positional(sql), "UPDATE todos SET title = ? WHERE id = ?");
    /// ```
    pub fn positional(self, sql: &str) -> String {
        match self {
            Dialect::MySql => {
                let mut out = String::with_capacity(sql.len());
                let mut chars = sql.chars().peekable();
                while let Some(c) = chars.next() {
                    if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                        while chars.peek().is_some_and(char::is_ascii_digit) {
                            chars.next();
                        }
                        out.push('?');
                    } else {
                        out.push(c);
                    }
                }
                out
            }
            Dialect::Sqlite | Dialect::Postgres => sql.to_owned(),
        }
    }

    /// Quotes an identifier (table, column, database name).
    pub fn quote_identifier(self, name: &str) -> String {
        match self {
            Dialect::MySql => format!("`{}`", name.replace('`', "``")),
            Dialect::Sqlite | Dialect::Postgres => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "pg",
            Dialect::MySql => "mysql",
        })
    }
}
