//! Starting a backend: config, services, HTTP server, modules and plugins.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::response::IntoResponse;
use backstage_common::config::Config;
use backstage_core::config::{ConfigLoader, ConfigSchemaSet};
use backstage_core::feature::{FeatureKind, FeatureRegistry};
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use futures_util::future::join_all;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::Layer;

use super::builder::{BackendBuilder, ConfigSource};
use super::running::RunningBackend;
use super::settings::{BootFailure, Settings, backend_schema};
use crate::error::BackendError;
use crate::extension_point::RegisteredExtensionPoint;
use crate::feature::{
    BackendModule, BackendPlugin, CoreServices, ExtensionPointTable, ModuleContext, PluginContext,
};
use crate::http::{self, ApiError, LayerSettings, PluginSlots, PolicyState, RootState, SlotState};
use crate::service::{ServiceContext, ServiceFactory, ServiceRegistry};
use crate::services::auth::{AUTH, TOKEN_AUTHORITY};
use crate::services::{
    DISCOVERY, DiscoveryService, HTTP_ROUTER, HostDiscovery, LIFECYCLE, LOGGER, Lifecycle,
    ROOT_CONFIG, ROOT_HEALTH, ROOT_HTTP_ROUTER, ROOT_LIFECYCLE, init_tracing,
};

/// The features of a backend after explicit adds, discovery and checks.
struct Features {
    plugins: Vec<Arc<BackendPlugin>>,
    modules: Vec<Arc<BackendModule>>,
    registry: FeatureRegistry,
}

fn collect_features(builder: &BackendBuilder) -> Result<Features, BackendError> {
    let mut registry = FeatureRegistry::new();
    for plugin in &builder.plugins {
        registry.add_shared(plugin.clone())?;
    }
    for module in &builder.modules {
        registry.add_shared(module.clone())?;
    }
    if builder.discover {
        registry.discover_where(|m| {
            matches!(
                m.kind,
                FeatureKind::BackendPlugin | FeatureKind::BackendModule
            )
        })?;
    }
    let plugins: Vec<Arc<BackendPlugin>> = registry.of_type::<BackendPlugin>().collect();
    let modules: Vec<Arc<BackendModule>> = registry.of_type::<BackendModule>().collect();
    let plugin_ids: HashSet<&str> = plugins.iter().map(|p| p.id()).collect();
    for module in &modules {
        if !plugin_ids.contains(module.plugin_id()) {
            return Err(BackendError::ModuleWithoutPlugin {
                plugin: module.plugin_id().to_owned(),
                module: module.module_id().to_owned(),
            });
        }
    }
    Ok(Features {
        plugins,
        modules,
        registry,
    })
}

/// Loads and validates the config; returns it with its deprecation warnings.
fn load_config(
    source: ConfigSource,
    schemas: ConfigSchemaSet,
) -> Result<(Config, Vec<String>), BackendError> {
    let loaded = match source {
        ConfigSource::Args => ConfigLoader::new()
            .args(std::env::args())?
            .schemas(schemas.schemas().iter().cloned())
            .load()?,
        ConfigSource::Loader(loader) => loader.schemas(schemas.schemas().iter().cloned()).load()?,
        ConfigSource::Value(config) => {
            let outcome = schemas.validate(config.as_value())?;
            let mut visibility = config.visibility().clone();
            visibility.extend(&outcome.visibility);
            return Ok((
                Config::with_visibility(config.as_value().clone(), visibility),
                outcome.warnings,
            ));
        }
    };
    Ok((loaded.config, loaded.warnings))
}

