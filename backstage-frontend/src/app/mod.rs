//! The app: builds the extension tree from plugins and config, and serves
//! it as an [`axum::Router`].

mod assets;
mod builtin;
mod config;
mod error;
pub(crate) mod routes;
mod server;
mod shell;
mod tree;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use backstage_common::config::Config;
use backstage_core::config::{ConfigSchema, ConfigSchemaSet};
use backstage_core::feature::{FeatureKind, FeatureRegistry, validate_feature_id};

pub use error::AppError;
pub use routes::RouteResolver;
pub use server::{CONTENT_SECURITY_POLICY, MAX_FORM_BYTES};
pub use shell::ResolvedNavItem;
pub use tree::{ExtensionTree, TreeNode};

use self::assets::AssetRegistry;
use self::routes::PathPattern;
use crate::apis::CredentialProvider;
use crate::plugin_api::{
    ApiFactory, ApiHolder, Asset, ExtensionId, FrontendPlugin, NavTarget, PageContent, RouteRef,
    Theme,
};

/// A page as the app serves it.
#[derive(Clone, Debug)]
pub(crate) struct PageRoute {
    pub(crate) extension: ExtensionId,
    pub(crate) plugin_id: Arc<str>,
    pub(crate) path: String,
    pub(crate) pattern: PathPattern,
    pub(crate) title: Option<String>,
    pub(crate) content: PageContent,
    pub(crate) scripts: Vec<String>,
    pub(crate) stylesheets: Vec<String>,
}

/// A built app: its pages, sidebar, utility APIs, route resolver and
/// assets. Serve it with [`App::router`].
///
/// ```
/// use backstage_common::config::Config;
/// use backstage_frontend::{App, FrontendPlugin, create_page_extension};
/// use maud::html;
///
/// let plugin = FrontendPlugin::new("hello").extension(create_page_extension! {
///     path: "/hello",
///     title: "Hello",
///     nav: { title: "Hello" },
///     render: |_req| async { Ok(html! { p { "Hi" } }) },
/// });
/// let config = Config::from_value(serde_json::json!({
///     "app": { "title": "Portal", "extensions": [ { "page:hello": { "config": { "path": "/hi" } } } ] }
/// }));
/// let app = App::builder().config(config).plugin(plugin).build()?;
/// assert_eq!(app.page_paths(), ["/hi"]);
/// assert_eq!(app.nav_items()[0].href, "/hi");
/// let router: axum::Router = app.router();
/// # Ok::<(), backstage_frontend::app::AppError>(())
/// ```
#[derive(Debug)]
pub struct App {
    title: String,
    pages: Vec<PageRoute>,
    nav: Vec<ResolvedNavItem>,
    nav_patterns: HashMap<String, PathPattern>,
    apis: Arc<ApiHolder>,
    routes: Arc<RouteResolver>,
    assets: AssetRegistry,
    themes: Vec<Theme>,
    tree: ExtensionTree,
    theme_css_url: String,
    shell_css_url: String,
    shell_js_url: String,
}

impl App {
    /// Starts building an app.
    pub fn builder() -> AppBuilder {
        AppBuilder::default()
    }

    /// The config schemas of the app itself and of `plugins`: pass them to
    /// the [`ConfigLoader`](backstage_core::config::ConfigLoader) so the
    /// config is validated and its visibility known at startup.
    pub fn config_schemas(plugins: &[FrontendPlugin]) -> Vec<ConfigSchema> {
        let mut schemas = config::app_schemas();
        for plugin in plugins {
            schemas.extend(plugin.schemas().iter().map(|s| match s.owner_name() {
                Some(_) => s.clone(),
                None => s.clone().owner(plugin.id()),
            }));
        }
        schemas
    }

    /// Serves the app: every page in the shell (anything else gets the
    /// 404 page), plugin assets under `/static/`, security headers on
    /// every response. Mount it as the fallback of a backend's router, or
    /// serve it on its own.
    pub fn router(self) -> axum::Router {
        server::router(Arc::new(self))
    }

    /// Like [`router`](Self::router), for a shared app.
    pub fn shared_router(self: &Arc<Self>) -> axum::Router {
        server::router(self.clone())
    }

