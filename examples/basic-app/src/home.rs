//! The portal's home page at `/`: where to go next, linked through route
//! refs so the links follow the pages wherever config moves them.

use backstage_frontend::components::{CardProps, HeaderProps, card, header};
use backstage_frontend::{FrontendPlugin, RouteRef, create_page_extension};
use backstage_plugin_catalog_react::{CATALOG_IMPORT_ROUTE, CATALOG_INDEX_ROUTE};
use maud::html;

/// The home page.
pub(crate) const HOME_ROUTE: RouteRef = RouteRef::new("home.root");

pub(crate) fn plugin() -> FrontendPlugin {
    FrontendPlugin::new("home")
        .title("Home")
        .package(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
        .route("root", HOME_ROUTE)
        .extension(create_page_extension! {
            path: "/",
            title: "Home",
            route_ref: HOME_ROUTE,
            nav: { title: "Home", icon: "home" },
            render: |req| async move {
                let catalog = req.href(CATALOG_INDEX_ROUTE, &[]);
                let import = req.href(CATALOG_IMPORT_ROUTE, &[]);
                let radar = req.href(backstage_plugin_tech_radar::ROOT_ROUTE, &[]);
                Ok(html! {
                    (header(&HeaderProps { title: "Welcome to the Wayfern portal", subtitle: Some("Find services, APIs and the people who own them"), kind: None }))
                    div.home-cards {
                        @if let Some(catalog) = &catalog {
                            (card(CardProps { title: "Software catalog", body: html! { p { "Every component, API, system and team of Wayfern Mobility." } }, footer_link: Some(("Open the catalog", catalog)) }))
                        }
                        @if let Some(import) = &import {
                            (card(CardProps { title: "Add to the catalog", body: html! { p { "Register a catalog-info.yaml from a repository." } }, footer_link: Some(("Register a component", import)) }))
                        }
                        @if let Some(radar) = &radar {
                            (card(CardProps { title: "Tech radar", body: html! { p { "The technologies we adopt, trial, assess and hold." } }, footer_link: Some(("See the radar", radar)) }))
                        }
                    }
                })
            },
        })
}
