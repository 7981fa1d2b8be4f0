//! The catalog utility API: a [`CatalogClient`] located through discovery,
//! sending the app's (or the signed-in user's) credential, with a timeout.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use backstage_frontend::apis::{DISCOVERY_API, DiscoveryApi, FETCH_API, FetchApi};
use backstage_frontend::{
    ApiFactory, ApiRef, AttachPoint, Extension, ExtensionConfigSchema, ExtensionData, ExtensionId,
    PageError, PageRequest, UserIdentity, core_data,
};
use backstage_plugin_catalog_common::{CatalogClient, CatalogClientError};
use schemars::JsonSchema;
use serde::Deserialize;

/// The catalog utility API (`plugin.catalog.service`, as in Backstage).
///
/// ```
/// use backstage_frontend::App;
/// use backstage_plugin_catalog_react::{CATALOG_API, catalog_api_extension};
///
/// let plugin = backstage_frontend::FrontendPlugin::new("catalog").extension(catalog_api_extension());
/// let config = backstage_common::config::Config::from_value(serde_json::json!({
///     "backend": { "baseUrl": "http://localhost:7007" }
/// }));
/// let app = App::builder().config(config).plugin(plugin).build()?;
/// let catalog = app.apis().get(CATALOG_API).expect("installed");
/// assert_eq!(catalog.client(None).base_url().as_str(), "http://localhost:7007/api/catalog");
/// # Ok::<(), backstage_frontend::app::AppError>(())
/// ```
pub const CATALOG_API: ApiRef<CatalogApi> = ApiRef::new("plugin.catalog.service");

/// How long a call to the catalog may take, unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The catalog as pages use it: one [`CatalogClient`] per request, carrying
/// the credential of whoever the page is rendered for.
#[derive(Clone)]
pub struct CatalogApi {
    client: CatalogClient,
    fetch: Option<Arc<FetchApi>>,
    timeout: Duration,
}

impl fmt::Debug for CatalogApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CatalogApi")
            .field("base_url", &self.client.base_url().as_str())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl CatalogApi {
    /// The API over a client you built (its token, if any, is used for
    /// every call). For tests and custom setups.
    pub fn from_client(client: CatalogClient) -> Self {
        Self {
            client,
            fetch: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The catalog that `discovery` locates (plugin id `catalog`), called
    /// with the credentials of `fetch`; every call gives up after
    /// `timeout`.
    pub fn from_discovery(
        discovery: &dyn DiscoveryApi,
        fetch: Arc<FetchApi>,
        timeout: Duration,
    ) -> Result<Self, String> {
        let base = discovery.base_url("catalog").map_err(|e| e.to_string())?;
        // reqwest is built without a default crypto provider; install ring
        // once per process (a second install fails harmlessly).
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| format!("cannot build the catalog's HTTP client: {e}"))?;
        let client = CatalogClient::with_http_client(&base, http).map_err(|e| e.to_string())?;
        Ok(Self {
            client,
            fetch: Some(fetch),
            timeout,
        })
    }

    /// A client for calls made on behalf of `user` (or the app itself).
    pub fn client(&self, user: Option<&UserIdentity>) -> CatalogClient {
        let Some(fetch) = &self.fetch else {
            return self.client.clone();
        };
        match fetch.authorization("catalog", user) {
            Some(header) => {
                let token = header.strip_prefix("Bearer ").unwrap_or(&header);
                self.client.clone().with_token(token)
            }
            None => self.client.clone().without_token(),
        }
    }

    /// A client for the user a page is rendered for.
    pub fn for_page(&self, req: &PageRequest) -> CatalogClient {
        self.client(req.identity())
    }

    /// How long one call may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

/// Turns a failed catalog call into what the user sees: the catalog being
/// unreachable, slow or failing (5xx) is [`PageError::Unavailable`] (503
/// with a message); a request the catalog cannot take (a filter value it
/// cannot express, a stale cursor: 400) is [`PageError::BadRequest`] with
/// the reason; anything else is an internal error (logged, generic page).
pub fn catalog_error(err: CatalogClientError) -> PageError {
    match &err {
        CatalogClientError::Transport { source, .. } => {
            let why = if source.is_timeout() {
                "The catalog did not answer in time."
            } else {
                "The catalog could not be reached."
            };
            PageError::Unavailable(format!("{why} Please try again in a moment."))
        }
        CatalogClientError::Api(api) if api.status >= 500 => PageError::Unavailable(
            "The catalog is having trouble answering. Please try again in a moment.".to_owned(),
        ),
        // The request came from the user's input (a filter value, a
        // cursor): say what was refused.
        CatalogClientError::InvalidRequest(message) => {
            PageError::BadRequest(format!("The catalog cannot answer this: {message}"))
        }
        CatalogClientError::Api(api) if api.status == 400 => {
            PageError::BadRequest(format!("The catalog refused this request: {}", api.message))
        }
        _ => PageError::internal(err),
    }
}

/// The config of the catalog API extension (`api:plugin.catalog.service`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CatalogApiConfig {
    /// How long one call to the catalog may take, in milliseconds
    /// (default 10000).
    timeout_ms: Option<u64>,
}

/// The extension that provides [`CATALOG_API`]: id
/// `api:plugin.catalog.service`, attached to `app`'s `apis`. It takes
/// config `{ timeoutMs?: number }` through `app.extensions`.
pub fn catalog_api_extension() -> Extension {
    Extension::with_id(ExtensionId::from_parts(
        Some("api"),
        Some(CATALOG_API.id()),
        None,
    ))
    .attach_to(AttachPoint::new("app", "apis"))
    .config_schema(ExtensionConfigSchema::of::<CatalogApiConfig>())
    .output(&[core_data::API_FACTORY.spec()])
    .factory(|ctx| {
        let config: CatalogApiConfig = ctx.config()?;
        let timeout = config
            .timeout_ms
            .map(Duration::from_millis)
            .unwrap_or(DEFAULT_TIMEOUT);
        let factory = ApiFactory::new(
            CATALOG_API,
            &[DISCOVERY_API.id(), FETCH_API.id()],
            move |apis| {
                let discovery = apis.require(DISCOVERY_API).map_err(|e| e.to_string())?;
                let fetch = apis.require(FETCH_API).map_err(|e| e.to_string())?;
                CatalogApi::from_discovery(discovery.as_ref(), fetch, timeout).map(Arc::new)
            },
        );
        Ok(ExtensionData::new().with(core_data::API_FACTORY, factory))
    })
}