pub(crate) async fn start(builder: BackendBuilder) -> Result<RunningBackend, BackendError> {
    let started_at = Instant::now();
    let features = collect_features(&builder)?;

    // Config: validated against every schema before anything starts.
    let mut schemas = ConfigSchemaSet::new();
    schemas.add(backend_schema().owner("backend"));
    for schema in features
        .registry
        .config_schemas()
        .into_iter()
        .chain(builder.schemas.iter().cloned())
    {
        schemas.add(schema);
    }
    let (config, warnings) = load_config(builder.config, schemas)?;
    let settings = Settings::from_config(&config)?;
    init_tracing(settings.log_json, &settings.log_level);
    for warning in &warnings {
        tracing::warn!("{warning}");
    }
    http::metrics::init();

    // Bind first, so discovery knows the real port.
    let address = format!("{}:{}", settings.host, settings.port);
    let listener = TcpListener::bind(&address)
        .await
        .map_err(|source| BackendError::Bind {
            address: address.clone(),
            source,
        })?;
    let bound: SocketAddr = listener.local_addr().map_err(BackendError::Server)?;

    let mut factories = builder.services;
    factories.push(ServiceFactory::instance(
        &ROOT_CONFIG,
        Arc::new(config.clone()),
    ));
    if !factories.iter().any(|f| f.service_id() == DISCOVERY.id()) {
        let discovery: Arc<dyn DiscoveryService> =
            Arc::new(HostDiscovery::from_config(&config, bound)?);
        factories.push(ServiceFactory::instance(&DISCOVERY, discovery));
    }
    let registry = Arc::new(ServiceRegistry::new(factories)?);
    let root = ServiceContext::root(Arc::clone(&registry));
    let health = root.get(&ROOT_HEALTH).await?;
    let mounts = root.get(&ROOT_HTTP_ROUTER).await?;
    let root_lifecycle = root.get(&ROOT_LIFECYCLE).await?;
    let authority = root.get(&TOKEN_AUTHORITY).await?;
    if authority.default_policy_disabled() {
        tracing::warn!(
            "backend.auth.dangerouslyDisableDefaultAuthPolicy is set: every plugin route accepts requests without credentials"
        );
    }

    let slots = Arc::new(PluginSlots::new(
        features.plugins.iter().map(|p| p.id().to_owned()),
        settings.startup_pause,
    ));
    let app = http::root_service(
        RootState {
            slots: Arc::clone(&slots),
            health: Arc::clone(&health),
            mounts,
        },
        LayerSettings {
            request_timeout: settings.request_timeout,
            body_limit: settings.body_limit,
            cors: settings.cors.clone(),
        },
    );
    let (shutdown, mut shutdown_rx) = watch::channel(false);
    let server = tokio::spawn(async move {
        axum::serve(listener, tower::make::Shared::new(app))
            .with_graceful_shutdown(async move {
                let _ = shutdown_rx.wait_for(|stop| *stop).await;
            })
            .await
    });

    // Plugins start concurrently; each plugin's modules first.
    let mut modules_by_plugin: HashMap<String, Vec<Arc<BackendModule>>> = HashMap::new();
    for module in &features.modules {
        modules_by_plugin
            .entry(module.plugin_id().to_owned())
            .or_default()
            .push(Arc::clone(module));
    }
    let results = join_all(features.plugins.iter().map(|plugin| {
        let modules = modules_by_plugin.remove(plugin.id()).unwrap_or_default();
        start_plugin(
            Arc::clone(plugin),
            modules,
            Arc::clone(&registry),
            &config,
            &settings,
            authority.default_policy_disabled(),
        )
    }))
    .await;

    let mut failures = Vec::new();
    let mut plugin_lifecycles = Vec::new();
    for (plugin, result) in features.plugins.iter().zip(results) {
        match result {
            Ok(PluginStart { api, lifecycle }) => {
                slots.set(plugin.id(), SlotState::Ready(api));
                plugin_lifecycles.push((plugin.id().to_owned(), lifecycle));
            }
            Err(StartFailure {
                message,
                abort,
                lifecycle,
            }) => {
                slots.set(plugin.id(), SlotState::Failed);
                if let Some(lifecycle) = lifecycle {
                    plugin_lifecycles.push((plugin.id().to_owned(), lifecycle));
                }
                if abort {
                    failures.push(message);
                } else {
                    tracing::error!("{message} (continuing: onPluginBootFailure is 'continue')");
                }
            }
        }
    }

    let running = RunningBackend {
        address: bound,
        health,
        slots,
        shutdown,
        server,
        plugin_lifecycles,
        root_lifecycle,
        shutdown_timeout: settings.shutdown_timeout,
        hook_timeout: settings.hook_timeout,
    };
    if !failures.is_empty() {
        running.stop().await;
        return Err(BackendError::Startup(failures));
    }
    if let Err(message) = running
        .root_lifecycle
        .run_startup("the backend", settings.hook_timeout)
        .await
    {
        running.stop().await;
        return Err(BackendError::Startup(vec![message]));
    }
    running.health.set_ready();
    tracing::info!(
        address = %bound,
        elapsed_ms = started_at.elapsed().as_millis() as u64,
        "backend started"
    );
    Ok(running)
}

struct PluginStart {
    api: http::PluginApi,
    lifecycle: Arc<Lifecycle>,
}

