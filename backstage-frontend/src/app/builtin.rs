//! The app's own plugin: the root `app`, `app/routes`, `app/nav`, the light
//! and dark themes and the core utility APIs.

use std::sync::Arc;

use backstage_common::config::Config;

use crate::apis::{
    CONFIG_API, ConfigApi, ConfigDiscovery, CredentialProvider, DISCOVERY_API, DiscoveryApi,
    FETCH_API, FetchApi,
};
use crate::plugin_api::{
    ApiFactory, Asset, AttachPoint, Extension, ExtensionData, ExtensionDataRef, ExtensionId,
    ExtensionInput, FrontendPlugin, NavItem, PageContent, RouteRef, Theme, core_data,
};

/// A page as `app/routes` collects it.
#[derive(Clone, Debug)]
pub(crate) struct RouteEntry {
    pub(crate) extension: ExtensionId,
    pub(crate) path: String,
    pub(crate) route_ref: Option<RouteRef>,
    pub(crate) title: Option<String>,
    pub(crate) content: PageContent,
}

/// What the root extension outputs.
#[derive(Clone, Debug, Default)]
pub(crate) struct AppParts {
    pub(crate) routes: Vec<RouteEntry>,
    pub(crate) nav: Vec<(ExtensionId, NavItem)>,
    pub(crate) apis: Vec<(ExtensionId, ApiFactory)>,
    pub(crate) themes: Vec<(ExtensionId, Theme)>,
}

const ROUTES: ExtensionDataRef<Vec<RouteEntry>> = ExtensionDataRef::new("app.routes");
const NAV: ExtensionDataRef<Vec<(ExtensionId, NavItem)>> = ExtensionDataRef::new("app.nav");
pub(crate) const PARTS: ExtensionDataRef<AppParts> = ExtensionDataRef::new("app.parts");

pub(crate) const SHELL_JS: &str = "shell.js";
pub(crate) const SHELL_CSS: &str = "shell.css";

fn root() -> Extension {
    Extension::with_id(ExtensionId::from_parts(None, Some("app"), None))
        .input(ExtensionInput::singleton("routes", &[ROUTES.spec()], false))
        .input(ExtensionInput::singleton("nav", &[NAV.spec()], false))
        .input(ExtensionInput::new(
            "apis",
            &[core_data::API_FACTORY.spec()],
        ))
        .input(ExtensionInput::new("themes", &[core_data::THEME.spec()]))
        .output(&[PARTS.spec()])
        .factory(|ctx| {
            let routes = ctx
                .input("routes")
                .first()
                .and_then(|item| item.get(ROUTES).cloned())
                .unwrap_or_default();
            let nav = ctx
                .input("nav")
                .first()
                .and_then(|item| item.get(NAV).cloned())
                .unwrap_or_default();
            let apis = ctx
                .input("apis")
                .iter()
                .filter_map(|item| {
                    Some((item.node.clone(), item.get(core_data::API_FACTORY)?.clone()))
                })
                .collect();
            let themes = ctx
                .input("themes")
                .iter()
                .filter_map(|item| Some((item.node.clone(), item.get(core_data::THEME)?.clone())))
                .collect();
            Ok(ExtensionData::new().with(
                PARTS,
                AppParts {
                    routes,
                    nav,
                    apis,
                    themes,
                },
            ))
        })
}

fn routes() -> Extension {
    Extension::with_id(ExtensionId::from_parts(None, Some("app"), Some("routes")))
        .attach_to(AttachPoint::new("app", "routes"))
        .input(ExtensionInput::new(
            "routes",
            &[
                core_data::ROUTE_PATH.spec(),
                core_data::PAGE.spec(),
                core_data::TITLE.optional().spec(),
                core_data::ROUTE_REF.optional().spec(),
            ],
        ))
        .output(&[ROUTES.spec()])
        .factory(|ctx| {
            let entries = ctx
                .input("routes")
                .iter()
                .filter_map(|item| {
                    Some(RouteEntry {
                        extension: item.node.clone(),
                        path: item.get(core_data::ROUTE_PATH)?.clone(),
                        route_ref: item.get(core_data::ROUTE_REF).copied(),
                        title: item.get(core_data::TITLE).cloned(),
                        content: item.get(core_data::PAGE)?.clone(),
                    })
                })
                .collect();
            Ok(ExtensionData::new().with(ROUTES, entries))
        })
}

