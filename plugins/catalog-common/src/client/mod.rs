//! A typed async client for the catalog REST API.
//!
//! [`CatalogClient`] has one method per endpoint of the spec. Lookups of
//! one entity or location answer `Ok(None)` for 404; every other error
//! status becomes [`CatalogClientError::Api`] with Backstage's error name,
//! message and status.

mod entities;
mod error;
mod locations;
mod params;
mod query;

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

pub use error::{CatalogApiError, CatalogClientError};
pub use params::{
    AddLocationOptions, EntityFacetsParams, GetEntitiesParams, GetEntitiesResponse,
    QueryEntitiesParams, ValidateEntityResult,
};

use query::QueryString;

/// A client of one catalog, e.g. `http://localhost:7007/api/catalog`.
///
/// One method per endpoint of the spec. Lookups of one entity or location
/// answer `Ok(None)` for 404; every other error status becomes
/// [`CatalogClientError::Api`] with Backstage's error name, message and
/// status.
///
/// Cloning is cheap (the connection pool is shared), so a per-user copy
/// with its own token is `client.clone().with_token(token)`.
///
/// ```no_run
/// use backstage_plugin_catalog_common::{CatalogClient, EntityFilter, FilterSet, GetEntitiesParams};
/// use backstage_common::catalog::Entity;
///
/// # async fn run() -> Result<(), backstage_plugin_catalog_common::CatalogClientError> {
/// let client = CatalogClient::new("http://localhost:7007/api/catalog")?.with_token("secret");
/// let users = client
///     .get_entities::<Entity>(&GetEntitiesParams {
///         filter: Some(EntityFilter::new(FilterSet::new().eq("kind", "user"))),
///         ..Default::default()
///     })
///     .await?;
/// println!("{} users", users.items.len());
/// # Ok(())
/// # }
/// ```
///
/// # TLS
///
/// The workspace builds reqwest with rustls but without a crypto provider,
/// and reqwest refuses to build a client without one — even for plain
/// HTTP. So [`CatalogClient::new`] uses the process-wide default provider
/// when the application installed one, and otherwise installs *ring*'s
/// (`rustls::crypto::ring::default_provider().install_default()`), as the
/// frontend's fetch API does. Plain HTTP and HTTPS then both work. An
/// application that wants another provider (e.g. aws-lc-rs) installs it
/// before creating its first client; one that wants full control passes
/// its own `reqwest::Client` to [`CatalogClient::with_http_client`].
#[derive(Debug, Clone)]
pub struct CatalogClient {
    http: reqwest::Client,
    base_url: Url,
    token: Option<String>,
}

/// A request about to be sent: method, path below the base URL, query and
/// JSON body.
struct Call {
    method: Method,
    segments: Vec<String>,
    query: QueryString,
    body: Option<Vec<u8>>,
}

/// A response: status, headers and the whole body.
struct Answer {
    method: String,
    url: String,
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl CatalogClient {
    /// A client of the catalog at `base_url` (an `http` or `https` URL;
    /// a trailing slash is ignored). See [`CatalogClient`] on TLS.
    pub fn new(base_url: &str) -> Result<Self, CatalogClientError> {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Losing a race with another installer is fine: a provider is
            // installed either way.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(CatalogClientError::HttpClient)?;
        Self::with_http_client(base_url, http)
    }

    /// A client of the catalog at `base_url` sending through `http`.
    pub fn with_http_client(
        base_url: &str,
        http: reqwest::Client,
    ) -> Result<Self, CatalogClientError> {
        let invalid = |reason: &str| CatalogClientError::InvalidBaseUrl {
            url: base_url.to_owned(),
            reason: reason.to_owned(),
        };
        let mut url = Url::parse(base_url).map_err(|e| {
            invalid(&format!(
                "{e}; write e.g. http://localhost:7007/api/catalog"
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("the scheme must be http or https"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("the base URL must not have a query or fragment"));
        }
        if url.cannot_be_a_base() {
            return Err(invalid("the URL cannot have a path"));
        }
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
        }
        Ok(CatalogClient {
            http,
            base_url: url,
            token: None,
        })
    }

    /// This client sending `Authorization: Bearer <token>` with every
    /// request.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// This client sending no credential.
    pub fn without_token(mut self) -> Self {
        self.token = None;
        self
    }

    /// The catalog's base URL, without a trailing slash.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    fn url(&self, segments: &[String], query: QueryString) -> Url {
        let mut url = self.base_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.extend(segments);
        }
        url.set_query(query.finish().as_deref());
        url
    }

    /// Sends `call` and reads the whole answer, whatever its status.
    async fn send(&self, call: Call) -> Result<Answer, CatalogClientError> {
        let url = self.url(&call.segments, call.query);
        let method = call.method.to_string();
        let mut request = self.http.request(call.method, url.clone());
        if let Some(token) = &self.token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(body) = call.body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let transport = |source| CatalogClientError::Transport {
            method: method.clone(),
            url: url.to_string(),
            source,
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport)?.to_vec();
        Ok(Answer {
            method,
            url: url.to_string(),
            status,
            headers,
            body,
        })
    }

    /// Sends `call`; a non-2xx answer is an API error.
    async fn send_ok(&self, call: Call) -> Result<Answer, CatalogClientError> {
        let answer = self.send(call).await?;
        if answer.status.is_success() {
            Ok(answer)
        } else {
            Err(answer.api_error())
        }
    }

    /// Sends `call` and decodes a JSON answer.
    async fn fetch<T: DeserializeOwned>(&self, call: Call) -> Result<T, CatalogClientError> {
        self.send_ok(call).await?.json()
    }

    /// Sends `call` and decodes a JSON answer; 404 is `None`.
    async fn fetch_optional<T: DeserializeOwned>(
        &self,
        call: Call,
    ) -> Result<Option<T>, CatalogClientError> {
        let answer = self.send(call).await?;
        match answer.status {
            StatusCode::NOT_FOUND => Ok(None),
            status if status.is_success() => answer.json().map(Some),
            _ => Err(answer.api_error()),
        }
    }

    /// Sends `call` and ignores the body of a successful answer.
    async fn execute(&self, call: Call) -> Result<(), CatalogClientError> {
        self.send_ok(call).await.map(drop)
    }
}

impl Call {
    fn new(method: Method, segments: &[&str]) -> Self {
        Call {
            method,
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            query: QueryString::default(),
            body: None,
        }
    }

    fn get(segments: &[&str]) -> Self {
        Self::new(Method::GET, segments)
    }

    fn query(mut self, query: QueryString) -> Self {
        self.query = query;
        self
    }

    fn json(mut self, body: &impl Serialize) -> Result<Self, CatalogClientError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            CatalogClientError::InvalidRequest(format!("cannot write the request body: {e}"))
        })?;
        self.body = Some(bytes);
        Ok(self)
    }
}

impl Answer {
    fn json<T: DeserializeOwned>(&self) -> Result<T, CatalogClientError> {
        serde_json::from_slice(&self.body).map_err(|e| CatalogClientError::Decode {
            method: self.method.clone(),
            url: self.url.clone(),
            status: self.status.as_u16(),
            reason: e.to_string(),
        })
    }

    fn api_error(&self) -> CatalogClientError {
        CatalogClientError::Api(Box::new(CatalogApiError::from_response(
            &self.method,
            &self.url,
            self.status.as_u16(),
            self.status.canonical_reason().unwrap_or(""),
            &self.body,
        )))
    }
}
