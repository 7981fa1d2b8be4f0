//! [`Backend`] and its builder.

use std::sync::Arc;

use backstage_common::config::Config;
use backstage_core::config::{ConfigLoader, ConfigSchema};

use super::running::RunningBackend;
use super::start::start;
use crate::error::BackendError;
use crate::feature::{BackendModule, BackendPlugin};
use crate::service::ServiceFactory;

/// Anything that can be added to a backend.
pub enum BackendFeature {
    /// A plugin.
    Plugin(BackendPlugin),
    /// A module.
    Module(BackendModule),
    /// A service factory that replaces a default one.
    Service(ServiceFactory),
}

impl From<BackendPlugin> for BackendFeature {
    fn from(plugin: BackendPlugin) -> Self {
        BackendFeature::Plugin(plugin)
    }
}

impl From<BackendModule> for BackendFeature {
    fn from(module: BackendModule) -> Self {
        BackendFeature::Module(module)
    }
}

impl From<ServiceFactory> for BackendFeature {
    fn from(factory: ServiceFactory) -> Self {
        BackendFeature::Service(factory)
    }
}

pub(crate) enum ConfigSource {
    Args,
    Loader(ConfigLoader),
    Value(Config),
}

/// Entry point of the backend system.
///
/// ```no_run
/// use backstage_backend::{Backend, BackendPlugin};
///
/// #[tokio::main]
/// async fn main() -> Result<(), backstage_backend::BackendError> {
///     let hello = BackendPlugin::builder("hello").init(|ctx| async move {
///         ctx.logger().info("hello plugin ready");
///         Ok::<_, std::convert::Infallible>(())
///     });
///     // Reads app-config.yaml (or --config files), serves until SIGTERM.
///     Backend::builder().add(hello).run().await
/// }
/// ```
#[derive(Debug)]
pub struct Backend;

impl Backend {
    /// Starts assembling a backend.
    pub fn builder() -> BackendBuilder {
        BackendBuilder {
            plugins: Vec::new(),
            modules: Vec::new(),
            services: Vec::new(),
            config: ConfigSource::Args,
            discover: false,
            schemas: Vec::new(),
        }
    }
}

/// Assembles a backend: features, service factories, configuration.
pub struct BackendBuilder {
    pub(crate) plugins: Vec<Arc<BackendPlugin>>,
    pub(crate) modules: Vec<Arc<BackendModule>>,
    pub(crate) services: Vec<ServiceFactory>,
    pub(crate) config: ConfigSource,
    pub(crate) discover: bool,
    pub(crate) schemas: Vec<ConfigSchema>,
}

impl std::fmt::Debug for BackendBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackendBuilder")
            .field(
                "plugins",
                &self.plugins.iter().map(|p| p.id()).collect::<Vec<_>>(),
            )
            .field(
                "modules",
                &self.modules.iter().map(|m| m.id()).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl BackendBuilder {
    /// Adds a plugin, a module or a service factory.
    #[allow(clippy::should_implement_trait)] // `backend.add(feature)`, as in Backstage
    pub fn add(mut self, feature: impl Into<BackendFeature>) -> Self {
        match feature.into() {
            BackendFeature::Plugin(p) => self.plugins.push(Arc::new(p)),
            BackendFeature::Module(m) => self.modules.push(Arc::new(m)),
            BackendFeature::Service(s) => self.services.push(s),
        }
        self
    }

    /// Replaces the default factory of a service.
    pub fn service(self, factory: ServiceFactory) -> Self {
        self.add(factory)
    }

    /// Also takes every backend plugin and module that the linked crates
    /// registered with `register_feature!` (see the book's "Features and
    /// discovery"; mind the linker caveat).
    pub fn discover_features(mut self) -> Self {
        self.discover = true;
        self
    }

    /// Loads configuration with this loader (the default reads
    /// `app-config.yaml` or the `--config` arguments of the process).
    pub fn config_loader(mut self, loader: ConfigLoader) -> Self {
        self.config = ConfigSource::Loader(loader);
        self
    }

    /// Uses this configuration as it is (still validated against every
    /// feature's schema). Handy in tests.
    pub fn config(mut self, config: Config) -> Self {
        self.config = ConfigSource::Value(config);
        self
    }

    /// Declares an extra config schema (an app's own settings).
    pub fn config_schema(mut self, schema: ConfigSchema) -> Self {
        self.schemas.push(schema);
        self
    }

    /// Loads and validates the configuration, binds `backend.listen`, and
    /// starts every plugin. Returns once all plugins have started (or
    /// failed under the `continue` policy).
    pub async fn start(self) -> Result<RunningBackend, BackendError> {
        start(self).await
    }

    /// Starts the backend, serves until SIGINT or SIGTERM, then shuts down
    /// gracefully.
    pub async fn run(self) -> Result<(), BackendError> {
        let running = self.start().await?;
        running.wait_for_shutdown_signal().await;
        running.stop().await;
        Ok(())
    }
}
