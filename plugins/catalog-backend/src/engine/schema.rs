//! The processing engine's tables, migrated as the `processing` part of the
//! catalog's database (apart from the store's own tables).

use backstage_backend::services::database::{Migration, Migrations};

/// Where each entity came from and how its last processing went.
pub(crate) const STATE: &str = "catalog_refresh_state";
/// Who emits whom: a provider or config (`source_key`) or a parent entity.
pub(crate) const REFERENCES: &str = "catalog_refresh_references";
/// Relations, by the entity whose processing emitted them.
pub(crate) const RELATIONS: &str = "catalog_relations";
/// Locations registered through the API (`POST /locations`).
pub(crate) const LOCATIONS: &str = "catalog_locations";
/// Entities a location emitted but another location owns: shown on the
/// emitting entity's status, and reprocessed when the owner goes away.
pub(crate) const CONFLICTS: &str = "catalog_conflicts";
/// Entities a run will stitch, kept until it has: a replica that dies
/// between writing results and stitching leaves them to the others.
pub(crate) const STITCH_QUEUE: &str = "catalog_stitch_queue";
/// The refresh keys processors emitted for each entity (`emit.refresh_key`):
/// a provider's `refresh(keys)` makes the entities holding one due.
pub(crate) const REFRESH_KEYS: &str = "catalog_refresh_keys";

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
    Migration::new(2, V2_DESCRIPTION, V2_PORTABLE),
    Migration::new(3, V3_DESCRIPTION, V3_PORTABLE),
    Migration::new(4, V4_DESCRIPTION, V4_PORTABLE),
    Migration::new(5, V5_DESCRIPTION, V5_PORTABLE),
];

const V2_DESCRIPTION: &str =
    "registered locations, conflicts, claims, an index serving the due order";

/// Version 2: the registered locations (unique by a hash of `type:target`,
/// since a TEXT target cannot be a key everywhere), the conflicts table,
/// the stitch queue,
/// the claim token of the refresh loop, and an index on
/// `(next_update_at, entity_ref)` so claiming reads due rows in index order
/// instead of sorting them all.
const V2_PORTABLE: &str = "CREATE TABLE catalog_locations (
        id VARCHAR(64) NOT NULL PRIMARY KEY,
        location_type VARCHAR(255) NOT NULL,
        target TEXT NOT NULL,
        key_hash VARCHAR(64) NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX catalog_locations_key ON catalog_locations (key_hash);
    CREATE TABLE catalog_conflicts (
        parent_entity_ref VARCHAR(255) NOT NULL,
        entity_ref VARCHAR(255) NOT NULL,
        location_key TEXT NOT NULL,
        owner_key TEXT NULL
    );
    CREATE INDEX catalog_conflicts_parent ON catalog_conflicts (parent_entity_ref);
    CREATE INDEX catalog_conflicts_entity ON catalog_conflicts (entity_ref);
    CREATE TABLE catalog_stitch_queue (
        entity_ref VARCHAR(255) NOT NULL,
        claimed_by VARCHAR(64) NOT NULL,
        claim_until BIGINT NOT NULL
    );
    CREATE INDEX catalog_stitch_queue_claim ON catalog_stitch_queue (claimed_by);
    CREATE INDEX catalog_stitch_queue_until ON catalog_stitch_queue (claim_until);
    ALTER TABLE catalog_refresh_state ADD COLUMN claimed_by VARCHAR(64) NULL;
    DROP INDEX catalog_refresh_state_next;
    CREATE INDEX catalog_refresh_state_due ON catalog_refresh_state (next_update_at, entity_ref);";

const V2_MYSQL: &str = "CREATE TABLE catalog_locations (
        id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
        location_type VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        target TEXT COLLATE utf8mb4_bin NOT NULL,
        key_hash VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE INDEX catalog_locations_key (key_hash)
    );
    CREATE TABLE catalog_conflicts (
        parent_entity_ref VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        entity_ref VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        location_key TEXT NOT NULL,
        owner_key TEXT NULL,
        INDEX catalog_conflicts_parent (parent_entity_ref),
        INDEX catalog_conflicts_entity (entity_ref)
    );
    CREATE TABLE catalog_stitch_queue (
        entity_ref VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        claimed_by VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        claim_until BIGINT NOT NULL,
        INDEX catalog_stitch_queue_claim (claimed_by),
        INDEX catalog_stitch_queue_until (claim_until)
    );
    ALTER TABLE catalog_refresh_state ADD COLUMN claimed_by VARCHAR(64) COLLATE utf8mb4_bin NULL;
    DROP INDEX catalog_refresh_state_next ON catalog_refresh_state;
    CREATE INDEX catalog_refresh_state_due ON catalog_refresh_state (next_update_at, entity_ref);";

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
    Migration::new(2, V2_DESCRIPTION, V2_MYSQL),
    Migration::new(3, V3_DESCRIPTION, V3_MYSQL),
    Migration::new(4, V4_DESCRIPTION, V4_MYSQL),
    Migration::new(5, V5_DESCRIPTION, V5_MYSQL),
];

const V3_DESCRIPTION: &str = "relations read by source from the index alone";

/// Version 3: stitching reads an entity's relations by source; an index
/// holding the whole relation answers that without touching the table
/// (whose rows lie in the order their originating entities were
/// processed).
const V3_PORTABLE: &str = "CREATE INDEX catalog_relations_by_source ON catalog_relations (source_entity_ref, relation_type, target_entity_ref);
    DROP INDEX catalog_relations_source;";

const V3_MYSQL: &str = "CREATE INDEX catalog_relations_by_source ON catalog_relations (source_entity_ref, relation_type, target_entity_ref);
    DROP INDEX catalog_relations_source ON catalog_relations;";

const V4_DESCRIPTION: &str = "the processor cache of each entity";

/// Version 4: the processor cache of each entity (what its processors keep
/// from one run to the next, a JSON object by processor name), NULL for
/// the entities whose processors keep nothing.
const V4_PORTABLE: &str = "ALTER TABLE catalog_refresh_state ADD COLUMN processor_cache TEXT NULL;";

/// MySQL's TEXT holds 64 KiB only: the cache of a location keeps the
/// entities read there.
const V4_MYSQL: &str =
    "ALTER TABLE catalog_refresh_state ADD COLUMN processor_cache LONGTEXT NULL;";

const V5_DESCRIPTION: &str = "the refresh keys processors emit";

/// Version 5: refresh keys by entity, found by the hash of the key (keys
/// are often URLs, longer than an index allows).
const V5_PORTABLE: &str = "CREATE TABLE catalog_refresh_keys (
        entity_ref VARCHAR(255) NOT NULL,
        key_hash VARCHAR(64) NOT NULL,
        refresh_key TEXT NOT NULL
    );
    CREATE INDEX catalog_refresh_keys_entity ON catalog_refresh_keys (entity_ref);
    CREATE INDEX catalog_refresh_keys_key ON catalog_refresh_keys (key_hash);";

const V5_MYSQL: &str = "CREATE TABLE catalog_refresh_keys (
        entity_ref VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        key_hash VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        refresh_key TEXT COLLATE utf8mb4_bin NOT NULL
    );
    CREATE INDEX catalog_refresh_keys_entity ON catalog_refresh_keys (entity_ref);
    CREATE INDEX catalog_refresh_keys_key ON catalog_refresh_keys (key_hash);";

/// The engine's migrations.
pub(crate) const MIGRATIONS: Migrations = Migrations::new(PORTABLE).mysql(MYSQL);