    /// The app title (`app.title`, default `Backstage`).
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The page paths, most specific first.
    pub fn page_paths(&self) -> Vec<&str> {
        self.pages.iter().map(|p| p.path.as_str()).collect()
    }

    /// The page extension serving `path` (as configured), if any.
    pub fn page_at(&self, path: &str) -> Option<&ExtensionId> {
        self.pages
            .iter()
            .find(|p| p.path == path)
            .map(|p| &p.extension)
    }

    /// The sidebar, in order.
    pub fn nav_items(&self) -> &[ResolvedNavItem] {
        &self.nav
    }

    /// The utility APIs.
    pub fn apis(&self) -> &ApiHolder {
        &self.apis
    }

    /// The route resolver.
    pub fn routes(&self) -> &RouteResolver {
        &self.routes
    }

    /// The themes.
    pub fn themes(&self) -> &[Theme] {
        &self.themes
    }

    /// The extension tree.
    pub fn tree(&self) -> &ExtensionTree {
        &self.tree
    }

    /// The URL of a plugin's asset (content-hashed).
    pub fn asset_url(&self, plugin_id: &str, name: &str) -> Option<&str> {
        self.assets.url(plugin_id, name)
    }
}

/// Builds an [`App`]; see [`App::builder`].
#[derive(Default)]
pub struct AppBuilder {
    config: Option<Config>,
    plugins: Vec<FrontendPlugin>,
    discover: bool,
    bindings: Vec<(&'static str, RouteRef)>,
    api_overrides: Vec<ApiFactory>,
    credentials: Option<Arc<dyn CredentialProvider>>,
}

impl std::fmt::Debug for AppBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppBuilder")
            .field(
                "plugins",
                &self
                    .plugins
                    .iter()
                    .map(FrontendPlugin::id)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl AppBuilder {
    /// The app config (all of it; the app keeps secrets on the server and
    /// shows pages only the frontend-visible part). Default: empty.
    pub fn config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }

    /// Adds a plugin.
    pub fn plugin(mut self, plugin: FrontendPlugin) -> Self {
        self.plugins.push(plugin);
        self
    }

    /// Also takes every frontend plugin registered with
    /// [`register_plugin!`](crate::register_plugin) in the linked crates;
    /// a plugin added explicitly wins over a discovered one.
    pub fn discover_plugins(mut self) -> Self {
        self.discover = true;
        self
    }

    /// Binds an external route to a route ref in code (config bindings in
    /// `app.routes.bindings` win).
    pub fn bind_route(
        mut self,
        external: crate::plugin_api::ExternalRouteRef,
        target: RouteRef,
    ) -> Self {
        self.bindings.push((external.id(), target));
        self
    }

    /// Replaces (or adds) a utility API, whatever extension provides it.
    pub fn api(mut self, factory: ApiFactory) -> Self {
        self.api_overrides.push(factory);
        self
    }

    /// Replaces the credentials the fetch API sends to backends (default:
    /// the static token in `app.backendAuth.token`).
    pub fn credentials(mut self, provider: Arc<dyn CredentialProvider>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// Builds the app, validating everything; the error names the
    /// extensions, plugins or config keys at fault.
    pub fn build(self) -> Result<App, AppError> {
        let mut plugins = self.plugins;
        if self.discover {
            let mut registry = FeatureRegistry::new();
            registry.discover_where(|meta| meta.kind == FeatureKind::FrontendPlugin)?;
            for plugin in registry.of_type::<FrontendPlugin>() {
                if !plugins.iter().any(|p| p.id() == plugin.id()) {
                    plugins.push((*plugin).clone());
                }
            }
        }

        // Config: validate against the app's and the plugins' schemas and
        // learn their visibility marks.
        let given = self.config.unwrap_or_default();
        let mut schema_set = ConfigSchemaSet::new();
        for schema in App::config_schemas(&plugins) {
            schema_set.add(schema);
        }
        let outcome = schema_set.validate(given.as_value())?;
        let mut visibility = given.visibility().clone();
        visibility.extend(&outcome.visibility);
        let config = Config::with_visibility(given.as_value().clone(), visibility);
        let frontend_config = config.frontend_view();

        let mut all = vec![builtin::app_plugin(&config, self.credentials)];
        all.extend(plugins);
        let mut seen: HashMap<&str, &FrontendPlugin> = HashMap::new();
        for plugin in &all {
            validate_feature_id(FeatureKind::FrontendPlugin, plugin.id()).map_err(|reason| {
                AppError::InvalidPluginId {
                    id: plugin.id().to_owned(),
                    reason,
                }
            })?;
            if let Some(first) = seen.insert(plugin.id(), plugin) {
                return Err(AppError::DuplicatePlugin {
                    id: plugin.id().to_owned(),
                    first: first.describe(),
                    second: plugin.describe(),
                });
            }
        }

        let overrides = config::extension_overrides(&config)?;
        let (tree, root) = tree::build(&all, &overrides, &frontend_config)?;
        let parts = root.get(builtin::PARTS).cloned().unwrap_or_default();

        // Assets.
        let mut assets = AssetRegistry::default();
        for plugin in &all {
            assets.add_plugin(plugin)?;
        }
        let themes: Vec<Theme> = parts.themes.iter().map(|(_, t)| t.clone()).collect();
        for (id, theme) in &parts.themes {
            check_theme(theme).map_err(|message| AppError::Factory {
                extension: id.to_string(),
                message,
            })?;
        }
        let theme_css_url = assets.add(
            "app",
            Asset::new("theme.css", theme_css(&themes).into_bytes()),
        )?;
        let shell_css_url = assets
            .url("app", builtin::SHELL_CSS)
            .unwrap_or_default()
            .to_owned();
        let shell_js_url = assets
            .url("app", builtin::SHELL_JS)
            .unwrap_or_default()
            .to_owned();

        // Pages: paths, conflicts, assets.
        let plugin_of = |id: &ExtensionId| {
            tree.node(&id.to_string())
                .map(|n| n.plugin_id.clone())
                .unwrap_or_default()
        };
        let mut pages: Vec<PageRoute> = Vec::new();
        let mut paths: HashMap<&'static str, PathPattern> = HashMap::new();
        let mut claims: HashMap<String, ExtensionId> = HashMap::new();
        for entry in parts.routes {
            let pattern =
                PathPattern::parse(&entry.path).map_err(|reason| AppError::InvalidPath {
                    extension: entry.extension.to_string(),
                    path: entry.path.clone(),
                    reason,
                })?;
            if let Some(first) = claims.insert(pattern.claim_key(), entry.extension.clone()) {
                return Err(AppError::PathConflict {
                    path: entry.path,
                    first: first.to_string(),
                    second: entry.extension.to_string(),
                });
            }
            if let Some(route) = entry.route_ref {
                paths.insert(route.id(), pattern.clone());
            }
            let plugin_id = plugin_of(&entry.extension);
            let resolve = |names: &[String]| -> Result<Vec<String>, AppError> {
                names
                    .iter()
                    .map(|name| {
                        assets
                            .url(&plugin_id, name)
                            .map(str::to_owned)
                            .ok_or_else(|| AppError::UnknownAsset {
                                extension: entry.extension.to_string(),
                                plugin: plugin_id.clone(),
                                asset: name.clone(),
                            })
                    })
                    .collect()
            };
            let scripts = resolve(entry.content.scripts())?;
            let stylesheets = resolve(entry.content.stylesheets())?;
            pages.push(PageRoute {
                plugin_id: Arc::from(plugin_id.as_str()),
                extension: entry.extension,
                path: entry.path,
                pattern,
                title: entry.title,
                content: entry.content,
                scripts,
                stylesheets,
            });
        }
        pages.sort_by_key(|p| std::cmp::Reverse(p.pattern.specificity()));

        // Route refs and external-route bindings.
        let bindings = bind_routes(&all, &config, &self.bindings, &paths)?;
        let routes = RouteResolver::new(paths, bindings);

        // Sidebar.
        let mut nav = Vec::new();
        let mut nav_patterns = HashMap::new();
        for (_, item) in parts.nav {
            let resolved = match &item.target {
                NavTarget::Page(id) => pages.iter().find(|p| &p.extension == id).map(|p| {
                    nav_patterns.insert(p.path.clone(), p.pattern.clone());
                    p.path.clone()
                }),
                NavTarget::Route(route) => routes.href(*route, &[]),
                NavTarget::Path(path) => Some(path.clone()),
            };
            // A nav item whose page is disabled or missing is left out.
            if let Some(href) = resolved {
                nav.push(ResolvedNavItem {
                    title: item.title,
                    icon: item.icon,
                    href,
                });
            }
        }

        let apis = build_apis(parts.apis, self.api_overrides)?;

        Ok(App {
            title: frontend_config
                .get_optional_string("app.title")
                .ok()
                .flatten()
                .unwrap_or("Backstage")
                .to_owned(),
            pages,
            nav,
            nav_patterns,
            apis: Arc::new(apis),
            routes: Arc::new(routes),
            assets,
            themes,
            tree,
            theme_css_url,
            shell_css_url,
            shell_js_url,
        })
    }
}

/// Resolves external routes: code bindings, then config bindings, then
/// default targets; every required one must end up bound.
fn bind_routes(
    plugins: &[FrontendPlugin],
    config: &Config,
    code: &[(&'static str, RouteRef)],
    paths: &HashMap<&'static str, PathPattern>,
) -> Result<HashMap<&'static str, RouteRef>, AppError> {
    let find_route = |target: &str| -> Result<RouteRef, String> {
        let (plugin_id, name) = target
            .split_once('.')
            .ok_or_else(|| format!("target '{target}' must be '<pluginId>.<routeName>'"))?;
        let plugin = plugins
            .iter()
            .find(|p| p.id() == plugin_id)
            .ok_or_else(|| {
                format!("target '{target}': no installed plugin has id '{plugin_id}'")
            })?;
        plugin
            .routes()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| *r)
            .ok_or_else(|| {
                let names: Vec<&str> = plugin.routes().iter().map(|(n, _)| n.as_str()).collect();
                format!(
                    "target '{target}': plugin '{plugin_id}' has no route '{name}' (it has: {})",
                    names.join(", ")
                )
            })
    };
    let mut bound: HashMap<&'static str, RouteRef> = code.iter().copied().collect();
    let mut unbound: HashSet<&'static str> = HashSet::new();
    for (key, target) in config::route_bindings(config)? {
        let invalid = |message: String| AppError::InvalidBinding {
            key: key.clone(),
            message,
        };
        let (plugin_id, name) = key.split_once('.').ok_or_else(|| {
            invalid("the key must be '<pluginId>.<externalRouteName>'".to_owned())
        })?;
        let plugin = plugins
            .iter()
            .find(|p| p.id() == plugin_id)
            .ok_or_else(|| invalid(format!("no installed plugin has id '{plugin_id}'")))?;
        let external = plugin
            .external_routes()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| *r)
            .ok_or_else(|| {
                invalid(format!(
                    "plugin '{plugin_id}' has no external route '{name}'"
                ))
            })?;
        match target {
            Some(target) => {
                bound.insert(external.id(), find_route(&target).map_err(invalid)?);
            }
            None => {
                bound.remove(external.id());
                unbound.insert(external.id());
            }
        }
    }
    for plugin in plugins {
        for (name, external) in plugin.external_routes() {
            if bound.contains_key(external.id()) || unbound.contains(external.id()) {
                continue;
            }
            if let Some(target) = external.default_target_name()
                && let Ok(route) = find_route(target)
            {
                bound.insert(external.id(), route);
                continue;
            }
            if !external.is_optional() {
                return Err(AppError::UnboundExternalRoute {
                    plugin: plugin.id().to_owned(),
                    name: name.clone(),
                });
            }
        }
    }
    // A binding to a route whose page is disabled simply produces no link.
    let _ = paths;
    Ok(bound)
}

/// Builds the utility APIs in dependency order.
fn build_apis(
    from_tree: Vec<(ExtensionId, ApiFactory)>,
    overrides: Vec<ApiFactory>,
) -> Result<ApiHolder, AppError> {
    let mut factories: Vec<(String, ApiFactory)> = Vec::new();
    for (ext, factory) in from_tree {
        if let Some((first, _)) = factories
            .iter()
            .find(|(_, f)| f.api_id() == factory.api_id())
        {
            return Err(AppError::DuplicateApi {
                api: factory.api_id().to_owned(),
                first: first.clone(),
                second: ext.to_string(),
            });
        }
        factories.push((ext.to_string(), factory));
    }
    for factory in overrides {
        factories.retain(|(_, f)| f.api_id() != factory.api_id());
        factories.push(("AppBuilder::api".to_owned(), factory));
    }
    let by_id: HashMap<&str, usize> = factories
        .iter()
        .enumerate()
        .map(|(i, (_, f))| (f.api_id(), i))
        .collect();
    for (ext, factory) in &factories {
        for dep in factory.deps() {
            if !by_id.contains_key(dep) {
                return Err(AppError::MissingApiDependency {
                    api: factory.api_id().to_owned(),
                    extension: ext.clone(),
                    dependency: (*dep).to_owned(),
                });
            }
        }
    }
    // Depth-first topological order with cycle detection.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        None,
        Visiting,
        Done,
    }
    fn visit(
        i: usize,
        factories: &[(String, ApiFactory)],
        by_id: &HashMap<&str, usize>,
        marks: &mut [Mark],
        stack: &mut Vec<usize>,
        order: &mut Vec<usize>,
    ) -> Result<(), AppError> {
        match marks[i] {
            Mark::Done => return Ok(()),
            Mark::Visiting => {
                let start = stack.iter().position(|&s| s == i).unwrap_or(0);
                let mut apis: Vec<String> = stack[start..]
                    .iter()
                    .map(|&s| factories[s].1.api_id().to_owned())
                    .collect();
                apis.push(factories[i].1.api_id().to_owned());
                return Err(AppError::ApiCycle { apis });
            }
            Mark::None => {}
        }
        marks[i] = Mark::Visiting;
        stack.push(i);
        for dep in factories[i].1.deps() {
            if let Some(&d) = by_id.get(dep) {
                visit(d, factories, by_id, marks, stack, order)?;
            }
        }
        stack.pop();
        marks[i] = Mark::Done;
        order.push(i);
        Ok(())
    }
    let mut marks = vec![Mark::None; factories.len()];
    let mut order = Vec::new();
    for i in 0..factories.len() {
        visit(
            i,
            &factories,
            &by_id,
            &mut marks,
            &mut Vec::new(),
            &mut order,
        )?;
    }
    let mut holder = ApiHolder::new();
    for i in order {
        let factory = &factories[i].1;
        let api = factory
            .create(&holder)
            .map_err(|message| AppError::ApiFactory {
                api: factory.api_id().to_owned(),
                message,
            })?;
        holder.insert(factory.api_id(), api);
    }
    Ok(holder)
}

