//! The catalog backend plugin.

use std::sync::Arc;
use std::time::Duration;

use backstage_backend::services::database::DATABASE;
use backstage_backend::services::scheduler::{SCHEDULER, Scope, TaskDefinition, TaskSchedule};
use backstage_backend::services::url_reader::URL_READER;
use backstage_backend::{BackendPlugin, BoxError};
use backstage_plugin_catalog_node::{
    CATALOG_LOCATIONS, CATALOG_PROCESSING, CatalogLocations, CatalogProcessing,
};

use crate::api::{ReadCache, ReadCacheConfig};
use crate::config;
use crate::engine::{Lineage, ProcessingEngine};
use crate::processing::{CatalogRules, EntityValidator, Orchestrator, builtin};
use crate::store::CatalogStore;

/// How often each replica looks for due entities (Backstage polls every
/// second too).
const PROCESSING_POLL: Duration = Duration::from_secs(1);

/// Source keys the catalog itself uses; no entity provider may take them.
const RESERVED_SOURCES: [&str; 2] = ["config", "registered-locations"];

/// The catalog plugin (`catalog`): reads `catalog.locations` and
/// `catalog.rules`, ingests the entities before it reports ready, keeps
/// them fresh on a schedule (`catalog.processingInterval`), deletes or
/// keeps orphans (`catalog.orphanStrategy`), and serves the catalog API at
/// `/api/catalog`, including registering locations. Modules add
/// processors and entity providers through [`CATALOG_PROCESSING`], and set
/// the location types users may register through [`CATALOG_LOCATIONS`].
///
/// Every replica of a backend runs its own processing loop; replicas on
/// one database claim the entities they process, so each entity is
/// processed by one of them at a time.
pub fn catalog_plugin() -> BackendPlugin {
    let processing = Arc::new(CatalogProcessing::default());
    let extension = Arc::clone(&processing);
    let locations = Arc::new(CatalogLocations::default());
    let locations_extension = Arc::clone(&locations);
    BackendPlugin::builder("catalog")
        .extension_point(&CATALOG_PROCESSING, extension)
        .extension_point(&CATALOG_LOCATIONS, locations_extension)
        .init(move |ctx| async move {
            let config = ctx.config().clone();
            let db = ctx.service(&DATABASE).await?;
            let store = CatalogStore::new(Arc::clone(&db));
            store.migrate().await?;

            // `url` locations are read through the URL reader, so what the
            // catalog may fetch is `backend.reading.allow`'s decision.
            let url_reader = ctx.service(&URL_READER).await?;
            let mut processors = builtin::processors_with_url_reader(
                config::max_file_bytes(&config)?,
                Arc::clone(&url_reader),
            );
            processors.extend(processing.processors());
            let rules = CatalogRules::from_config(&config, config::resolve_target)?;
            let interval = config::processing_interval(&config)?;
            let validator = EntityValidator::new(processors.clone(), rules.clone());
            let mut location_options = config::location_options(&config)?;
            if let Some(types) = locations.allowed_location_types() {
                location_options.allowed_types = types;
            }
            let orphan_strategy = config::orphan_strategy(&config)?;
            let engine = Arc::new(
                ProcessingEngine::new(
                    Arc::clone(&db),
                    store.clone(),
                    Orchestrator::new(processors, rules),
                    interval,
                )
                .with_claim_lease(config::processing_lease(&config)?),
            );
            engine.migrate().await?;
            engine
                .set_config_locations(&config::locations(&config)?)
                .await?;
            for provider in processing.providers() {
                let name = provider.name().to_owned();
                if RESERVED_SOURCES.contains(&name.as_str()) {
                    return Err(format!(
                        "entity provider name {name:?} is reserved by the catalog; give the provider another name"
                    )
                    .into());
                }
                provider
                    .connect(engine.provider_connection(&name))
                    .await
                    .map_err(|e| format!("entity provider {name} failed to connect: {e}"))?;
            }
            if config::orphan_provider_strategy(&config)? == config::OrphanStrategy::Delete {
                let providers = processing.providers();
                let installed: Vec<&str> = providers.iter().map(|p| p.name()).collect();
                engine
                    .evict_uninstalled_providers(&installed, &RESERVED_SOURCES)
                    .await?;
            }
            let report = engine.run().await?;
            tracing::info!(
                processed = report.processed,
                failed = report.failed,
                stitched = report.stitched,
                "catalog ingested its configured locations"
            );

            // Every replica polls for due entities (entities registered,
            // refreshed or provided are due at once, even when
            // `processingInterval` is false); claims keep replicas apart.
            let scheduler = ctx.service(&SCHEDULER).await?;
            let refresher = Arc::clone(&engine);
            scheduler
                .schedule_task(TaskDefinition::new(
                    "catalog-processing",
                    TaskSchedule::every(PROCESSING_POLL)
                        .timeout(Duration::from_secs(600))
                        .scope(Scope::Local),
                    move |_cancel| {
                        let engine = Arc::clone(&refresher);
                        async move {
                            engine.run().await?;
                            Ok(())
                        }
                    },
                ))
                .await?;
            if orphan_strategy == config::OrphanStrategy::Delete {
                let cleaner = Arc::clone(&engine);
                scheduler
                    .schedule_task(TaskDefinition::new(
                        "catalog-orphan-cleanup",
                        TaskSchedule::every(config::orphan_cleanup_interval(&config)?)
                            .timeout(Duration::from_secs(600)),
                        move |_cancel| {
                            let engine = Arc::clone(&cleaner);
                            async move {
                                engine.cleanup_orphans().await?;
                                Ok(())
                            }
                        },
                    ))
                    .await?;
            }

            let cache_config = ReadCacheConfig::from_config(&config)?;
            let mut router =
                crate::api::router(store.clone(), Lineage::new(Arc::clone(&db)), validator).merge(
                    crate::api::write_router(
                        Arc::clone(&engine),
                        location_options,
                        Some(url_reader),
                    ),
                );
            if cache_config.enabled {
                let scheduler = ctx.service(&SCHEDULER).await?;
                let watched = store.clone();
                scheduler
                    .schedule_task(TaskDefinition::new(
                        "catalog-read-cache-version",
                        TaskSchedule::every(cache_config.max_staleness)
                            .timeout(Duration::from_secs(30))
                            .scope(Scope::Local),
                        move |_cancel| {
                            let store = watched.clone();
                            async move {
                                store.refresh_version().await?;
                                Ok(())
                            }
                        },
                    ))
                    .await?;
                let cache = Arc::new(ReadCache::new(store, &cache_config));
                router = crate::api::with_read_cache(router, cache);
            }
            ctx.http_router().use_router(router);
            Ok::<_, BoxError>(())
        })
}
