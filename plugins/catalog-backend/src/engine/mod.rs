//! The processing engine: turns locations into stored entities.
//!
//! Every entity has a row of **processing state**: the unprocessed entity and
//! where it was read from, the last good processed entity, the errors of the
//! last run, a hash of the last result, when it is next due, and the
//! processor cache of the last good run (NULL when its processors keep
//! nothing; see [`ProcessorCache`](backstage_plugin_catalog_node::ProcessorCache)). A run
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
//! the errors on its status; the processor cache stays the last good run's.
//!
//! Entities are owned: a root by its source (`config`, the registered
//! locations, an entity provider), any other entity by the entities whose
//! processing emitted it. An entity nothing owns any more is an
//! **orphan**: it is stitched with the `backstage.io/orphan` annotation,
//! and [`ProcessingEngine::cleanup_orphans`] deletes orphans (and then
//! their children left without owner). What a source itself lets go (a
//! deleted location, an entity a provider removed) is deleted at once.
//!
//! Several replicas can run one engine on one PostgreSQL or MySQL
//! database: each claims the rows it processes (see
//! [`ProcessingEngine::with_claim_lease`]), so an entity is processed by
//! one replica at a time.

mod batch;
mod bookkeeping;
mod hash;
mod lineage;
mod locations;
mod provider;
mod prune;
mod queue;
mod results;
mod retry;
mod root;
mod schema;
mod sources;
mod state;
mod status;
mod stitch;
mod unprocessed;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use backstage_backend::services::database::{DatabaseError, PluginDatabase};
use backstage_plugin_catalog_node::{LocationSpec, ProcessorError};
use serde_json::Value;

use crate::processing::Orchestrator;
use crate::store::{CatalogStore, StoreError};

pub use lineage::{AncestryLink, Lineage};
pub use locations::RegisteredLocation;
pub use status::ORPHAN_ANNOTATION;

pub(crate) use root::root_ref;

/// How long a claim on a due entity holds by default: a replica that dies
/// holding claims leaves those entities waiting this long.
pub const DEFAULT_CLAIM_LEASE: Duration = Duration::from_secs(600);

/// The most entities a dry run of a location reads before it gives up.
const DRY_RUN_LIMIT: usize = 10_000;

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
    /// The location is registered already.
    #[error(
        "Location {location} already exists (id {id}); register another target, or ask with onConflict=refresh to refresh it"
    )]
    LocationExists {
        /// `type:target`.
        location: String,
        /// The registered location's id.
        id: String,
    },
    /// A provider's mutation holds an entity the catalog cannot take.
    #[error("entity provider {provider}: {message}")]
    Mutation {
        /// The provider.
        provider: String,
        /// What is wrong.
        message: String,
    },
}

impl EngineError {
    /// Whether the database gave up the transaction because of a deadlock
    /// or a serialization conflict with another writer (another replica):
    /// trying again is safe.
    fn is_retryable(&self) -> bool {
        match self {
            EngineError::Query(sqlx::Error::Database(e)) => {
                // Deadlock, serialization failure (PostgreSQL), deadlock
                // (MySQL); busy, locked, busy snapshot (SQLite).
                matches!(
                    e.code().as_deref(),
                    Some("40P01" | "40001" | "1213" | "5" | "6" | "517")
                )
            }
            _ => false,
        }
    }
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
    /// Results dropped because this replica's claim ran out
    /// (`catalog.processingLease`) and another claim took the entity while
    /// it was processed: the newer claim's result stands.
    pub fenced: usize,
}

