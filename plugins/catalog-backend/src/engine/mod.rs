//! The processing engine: turns locations into stored entities.
//!
//! Every entity has a row of **processing state**: the unprocessed entity and
//! where it was read from, the last good processed entity, the errors of the
//! last run, a hash of the last result and when it is next due. A run
//! processes every due entity (in batches), writes what changed — an
//! unchanged result writes nothing but the next due time — upserts the
//! entities a location yielded as new due rows, and then **stitches** every
//! entity whose result or incoming relations changed: the processed entity,
//! plus the relations whose source it is (emitted while processing it or
//! any other entity), plus its processing errors as `status.items`. The
//! stitched entity goes to the [store](crate::store), which skips the write
//! when the content is unchanged.
//!
//! A failed run keeps the last good processed entity: it stays served, with
//! the errors on its status.

mod batch;
mod hash;
mod lineage;
mod results;
mod root;
mod schema;
mod state;
mod stitch;
mod unprocessed;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use backstage_backend::services::database::{DatabaseError, PluginDatabase};
use backstage_plugin_catalog_node::LocationSpec;

use crate::processing::Orchestrator;
use crate::store::{CatalogStore, StoreError};

pub use lineage::{AncestryLink, Lineage};

/// Entities processed per batch (one transaction each).
const BATCH: i64 = 200;

/// The engine failed to reach or update its tables.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The database failed.
    #[error("catalog processing: {0}")]
    Database(#[from] DatabaseError),
    /// A query failed.
    #[error("catalog processing: {0}")]
    Query(#[from] sqlx::Error),
    /// The store failed.
    #[error("catalog processing: {0}")]
    Store(#[from] StoreError),
    /// Stored state could not be read back.
    #[error("catalog processing: stored state of {entity_ref} is unreadable: {message}")]
    Corrupt {
        /// The entity.
        entity_ref: String,
        /// What is wrong.
        message: String,
    },
}

/// What one [`ProcessingEngine::run`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Entities processed.
    pub processed: usize,
    /// Of those, how many failed.
    pub failed: usize,
    /// Of those, how many produced the same result as last time.
    pub unchanged: usize,
    /// Entities stitched (and offered to the store).
    pub stitched: usize,
}

/// Processes entities from their locations into the store.
#[derive(Debug)]
pub struct ProcessingEngine {
    db: Arc<PluginDatabase>,
    store: CatalogStore,
    orchestrator: Orchestrator,
    interval: Option<Duration>,
}

impl ProcessingEngine {
    /// An engine over the catalog's database. `interval` is how long an
    /// entity rests after processing before it is due again (`None`: only
    /// when asked).
    pub fn new(
        db: Arc<PluginDatabase>,
        store: CatalogStore,
        orchestrator: Orchestrator,
        interval: Option<Duration>,
    ) -> Self {
        Self {
            db,
            store,
            orchestrator,
            interval,
        }
    }

    /// Creates or updates the engine's tables.
    pub async fn migrate(&self) -> Result<(), EngineError> {
        Ok(self
            .db
            .migrate_part("processing", &schema::MIGRATIONS)
            .await?)
    }

    /// Makes `locations` the configured locations: each becomes a root
    /// `Location` entity owned by the config, due now. Roots of locations no
    /// longer configured lose that owner.
    pub async fn set_config_locations(
        &self,
        locations: &[LocationSpec],
    ) -> Result<(), EngineError> {
        state::set_roots(&self.db, "config", locations).await
    }

    /// Processes every entity due when the run starts — and the entities
    /// found on the way, which are due at once — then stitches what
    /// changed. An entity is processed at most once per run.
    pub async fn run(&self) -> Result<RunReport, EngineError> {
        let mut report = RunReport::default();
        let mut to_stitch = BTreeSet::new();
        let started = state::now_ms();
        loop {
            let due = state::claim_due(&self.db, started, BATCH).await?;
            if due.is_empty() {
                break;
            }
            let batch_started = std::time::Instant::now();
            let mut outcomes = Vec::with_capacity(due.len());
            for row in due {
                let result = self
                    .orchestrator
                    .process(row.entity.clone(), &row.location)
                    .await;
                outcomes.push((row, result));
            }
            let processed_in = batch_started.elapsed();
            let written = results::write_results(&self.db, &outcomes, self.interval).await?;
            tracing::debug!(
                entities = outcomes.len(),
                process_ms = processed_in.as_millis() as u64,
                write_ms = (batch_started.elapsed() - processed_in).as_millis() as u64,
                "catalog processing: batch done"
            );
            report.processed += outcomes.len();
            report.failed += outcomes
                .iter()
                .filter(|(_, r)| !r.errors.is_empty())
                .count();
            report.unchanged += written.unchanged;
            to_stitch.extend(written.to_stitch);
        }
        let stitch_started = std::time::Instant::now();
        report.stitched = stitch::stitch(&self.db, &self.store, &to_stitch).await?;
        tracing::debug!(
            entities = report.stitched,
            stitch_ms = stitch_started.elapsed().as_millis() as u64,
            "catalog processing: stitched"
        );
        Ok(report)
    }
}
