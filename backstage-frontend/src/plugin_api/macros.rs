//! The `create_*_extension!` macros and the functions they call.
//!
//! Each macro is a thin, declarative front for a function in
//! [`__macro_support`](crate::plugin_api::__macro_support): it checks the
//! shape of the arguments at compile time and fills in defaults. What each
//! expands to is stated in its docs.

/// Creates a routable **page**: an [`Extension`](crate::Extension) with id
/// `page:<pluginId>[/<name>]`, attached to input `routes` of `app/routes`.
///
/// ```
/// use backstage_frontend::{FrontendPlugin, RouteRef, create_page_extension};
/// use maud::html;
///
/// const ROOT: RouteRef = RouteRef::new("radar.root");
/// let page = create_page_extension! {
///     name: "overview",                        // optional: id page:<plugin>/overview
///     path: "/radar",                          // default path; config may override
///     title: "Radar",                          // page title (and <title>)
///     route_ref: ROOT,                         // optional: bind the page to a route ref
///     nav: { title: "Radar", icon: "radar" },  // optional: also add a sidebar entry
///     inputs: ["cards"],                       // optional: inputs others attach components to
///     scripts: ["radar.js"],                   // optional: plugin assets loaded on the page
///     stylesheets: ["radar.css"],              // optional
///     render: |req| async move {
///         let cards = req.render_components("cards", serde_json::json!({})).await;
///         Ok(html! { h2 { "Overview" } @for card in cards { (card) } })
///     },
/// };
/// let plugin = FrontendPlugin::new("radar").extension(page);
/// let ids: Vec<String> = plugin.extensions().iter().map(|e| e.id().to_string()).collect();
/// assert_eq!(ids, ["page:radar/overview", "nav-item:radar/overview"]);
/// ```
///
/// It expands to a call of `__macro_support::page_extension(PageSpec { .. })`
/// which returns an extension that:
///
/// * declares config `{ path?: string }` (unknown keys are errors), so
///   `app.extensions: [{ "page:radar/overview": { config: { path: /r } } }]`
///   moves the page;
/// * has one input per name in `inputs`, each accepting
///   [`core_data::COMPONENT`](crate::core_data::COMPONENT);
/// * outputs [`ROUTE_PATH`](crate::core_data::ROUTE_PATH),
///   [`TITLE`](crate::core_data::TITLE), [`PAGE`](crate::core_data::PAGE)
///   and, with `route_ref`, [`ROUTE_REF`](crate::core_data::ROUTE_REF);
/// * with `nav`, carries a companion extension `nav-item:<pluginId>[/<name>]`
///   attached to input `items` of `app/nav`, pointing at the page wherever
///   config puts it (disable it alone to hide the entry).
///
/// `render` is any `Fn(PageRequest) -> impl Future<Output = Result<Markup, PageError>>`.
#[macro_export]
macro_rules! create_page_extension {
    (
        $(name: $name:literal,)?
        path: $path:expr,
        title: $title:expr,
        $(route_ref: $route:expr,)?
        $(nav: { title: $nav_title:expr $(, icon: $icon:expr)? $(,)? },)?
        $(inputs: [$($input:literal),* $(,)?],)?
        $(scripts: [$($script:expr),* $(,)?],)?
        $(stylesheets: [$($style:expr),* $(,)?],)?
        render: $render:expr $(,)?
    ) => {
        $crate::plugin_api::__macro_support::page_extension(
            $crate::plugin_api::__macro_support::PageSpec {
                name: $crate::__first_some!($(::core::option::Option::Some($name))?),
                path: $path,
                title: $title,
                route_ref: $crate::__first_some!($(::core::option::Option::Some($route))?),
                nav: $crate::__first_some!($(::core::option::Option::Some(
                    $crate::plugin_api::__macro_support::NavSpec {
                        title: $nav_title,
                        icon: $crate::__first_some!($(::core::option::Option::Some($icon))?),
                    }
                ))?),
                inputs: &[$($($input),*)?],
                scripts: &[$($($script),*)?],
                stylesheets: &[$($($style),*)?],
            },
            $render,
        )
    };
}

