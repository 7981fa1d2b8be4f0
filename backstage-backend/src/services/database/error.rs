//! Errors of the database service.

/// A plugin's database could not be configured, reached or migrated.
///
/// Every message names the plugin and, where there is one, the database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatabaseError {
    /// `backend.database` (or a plugin override) is invalid.
    #[error("backend.database: {0}")]
    Config(String),
    /// The database server could not be reached or refused a statement.
    #[error("database '{database}' of plugin '{plugin}': {message}")]
    Connection {
        /// The plugin.
        plugin: String,
        /// The logical database (or schema).
        database: String,
        /// What happened.
        message: String,
    },
    /// A migration failed or did not finish in time.
    #[error("migration {migration} of plugin '{plugin}' failed: {message}")]
    Migration {
        /// The plugin.
        plugin: String,
        /// Which migration (version and description), or "pending migrations".
        migration: String,
        /// What happened.
        message: String,
    },
    /// A query failed.
    #[error(transparent)]
    Query(#[from] sqlx::Error),
}
