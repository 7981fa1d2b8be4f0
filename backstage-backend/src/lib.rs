//! The backend system of backstage-rs.
//!
//! A backend is assembled from [`BackendPlugin`]s — each with an id, routes
//! under `/api/<id>`, and its own services — and [`BackendModule`]s that
//! extend a plugin through its [`ExtensionPointRef`]s. Services (config,
//! logger, HTTP router, lifecycle, discovery, auth, ...) are looked up by
//! typed [`ServiceRef`](service::ServiceRef)s; each has a default factory an
//! integrator can replace. [`Backend`] loads and validates the config, binds
//! the HTTP server, starts the plugins and shuts down gracefully.
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use backstage_backend::{Backend, BackendPlugin};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), backstage_backend::BackendError> {
//!     let todo = BackendPlugin::builder("todo").init(|ctx| async move {
//!         ctx.http_router().use_router(Router::new().route("/items", get(|| async { "[]" })));
//!         Ok::<_, std::convert::Infallible>(())
//!     });
//!     Backend::builder().add(todo).run().await
//! }
//! ```
//!
//! Every plugin route requires a credential unless the plugin opens it
//! (`ctx.http_router().add_auth_policy(path, Access::Unauthenticated)`);
//! see the book's chapter on auth.

mod backend;
mod error;
mod extension_point;
mod feature;
pub mod http;
pub mod service;
pub mod services;
mod sync;

pub use backend::{Backend, BackendBuilder, BackendFeature, RunningBackend};
pub use error::{BackendError, BoxError};
pub use extension_point::ExtensionPointRef;
pub use feature::{
    BackendModule, BackendModuleBuilder, BackendPlugin, BackendPluginBuilder, ModuleContext,
    PluginContext,
};

/// Re-exports for macros and apps: the crates a backend is built from.
pub mod prelude {
    pub use crate::services::{Access, Credentials};
    pub use crate::{
        Backend, BackendError, BackendModule, BackendPlugin, ExtensionPointRef, ModuleContext,
        PluginContext,
    };
    pub use backstage_core::config::Config;
}

pub use axum;
pub use backstage_core;
pub use backstage_macros::{backend_module, backend_plugin};

#[cfg(doctest)]
#[doc = include_str!("../../book/src/backend/first-plugin.md")]
struct BookFirstPlugin;

#[cfg(doctest)]
#[doc = include_str!("../../book/src/backend/services.md")]
struct BookServices;

#[cfg(doctest)]
#[doc = include_str!("../../book/src/backend/auth.md")]
struct BookAuth;

#[cfg(doctest)]
#[doc = include_str!("../../book/src/backend/caching.md")]
struct BookCaching;

#[cfg(doctest)]
#[doc = include_str!("../../book/src/backend/scheduling.md")]
struct BookScheduling;

#[cfg(doctest)]
#[doc = include_str!("../../book/src/backend/storing-data.md")]
struct BookStoringData;

#[cfg(doctest)]
#[doc = include_str!("../../book/src/backend/reading-urls.md")]
struct BookReadingUrls;
