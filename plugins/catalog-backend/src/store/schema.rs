//! The store's tables, per dialect (see the [module documentation](super)).

use backstage_backend::services::database::{Migration, Migrations};

/// The store version (one row, see [`super::version`]).
pub(crate) const VERSION: &str = "catalog_store_version";
/// Final entities.
pub(crate) const ENTITIES: &str = "catalog_entities";
/// The key dictionary.
pub(crate) const KEYS: &str = "catalog_search_keys";
/// The value dictionary.
pub(crate) const VALUES: &str = "catalog_search_values";
/// The postings: (key_id, value_id, entity_id).
pub(crate) const POSTINGS: &str = "catalog_search";

const SQLITE: &[Migration] = &[
    Migration::new(
        1,
        "catalog store: final entities",
        "CREATE TABLE catalog_entities (
            id INTEGER NOT NULL PRIMARY KEY,
            uid VARCHAR(255) NOT NULL,
            entity_ref VARCHAR(255) NOT NULL,
            hash VARCHAR(64) NOT NULL,
            entity TEXT NOT NULL,
            updated_at BIGINT NOT NULL
        )",
    ),
    Migration::new(
        2,
        "catalog store: entities by uid",
        "CREATE UNIQUE INDEX catalog_entities_uid ON catalog_entities (uid)",
    ),
    Migration::new(
        3,
        "catalog store: entities by ref",
        "CREATE UNIQUE INDEX catalog_entities_ref ON catalog_entities (entity_ref)",
    ),
    Migration::new(
        4,
        "catalog store: search key dictionary",
        "CREATE TABLE catalog_search_keys (
            id INTEGER NOT NULL PRIMARY KEY,
            search_key TEXT NOT NULL
        )",
    ),
    Migration::new(
        5,
        "catalog store: search keys by text",
        "CREATE UNIQUE INDEX catalog_search_keys_text ON catalog_search_keys (search_key)",
    ),
    Migration::new(
        6,
        "catalog store: search value dictionary",
        "CREATE TABLE catalog_search_values (
            id INTEGER NOT NULL PRIMARY KEY,
            lower_value TEXT NOT NULL,
            original_value TEXT NOT NULL
        )",
    ),
    Migration::new(
        7,
        "catalog store: search values by text",
        "CREATE UNIQUE INDEX catalog_search_values_text ON catalog_search_values (lower_value, original_value)",
    ),
    Migration::new(
        8,
        "catalog store: search postings",
        "CREATE TABLE catalog_search (
            key_id INTEGER NOT NULL,
            value_id INTEGER NOT NULL,
            entity_id INTEGER NOT NULL,
            PRIMARY KEY (key_id, value_id, entity_id)
        ) WITHOUT ROWID",
    ),
    Migration::new(
        9,
        "catalog store: version counter",
        "CREATE TABLE catalog_store_version (
            id INTEGER NOT NULL PRIMARY KEY,
            version BIGINT NOT NULL
        )",
    ),
    Migration::new(
        10,
        "catalog store: version counter row",
        "INSERT INTO catalog_store_version (id, version) VALUES (1, 0)",
    ),
];

