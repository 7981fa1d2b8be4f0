//! The portal's UI: the frontend app (catalog, tech radar, the home page
//! and the runbook demo plugin), mounted at `/` of the backend in one
//! process, or served on its own in the frontend process.

use std::sync::Arc;

use backstage_backend::services::{DISCOVERY, DiscoveryService, ROOT_HTTP_ROUTER};
use backstage_backend::{BackendPlugin, BoxError};
use backstage_common::config::Config;
use backstage_frontend::apis::{DISCOVERY_API, DiscoveryApi, DiscoveryError};
use backstage_frontend::app::AppError;
use backstage_frontend::{ApiFactory, App, FrontendPlugin};

// ANCHOR: plugins
/// The frontend plugins of the portal, in sidebar order.
pub(crate) fn plugins() -> Vec<FrontendPlugin> {
    vec![
        crate::home::plugin(),
        backstage_plugin_catalog::plugin(),
        backstage_plugin_tech_radar::plugin(),
        crate::runbook::plugin(),
    ]
}
// ANCHOR_END: plugins

/// Builds the app from the whole config. `discovery` replaces the config
/// discovery (`backend.baseUrl`), as the in-process mount does.
pub(crate) fn build_app(
    config: Config,
    discovery: Option<Arc<dyn DiscoveryApi>>,
) -> Result<App, AppError> {
    let mut builder = App::builder().config(config);
    for plugin in plugins() {
        builder = builder.plugin(plugin);
    }
    if let Some(discovery) = discovery {
        builder = builder.api(ApiFactory::instance(DISCOVERY_API, discovery));
    }
    builder.build()
}

/// The frontend's discovery inside the backend's process: the backend's
/// own discovery, which knows the port it is bound to. Calls still go over
/// HTTP, as from a separate frontend process.
struct InProcessDiscovery(Arc<dyn DiscoveryService>);

impl DiscoveryApi for InProcessDiscovery {
    fn base_url(&self, plugin_id: &str) -> Result<String, DiscoveryError> {
        Ok(self.0.base_url(plugin_id).trim_end_matches('/').to_owned())
    }
}

// ANCHOR: mount
/// A backend plugin (id `app`) that serves the UI at `/` of the backend.
pub(crate) fn app_backend_plugin() -> BackendPlugin {
    BackendPlugin::builder("app")
        .package(env!("CARGO_PKG_NAME"))
        .description("Serves the portal's UI at / of this backend")
        .init(|ctx| async move {
            let discovery = ctx.service(&DISCOVERY).await?;
            let app = build_app(
                ctx.config().clone(),
                Some(Arc::new(InProcessDiscovery(discovery))),
            )?;
            let root = ctx.service(&ROOT_HTTP_ROUTER).await?;
            root.use_router("/", app.router())?;
            ctx.logger().info("UI mounted at /");
            Ok::<_, BoxError>(())
        })
}
// ANCHOR_END: mount