fn check_theme(theme: &Theme) -> Result<(), String> {
    for (name, value) in &theme.variables {
        let name_ok = name.starts_with("--")
            && name.len() > 2
            && name[2..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !name_ok {
            return Err(format!(
                "theme '{}': variable {name:?} must look like --some-name",
                theme.id
            ));
        }
        if value
            .chars()
            .any(|c| matches!(c, ';' | '{' | '}' | '<' | '>' | '\\' | '\n' | '\r'))
        {
            return Err(format!(
                "theme '{}': the value of {name} may not contain ; {{ }} < > \\ or line breaks",
                theme.id
            ));
        }
    }
    if !theme
        .id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(format!(
            "theme id {:?} may contain only letters, digits and '-'",
            theme.id
        ));
    }
    Ok(())
}

/// The theme stylesheet: `light` by default, `dark` when the system asks
/// for it, and whichever the user chose (`data-theme` on `<html>`).
fn theme_css(themes: &[Theme]) -> String {
    let block = |selector: &str, theme: &Theme, scheme: &str| {
        let mut css = format!("{selector} {{ color-scheme: {scheme};");
        for (name, value) in &theme.variables {
            css.push_str(&format!(" {name}: {value};"));
        }
        css.push_str(" }\n");
        css
    };
    let mut css = String::new();
    let find = |id: &str| themes.iter().find(|t| t.id == id);
    if let Some(light) = find("light") {
        css.push_str(&block(":root", light, "light"));
    }
    if let Some(dark) = find("dark") {
        css.push_str("@media (prefers-color-scheme: dark) {\n");
        css.push_str(&block(":root:not([data-theme])", dark, "dark"));
        css.push_str("}\n");
    }
    for theme in themes {
        let scheme = if theme.id == "dark" { "dark" } else { "light" };
        css.push_str(&block(
            &format!(":root[data-theme=\"{}\"]", theme.id),
            theme,
            scheme,
        ));
    }
    css
}
