//! What a plugin's and a module's init receive.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use backstage_common::config::Config;

use crate::error::BackendError;
use crate::extension_point::{ExtensionPointRef, RegisteredExtensionPoint};
use crate::service::{ServiceContext, ServiceRef};
use crate::services::auth::AuthService;
use crate::services::{DiscoveryService, HttpRouter, Lifecycle, Logger};

/// The core services of one plugin, resolved before its init (and its
/// modules' inits) run.
#[derive(Clone)]
pub(crate) struct CoreServices {
    pub(crate) config: Arc<Config>,
    pub(crate) logger: Arc<Logger>,
    pub(crate) router: Arc<HttpRouter>,
    pub(crate) lifecycle: Arc<Lifecycle>,
    pub(crate) auth: Arc<dyn AuthService>,
    pub(crate) discovery: Arc<dyn DiscoveryService>,
}

/// The extension points of one plugin and its modules.
pub(crate) struct ExtensionPointTable {
    plugin_id: String,
    points: HashMap<&'static str, RegisteredExtensionPoint>,
    sealed: AtomicBool,
}

impl ExtensionPointTable {
    pub(crate) fn new(
        plugin_id: &str,
        points: HashMap<&'static str, RegisteredExtensionPoint>,
    ) -> Self {
        Self {
            plugin_id: plugin_id.to_owned(),
            points,
            sealed: AtomicBool::new(false),
        }
    }

    /// Called when the plugin's own init begins: modules are done.
    pub(crate) fn seal(&self) {
        self.sealed.store(true, Ordering::SeqCst);
    }

    fn get<T: ?Sized + Send + Sync + 'static>(
        &self,
        point: &ExtensionPointRef<T>,
        user: &str,
    ) -> Result<Arc<T>, BackendError> {
        if self.sealed.load(Ordering::SeqCst) {
            return Err(BackendError::ExtensionPoint(format!(
                "{user} used extension point '{}' after plugin '{}' started; extension points may only be used during module init",
                point.id(),
                self.plugin_id
            )));
        }
        let registered = self.points.get(point.id()).ok_or_else(|| {
            BackendError::ExtensionPoint(format!(
                "{user} asked for extension point '{}', which plugin '{}' and its modules do not provide",
                point.id(),
                self.plugin_id
            ))
        })?;
        if registered.type_id != TypeId::of::<Arc<T>>() {
            return Err(BackendError::TypeMismatch {
                id: point.id().to_owned(),
                first: registered.type_name,
                second: std::any::type_name::<T>(),
            });
        }
        registered
            .value
            .downcast_ref::<Arc<T>>()
            .cloned()
            .ok_or_else(|| {
                BackendError::ExtensionPoint(format!(
                    "extension point '{}' has an unexpected type",
                    point.id()
                ))
            })
    }
}

/// Given to a plugin's init: its id, its core services, and any other
/// service by ref.
#[derive(Clone)]
pub struct PluginContext {
    pub(crate) plugin_id: Arc<str>,
    pub(crate) services: ServiceContext,
    pub(crate) core: CoreServices,
}

impl std::fmt::Debug for PluginContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginContext")
            .field("plugin_id", &self.plugin_id)
            .finish_non_exhaustive()
    }
}

macro_rules! core_accessors {
    () => {
        /// The app's configuration.
        pub fn config(&self) -> &Config {
            &self.core.config
        }

        /// The logger; every event carries `plugin=<id>`.
        pub fn logger(&self) -> &Logger {
            &self.core.logger
        }

        /// The plugin's router, served under `/api/<pluginId>`.
        pub fn http_router(&self) -> &HttpRouter {
            &self.core.router
        }

        /// Startup and shutdown hooks.
        pub fn lifecycle(&self) -> &Lifecycle {
            &self.core.lifecycle
        }

        /// Verifies credentials and issues tokens for calling other plugins.
        pub fn auth(&self) -> &dyn AuthService {
            &*self.core.auth
        }

        /// Where other plugins' APIs are.
        pub fn discovery(&self) -> &dyn DiscoveryService {
            &*self.core.discovery
        }

        /// Any other service, created for this plugin on first use.
        pub async fn service<T>(&self, service: &ServiceRef<T>) -> Result<Arc<T>, BackendError>
        where
            T: ?Sized + Send + Sync + 'static,
        {
            self.services.get(service).await
        }
    };
}

impl PluginContext {
    /// The plugin id.
    pub fn plugin_id(&self) -> &str {
        &self.plugin_id
    }

    core_accessors!();
}

/// Given to a module's init: like [`PluginContext`], plus the extension
/// points of its plugin.
#[derive(Clone)]
pub struct ModuleContext {
    pub(crate) plugin_id: Arc<str>,
    pub(crate) module_id: Arc<str>,
    pub(crate) services: ServiceContext,
    pub(crate) core: CoreServices,
    pub(crate) extension_points: Arc<ExtensionPointTable>,
}

impl std::fmt::Debug for ModuleContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleContext")
            .field("plugin_id", &self.plugin_id)
            .field("module_id", &self.module_id)
            .finish_non_exhaustive()
    }
}

impl ModuleContext {
    /// The id of the plugin this module extends.
    pub fn plugin_id(&self) -> &str {
        &self.plugin_id
    }

    /// The module's own id.
    pub fn module_id(&self) -> &str {
        &self.module_id
    }

    /// An extension point of this module's plugin (or of another module of
    /// the plugin). Only during init: after the plugin started it is an
    /// error.
    pub fn extension_point<T>(&self, point: &ExtensionPointRef<T>) -> Result<Arc<T>, BackendError>
    where
        T: ?Sized + Send + Sync + 'static,
    {
        self.extension_points.get(
            point,
            &format!("module '{}' of plugin '{}'", self.module_id, self.plugin_id),
        )
    }

    core_accessors!();
}
