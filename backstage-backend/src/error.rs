//! Errors of the backend system.

/// A boxed error from plugin or service code.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Something went wrong while assembling, starting or running a backend.
///
/// Every variant names the culprit: the plugin, module, service or extension
/// point, and says what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// Two plugins share an id.
    #[error("plugin '{0}' is added twice; each plugin id may appear once in a backend")]
    DuplicatePlugin(String),
    /// Two modules share a plugin id and module id.
    #[error("module '{module}' for plugin '{plugin}' is added twice")]
    DuplicateModule {
        /// The plugin id.
        plugin: String,
        /// The module id.
        module: String,
    },
    /// A module extends a plugin that is not installed.
    #[error(
        "module '{module}' extends plugin '{plugin}', which is not installed; add the plugin to the backend or remove the module"
    )]
    ModuleWithoutPlugin {
        /// The plugin id.
        plugin: String,
        /// The module id.
        module: String,
    },
    /// A feature id is malformed.
    #[error("invalid id {id:?}: {reason}")]
    InvalidId {
        /// The id.
        id: String,
        /// What is wrong.
        reason: String,
    },
    /// Two factories provide one service id.
    #[error("service '{id}' has two factories ({first} and {second}); provide each service once")]
    DuplicateService {
        /// The service id.
        id: String,
        /// Type of the first.
        first: &'static str,
        /// Type of the second.
        second: &'static str,
    },
    /// One id is used with two different Rust types: two copies of a library.
    #[error(
        "'{id}' is used with two different Rust types, {first} and {second}: two copies (versions) of the crate that defines it are linked into this binary; make every crate use the same version (see `cargo tree -d`)"
    )]
    TypeMismatch {
        /// The service or extension-point id.
        id: String,
        /// The type seen first.
        first: &'static str,
        /// The type seen second.
        second: &'static str,
    },
    /// Nothing provides a service.
    #[error(
        "no factory for service '{id}' (needed by {needed_by}); add one with Backend::builder().service(...)"
    )]
    MissingService {
        /// The service id.
        id: String,
        /// Who asked for it.
        needed_by: String,
    },
    /// A root service factory asked for a plugin-scoped service.
    #[error("root service '{root}' cannot depend on plugin-scoped service '{plugin_scoped}'")]
    ScopeViolation {
        /// The root service.
        root: String,
        /// The plugin-scoped one it asked for.
        plugin_scoped: String,
    },
    /// Services depend on each other in a loop.
    #[error("circular service dependency: {0}")]
    CircularDependency(String),
    /// A service factory failed.
    #[error("service '{id}' could not be created for {target}: {source}")]
    ServiceFailed {
        /// The service id.
        id: String,
        /// The plugin (or "the root") it was created for.
        target: String,
        /// The factory's error.
        source: BoxError,
    },
    /// An extension point problem.
    #[error("{0}")]
    ExtensionPoint(String),
    /// Modules of a plugin depend on each other in a loop.
    #[error("modules of plugin '{plugin}' depend on each other in a loop: {modules}")]
    ModuleCycle {
        /// The plugin.
        plugin: String,
        /// The modules involved.
        modules: String,
    },
    /// Configuration could not be loaded or is invalid.
    #[error(transparent)]
    Config(#[from] backstage_core::config::ConfigLoadError),
    /// A config value could not be read.
    #[error(transparent)]
    ConfigValue(#[from] backstage_core::config::ConfigError),
    /// A feature registry error.
    #[error(transparent)]
    Feature(#[from] backstage_core::feature::FeatureError),
    /// Plugins or modules failed to start.
    #[error("backend startup failed:{}", .0.iter().map(|f| format!("\n  - {f}")).collect::<String>())]
    Startup(Vec<String>),
    /// The listen address could not be bound.
    #[error("cannot listen on {address} (backend.listen): {source}")]
    Bind {
        /// The address.
        address: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The HTTP server failed.
    #[error("HTTP server error: {0}")]
    Server(#[source] std::io::Error),
    /// A root HTTP mount was refused.
    #[error("cannot mount a router at {path:?}: {reason}")]
    Mount {
        /// The path.
        path: String,
        /// Why.
        reason: String,
    },
    /// A credential was refused or could not be issued.
    #[error("auth: {0}")]
    Auth(#[from] crate::services::auth::AuthError),
    /// Anything else from plugin code.
    #[error(transparent)]
    Other(BoxError),
}

impl BackendError {
    /// Wraps any error from plugin code.
    pub fn other(error: impl Into<BoxError>) -> Self {
        BackendError::Other(error.into())
    }
}
