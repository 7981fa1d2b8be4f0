//! The software catalog's frontend plugin: the pages Backstage users know.
//!
//! * `/catalog` — the index: kind picker, filters (owner, type, lifecycle,
//!   tag, namespace) with counts, text search, sorting and cursor paging.
//!   The query string holds the whole view, so a link reproduces it and
//!   the page works without JavaScript (plain GET forms and links; a small
//!   script only submits the form when a picker changes).
//! * `/catalog/:namespace/:kind/:name` — the entity page: about card,
//!   relations, processing errors, kind-specific cards (a group's members
//!   and owned entities, a user's groups) and tabs (an API's definition),
//!   plus every tab and card other plugins attach with
//!   [`backstage_plugin_catalog_react`], shown only for the entities their
//!   conditions accept. Tabs live below the page: `.../<tab path>`.
//! * `/catalog-import` — "register existing component": the URL of a
//!   `catalog-info.yaml`, a dry-run preview of what it adds, then the
//!   import (`POST /locations`), with errors shown in the form.
//!
//! Paths follow config (`app.extensions`), and links are built through the
//! route refs in `backstage-plugin-catalog-react`. Data comes from the
//! catalog backend over HTTP through the catalog utility API, which this
//! plugin installs (`api:plugin.catalog.service`, config `timeoutMs`).
//!
//! ```
//! use backstage_common::config::Config;
//! use backstage_frontend::App;
//!
//! let config = Config::from_value(serde_json::json!({
//!     "backend": { "baseUrl": "http://localhost:7007" },
//!     "app": { "extensions": [ { "page:catalog": { "config": { "path": "/services" } } } ] }
//! }));
//! let app = App::builder().config(config).plugin(backstage_plugin_catalog::plugin()).build()?;
//! assert!(app.page_paths().contains(&"/services"));
//! assert_eq!(app.routes().href(backstage_plugin_catalog_react::CATALOG_INDEX_ROUTE, &[]).as_deref(), Some("/services"));
//! # Ok::<(), backstage_frontend::app::AppError>(())
//! ```

#![warn(missing_docs)]

mod cards;
mod entity;
mod import;
mod index;
mod query;

use backstage_frontend::{Asset, FrontendPlugin, create_page_extension};
use backstage_plugin_catalog_react::{
    CATALOG_IMPORT_ROUTE, CATALOG_INDEX_ROUTE, ENTITY_ROUTE, catalog_api_extension,
};

pub use entity::ENTITY_PATH;
pub use index::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// The catalog plugin (id `catalog`): the index page with its sidebar
/// entry, the entity page with the catalog's own cards and tabs, the
/// import page, the
/// catalog utility API, and the plugin's stylesheet and script.
pub fn plugin() -> FrontendPlugin {
    let mut plugin = FrontendPlugin::new("catalog")
        .title("Software Catalog")
        .package(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
        .route("catalogIndex", CATALOG_INDEX_ROUTE)
        .route("catalogEntity", ENTITY_ROUTE)
        .route("importPage", CATALOG_IMPORT_ROUTE)
        .asset(Asset::new(
            "catalog.css",
            include_bytes!("../assets/catalog.css").as_slice(),
        ))
        .asset(Asset::new(
            "catalog.js",
            include_bytes!("../assets/catalog.js").as_slice(),
        ))
        .extension(catalog_api_extension())
        .extension(create_page_extension! {
            path: "/catalog",
            title: "Catalog",
            route_ref: CATALOG_INDEX_ROUTE,
            nav: { title: "Catalog", icon: "catalog" },
            scripts: ["catalog.js"],
            stylesheets: ["catalog.css"],
            render: index::index_page,
        })
        .extension(entity::entity_page_extension())
        .extension(import::import_page_extension());
    for extension in cards::extensions() {
        plugin = plugin.extension(extension);
    }
    plugin
}

#[cfg(doctest)]
#[doc = include_str!("../../../book/src/frontend/building-your-portal.md")]
struct BookBuildingYourPortalChapter;