const POSTGRES: &[Migration] = &[
    Migration::new(
        1,
        "catalog store: final entities",
        "CREATE TABLE catalog_entities (
            id INTEGER NOT NULL PRIMARY KEY,
            uid VARCHAR(255) COLLATE \"C\" NOT NULL,
            entity_ref VARCHAR(255) COLLATE \"C\" NOT NULL,
            hash VARCHAR(64) NOT NULL,
            entity TEXT NOT NULL,
            updated_at BIGINT NOT NULL
        )",
    ),
    Migration::new(
        2,
        "catalog store: entities by uid",
        "CREATE UNIQUE INDEX catalog_entities_uid ON catalog_entities (uid)",
    ),
    Migration::new(
        3,
        "catalog store: entities by ref",
        "CREATE UNIQUE INDEX catalog_entities_ref ON catalog_entities (entity_ref)",
    ),
    Migration::new(
        4,
        "catalog store: search key dictionary",
        "CREATE TABLE catalog_search_keys (
            id INTEGER NOT NULL PRIMARY KEY,
            search_key TEXT COLLATE \"C\" NOT NULL
        )",
    ),
    Migration::new(
        5,
        "catalog store: search keys by text",
        "CREATE UNIQUE INDEX catalog_search_keys_text ON catalog_search_keys (search_key)",
    ),
    Migration::new(
        6,
        "catalog store: search value dictionary",
        "CREATE TABLE catalog_search_values (
            id INTEGER NOT NULL PRIMARY KEY,
            lower_value TEXT COLLATE \"C\" NOT NULL,
            original_value TEXT COLLATE \"C\" NOT NULL
        )",
    ),
    Migration::new(
        7,
        "catalog store: search values by text",
        "CREATE UNIQUE INDEX catalog_search_values_text ON catalog_search_values (lower_value, original_value)",
    ),
    Migration::new(
        8,
        "catalog store: search postings",
        "CREATE TABLE catalog_search (
            key_id INTEGER NOT NULL,
            value_id INTEGER NOT NULL,
            entity_id INTEGER NOT NULL,
            PRIMARY KEY (key_id, value_id, entity_id)
        )",
    ),
    Migration::new(
        9,
        "catalog store: version counter",
        "CREATE TABLE catalog_store_version (
            id INTEGER NOT NULL PRIMARY KEY,
            version BIGINT NOT NULL
        )",
    ),
    Migration::new(
        10,
        "catalog store: version counter row",
        "INSERT INTO catalog_store_version (id, version) VALUES (1, 0)",
    ),
];

// MySQL/MariaDB: the dictionaries are VARBINARY, so comparisons are
// byte-wise with no trailing-space padding (utf8mb4_bin pads), matching
// SQLite's BINARY and PostgreSQL's "C" collation; InnoDB clusters the
// postings by their primary key.
const MYSQL: &[Migration] = &[
    Migration::new(
        1,
        "catalog store: final entities",
        "CREATE TABLE catalog_entities (
            id INT NOT NULL PRIMARY KEY,
            uid VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
            entity_ref VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
            hash VARCHAR(64) NOT NULL,
            entity LONGTEXT NOT NULL,
            updated_at BIGINT NOT NULL
        )",
    ),
    Migration::new(
        2,
        "catalog store: entities by uid",
        "CREATE UNIQUE INDEX catalog_entities_uid ON catalog_entities (uid)",
    ),
    Migration::new(
        3,
        "catalog store: entities by ref",
        "CREATE UNIQUE INDEX catalog_entities_ref ON catalog_entities (entity_ref)",
    ),
    Migration::new(
        4,
        "catalog store: search key dictionary",
        "CREATE TABLE catalog_search_keys (
            id INT NOT NULL PRIMARY KEY,
            search_key VARBINARY(1024) NOT NULL
        )",
    ),
    Migration::new(
        5,
        "catalog store: search keys by text",
        "CREATE UNIQUE INDEX catalog_search_keys_text ON catalog_search_keys (search_key)",
    ),
    Migration::new(
        6,
        "catalog store: search value dictionary",
        "CREATE TABLE catalog_search_values (
            id INT NOT NULL PRIMARY KEY,
            lower_value VARBINARY(1024) NOT NULL,
            original_value VARBINARY(1024) NOT NULL
        )",
    ),
    Migration::new(
        7,
        "catalog store: search values by text",
        "CREATE UNIQUE INDEX catalog_search_values_text ON catalog_search_values (lower_value, original_value)",
    ),
    Migration::new(
        8,
        "catalog store: search postings",
        "CREATE TABLE catalog_search (
            key_id INT NOT NULL,
            value_id INT NOT NULL,
            entity_id INT NOT NULL,
            PRIMARY KEY (key_id, value_id, entity_id)
        )",
    ),
    Migration::new(
        9,
        "catalog store: version counter",
        "CREATE TABLE catalog_store_version (
            id INTEGER NOT NULL PRIMARY KEY,
            version BIGINT NOT NULL
        )",
    ),
    Migration::new(
        10,
        "catalog store: version counter row",
        "INSERT INTO catalog_store_version (id, version) VALUES (1, 0)",
    ),
];

/// The store's migrations, applied as the plugin database's part `store`
/// (their own migrations table) by [`CatalogStore::migrate`](super::CatalogStore::migrate).
pub const MIGRATIONS: Migrations = Migrations::new(SQLITE).postgres(POSTGRES).mysql(MYSQL);

/// The most bytes of text a dictionary row holds (the MySQL column width);
/// a longer original-case text is stored lowercased instead.
pub(crate) const MAX_TEXT_BYTES: usize = 1024;
