//! The URL reader service: a plugin reads the content of a URL — a
//! `catalog-info.yaml` on a web server, a file in an allowed directory —
//! without deciding for itself what it may reach.
//!
//! The integrator decides, in `backend.reading`: http(s) targets must be in
//! the allow-list `backend.reading.allow` (every redirect target too), local
//! files must lie in `backend.reading.allowedDirectories`, and every read is
//! bounded by `backend.reading.maxBytes` and `backend.reading.timeout`. A
//! caller that passes the `etag` of its copy gets
//! [`UrlReaderError::NotModified`] while the target is unchanged. See the
//! book's chapter "Reading URLs".
//!
//! ```
//! use backstage_backend::BackendPlugin;
//! use backstage_backend::services::url_reader::{ReadUrlOptions, URL_READER};
//!
//! let plugin = BackendPlugin::builder("docs").init(|ctx| async move {
//!     let reader = ctx.service(&URL_READER).await?;
//!     match reader.read_url("https://docs.example.com/index.md", &ReadUrlOptions::new()).await {
//!         Ok(page) => tracing::info!(bytes = page.body.len(), etag = ?page.etag, "read"),
//!         Err(e) => tracing::warn!(error = %e, "could not read the index"),
//!     }
//!     Ok::<_, backstage_backend::BoxError>(())
//! });
//! ```
//!
//! An SCM integration plugs in as one more [`UrlReader`], asked before the
//! built-in readers (see [`UrlReaders::with_reader`]).

mod allow;
mod config;
mod error;
mod file;
mod http;
mod reader;
mod service;

use std::sync::Arc;

pub use allow::{AllowList, AllowRule};
pub(crate) use config::schema;
pub use config::{DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, MAX_REDIRECTS, ReadingSettings};
pub use error::UrlReaderError;
pub use file::FileReader;
pub use http::HttpReader;
pub use reader::{ReadUrlOptions, ReadUrlResponse, UrlReader};
pub use service::{UrlReaderService, UrlReaders};
pub use url::Url;

use crate::service::{ServiceFactory, ServiceRef};

/// A plugin's URL reader (`core.urlReader`, plugin scope): by default
/// [`UrlReaders::from_config`] over the root config. Replace it with a
/// factory of your own to add readers:
///
/// ```
/// use std::sync::Arc;
/// use backstage_backend::Backend;
/// use backstage_backend::service::ServiceFactory;
/// use backstage_backend::services::ROOT_CONFIG;
/// use backstage_backend::services::url_reader::{URL_READER, UrlReaderService, UrlReaders};
///
/// let backend = Backend::builder().service(ServiceFactory::new(&URL_READER, |ctx| async move {
///     let config = ctx.get(&ROOT_CONFIG).await?;
///     let readers = UrlReaders::from_config(&config)?; // .with_reader(Arc::new(MyGitHubReader))
///     Ok(Arc::new(readers) as Arc<dyn UrlReaderService>)
/// }));
/// ```
pub const URL_READER: ServiceRef<dyn UrlReaderService> = ServiceRef::plugin("core.urlReader")
    .with_default(|| {
        ServiceFactory::new(&URL_READER, |ctx| async move {
            let config = ctx.get(&crate::services::ROOT_CONFIG).await?;
            Ok(Arc::new(UrlReaders::from_config(&config)?) as Arc<dyn UrlReaderService>)
        })
    });
