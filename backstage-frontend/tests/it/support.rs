//! Plugins and helpers shared by the tests.

use backstage_common::config::Config;
use backstage_frontend::app::{AppBuilder, AppError};
use backstage_frontend::{
    App, AttachPoint, Extension, ExtensionData, ExternalRouteRef, FrontendPlugin, NavItem,
    NavTarget, RouteRef, core_data, create_component_extension, create_page_extension,
};
use maud::html;
use serde_json::Value;

pub(crate) const CATALOG_ROOT: RouteRef = RouteRef::new("catalog.root");
pub(crate) const CATALOG_ENTITY: RouteRef =
    RouteRef::new("catalog.entity").with_params(&["namespace", "kind", "name"]);
pub(crate) const DOCS_ROOT: RouteRef = RouteRef::new("docs.root");
pub(crate) const VIEW_DOCS: ExternalRouteRef = ExternalRouteRef::new("catalog.viewDocs").optional();

/// A catalog-like plugin: an index page with a nav item, an entity page
/// with a `cards` input, and an optional external route to docs.
pub(crate) fn catalog_plugin() -> FrontendPlugin {
    FrontendPlugin::new("catalog")
        .route("root", CATALOG_ROOT)
        .route("entity", CATALOG_ENTITY)
        .external_route("viewDocs", VIEW_DOCS)
        .extension(create_page_extension! {
            path: "/catalog",
            title: "Catalog",
            route_ref: CATALOG_ROOT,
            nav: { title: "Catalog", icon: "catalog" },
            render: |req| async move {
                let entity = req.href(CATALOG_ENTITY, &[("namespace", "default"), ("kind", "component"), ("name", "web")]);
                let docs = req.routes().href_external(VIEW_DOCS, &[]);
                Ok(html! {
                    h1 { "All entities" }
                    @if let Some(href) = entity { a #entity-link href=(href) { "web" } }
                    @if let Some(href) = docs { a #docs-link href=(href) { "docs" } }
                })
            },
        })
        .extension(create_page_extension! {
            name: "entity",
            path: "/catalog/:namespace/:kind/:name",
            title: "Entity",
            route_ref: CATALOG_ENTITY,
            inputs: ["cards"],
            render: |req| async move {
                let name = req.param("name").unwrap_or_default().to_owned();
                let cards = req.render_components("cards", serde_json::json!({ "name": name })).await;
                Ok(html! { h1 #entity-name { (name) } @for card in cards { (card) } })
            },
        })
}

/// A docs plugin with a page and an entity card for the catalog.
pub(crate) fn docs_plugin() -> FrontendPlugin {
    FrontendPlugin::new("docs")
        .route("root", DOCS_ROOT)
        .extension(create_page_extension! {
            path: "/docs",
            title: "Docs",
            route_ref: DOCS_ROOT,
            nav: { title: "Docs" },
            render: |_req| async move { Ok(html! { h1 { "Documentation" } }) },
        })
        .extension(create_component_extension! {
            kind: "entity-card",
            name: "card",
            attach_to: { id: "page:catalog/entity", input: "cards" },
            render: |req| async move {
                let name = req.props["name"].as_str().unwrap_or_default().to_owned();
                Ok(html! { section.docs-card { "Docs for " (name) } })
            },
        })
}

/// A plugin with one extra extension, for validation tests.
pub(crate) fn plugin_with(id: &str, ext: Extension) -> FrontendPlugin {
    FrontendPlugin::new(id).extension(ext)
}

/// A nav item extension with a fixed target.
pub(crate) fn nav_link(name: &str, title: &str, path: &str) -> Extension {
    let item = NavItem {
        title: title.to_owned(),
        icon: None,
        target: NavTarget::Path(path.to_owned()),
    };
    Extension::new(Some("nav-item"), Some(name))
        .attach_to(AttachPoint::new("app/nav", "items"))
        .output(&[core_data::NAV_ITEM.spec()])
        .factory(move |_| Ok(ExtensionData::new().with(core_data::NAV_ITEM, item.clone())))
}

pub(crate) fn config(value: Value) -> Config {
    Config::from_value(value)
}

pub(crate) fn builder(config_value: Value) -> AppBuilder {
    App::builder()
        .config(config(config_value))
        .plugin(catalog_plugin())
        .plugin(docs_plugin())
}

pub(crate) fn build_err(builder: AppBuilder) -> (AppError, String) {
    let err = builder.build().unwrap_err();
    let text = err.to_string();
    (err, text)
}
