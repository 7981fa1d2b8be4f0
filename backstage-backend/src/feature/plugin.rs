//! [`BackendPlugin`]: a backend feature with its own id, routes and services.

use std::future::Future;
use std::sync::{Arc, Mutex};

use backstage_core::config::ConfigSchema;
use backstage_core::feature::{Feature, FeatureKind, FeatureMetadata};
use futures_util::future::BoxFuture;

use super::context::PluginContext;
use crate::error::BoxError;
use crate::extension_point::{ExtensionPointRef, RegisteredExtensionPoint};

pub(crate) type PluginInit =
    Box<dyn FnOnce(PluginContext) -> BoxFuture<'static, Result<(), BoxError>> + Send>;

/// A backend plugin: an id, the extension points it offers its modules, the
/// config it reads, and an async init.
///
/// Its routes are served under `/api/<id>`. Plugins start concurrently and
/// never depend on each other directly: they talk over HTTP, through
/// discovery and service tokens.
///
/// ```
/// use backstage_backend::BackendPlugin;
/// use axum::{Router, routing::get};
///
/// let plugin = BackendPlugin::builder("todo")
///     .init(|ctx| async move {
///         ctx.http_router().use_router(Router::new().route("/items", get(|| async { "[]" })));
///         Ok::<_, std::convert::Infallible>(())
///     });
/// assert_eq!(plugin.id(), "todo");
/// ```
pub struct BackendPlugin {
    pub(crate) id: String,
    pub(crate) package: &'static str,
    pub(crate) description: Option<String>,
    pub(crate) extension_points: Vec<RegisteredExtensionPoint>,
    pub(crate) config_schemas: Vec<ConfigSchema>,
    pub(crate) init: Mutex<Option<PluginInit>>,
}

impl std::fmt::Debug for BackendPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackendPlugin")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl BackendPlugin {
    /// Starts describing a plugin with `id` (`[a-z][a-z0-9-]*`).
    pub fn builder(id: impl Into<String>) -> BackendPluginBuilder {
        BackendPluginBuilder {
            id: id.into(),
            package: "unknown",
            description: None,
            extension_points: Vec::new(),
            config_schemas: Vec::new(),
        }
    }

    /// The plugin id.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn take_init(&self) -> Option<PluginInit> {
        self.init
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}

impl Feature for BackendPlugin {
    fn metadata(&self) -> FeatureMetadata {
        let meta = FeatureMetadata::new(
            FeatureKind::BackendPlugin,
            self.id.clone(),
            self.package,
            "",
        );
        match &self.description {
            Some(d) => meta.with_description(d.clone()),
            None => meta,
        }
    }

    fn config_schemas(&self) -> Vec<ConfigSchema> {
        self.config_schemas.clone()
    }
}

/// Builds a [`BackendPlugin`]; finish with [`init`](Self::init).
#[must_use = "call .init(...) to finish the plugin"]
pub struct BackendPluginBuilder {
    id: String,
    package: &'static str,
    description: Option<String>,
    extension_points: Vec<RegisteredExtensionPoint>,
    config_schemas: Vec<ConfigSchema>,
}

impl BackendPluginBuilder {
    /// Names the crate that provides the plugin (for duplicate reports);
    /// the macros fill it in.
    pub fn package(mut self, package: &'static str) -> Self {
        self.package = package;
        self
    }

    /// One sentence on what the plugin does.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Offers an extension point to the plugin's modules.
    pub fn extension_point<T: ?Sized + Send + Sync + 'static>(
        mut self,
        point: &ExtensionPointRef<T>,
        implementation: Arc<T>,
    ) -> Self {
        self.extension_points
            .push(RegisteredExtensionPoint::new(point, implementation));
        self
    }

    /// Declares a config schema, validated before the backend starts.
    pub fn config_schema(mut self, schema: ConfigSchema) -> Self {
        self.config_schemas.push(schema);
        self
    }

    /// Sets the plugin's init and finishes the plugin.
    pub fn init<F, Fut, E>(self, init: F) -> BackendPlugin
    where
        F: FnOnce(PluginContext) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let init: PluginInit =
            Box::new(move |ctx| Box::pin(async move { init(ctx).await.map_err(Into::into) }));
        BackendPlugin {
            id: self.id,
            package: self.package,
            description: self.description,
            extension_points: self.extension_points,
            config_schemas: self.config_schemas,
            init: Mutex::new(Some(init)),
        }
    }
}
