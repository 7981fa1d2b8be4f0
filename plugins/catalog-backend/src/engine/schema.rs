//! The processing engine's tables, migrated as the `processing` part of the
//! catalog's database (apart from the store's own tables).

use backstage_backend::services::database::{Migration, Migrations};

/// Where each entity came from and how its last processing went.
pub(crate) const STATE: &str = "catalog_refresh_state";
/// Who emits whom: a provider or config (`source_key`) or a parent entity.
pub(crate) const REFERENCES: &str = "catalog_refresh_references";
/// Relations, by the entity whose processing emitted them.
pub(crate) const RELATIONS: &str = "catalog_relations";

const PORTABLE: &[Migration] = &[
    Migration::new(
        1,
        "processing state, references and relations",
        "CREATE TABLE catalog_refresh_state (
        entity_ref VARCHAR(255) NOT NULL PRIMARY KEY,
        unprocessed_entity TEXT NOT NULL,
        unprocessed_hash VARCHAR(64) NOT NULL,
        location_type VARCHAR(255) NOT NULL,
        location_target TEXT NOT NULL,
        location_key TEXT NULL,
        processed_entity TEXT NULL,
        result_hash VARCHAR(64) NULL,
        errors TEXT NULL,
        next_update_at BIGINT NOT NULL
    );
    CREATE INDEX catalog_refresh_state_next ON catalog_refresh_state (next_update_at);
    CREATE TABLE catalog_refresh_references (
        source_key VARCHAR(255) NULL,
        source_entity_ref VARCHAR(255) NULL,
        target_entity_ref VARCHAR(255) NOT NULL
    );
    CREATE INDEX catalog_refresh_references_source ON catalog_refresh_references (source_entity_ref);
    CREATE INDEX catalog_refresh_references_target ON catalog_refresh_references (target_entity_ref);
    CREATE TABLE catalog_relations (
        originating_entity_ref VARCHAR(255) NOT NULL,
        source_entity_ref VARCHAR(255) NOT NULL,
        relation_type VARCHAR(255) NOT NULL,
        target_entity_ref VARCHAR(255) NOT NULL
    );
    CREATE INDEX catalog_relations_source ON catalog_relations (source_entity_ref);
    CREATE INDEX catalog_relations_origin ON catalog_relations (originating_entity_ref);",
    ),
    Migration::new(
        2,
        "relations read by source from the index alone",
        RELATIONS_BY_SOURCE,
    ),
];

const MYSQL: &[Migration] = &[
    Migration::new(
        1,
        "processing state, references and relations",
        "CREATE TABLE catalog_refresh_state (
        entity_ref VARCHAR(255) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
        unprocessed_entity LONGTEXT NOT NULL,
        unprocessed_hash VARCHAR(64) NOT NULL,
        location_type VARCHAR(255) NOT NULL,
        location_target TEXT NOT NULL,
        location_key TEXT NULL,
        processed_entity LONGTEXT NULL,
        result_hash VARCHAR(64) NULL,
        errors LONGTEXT NULL,
        next_update_at BIGINT NOT NULL,
        INDEX catalog_refresh_state_next (next_update_at)
    );
    CREATE TABLE catalog_refresh_references (
        source_key VARCHAR(255) COLLATE utf8mb4_bin NULL,
        source_entity_ref VARCHAR(255) COLLATE utf8mb4_bin NULL,
        target_entity_ref VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        INDEX catalog_refresh_references_source (source_entity_ref),
        INDEX catalog_refresh_references_target (target_entity_ref)
    );
    CREATE TABLE catalog_relations (
        originating_entity_ref VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        source_entity_ref VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        relation_type VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        target_entity_ref VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        INDEX catalog_relations_source (source_entity_ref),
        INDEX catalog_relations_origin (originating_entity_ref)
    );",
    ),
    Migration::new(
        2,
        "relations read by source from the index alone",
        "CREATE INDEX catalog_relations_by_source ON catalog_relations (source_entity_ref, relation_type, target_entity_ref);
        DROP INDEX catalog_relations_source ON catalog_relations;",
    ),
];

/// Stitching reads an entity's relations by source: an index holding the
/// whole relation answers that without touching the table (whose rows lie
/// in the order their originating entities were processed).
const RELATIONS_BY_SOURCE: &str = "CREATE INDEX catalog_relations_by_source ON catalog_relations (source_entity_ref, relation_type, target_entity_ref);
    DROP INDEX catalog_relations_source;";

/// The engine's migrations.
pub(crate) const MIGRATIONS: Migrations = Migrations::new(PORTABLE).mysql(MYSQL);