fn nav() -> Extension {
    Extension::with_id(ExtensionId::from_parts(None, Some("app"), Some("nav")))
        .attach_to(AttachPoint::new("app", "nav"))
        .input(ExtensionInput::new("items", &[core_data::NAV_ITEM.spec()]))
        .output(&[NAV.spec()])
        .factory(|ctx| {
            let items = ctx
                .input("items")
                .iter()
                .filter_map(|item| {
                    Some((item.node.clone(), item.get(core_data::NAV_ITEM)?.clone()))
                })
                .collect();
            Ok(ExtensionData::new().with(NAV, items))
        })
}

fn theme(theme: Theme) -> Extension {
    Extension::with_id(ExtensionId::from_parts(
        Some("theme"),
        Some("app"),
        Some(&theme.id.clone()),
    ))
    .attach_to(AttachPoint::new("app", "themes"))
    .output(&[core_data::THEME.spec()])
    .factory(move |_| Ok(ExtensionData::new().with(core_data::THEME, theme.clone())))
}

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The built-in light theme.
pub(crate) fn light_theme() -> Theme {
    Theme {
        id: "light".to_owned(),
        title: "Light".to_owned(),
        variables: vars(&[
            ("--bs-bg", "#f8f8f8"),
            ("--bs-surface", "#ffffff"),
            ("--bs-fg", "#1c1c1c"),
            ("--bs-muted", "#5c5c5c"),
            ("--bs-border", "#d8d8d8"),
            ("--bs-accent", "#1f5493"),
            ("--bs-sidebar-bg", "#171717"),
            ("--bs-sidebar-fg", "#f0f0f0"),
            ("--bs-error", "#b00020"),
        ]),
    }
}

/// The built-in dark theme.
pub(crate) fn dark_theme() -> Theme {
    Theme {
        id: "dark".to_owned(),
        title: "Dark".to_owned(),
        variables: vars(&[
            ("--bs-bg", "#1e1e1e"),
            ("--bs-surface", "#2a2a2a"),
            ("--bs-fg", "#eeeeee"),
            ("--bs-muted", "#b0b0b0"),
            ("--bs-border", "#444444"),
            ("--bs-accent", "#9cc9ff"),
            ("--bs-sidebar-bg", "#0c0c0c"),
            ("--bs-sidebar-fg", "#f0f0f0"),
            ("--bs-error", "#ff8a80"),
        ]),
    }
}

/// The app's own plugin. Its core API factories read the full config
/// (server side): discovery needs `backend.baseUrl`, fetch the secret
/// `app.backendAuth.token`.
pub(crate) fn app_plugin(
    config: &Config,
    credentials: Option<Arc<dyn CredentialProvider>>,
) -> FrontendPlugin {
    let config_api = Arc::new(ConfigApi::new(config));
    let discovery_config = config.clone();
    let token = config
        .get_optional_string("app.backendAuth.token")
        .ok()
        .flatten()
        .map(str::to_owned);
    let credentials =
        credentials.unwrap_or_else(|| Arc::new(crate::apis::StaticTokenCredentials::new(token)));
    let api = crate::plugin_api::__macro_support::api_extension;
    FrontendPlugin::new("app")
        .title("App")
        .package(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
        .extension(root())
        .extension(routes())
        .extension(nav())
        .extension(theme(light_theme()))
        .extension(theme(dark_theme()))
        .extension(api(ApiFactory::instance(CONFIG_API, config_api)))
        .extension(api(ApiFactory::new(DISCOVERY_API, &[], move |_| {
            ConfigDiscovery::from_config(&discovery_config)
                .map(|d| Arc::new(d) as Arc<dyn DiscoveryApi>)
                .map_err(|e| e.to_string())
        })))
        .extension(api(ApiFactory::new(
            FETCH_API,
            &[DISCOVERY_API.id()],
            move |apis| {
                let discovery = apis.require(DISCOVERY_API).map_err(|e| e.to_string())?;
                FetchApi::new(discovery, credentials.clone())
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            },
        )))
        .asset(Asset::new(
            SHELL_JS,
            include_bytes!("../../assets/shell.js").as_slice(),
        ))
        .asset(Asset::new(
            SHELL_CSS,
            include_bytes!("../../assets/shell.css").as_slice(),
        ))
}
