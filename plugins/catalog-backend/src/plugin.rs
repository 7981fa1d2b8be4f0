//! The catalog backend plugin.

use std::sync::Arc;
use std::time::Duration;

use backstage_backend::services::database::DATABASE;
use backstage_backend::services::scheduler::{SCHEDULER, Scope, TaskDefinition, TaskSchedule};
use backstage_backend::services::url_reader::URL_READER;
use backstage_backend::{BackendPlugin, BoxError};
use backstage_plugin_catalog_node::{CATALOG_PROCESSING, CatalogProcessing};

use crate::api::{ReadCache, ReadCacheConfig};
use crate::config;
use crate::engine::{Lineage, ProcessingEngine};
use crate::processing::{CatalogRules, EntityValidator, Orchestrator, builtin};
use crate::store::CatalogStore;

/// The catalog plugin (`catalog`): reads `catalog.locations` and
/// `catalog.rules`, ingests the entities before it reports ready, keeps
/// them fresh on a schedule (`catalog.processingInterval`), and serves the
/// read API at `/api/catalog`. Modules add processors through
/// [`CATALOG_PROCESSING`].
pub fn catalog_plugin() -> BackendPlugin {
    let processing = Arc::new(CatalogProcessing::default());
    let extension = Arc::clone(&processing);
    BackendPlugin::builder("catalog")
        .extension_point(&CATALOG_PROCESSING, extension)
        .init(move |ctx| async move {
            let config = ctx.config().clone();
            let db = ctx.service(&DATABASE).await?;
            let store = CatalogStore::new(Arc::clone(&db));
            store.migrate().await?;

            // `url` locations are read through the URL reader, so what the
            // catalog may fetch is `backend.reading.allow`'s decision.
            let url_reader = ctx.service(&URL_READER).await?;
            let mut processors =
                builtin::processors_with_url_reader(config::max_file_bytes(&config)?, url_reader);
            processors.extend(processing.processors());
            let rules = CatalogRules::from_config(&config, config::resolve_target)?;
            let interval = config::processing_interval(&config)?;
            let validator = EntityValidator::new(processors.clone(), rules.clone());
            let engine = Arc::new(ProcessingEngine::new(
                Arc::clone(&db),
                store.clone(),
                Orchestrator::new(processors, rules),
                interval,
            ));
            engine.migrate().await?;
            engine
                .set_config_locations(&config::locations(&config)?)
                .await?;
            let report = engine.run().await?;
            tracing::info!(
                processed = report.processed,
                failed = report.failed,
                stitched = report.stitched,
                "catalog ingested its configured locations"
            );

            if interval.is_some() {
                let scheduler = ctx.service(&SCHEDULER).await?;
                let refresher = Arc::clone(&engine);
                scheduler
                    .schedule_task(TaskDefinition::new(
                        "catalog-processing",
                        TaskSchedule::every(Duration::from_secs(1))
                            .timeout(Duration::from_secs(600)),
                        move |_cancel| {
                            let engine = Arc::clone(&refresher);
                            async move {
                                engine.run().await?;
                                Ok(())
                            }
                        },
                    ))
                    .await?;
            }

            let cache_config = ReadCacheConfig::from_config(&config)?;
            let mut router =
                crate::api::router(store.clone(), Lineage::new(Arc::clone(&db)), validator);
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
