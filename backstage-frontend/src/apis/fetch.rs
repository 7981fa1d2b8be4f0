//! The fetch utility API: HTTP from the app's server to plugin backends,
//! with the app's credential (and later the user's).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::discovery::{DiscoveryApi, DiscoveryError};
use crate::plugin_api::{ApiRef, UserIdentity};

/// The fetch utility API.
pub const FETCH_API: ApiRef<FetchApi> = ApiRef::new("core.fetch");

/// What a credential provider is asked for.
#[derive(Clone, Copy, Debug)]
pub struct CredentialRequest<'a> {
    /// The plugin whose backend is called.
    pub plugin_id: &'a str,
    /// The signed-in user on whose behalf the page is rendered, if any.
    pub user: Option<&'a UserIdentity>,
}

/// Supplies the `Authorization` header for calls to plugin backends.
pub trait CredentialProvider: Send + Sync {
    /// The header value to send, e.g. `Bearer <token>`, or `None` to send
    /// none.
    fn authorization(&self, request: &CredentialRequest<'_>) -> Option<String>;
}

/// The default credentials: the user's token when a user is signed in
/// (once sign-in exists), otherwise the app's static token from
/// `app.backendAuth.token` — one of the backend's
/// `backend.auth.externalAccess` static tokens.
#[derive(Clone, Default)]
pub struct StaticTokenCredentials {
    token: Option<String>,
}

impl StaticTokenCredentials {
    /// Credentials with the app's token (none: calls go without one).
    pub fn new(token: Option<String>) -> Self {
        Self { token }
    }
}

impl fmt::Debug for StaticTokenCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticTokenCredentials")
            .field("token", &self.token.as_ref().map(|_| "<secret>"))
            .finish()
    }
}

impl CredentialProvider for StaticTokenCredentials {
    fn authorization(&self, request: &CredentialRequest<'_>) -> Option<String> {
        request
            .user
            .and_then(|u| u.token.as_deref())
            .or(self.token.as_deref())
            .map(|token| format!("Bearer {token}"))
    }
}

/// A call to a plugin backend failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The backend could not be located.
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    /// The request could not be made or its body not read.
    #[error("request to {url} failed: {source}")]
    Http {
        /// The URL called.
        url: String,
        /// The cause.
        source: reqwest::Error,
    },
    /// The backend answered with an error status.
    #[error("{url} answered {status}")]
    Status {
        /// The URL called.
        url: String,
        /// The status.
        status: u16,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(reqwest::Error),
}

/// HTTP from the app's server to plugin backends.
///
/// [`plugin_request`](Self::plugin_request) locates the plugin with the
/// discovery API and adds the credential; a request to any other URL
/// ([`request`](Self::request)) carries no credential, so the app's token
/// never leaves for a third party.
#[derive(Clone)]
pub struct FetchApi {
    client: reqwest::Client,
    discovery: Arc<dyn DiscoveryApi>,
    credentials: Arc<dyn CredentialProvider>,
}

impl fmt::Debug for FetchApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchApi").finish_non_exhaustive()
    }
}

impl FetchApi {
    /// A fetch API using `discovery` and `credentials`, with a 30 s timeout.
    pub fn new(
        discovery: Arc<dyn DiscoveryApi>,
        credentials: Arc<dyn CredentialProvider>,
    ) -> Result<Self, FetchError> {
        // reqwest is built without a default crypto provider (no C crypto);
        // install ring once per process. A second install fails harmlessly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(FetchError::Client)?;
        Ok(Self {
            client,
            discovery,
            credentials,
        })
    }

    /// A request to any URL, without credentials.
    pub fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        self.client.request(method, url)
    }

    /// A request to `path` (e.g. `/entities`) of `plugin_id`'s backend,
    /// with the credential for `user` (or the app's own).
    pub fn plugin_request(
        &self,
        method: reqwest::Method,
        plugin_id: &str,
        path: &str,
        user: Option<&UserIdentity>,
    ) -> Result<reqwest::RequestBuilder, FetchError> {
        let base = self.discovery.base_url(plugin_id)?;
        let url = format!("{base}/{}", path.trim_start_matches('/'));
        let mut builder = self.client.request(method, url);
        if let Some(auth) = self
            .credentials
            .authorization(&CredentialRequest { plugin_id, user })
        {
            builder = builder.header(reqwest::header::AUTHORIZATION, auth);
        }
        Ok(builder)
    }

    /// The `Authorization` header value a call to `plugin_id`'s backend
    /// carries for `user` (or the app itself), for typed clients that send
    /// their own requests (such as the catalog client). Keep it on the
    /// server: never put it in a page.
    pub fn authorization(&self, plugin_id: &str, user: Option<&UserIdentity>) -> Option<String> {
        self.credentials
            .authorization(&CredentialRequest { plugin_id, user })
    }

    /// GETs `path` of `plugin_id`'s backend and decodes the JSON answer.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        plugin_id: &str,
        path: &str,
        user: Option<&UserIdentity>,
    ) -> Result<T, FetchError> {
        let request = self.plugin_request(reqwest::Method::GET, plugin_id, path, user)?;
        let response = request.send().await.map_err(|source| FetchError::Http {
            url: source.url().map(|u| u.to_string()).unwrap_or_default(),
            source,
        })?;
        let url = response.url().to_string();
        if !response.status().is_success() {
            return Err(FetchError::Status {
                url,
                status: response.status().as_u16(),
            });
        }
        response
            .json()
            .await
            .map_err(|source| FetchError::Http { url, source })
    }
}
