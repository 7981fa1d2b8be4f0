//! The auth service a plugin uses.

use std::sync::Arc;

use super::authority::{TOKEN_AUTHORITY, TokenAuthority};
use super::credentials::{AuthError, Credentials};
use crate::service::{ServiceFactory, ServiceRef};

/// Verifies credentials presented to a plugin, and issues the tokens with
/// which it calls other plugins.
pub trait AuthService: Send + Sync {
    /// Verifies a bearer token presented to this plugin.
    fn authenticate(&self, token: &str) -> Result<Credentials, AuthError>;
    /// A token for calling `target_plugin_id` as this plugin; send it as
    /// `Authorization: Bearer <token>`.
    fn plugin_request_token(&self, target_plugin_id: &str) -> Result<String, AuthError>;
}

/// The default auth service of one plugin.
#[derive(Debug)]
pub struct DefaultAuthService {
    plugin_id: String,
    authority: Arc<TokenAuthority>,
}

impl AuthService for DefaultAuthService {
    fn authenticate(&self, token: &str) -> Result<Credentials, AuthError> {
        self.authority.authenticate(token, &self.plugin_id)
    }

    fn plugin_request_token(&self, target_plugin_id: &str) -> Result<String, AuthError> {
        Ok(self
            .authority
            .issue_service_token(&self.plugin_id, target_plugin_id))
    }
}

/// A plugin's auth service (`core.auth`).
pub const AUTH: ServiceRef<dyn AuthService> = ServiceRef::plugin("core.auth").with_default(|| {
    ServiceFactory::new(&AUTH, |ctx| async move {
        let authority = ctx.get(&TOKEN_AUTHORITY).await?;
        Ok(Arc::new(DefaultAuthService {
            plugin_id: ctx.plugin_id().unwrap_or_default().to_owned(),
            authority,
        }) as Arc<dyn AuthService>)
    })
});