/// Processes entities from their locations into the store.
#[derive(Debug)]
pub struct ProcessingEngine {
    db: Arc<PluginDatabase>,
    store: CatalogStore,
    orchestrator: Orchestrator,
    interval: Option<Duration>,
    claimer: state::Claimer,
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
        let replica = locations::new_id().unwrap_or_else(|_| format!("{:x}", state::now_ms()));
        Self {
            db,
            store,
            orchestrator,
            interval,
            claimer: state::Claimer {
                replica,
                lease: DEFAULT_CLAIM_LEASE,
                skip_locked: tokio::sync::OnceCell::new(),
                counter: std::sync::atomic::AtomicU64::new(0),
            },
        }
    }

    /// How long this engine's claim on an entity it is processing holds
    /// (default [`DEFAULT_CLAIM_LEASE`]). While it holds, no other replica
    /// processes the entity; if this replica dies before writing the
    /// result, the entity is due again once the lease is over. Keep it
    /// well above the time one batch takes.
    pub fn with_claim_lease(mut self, lease: Duration) -> Self {
        self.claimer.lease = lease.max(Duration::from_millis(1));
        self
    }

    /// The store this engine stitches into.
    pub fn store(&self) -> &CatalogStore {
        &self.store
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
        retry::retrying("setting the configured locations", || async {
            let before = state::set_roots(&self.db, "config", locations).await?;
            prune::prune(&self.db, &self.store, before).await?;
            Ok(())
        })
        .await
    }

    /// Processes every entity due when the run starts — and the entities
    /// found on the way, which are due at once — then stitches what
    /// changed. An entity is processed at most once per run.
    pub async fn run(&self) -> Result<RunReport, EngineError> {
        let mut report = RunReport::default();
        let started = state::now_ms();
        let token = self.claimer.token();
        let lease_until = started.saturating_add(self.claimer.lease_ms());
        // What a replica that died before stitching left behind.
        let mut to_stitch = queue::take_expired(&self.db, &token, lease_until).await?;
        let mut queued = !to_stitch.is_empty();
        loop {
            let due = state::claim_due(&self.db, started, BATCH, &self.claimer).await?;
            if due.is_empty() {
                break;
            }
            let batch_started = std::time::Instant::now();
            let mut outcomes = Vec::with_capacity(due.len());
            for mut row in due {
                let previous = std::mem::take(&mut row.cache);
                let result = self
                    .orchestrator
                    .process_with_cache(row.entity.clone(), &row.location, previous)
                    .await;
                outcomes.push((row, result));
            }
            let processed_in = batch_started.elapsed();
            let parents: Vec<&str> = outcomes
                .iter()
                .map(|(row, _)| row.entity_ref.as_str())
                .collect();
            let links_before = bookkeeping::links_of(&self.db, &parents).await?;
            let affected = queue::affected(&self.db, &outcomes, &links_before).await?;
            queue::enqueue(&self.db, &affected, &token, lease_until).await?;
            queued = true;
            let written = self.write(&outcomes).await?;
            // Children that lost or gained a parent may have become (or
            // stopped being) orphans; their conflicts may have changed.
            let links_after = bookkeeping::links_of(&self.db, &parents).await?;
            to_stitch.extend(
                links_before
                    .symmetric_difference(&links_after)
                    .map(|(_, child)| child.clone()),
            );
            to_stitch.extend(bookkeeping::record_conflicts(&self.db, &outcomes).await?);
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
            report.fenced += written.fenced;
            to_stitch.extend(written.to_stitch);
        }
        let stitch_started = std::time::Instant::now();
        report.stitched = stitch::stitch(&self.db, &self.store, &to_stitch).await?;
        if queued {
            queue::done(&self.db, &token).await?;
        }
        tracing::debug!(
            entities = report.stitched,
            stitch_ms = stitch_started.elapsed().as_millis() as u64,
            "catalog processing: stitched"
        );
        Ok(report)
    }

    /// Writes a batch of results, trying again when another writer made
    /// the database give up the transaction.
    async fn write(
        &self,
        outcomes: &[(state::DueRow, crate::processing::ProcessingResult)],
    ) -> Result<state::Written, EngineError> {
        retry::retrying("a batch write", || {
            results::write_results(&self.db, outcomes, self.interval)
        })
        .await
    }

    /// Deletes the orphans — entities nothing emits any more — and then
    /// their children left without owner. Returns how many entities were
    /// deleted. (`catalog.orphanStrategy: delete` runs this on a
    /// schedule.)
    pub async fn cleanup_orphans(&self) -> Result<usize, EngineError> {
        let orphans = prune::orphans(&self.db).await?;
        if orphans.is_empty() {
            return Ok(0);
        }
        let deleted = prune::prune(&self.db, &self.store, orphans).await?;
        if !deleted.is_empty() {
            tracing::info!(
                entities = deleted.len(),
                "catalog: deleted orphaned entities"
            );
        }
        Ok(deleted.len())
    }

    /// Deletes one entity (`DELETE /entities/by-uid/{uid}`). The entities
    /// that emitted it are reprocessed at once, so an entity its location
    /// still emits comes back.
    pub async fn delete_entity(&self, entity_ref: &str) -> Result<(), EngineError> {
        let key = state::key_of(entity_ref);
        retry::retrying("deleting an entity", || {
            prune::delete_entity(&self.db, &self.store, &key)
        })
        .await
    }

    /// Makes `entity_ref` (any case) and the entities that emitted it, up
    /// to its root, due now (`POST /refresh`); `false` when the engine
    /// does not know the entity.
    pub async fn refresh(&self, entity_ref: &str) -> Result<bool, EngineError> {
        let key = state::key_of(entity_ref);
        if !state::exists(&self.db, &key).await? {
            return Ok(false);
        }
        let ancestry = Lineage::new(Arc::clone(&self.db)).ancestry(&key).await?;
        let refs: Vec<String> = ancestry.into_iter().map(|link| link.entity_ref).collect();
        state::make_due(&self.db, &refs).await?;
        Ok(true)
    }

    /// Every location registered through the API, oldest first.
    pub async fn locations(&self) -> Result<Vec<RegisteredLocation>, EngineError> {
        locations::list(&self.db).await
    }

    /// The registered location with this id.
    pub async fn location(&self, id: &str) -> Result<Option<RegisteredLocation>, EngineError> {
        locations::by_id(&self.db, id).await
    }

    /// The registered location of this type and target.
    pub async fn location_for(
        &self,
        location: &LocationSpec,
    ) -> Result<Option<RegisteredLocation>, EngineError> {
        locations::by_spec(&self.db, location).await
    }

    /// Registers `location`: stores it with a new id and makes its root
    /// `Location` entity due now. [`EngineError::LocationExists`] when it
    /// is registered already.
    pub async fn register_location(
        &self,
        location: &LocationSpec,
    ) -> Result<RegisteredLocation, EngineError> {
        retry::retrying("registering a location", || {
            self.register_location_once(location)
        })
        .await
    }

    async fn register_location_once(
        &self,
        location: &LocationSpec,
    ) -> Result<RegisteredLocation, EngineError> {
        let location = LocationSpec::new(&location.location_type, &location.target);
        let exists = |existing: Option<RegisteredLocation>| EngineError::LocationExists {
            location: location.key(),
            id: existing.map(|l| l.id).unwrap_or_default(),
        };
        if let Some(existing) = self.location_for(&location).await? {
            return Err(exists(Some(existing)));
        }
        let dialect = self.db.dialect();
        let mut tx = self.db.pool().await?.begin().await?;
        let Some(registered) = locations::insert(&mut tx, dialect, &location).await? else {
            drop(tx);
            return Err(exists(self.location_for(&location).await?));
        };
        sources::attach_roots(
            &mut tx,
            dialect,
            locations::REGISTERED,
            std::slice::from_ref(&location),
        )
        .await?;
        tx.commit().await?;
        Ok(registered)
    }

    /// Unregisters the location with this id: its root entity, and every
    /// entity only it provided, are deleted now. `false` when there is no
    /// such location.
    pub async fn unregister_location(&self, id: &str) -> Result<bool, EngineError> {
        let Some(root) =
            retry::retrying("unregistering a location", || self.remove_location(id)).await?
        else {
            return Ok(false);
        };
        retry::retrying("deleting a location's entities", || {
            prune::prune(&self.db, &self.store, vec![root.clone()])
        })
        .await?;
        Ok(true)
    }

    /// Deletes the location `id` and releases its root; the root's ref, or
    /// `None` when there is no such location.
    async fn remove_location(&self, id: &str) -> Result<Option<String>, EngineError> {
        let Some(location) = self.location(id).await? else {
            return Ok(None);
        };
        let dialect = self.db.dialect();
        let root = location.entity_ref();
        let mut tx = self.db.pool().await?.begin().await?;
        if !locations::delete(&mut tx, dialect, id).await? {
            return Ok(None);
        }
        sources::detach(
            &mut tx,
            dialect,
            locations::REGISTERED,
            std::slice::from_ref(&root),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(root))
    }

    /// Gives the registered location `id` a new type and target (`PUT
    /// /locations/{id}`): its new root `Location` entity is due now, and
    /// the old root goes, with every entity only it provided — entities the
    /// new target emits again come back with new uids. `None` when there is
    /// no such location; [`EngineError::LocationExists`] when another
    /// location has that type and target.
    pub async fn update_location(
        &self,
        id: &str,
        location: &LocationSpec,
    ) -> Result<Option<RegisteredLocation>, EngineError> {
        let location = LocationSpec::new(&location.location_type, &location.target);
        let Some(before) = self.location(id).await? else {
            return Ok(None);
        };
        if before.spec() == location {
            return Ok(Some(before));
        }
        let old_root = before.entity_ref();
        if !retry::retrying("moving a location", || {
            self.move_location(id, &location, &old_root)
        })
        .await?
        {
            return Ok(None);
        }
        retry::retrying("deleting a location's old entities", || {
            prune::prune(&self.db, &self.store, vec![old_root.clone()])
        })
        .await?;
        Ok(Some(RegisteredLocation {
            id: id.to_owned(),
            location_type: location.location_type,
            target: location.target,
        }))
    }

    /// Gives the location `id` its new type and target and swaps its root
    /// from `old_root` to the new one; `false` when there is no such
    /// location.
    async fn move_location(
        &self,
        id: &str,
        location: &LocationSpec,
        old_root: &str,
    ) -> Result<bool, EngineError> {
        let dialect = self.db.dialect();
        let mut tx = self.db.pool().await?.begin().await?;
        match locations::update(&mut tx, dialect, id, location).await? {
            None => return Ok(false),
            Some(false) => {
                drop(tx);
                return Err(EngineError::LocationExists {
                    location: location.key(),
                    id: self
                        .location_for(location)
                        .await?
                        .map(|l| l.id)
                        .unwrap_or_default(),
                });
            }
            Some(true) => {}
        }
        sources::detach(
            &mut tx,
            dialect,
            locations::REGISTERED,
            &[old_root.to_owned()],
        )
        .await?;
        sources::attach_roots(
            &mut tx,
            dialect,
            locations::REGISTERED,
            std::slice::from_ref(location),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// What registering `location` would add, without storing anything:
    /// its root `Location` entity and everything read from it, processed
    /// (recursively through nested locations). The errors of the first
    /// entity that fails, if any.
    pub async fn dry_run(
        &self,
        location: &LocationSpec,
    ) -> Result<Vec<Value>, Vec<ProcessorError>> {
        let mut pending = vec![(root::location_entity(location), location.clone())];
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        while let Some((entity, from)) = pending.pop() {
            let result = self.orchestrator.process(entity, &from).await;
            if !result.errors.is_empty() {
                return Err(result.errors);
            }
            let Some(entity) = result.entity else {
                continue;
            };
            if let Some(entity_ref) = &result.entity_ref
                && !seen.insert(state::key_of(entity_ref))
            {
                continue;
            }
            out.push(entity);
            if out.len() >= DRY_RUN_LIMIT {
                return Err(vec![ProcessorError::input(format!(
                    "{location} yields more than {DRY_RUN_LIMIT} entities; register it without a dry run"
                ))]);
            }
            for child in result.children.into_iter().rev() {
                pending.push((child.entity(), child.location));
            }
        }
        Ok(out)
    }

    /// The connection through which the entity provider `name` applies
    /// its mutations to this engine.
    pub fn provider_connection(
        self: &Arc<Self>,
        name: &str,
    ) -> Arc<dyn backstage_plugin_catalog_node::EntityProviderConnection> {
        Arc::new(provider::Connection::new(Arc::clone(self), name))
    }

    /// Applies a provider's mutation: a full one replaces everything
    /// `provider` owns (entities it no longer lists are deleted, with
    /// their children nothing else owns), a delta adds and removes. The
    /// first location to provide an entity owns it: an entity another
    /// source owns is left out with a warning.
    pub async fn apply_mutation(
        &self,
        provider: &str,
        mutation: backstage_plugin_catalog_node::EntityProviderMutation,
    ) -> Result<(), EngineError> {
        retry::retrying("a provider's mutation", || {
            provider::apply(&self.db, &self.store, provider, &mutation)
        })
        .await
    }

    /// Deletes what entity providers no longer installed own
    /// (`catalog.orphanProviderStrategy: delete`, Backstage's default, at
    /// startup): every source of entities that is neither in `installed`
    /// nor one of the catalog's own (`reserved`: configured and registered
    /// locations) loses its entities, and so do their children nothing
    /// else emits. Returns the providers evicted.
    pub async fn evict_uninstalled_providers(
        &self,
        installed: &[&str],
        reserved: &[&str],
    ) -> Result<Vec<String>, EngineError> {
        let (evicted, deleted) =
            retry::retrying("deleting uninstalled providers' entities", || {
                provider::evict_uninstalled(&self.db, &self.store, installed, reserved)
            })
            .await?;
        if !evicted.is_empty() {
            tracing::info!(
                providers = ?evicted,
                entities = deleted.len(),
                "catalog: deleted the entities of entity providers that are no longer installed"
            );
        }
        Ok(evicted)
    }

    /// Makes due now every entity read from a location whose key
    /// (`type:target`) or target is one of `keys` (a provider's
    /// `refresh`).
    pub async fn refresh_keys(&self, keys: &[String]) -> Result<(), EngineError> {
        state::make_due_by_location(&self.db, keys).await
    }
}