struct StartFailure {
    message: String,
    abort: bool,
    lifecycle: Option<Arc<Lifecycle>>,
}

async fn core_services(ctx: &ServiceContext) -> Result<CoreServices, BackendError> {
    Ok(CoreServices {
        config: ctx.get(&ROOT_CONFIG).await?,
        logger: ctx.get(&LOGGER).await?,
        router: ctx.get(&HTTP_ROUTER).await?,
        lifecycle: ctx.get(&LIFECYCLE).await?,
        auth: ctx.get(&AUTH).await?,
        discovery: ctx.get(&DISCOVERY).await?,
    })
}

/// Extension points by id.
type PointsById = HashMap<&'static str, RegisteredExtensionPoint>;
/// The module that provides each module-provided extension point.
type ProvidersById = HashMap<&'static str, String>;

fn extension_points(
    plugin: &BackendPlugin,
    modules: &[Arc<BackendModule>],
) -> Result<(PointsById, ProvidersById), BackendError> {
    let mut points = HashMap::new();
    let mut providers: HashMap<&'static str, String> = HashMap::new();
    let mut owners: HashMap<&'static str, String> = HashMap::new();
    let entries = plugin
        .extension_points
        .iter()
        .map(|ep| (ep, format!("plugin '{}'", plugin.id()), None))
        .chain(modules.iter().flat_map(|m| {
            m.extension_points.iter().map(move |ep| {
                (
                    ep,
                    format!("module '{}'", m.id()),
                    Some(m.module_id().to_owned()),
                )
            })
        }));
    for (ep, owner, module) in entries {
        if let Some(first) = owners.get(ep.id) {
            return Err(
                if points
                    .get(ep.id)
                    .is_some_and(|p: &RegisteredExtensionPoint| p.type_id != ep.type_id)
                {
                    BackendError::TypeMismatch {
                        id: ep.id.to_owned(),
                        first: points[ep.id].type_name,
                        second: ep.type_name,
                    }
                } else {
                    BackendError::ExtensionPoint(format!(
                        "extension point '{}' is registered twice, by {first} and by {owner}",
                        ep.id
                    ))
                },
            );
        }
        owners.insert(ep.id, owner);
        if let Some(module) = module {
            providers.insert(ep.id, module);
        }
        points.insert(ep.id, ep.clone());
    }
    Ok((points, providers))
}

/// Orders modules so that a module consuming an extension point that another
/// module provides runs first; returns groups that may run concurrently.
fn module_levels(
    plugin_id: &str,
    modules: &[Arc<BackendModule>],
    providers: &HashMap<&'static str, String>,
) -> Result<Vec<Vec<Arc<BackendModule>>>, BackendError> {
    // provider module id -> modules that must run before it
    let mut before: BTreeMap<String, HashSet<String>> = modules
        .iter()
        .map(|m| (m.module_id().to_owned(), HashSet::new()))
        .collect();
    for module in modules {
        for consumed in &module.consumes {
            if let Some(provider) = providers.get(consumed)
                && provider != module.module_id()
                && let Some(set) = before.get_mut(provider)
            {
                set.insert(module.module_id().to_owned());
            }
        }
    }
    let mut levels = Vec::new();
    let mut done: HashSet<String> = HashSet::new();
    while done.len() < modules.len() {
        let ready: Vec<Arc<BackendModule>> = modules
            .iter()
            .filter(|m| !done.contains(m.module_id()))
            .filter(|m| before[m.module_id()].iter().all(|d| done.contains(d)))
            .cloned()
            .collect();
        if ready.is_empty() {
            let stuck: Vec<String> = modules
                .iter()
                .filter(|m| !done.contains(m.module_id()))
                .map(|m| m.module_id().to_owned())
                .collect();
            return Err(BackendError::ModuleCycle {
                plugin: plugin_id.to_owned(),
                modules: stuck.join(", "),
            });
        }
        done.extend(ready.iter().map(|m| m.module_id().to_owned()));
        levels.push(ready);
    }
    Ok(levels)
}

