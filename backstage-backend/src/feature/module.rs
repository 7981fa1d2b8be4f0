//! [`BackendModule`]: extends one plugin through its extension points.

use std::future::Future;
use std::sync::{Arc, Mutex};

use backstage_core::config::ConfigSchema;
use backstage_core::feature::{Feature, FeatureKind, FeatureMetadata};
use futures_util::future::BoxFuture;

use super::context::ModuleContext;
use crate::error::BoxError;
use crate::extension_point::{ExtensionPointRef, RegisteredExtensionPoint};

pub(crate) type ModuleInit =
    Box<dyn FnOnce(ModuleContext) -> BoxFuture<'static, Result<(), BoxError>> + Send>;

/// A backend module: `(plugin id, module id)`. It contributes to its plugin
/// through the plugin's extension points (or those of the plugin's other
/// modules), and all modules of a plugin finish their init before the
/// plugin's own init begins.
///
/// ```
/// use backstage_backend::{BackendModule, ExtensionPointRef};
/// use std::sync::Mutex;
///
/// #[derive(Default)]
/// pub struct Greetings(pub Mutex<Vec<String>>);
/// pub const GREETINGS: ExtensionPointRef<Greetings> = ExtensionPointRef::new("greeter.greetings");
///
/// let module = BackendModule::builder("greeter", "french")
///     .consumes(&GREETINGS)
///     .init(|ctx| async move {
///         let greetings = ctx.extension_point(&GREETINGS)?;
///         greetings.0.lock().unwrap().push("Bonjour".to_owned());
///         Ok::<_, backstage_backend::BackendError>(())
///     });
/// assert_eq!(module.id(), "greeter.french");
/// ```
pub struct BackendModule {
    pub(crate) plugin_id: String,
    pub(crate) module_id: String,
    pub(crate) package: &'static str,
    pub(crate) consumes: Vec<&'static str>,
    pub(crate) extension_points: Vec<RegisteredExtensionPoint>,
    pub(crate) config_schemas: Vec<ConfigSchema>,
    pub(crate) init: Mutex<Option<ModuleInit>>,
}

impl std::fmt::Debug for BackendModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackendModule")
            .field("id", &self.id())
            .finish_non_exhaustive()
    }
}

impl BackendModule {
    /// Starts describing module `module_id` of plugin `plugin_id`.
    pub fn builder(
        plugin_id: impl Into<String>,
        module_id: impl Into<String>,
    ) -> BackendModuleBuilder {
        BackendModuleBuilder {
            plugin_id: plugin_id.into(),
            module_id: module_id.into(),
            package: "unknown",
            consumes: Vec::new(),
            extension_points: Vec::new(),
            config_schemas: Vec::new(),
        }
    }

    /// `<pluginId>.<moduleId>`.
    pub fn id(&self) -> String {
        format!("{}.{}", self.plugin_id, self.module_id)
    }

    /// The plugin this module extends.
    pub fn plugin_id(&self) -> &str {
        &self.plugin_id
    }

    /// The module's own id.
    pub fn module_id(&self) -> &str {
        &self.module_id
    }

    pub(crate) fn take_init(&self) -> Option<ModuleInit> {
        self.init
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}

impl Feature for BackendModule {
    fn metadata(&self) -> FeatureMetadata {
        FeatureMetadata::new(FeatureKind::BackendModule, self.id(), self.package, "")
    }

    fn config_schemas(&self) -> Vec<ConfigSchema> {
        self.config_schemas.clone()
    }
}

/// Builds a [`BackendModule`]; finish with [`init`](Self::init).
#[must_use = "call .init(...) to finish the module"]
pub struct BackendModuleBuilder {
    plugin_id: String,
    module_id: String,
    package: &'static str,
    consumes: Vec<&'static str>,
    extension_points: Vec<RegisteredExtensionPoint>,
    config_schemas: Vec<ConfigSchema>,
}

impl BackendModuleBuilder {
    /// Names the crate that provides the module.
    pub fn package(mut self, package: &'static str) -> Self {
        self.package = package;
        self
    }

    /// Declares that this module uses an extension point that another module
    /// of the same plugin provides, so that it initialises before that
    /// module (whose init then sees what this one added). Extension points
    /// of the plugin itself need no declaration.
    pub fn consumes<T: ?Sized>(mut self, point: &ExtensionPointRef<T>) -> Self {
        self.consumes.push(point.id());
        self
    }

    /// Offers an extension point to the plugin's other modules.
    pub fn extension_point<T: ?Sized + Send + Sync + 'static>(
        mut self,
        point: &ExtensionPointRef<T>,
        implementation: Arc<T>,
    ) -> Self {
        self.extension_points
            .push(RegisteredExtensionPoint::new(point, implementation));
        self
    }

    /// Declares a config schema.
    pub fn config_schema(mut self, schema: ConfigSchema) -> Self {
        self.config_schemas.push(schema);
        self
    }

    /// Sets the module's init and finishes the module.
    pub fn init<F, Fut, E>(self, init: F) -> BackendModule
    where
        F: FnOnce(ModuleContext) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let init: ModuleInit =
            Box::new(move |ctx| Box::pin(async move { init(ctx).await.map_err(Into::into) }));
        BackendModule {
            plugin_id: self.plugin_id,
            module_id: self.module_id,
            package: self.package,
            consumes: self.consumes,
            extension_points: self.extension_points,
            config_schemas: self.config_schemas,
            init: Mutex::new(Some(init)),
        }
    }
}