/// Creates a **routable extension**: content bound to a route ref, mounted
/// at a path (by default under `app/routes`, like a page, but without a
/// title or a nav item). Its id is `routable:<pluginId>[/<name>]`.
///
/// ```
/// use backstage_frontend::{RouteRef, create_routable_extension};
/// use maud::html;
///
/// const DETAILS: RouteRef = RouteRef::new("example.details").with_params(&["id"]);
/// let ext = create_routable_extension! {
///     name: "details",
///     route_ref: DETAILS,
///     path: "/example/:id",   // optional; without it config must set `path`
///     render: |req| async move {
///         Ok(html! { p { "Item " (req.param("id").unwrap_or_default()) } })
///     },
/// };
/// assert_eq!(ext.id().to_string(), "routable:details");
/// ```
///
/// Expands to `__macro_support::routable_extension(RoutableSpec { .. }, render)`:
/// config `{ path?: string }`; outputs `ROUTE_PATH`, `ROUTE_REF`, `PAGE`;
/// `attach_to: { id: "...", input: "..." }` places it elsewhere (e.g. the
/// `routes` input of another plugin's page).
#[macro_export]
macro_rules! create_routable_extension {
    (
        $(name: $name:literal,)?
        route_ref: $route:expr,
        $(path: $path:expr,)?
        $(attach_to: { id: $id:literal, input: $input:literal $(,)? },)?
        render: $render:expr $(,)?
    ) => {
        $crate::plugin_api::__macro_support::routable_extension(
            $crate::plugin_api::__macro_support::RoutableSpec {
                name: $crate::__first_some!($(::core::option::Option::Some($name))?),
                route_ref: $route,
                path: $crate::__first_some!($(::core::option::Option::Some($path))?),
                attach_to: $crate::__first_some!($(::core::option::Option::Some(($id, $input)))?),
            },
            $render,
        )
    };
}

/// Creates a **component extension**: a piece of UI another plugin places,
/// such as an entity-page card. Id `<kind>:<pluginId>/<name>` (kind
/// defaults to `component`), attached where `attach_to` says, output
/// [`core_data::COMPONENT`](crate::core_data::COMPONENT).
///
/// ```
/// use backstage_frontend::create_component_extension;
/// use maud::html;
///
/// let card = create_component_extension! {
///     kind: "entity-card",
///     name: "about",
///     attach_to: { id: "page:catalog/entity", input: "cards" },
///     render: |req| async move {
///         let name = req.props["metadata"]["name"].as_str().unwrap_or("unknown").to_owned();
///         Ok(html! { p { "About " (name) } })
///     },
/// };
/// assert_eq!(card.id().to_string(), "entity-card:about");
/// ```
///
/// Expands to `__macro_support::component_extension(ComponentSpec { .. }, render)`;
/// `disabled: true` makes it off until `app.extensions` enables it.
/// `render` is any `Fn(ComponentRequest) -> impl Future<Output = Result<Markup, PageError>>`.
#[macro_export]
macro_rules! create_component_extension {
    (
        $(kind: $kind:literal,)?
        name: $name:literal,
        attach_to: { id: $id:literal, input: $input:literal $(,)? },
        $(disabled: $disabled:expr,)?
        render: $render:expr $(,)?
    ) => {
        $crate::plugin_api::__macro_support::component_extension(
            $crate::plugin_api::__macro_support::ComponentSpec {
                kind: $crate::__first_some!($(::core::option::Option::Some($kind))?),
                name: $name,
                attach_to: ($id, $input),
                disabled: $crate::__first_some!($(::core::option::Option::Some($disabled))?).unwrap_or(false),
            },
            $render,
        )
    };
}

/// Creates an **API extension**: a utility-API factory with id
/// `api:<apiRefId>`, attached to input `apis` of `app`, output
/// [`core_data::API_FACTORY`](crate::core_data::API_FACTORY).
///
/// ```
/// use std::sync::Arc;
/// use backstage_frontend::{ApiRef, create_api_extension};
/// use backstage_frontend::apis::{DISCOVERY_API, DiscoveryApi};
///
/// pub trait CatalogApi: Send + Sync { fn base(&self) -> &str; }
/// struct Client(String);
/// impl CatalogApi for Client { fn base(&self) -> &str { &self.0 } }
/// pub const CATALOG_API: ApiRef<dyn CatalogApi> = ApiRef::new("plugin.catalog");
///
/// let ext = create_api_extension! {
///     api: CATALOG_API,
///     deps: [DISCOVERY_API],
///     factory: |apis| {
///         let discovery = apis.require(DISCOVERY_API).map_err(|e| e.to_string())?;
///         let base = discovery.base_url("catalog").map_err(|e| e.to_string())?;
///         Ok(Arc::new(Client(base)) as Arc<dyn CatalogApi>)
///     },
/// };
/// assert_eq!(ext.id().to_string(), "api:plugin.catalog");
/// ```
///
/// Expands to `__macro_support::api_extension(ApiFactory::new(api, &[dep ids], factory))`.
/// The factory is `Fn(&ApiHolder) -> Result<Arc<T>, String>` where `T` is
/// the ref's type; it may only read the APIs listed in `deps` (others are
/// not built yet), and the app builds APIs in dependency order.
#[macro_export]
macro_rules! create_api_extension {
    (
        api: $api:expr,
        $(deps: [$($dep:expr),* $(,)?],)?
        factory: $factory:expr $(,)?
    ) => {
        $crate::plugin_api::__macro_support::api_extension(
            $crate::ApiFactory::new($api, &[$($($dep.id()),*)?], $factory),
        )
    };
}

/// `Some(x)` if given, else `None` (macro plumbing).
#[doc(hidden)]
#[macro_export]
macro_rules! __first_some {
    () => {
        ::core::option::Option::None
    };
    ($some:expr) => {
        $some
    };
}
