//! `backend.database`: the settings of one plugin's logical database.

use std::path::PathBuf;
use std::time::Duration;

use backstage_common::config::Config;
use serde_json::{Map, Value};

use super::dialect::Dialect;
use super::error::DatabaseError;

/// PostgreSQL's limit on identifier length, in bytes.
const PG_MAX_IDENTIFIER: usize = 63;

/// Where a plugin's tables live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// SQLite in memory, private to the plugin in this backend.
    SqliteMemory,
    /// A SQLite file.
    SqliteFile(PathBuf),
    /// A server database; `schema` is set in PostgreSQL's schema mode.
    Server {
        /// Server URL without a database path.
        server: url::Url,
        /// The logical database.
        database: String,
        /// The plugin's schema (pg schema mode).
        schema: Option<String>,
        /// The database used for administrative statements.
        admin_database: String,
    },
}

/// The resolved settings of one plugin's database.
#[derive(Clone, Debug)]
pub(crate) struct PluginDbSettings {
    pub(crate) dialect: Dialect,
    pub(crate) target: Target,
    pub(crate) ensure_exists: bool,
    pub(crate) skip_migrations: bool,
    pub(crate) max_connections: u32,
    pub(crate) acquire_timeout: Duration,
    pub(crate) migration_timeout: Duration,
}

impl PluginDbSettings {
    /// A short name of the target, for messages (never a password).
    pub(crate) fn describe(&self) -> String {
        match &self.target {
            Target::SqliteMemory => "sqlite in memory".to_owned(),
            Target::SqliteFile(path) => path.display().to_string(),
            Target::Server {
                database,
                schema: Some(schema),
                ..
            } => format!("{database}, schema {schema}"),
            Target::Server { database, .. } => database.clone(),
        }
    }
}

fn err(message: impl Into<String>) -> DatabaseError {
    DatabaseError::Config(message.into())
}

fn dialect_of(client: &str) -> Result<Dialect, DatabaseError> {
    match client {
        "sqlite" | "sqlite3" | "better-sqlite3" => Ok(Dialect::Sqlite),
        "pg" | "postgres" | "postgresql" => Ok(Dialect::Postgres),
        "mysql" | "mysql2" => Ok(Dialect::MySql),
        other => Err(err(format!(
            "client {other:?} is not supported; use sqlite (or better-sqlite3), pg, or mysql (or mysql2)"
        ))),
    }
}

