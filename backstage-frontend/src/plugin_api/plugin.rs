//! [`FrontendPlugin`]: an id, its extensions, route refs and assets.

use std::borrow::Cow;
use std::fmt;

use backstage_core::config::ConfigSchema;
use backstage_core::feature::{Feature, FeatureKind, FeatureMetadata};

use super::extension::Extension;
use super::routing::{ExternalRouteRef, RouteRef};

/// A static file a plugin serves: a script, a stylesheet, an image.
///
/// The app serves it at `/static/<pluginId>/<stem>.<hash>.<ext>` with a
/// content hash in the name and a one-year immutable cache header.
#[derive(Clone)]
pub struct Asset {
    pub(crate) name: String,
    pub(crate) content_type: &'static str,
    pub(crate) bytes: Cow<'static, [u8]>,
}

impl Asset {
    /// An asset with a logical `name` such as `radar.js`; the content type
    /// follows from the extension (`.js`, `.css`, `.svg`, `.json`, `.png`,
    /// `.woff2`; anything else is `application/octet-stream`).
    pub fn new(name: impl Into<String>, bytes: impl Into<Cow<'static, [u8]>>) -> Self {
        let name = name.into();
        let content_type = content_type_for(&name);
        Self {
            name,
            content_type,
            bytes: bytes.into(),
        }
    }

    /// The logical name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The content.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Asset({}, {} bytes)", self.name, self.bytes.len())
    }
}

fn content_type_for(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// A frontend plugin: an id (`[a-z][a-z0-9-]*`), the extensions it
/// provides, the route refs it owns, the external routes it needs bound,
/// its static assets and its config schemas.
///
/// ```
/// use backstage_frontend::{FrontendPlugin, RouteRef, create_page_extension};
/// use maud::html;
///
/// const ROOT: RouteRef = RouteRef::new("hello.root");
///
/// pub fn plugin() -> FrontendPlugin {
///     FrontendPlugin::new("hello")
///         .route("root", ROOT)
///         .extension(create_page_extension! {
///             path: "/hello",
///             title: "Hello",
///             route_ref: ROOT,
///             nav: { title: "Hello" },
///             render: |_req| async { Ok(html! { p { "Hello!" } }) },
///         })
/// }
/// assert_eq!(plugin().extensions().len(), 2); // the page and its nav item
/// ```
#[derive(Clone)]
pub struct FrontendPlugin {
    id: String,
    title: Option<String>,
    extensions: Vec<Extension>,
    routes: Vec<(String, RouteRef)>,
    external_routes: Vec<(String, ExternalRouteRef)>,
    assets: Vec<Asset>,
    config_schemas: Vec<ConfigSchema>,
    package: &'static str,
    version: &'static str,
}

impl FrontendPlugin {
    /// A plugin with `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            title: None,
            extensions: Vec::new(),
            routes: Vec::new(),
            external_routes: Vec::new(),
            assets: Vec::new(),
            config_schemas: Vec::new(),
            package: "unknown",
            version: "0.0.0",
        }
    }

    /// Records the providing crate (name and version) for error messages;
    /// pass `env!("CARGO_PKG_NAME")`, `env!("CARGO_PKG_VERSION")`.
    pub fn package(mut self, name: &'static str, version: &'static str) -> Self {
        self.package = name;
        self.version = version;
        self
    }

    /// A human-readable title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds an extension (and the extensions that come with it, such as a
    /// page's nav item). Its namespace becomes the plugin id unless set.
    pub fn extension(mut self, mut extension: Extension) -> Self {
        let companions = std::mem::take(&mut extension.companions);
        extension.id = extension.id.with_default_namespace(&self.id);
        self.extensions.push(extension);
        for companion in companions {
            self = self.extension(companion);
        }
        self
    }

    /// Declares a route ref the plugin owns, under `name` (used in
    /// `app.routes.bindings` as `<pluginId>.<name>`).
    pub fn route(mut self, name: impl Into<String>, route: RouteRef) -> Self {
        self.routes.push((name.into(), route));
        self
    }

    /// Declares an external route the app must bind (unless optional).
    pub fn external_route(mut self, name: impl Into<String>, route: ExternalRouteRef) -> Self {
        self.external_routes.push((name.into(), route));
        self
    }

    /// Adds a static asset.
    pub fn asset(mut self, asset: Asset) -> Self {
        self.assets.push(asset);
        self
    }

    /// Declares a config schema (e.g. `techRadar`); the app validates the
    /// config against it and takes its `visibility` marks into account.
    pub fn config_schema(mut self, schema: ConfigSchema) -> Self {
        self.config_schemas.push(schema);
        self
    }

    /// The id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The title, if set.
    pub fn plugin_title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The extensions, companions included.
    pub fn extensions(&self) -> &[Extension] {
        &self.extensions
    }

    /// The route refs, by name.
    pub fn routes(&self) -> &[(String, RouteRef)] {
        &self.routes
    }

    /// The external route refs, by name.
    pub fn external_routes(&self) -> &[(String, ExternalRouteRef)] {
        &self.external_routes
    }

    /// The assets.
    pub fn assets(&self) -> &[Asset] {
        &self.assets
    }

    /// The config schemas.
    pub fn schemas(&self) -> &[ConfigSchema] {
        &self.config_schemas
    }

    pub(crate) fn describe(&self) -> String {
        format!("plugin '{}' ({} {})", self.id, self.package, self.version)
    }
}

impl fmt::Debug for FrontendPlugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrontendPlugin")
            .field("id", &self.id)
            .field(
                "extensions",
                &self
                    .extensions
                    .iter()
                    .map(|e| e.id().to_string())
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Feature for FrontendPlugin {
    fn metadata(&self) -> FeatureMetadata {
        let meta = FeatureMetadata::new(
            FeatureKind::FrontendPlugin,
            self.id.clone(),
            self.package,
            self.version,
        );
        match &self.title {
            Some(t) => meta.with_description(t.clone()),
            None => meta,
        }
    }

    fn config_schemas(&self) -> Vec<ConfigSchema> {
        self.config_schemas.clone()
    }
}

/// Registers a plugin for opt-in discovery by
/// [`AppBuilder::discover_plugins`](crate::app::AppBuilder::discover_plugins).
///
/// Only whole plugins are registered, and only when the author writes this
/// line; an app still has to link the crate (`use the_plugin as _;`).
///
/// ```
/// use backstage_frontend::FrontendPlugin;
/// fn plugin() -> FrontendPlugin { FrontendPlugin::new("discoverable") }
/// backstage_frontend::register_plugin!(plugin());
/// ```
#[macro_export]
macro_rules! register_plugin {
    ($plugin:expr) => {
        $crate::__private::backstage_core::register_feature!($plugin);
    };
}