async fn start_plugin(
    plugin: Arc<BackendPlugin>,
    modules: Vec<Arc<BackendModule>>,
    registry: Arc<ServiceRegistry>,
    config: &Config,
    settings: &Settings,
    default_policy_disabled: bool,
) -> Result<PluginStart, StartFailure> {
    let id = plugin.id().to_owned();
    let plugin_policy = Settings::boot_failure(config, &id, None);
    let fail = |message: String, lifecycle: Option<Arc<Lifecycle>>| StartFailure {
        message,
        abort: plugin_policy == BootFailure::Abort,
        lifecycle,
    };
    let services =
        ServiceContext::for_feature(Arc::clone(&registry), &id, format!("plugin '{id}'"));
    let core = core_services(&services).await.map_err(|e| {
        fail(
            format!("plugin '{id}' could not get its core services: {e}"),
            None,
        )
    })?;
    let lifecycle = Some(Arc::clone(&core.lifecycle));

    let (points, providers) = extension_points(&plugin, &modules)
        .map_err(|e| fail(format!("plugin '{id}': {e}"), lifecycle.clone()))?;
    let table = Arc::new(ExtensionPointTable::new(&id, points));
    let levels = module_levels(&id, &modules, &providers)
        .map_err(|e| fail(e.to_string(), lifecycle.clone()))?;

    for level in levels {
        let results = join_all(level.iter().map(|module| {
            let ctx = ModuleContext {
                plugin_id: Arc::from(id.as_str()),
                module_id: Arc::from(module.module_id()),
                services: ServiceContext::for_feature(
                    Arc::clone(&registry),
                    &id,
                    format!("module '{}'", module.id()),
                ),
                core: CoreServices {
                    logger: Arc::new(core.logger.for_module(module.module_id())),
                    ..core.clone()
                },
                extension_points: Arc::clone(&table),
            };
            let init = module.take_init();
            async move {
                match init {
                    Some(init) => match AssertUnwindSafe(init(ctx)).catch_unwind().await {
                        Ok(result) => result.map_err(|e| e.to_string()),
                        Err(_) => Err("its init panicked".to_owned()),
                    },
                    None => {
                        Err("its init already ran (a module instance can start once)".to_owned())
                    }
                }
            }
        }))
        .await;
        for (module, result) in level.iter().zip(results) {
            if let Err(error) = result {
                let message = format!(
                    "module '{}' of plugin '{id}' failed to start: {error}",
                    module.module_id()
                );
                match Settings::boot_failure(config, &id, Some(module.module_id())) {
                    BootFailure::Abort => return Err(fail(message, lifecycle.clone())),
                    BootFailure::Continue => {
                        tracing::error!(
                            "{message} (continuing: onPluginModuleBootFailure is 'continue')"
                        )
                    }
                }
            }
        }
    }

    table.seal();
    let ctx = PluginContext {
        plugin_id: Arc::from(id.as_str()),
        services,
        core: core.clone(),
    };
    match plugin.take_init() {
        Some(init) => match AssertUnwindSafe(init(ctx)).catch_unwind().await {
            Ok(result) => result.map_err(|e| {
                fail(
                    format!("plugin '{id}' failed to start: {e}"),
                    lifecycle.clone(),
                )
            })?,
            Err(_) => {
                return Err(fail(
                    format!("plugin '{id}' failed to start: its init panicked"),
                    lifecycle.clone(),
                ));
            }
        },
        None => {
            return Err(fail(
                format!("plugin '{id}' was already started once; a plugin instance can start once"),
                lifecycle,
            ));
        }
    }
    core.lifecycle
        .run_startup(&format!("plugin '{id}'"), settings.hook_timeout)
        .await
        .map_err(|e| fail(e, lifecycle.clone()))?;

    let (user_router, policies) = core.router.take().map_err(|e| {
        fail(
            format!("plugin '{id}' has invalid routes: {e}"),
            lifecycle.clone(),
        )
    })?;
    let prefix = format!("/api/{id}");
    let user_router = if user_router.has_routes() {
        user_router.route_layer(http::RequestMetricsLayer::new(&id))
    } else {
        user_router
    };
    let not_found_prefix = prefix.clone();
    let router = Router::new()
        .nest(&prefix, user_router)
        .fallback(move |req: axum::extract::Request| {
            let prefix = not_found_prefix.clone();
            async move {
                ApiError::not_found(format!(
                    "no route for {} {} in plugin at {prefix}",
                    req.method(),
                    req.uri().path()
                ))
                .into_response()
            }
        })
        // Handlers become routes once here, not on every request.
        .with_state(());
    let api = http::AuthPolicyLayer::new(PolicyState {
        prefix,
        policies,
        auth: Arc::clone(&core.auth),
        default_policy_disabled,
    })
    .layer(router);
    Ok(PluginStart {
        api,
        lifecycle: Arc::clone(&core.lifecycle),
    })
}
