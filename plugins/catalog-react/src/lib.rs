//! The catalog's frontend library: what any frontend plugin uses to work
//! with catalog entities — the catalog utility API, links to entity pages,
//! entity tables, and the entity page's inputs (tabs and cards) with the
//! conditions that say which entities they are for.
//!
//! The catalog plugin (`backstage-plugin-catalog`) owns the pages; this
//! crate owns what it shares, so a plugin that adds an entity tab depends
//! on this crate only. Like every frontend crate it talks to the catalog
//! backend over HTTP, through the catalog's typed client.
//!
//! A plugin that adds a "CI" tab to the pages of components with a GitHub
//! slug, and links back to the entity's owner:
//!
//! ```
//! use backstage_frontend::FrontendPlugin;
//! use backstage_plugin_catalog_react::{
//!     EntityCondition, entity_content_extension, entity_of, entity_ref_link,
//! };
//! use maud::html;
//!
//! pub fn ci_plugin() -> FrontendPlugin {
//!     FrontendPlugin::new("ci").extension(entity_content_extension(
//!         "builds",
//!         "CI",
//!         "ci",
//!         EntityCondition::kind("component").and(EntityCondition::has_annotation("github.com/project-slug")),
//!         |req| async move {
//!             let entity = entity_of(&req)?;
//!             let owner = entity.spec_field("owner").and_then(|o| o.as_str()).unwrap_or("").to_owned();
//!             Ok(html! {
//!                 p { "Builds of " (entity.metadata.name) ", owned by "
//!                     (entity_ref_link(req.page.routes(), &owner, Some("group"))) }
//!             })
//!         },
//!     ))
//! }
//! assert_eq!(ci_plugin().extensions()[0].id().to_string(), "entity-content:ci/builds");
//! ```

#![warn(missing_docs)]

mod api;
mod entity_page;
mod routes;
mod table;

pub use api::{CATALOG_API, CatalogApi, DEFAULT_TIMEOUT, catalog_api_extension, catalog_error};
pub use entity_page::{
    ENTITY_CARDS_INPUT, ENTITY_CONDITION, ENTITY_CONTENT_PATH, ENTITY_CONTENTS_INPUT,
    ENTITY_PAGE_ID, EntityCondition, entity_card_extension, entity_content_extension, entity_of,
};
pub use routes::{
    CATALOG_IMPORT_ROUTE, CATALOG_INDEX_ROUTE, ENTITY_ROUTE, entity_href, entity_link,
    entity_page_link, entity_ref_link, external_link, http_url, humanize_ref,
};
pub use table::{ALL_COLUMNS, EntityColumn, EntityTable, TableSort};
