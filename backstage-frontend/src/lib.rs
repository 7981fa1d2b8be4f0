//! The frontend system of backstage-rs: a developer portal's UI, built
//! from plugins and rendered on the server.
//!
//! Three layers, as in Backstage:
//!
//! * the **plugin API** ([`plugin_api`], re-exported at the root) — what
//!   plugin authors use: [`Extension`]s with ids like `page:catalog`, typed
//!   [`ExtensionDataRef`]s, [`RouteRef`]s, [`ApiRef`]s, [`FrontendPlugin`]
//!   and the `create_*_extension!` macros;
//! * the **app** ([`app`]) — builds the extension tree from the plugins
//!   and `app.extensions` config, validates it, binds routes, builds the
//!   utility APIs and serves everything as an [`axum::Router`] in the app
//!   shell (sidebar, header, light and dark theme, 404 and error pages);
//! * **components** ([`components`]) — shared building blocks: table,
//!   cards, tabs, links, header, empty and error states.
//!
//! Core utility APIs live in [`apis`]: config (frontend-visible values
//! only), discovery and fetch.
//!
//! ```
//! use backstage_frontend::{App, FrontendPlugin, RouteRef, create_page_extension};
//! use maud::html;
//!
//! const ROOT: RouteRef = RouteRef::new("greeting.root");
//!
//! fn greeting_plugin() -> FrontendPlugin {
//!     FrontendPlugin::new("greeting")
//!         .route("root", ROOT)
//!         .extension(create_page_extension! {
//!             path: "/greeting",
//!             title: "Greeting",
//!             route_ref: ROOT,
//!             nav: { title: "Greeting" },
//!             render: |req| async move {
//!                 let who = req.query("name").unwrap_or("world").to_owned();
//!                 Ok(html! { p { "Hello, " (who) "!" } })
//!             },
//!         })
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let app = App::builder().plugin(greeting_plugin()).build()?;
//! let (status, page) = app.render_path("/greeting", vec![("name".into(), "<Ada>".into())]).await;
//! assert_eq!(status, 200);
//! assert!(page.into_string().contains("Hello, &lt;Ada&gt;!"));
//! let router: axum::Router = app.router(); // serve it, or mount it as a backend's fallback
//! # Ok(()) }
//! # tokio::runtime::Runtime::new().unwrap().block_on(run()).unwrap();
//! ```

pub mod apis;
pub mod app;
pub mod components;
pub mod plugin_api;

pub use app::App;
pub use plugin_api::*;

#[doc(hidden)]
pub mod __private {
    pub use backstage_core;
}

#[cfg(doctest)]
#[doc = include_str!("../../book/src/frontend/extensions.md")]
struct BookExtensionsChapter;

#[cfg(doctest)]
#[doc = include_str!("../../book/src/frontend/macros.md")]
struct BookMacrosChapter;

#[cfg(doctest)]
#[doc = include_str!("../../book/src/frontend/page-plugin.md")]
struct BookPagePluginChapter;

#[cfg(doctest)]
#[doc = include_str!("../../book/src/frontend/app-config.md")]
struct BookAppConfigChapter;

#[cfg(doctest)]
#[doc = include_str!("../../book/src/frontend/architectures.md")]
struct BookArchitecturesChapter;