fn valid_name_part(part: &str) -> bool {
    part.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn duration_ms(config: &Config, key: &str, default: Duration) -> Result<Duration, DatabaseError> {
    match config.get_optional_duration(key) {
        Ok(Some(d)) => d.to_std().map_err(|e| err(format!("{key}: {e}"))),
        Ok(None) => Ok(default),
        Err(e) => Err(err(e.to_string())),
    }
}

/// Reads the settings for `plugin_id`: `backend.database` with
/// `backend.database.plugin.<pluginId>` on top.
pub(crate) fn resolve(
    config: &Config,
    plugin_id: &str,
    instance: &str,
) -> Result<PluginDbSettings, DatabaseError> {
    let base = config
        .get_value("backend.database")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let plugin = config
        .get_value(["backend", "database", "plugin", plugin_id].as_slice())
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let string = |map: &Map<String, Value>, key: &str| {
        map.get(key).and_then(Value::as_str).map(str::to_owned)
    };
    let boolean = |key: &str| {
        plugin
            .get(key)
            .or_else(|| base.get(key))
            .and_then(Value::as_bool)
    };

    let base_client = string(&base, "client").unwrap_or_else(|| "sqlite".to_owned());
    let plugin_client = string(&plugin, "client");
    let overrides_client = plugin_client.as_ref().is_some_and(|c| *c != base_client);
    let dialect = dialect_of(plugin_client.as_deref().unwrap_or(&base_client))?;

    // A plugin that changes client does not inherit the base connection.
    let connection = match (
        overrides_client,
        base.get("connection"),
        plugin.get("connection"),
    ) {
        (_, _, Some(Value::String(s))) => Value::String(s.clone()),
        (false, Some(Value::Object(b)), Some(Value::Object(p))) => {
            let mut merged = b.clone();
            merged.extend(p.clone());
            Value::Object(merged)
        }
        (_, _, Some(p)) => p.clone(),
        (false, Some(b), None) => b.clone(),
        (_, _, None) => Value::Null,
    };

    let prefix = string(&base, "prefix").unwrap_or_else(|| "backstage_plugin_".to_owned());
    if !valid_name_part(&prefix) {
        return Err(err(format!(
            "prefix {prefix:?} may only contain letters, digits, '_' and '-'"
        )));
    }
    let division = string(&base, "pluginDivisionMode").unwrap_or_else(|| "database".to_owned());
    let ensure_exists = boolean("ensureExists").unwrap_or(true);
    let skip_migrations = boolean("skipMigrations").unwrap_or(false);
    let max_connections = config
        .get_optional_integer("backend.database.pool.max")
        .map_err(|e| err(e.to_string()))?
        .unwrap_or(5)
        .clamp(1, 1000) as u32;
    let acquire_timeout = duration_ms(
        config,
        "backend.database.pool.acquireTimeout",
        Duration::from_secs(10),
    )?;
    let migration_timeout = duration_ms(
        config,
        "backend.database.migrationTimeout",
        Duration::from_secs(300),
    )?;

    let target = match dialect {
        Dialect::Sqlite => {
            if division == "schema" {
                return Err(err(
                    "pluginDivisionMode 'schema' needs client pg; sqlite keeps a database per plugin",
                ));
            }
            sqlite_target(&connection, plugin.get("connection").is_some(), plugin_id)?
        }
        Dialect::Postgres | Dialect::MySql => {
            let (server, configured_db) = server_url(dialect, &connection)?;
            let own_database = plugin
                .get("connection")
                .and_then(|c| c.get("database"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            match (dialect, division.as_str()) {
                (Dialect::Postgres, "schema") => {
                    let schema_prefix = string(&base, "schemaPrefix").unwrap_or_default();
                    let schema = format!("{schema_prefix}{plugin_id}");
                    if schema.len() > PG_MAX_IDENTIFIER {
                        return Err(err(format!(
                            "schema name {schema:?} of plugin '{plugin_id}' is longer than PostgreSQL's {PG_MAX_IDENTIFIER} bytes; shorten backend.database.schemaPrefix"
                        )));
                    }
                    let database = configured_db
                        .clone()
                        .unwrap_or_else(|| "postgres".to_owned());
                    Target::Server {
                        server,
                        admin_database: database.clone(),
                        database,
                        schema: Some(schema),
                    }
                }
                (Dialect::MySql, "schema") => {
                    return Err(err("pluginDivisionMode 'schema' needs client pg"));
                }
                (_, "database") => {
                    let database = own_database.unwrap_or_else(|| format!("{prefix}{plugin_id}"));
                    let limit = if dialect == Dialect::Postgres {
                        PG_MAX_IDENTIFIER
                    } else {
                        64
                    };
                    if database.len() > limit {
                        return Err(err(format!(
                            "database name {database:?} of plugin '{plugin_id}' is longer than {limit} bytes; shorten backend.database.prefix"
                        )));
                    }
                    let admin_database = match dialect {
                        Dialect::Postgres => configured_db.unwrap_or_else(|| "postgres".to_owned()),
                        _ => String::new(),
                    };
                    Target::Server {
                        server,
                        database,
                        schema: None,
                        admin_database,
                    }
                }
                (_, other) => {
                    return Err(err(format!(
                        "pluginDivisionMode {other:?} is not supported; use 'database' or 'schema'"
                    )));
                }
            }
        }
    };
    let _ = instance;
    Ok(PluginDbSettings {
        dialect,
        target,
        ensure_exists,
        skip_migrations,
        max_connections,
        acquire_timeout,
        migration_timeout,
    })
}

fn sqlite_target(
    connection: &Value,
    plugin_specific: bool,
    plugin_id: &str,
) -> Result<Target, DatabaseError> {
    match connection {
        Value::Null => Ok(Target::SqliteMemory),
        Value::String(s) if s == ":memory:" => Ok(Target::SqliteMemory),
        Value::String(s) if plugin_specific => Ok(Target::SqliteFile(PathBuf::from(s))),
        Value::String(s) => Err(err(format!(
            "a sqlite connection {s:?} would share one file between plugins; use connection: {{ directory: ... }} (a file per plugin), ':memory:', or set a filename per plugin under backend.database.plugin.<pluginId>.connection"
        ))),
        Value::Object(map) => {
            if let Some(dir) = map.get("directory").and_then(Value::as_str) {
                return Ok(Target::SqliteFile(
                    PathBuf::from(dir).join(format!("{plugin_id}.sqlite")),
                ));
            }
            match map.get("filename").and_then(Value::as_str) {
                Some(":memory:") | None => Ok(Target::SqliteMemory),
                Some(f) if plugin_specific => Ok(Target::SqliteFile(PathBuf::from(f))),
                Some(f) => Err(err(format!(
                    "a shared sqlite filename {f:?} would mix plugins' tables; use connection.directory instead"
                ))),
            }
        }
        _ => Err(err("connection must be a string or an object")),
    }
}

/// The server URL (no database in its path) and the database it named.
fn server_url(
    dialect: Dialect,
    connection: &Value,
) -> Result<(url::Url, Option<String>), DatabaseError> {
    let scheme = match dialect {
        Dialect::Postgres => "postgres",
        _ => "mysql",
    };
    let mut url = match connection {
        Value::String(s) => url::Url::parse(s).map_err(|e| {
            err(format!("connection is not a valid {scheme}:// URL ({e}); write e.g. {scheme}://user:password@host:port"))
        })?,
        Value::Object(map) => {
            let host = map.get("host").and_then(Value::as_str).unwrap_or("localhost");
            let mut url = url::Url::parse(&format!("{scheme}://localhost"))
                .map_err(|e| err(e.to_string()))?;
            url.set_host(Some(host)).map_err(|e| err(format!("connection.host {host:?}: {e}")))?;
            if let Some(port) = map.get("port") {
                let port = port
                    .as_u64()
                    .or_else(|| port.as_str().and_then(|p| p.parse().ok()))
                    .and_then(|p| u16::try_from(p).ok())
                    .ok_or_else(|| err("connection.port must be a port number"))?;
                let _ = url.set_port(Some(port));
            }
            if let Some(user) = map.get("user").and_then(Value::as_str) {
                let _ = url.set_username(user);
            }
            if let Some(password) = map.get("password").and_then(Value::as_str) {
                let _ = url.set_password(Some(password));
            }
            if let Some(database) = map.get("database").and_then(Value::as_str) {
                url.set_path(database);
            }
            url
        }
        Value::Null => {
            return Err(err(format!("client {dialect} needs a connection (a URL or {{host, port, user, password}})")));
        }
        _ => return Err(err("connection must be a string or an object")),
    };
    let database = url.path().trim_start_matches('/').to_owned();
    url.set_path("");
    Ok((url, (!database.is_empty()).then_some(database)))
}
