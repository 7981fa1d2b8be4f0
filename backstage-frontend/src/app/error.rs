//! [`AppError`]: why an app could not be built.

use backstage_core::config::ConfigLoadError;

/// An app could not be built. Every variant names the extensions, plugins
/// or config keys involved and says how to fix it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// A plugin id has the wrong shape.
    #[error("invalid frontend plugin id '{id}': {reason}")]
    InvalidPluginId {
        /// The id.
        id: String,
        /// What is wrong.
        reason: String,
    },
    /// Two plugins share an id.
    #[error(
        "duplicate frontend plugin id '{id}': provided by {first} and by {second}; install only one of them"
    )]
    DuplicatePlugin {
        /// The id.
        id: String,
        /// The first plugin.
        first: String,
        /// The second plugin.
        second: String,
    },
    /// An extension id has the wrong shape.
    #[error("{plugin} has an invalid extension id '{id}': {reason}")]
    InvalidExtensionId {
        /// The id as written.
        id: String,
        /// The plugin.
        plugin: String,
        /// What is wrong.
        reason: String,
    },
    /// Two extensions share an id.
    #[error(
        "duplicate extension id '{id}': provided by {first} and by {second}; give one of them another name"
    )]
    DuplicateExtension {
        /// The id.
        id: String,
        /// The first provider.
        first: String,
        /// The second provider.
        second: String,
    },
    /// `app.extensions` is malformed.
    #[error("invalid config at 'app.extensions[{index}]': {message}")]
    ExtensionsConfig {
        /// The index of the entry.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// `app.extensions` names an extension no plugin provides.
    #[error(
        "config at 'app.extensions[{index}]' refers to extension '{id}', which no installed plugin provides; check the id or install the plugin"
    )]
    UnknownExtensionInConfig {
        /// The index of the entry.
        index: usize,
        /// The id.
        id: String,
    },
    /// An enabled extension says nothing about where it attaches.
    #[error(
        "extension '{extension}' has no attach point; give it one in code or with app.extensions attachTo"
    )]
    NoAttachPoint {
        /// The extension.
        extension: String,
    },
    /// An extension attaches to a parent that does not exist.
    #[error(
        "extension '{extension}' attaches to '{parent}', which does not exist; install the plugin that provides it, or change attachTo"
    )]
    UnknownParent {
        /// The extension.
        extension: String,
        /// The missing parent.
        parent: String,
    },
    /// An extension attaches to an input its parent does not have.
    #[error(
        "extension '{extension}' attaches to input '{input}' of '{parent}', which has no such input (it has: {available})"
    )]
    UnknownInput {
        /// The extension.
        extension: String,
        /// The parent.
        parent: String,
        /// The missing input.
        input: String,
        /// The parent's inputs, comma-separated.
        available: String,
    },
    /// Extensions attach to each other in a loop.
    #[error("extensions attach to each other in a cycle: {}; change attachTo of one of them", cycle.join(" -> "))]
    Cycle {
        /// The ids along the cycle, first repeated at the end.
        cycle: Vec<String>,
    },
    /// Config was given to an extension that takes none.
    #[error(
        "extension '{extension}' takes no config, but app.extensions gives it some; remove the config"
    )]
    UnexpectedConfig {
        /// The extension.
        extension: String,
    },
    /// An extension's config does not match its schema.
    #[error("invalid config for extension '{extension}' (in app.extensions): {message}")]
    InvalidConfig {
        /// The extension.
        extension: String,
        /// What is wrong.
        message: String,
    },
    /// A child does not output what its parent's input requires.
    #[error(
        "extension '{extension}' is attached to input '{input}' of '{parent}', which requires data '{data}' that it does not output"
    )]
    MissingInputData {
        /// The child.
        extension: String,
        /// The parent.
        parent: String,
        /// The input.
        input: String,
        /// The missing data ref id.
        data: String,
    },
    /// Several extensions are attached to a singleton input.
    #[error("input '{input}' of '{parent}' takes one extension, but {} are attached: {}; disable all but one", attached.len(), attached.join(", "))]
    SingletonInput {
        /// The parent.
        parent: String,
        /// The input.
        input: String,
        /// The attached extensions.
        attached: Vec<String>,
    },
    /// A required singleton input is empty.
    #[error("input '{input}' of '{parent}' requires an extension, but none is attached or enabled")]
    MissingSingleton {
        /// The parent.
        parent: String,
        /// The input.
        input: String,
    },
    /// An extension's factory failed.
    #[error("extension '{extension}' failed: {message}")]
    Factory {
        /// The extension.
        extension: String,
        /// The factory's message.
        message: String,
    },
    /// A factory did not produce a declared output.
    #[error("extension '{extension}' did not output '{data}', which it declares")]
    MissingOutput {
        /// The extension.
        extension: String,
        /// The data ref id.
        data: String,
    },
    /// A page path is malformed or reserved.
    #[error("extension '{extension}' has an invalid path {path:?}: {reason}")]
    InvalidPath {
        /// The extension.
        extension: String,
        /// The path.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Two extensions claim one path.
    #[error(
        "extensions '{first}' and '{second}' both claim path '{path}'; move one with app.extensions config: {{ path: ... }}"
    )]
    PathConflict {
        /// The path.
        path: String,
        /// The first extension.
        first: String,
        /// The second extension.
        second: String,
    },
    /// A route binding names an unknown route.
    #[error("invalid route binding '{key}' (app.routes.bindings or bind_route): {message}")]
    InvalidBinding {
        /// The binding key, `<pluginId>.<externalRouteName>`.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A required external route is not bound.
    #[error(
        "external route '{name}' of plugin '{plugin}' is not bound; bind it in app.routes.bindings, e.g. '{plugin}.{name}': '<pluginId>.<routeName>'"
    )]
    UnboundExternalRoute {
        /// The plugin.
        plugin: String,
        /// The external route's name.
        name: String,
    },
    /// A utility API depends on one the app does not have.
    #[error(
        "utility API '{api}' (from extension '{extension}') depends on '{dependency}', which no extension provides"
    )]
    MissingApiDependency {
        /// The API.
        api: String,
        /// Its extension.
        extension: String,
        /// The missing dependency.
        dependency: String,
    },
    /// Utility APIs depend on each other in a loop.
    #[error("utility APIs depend on each other in a cycle: {}", apis.join(" -> "))]
    ApiCycle {
        /// The API ids along the cycle.
        apis: Vec<String>,
    },
    /// Two extensions provide one utility API.
    #[error(
        "utility API '{api}' is provided by both '{first}' and '{second}'; disable one, or override it with AppBuilder::api"
    )]
    DuplicateApi {
        /// The API.
        api: String,
        /// The first extension.
        first: String,
        /// The second extension.
        second: String,
    },
    /// A utility-API factory failed.
    #[error("utility API '{api}' could not be built: {message}")]
    ApiFactory {
        /// The API.
        api: String,
        /// The factory's message.
        message: String,
    },
    /// A page loads an asset its plugin does not ship.
    #[error(
        "extension '{extension}' loads asset '{asset}', which plugin '{plugin}' does not ship; add it with FrontendPlugin::asset"
    )]
    UnknownAsset {
        /// The extension.
        extension: String,
        /// The plugin.
        plugin: String,
        /// The asset's logical name.
        asset: String,
    },
    /// A plugin ships two assets with one name.
    #[error("plugin '{plugin}' ships two assets named '{asset}'")]
    DuplicateAsset {
        /// The plugin.
        plugin: String,
        /// The name.
        asset: String,
    },
    /// The config does not match the schemas of the app and its plugins.
    #[error(transparent)]
    Config(#[from] ConfigLoadError),
    /// A config value the app reads is malformed.
    #[error(transparent)]
    ConfigValue(#[from] backstage_common::config::ConfigError),
    /// A feature registry error during discovery.
    #[error(transparent)]
    Feature(#[from] backstage_core::feature::FeatureError),
}
