//! The backend's token authority: the signing key for service tokens and the
//! static tokens from `backend.auth.externalAccess`.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use backstage_common::config::Config;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

use super::credentials::{AuthError, Credentials};
use crate::error::BackendError;
use crate::service::{ServiceFactory, ServiceRef};

const SERVICE_TOKEN_PREFIX: &str = "bsv1.";
/// How long a service token is valid.
pub const SERVICE_TOKEN_TTL: Duration = Duration::from_secs(3600);

#[derive(Clone)]
struct StaticToken {
    token: String,
    subject: String,
}

/// Issues and verifies service tokens; knows the static tokens.
pub struct TokenAuthority {
    key: hmac::Key,
    static_tokens: Vec<StaticToken>,
    disabled_default_policy: bool,
}

impl std::fmt::Debug for TokenAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenAuthority")
            .field("static_tokens", &self.static_tokens.len())
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct ServiceClaims {
    sub: String,
    aud: String,
    exp: u64,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Compares without an early exit, so timing does not reveal a prefix.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl TokenAuthority {
    /// Reads `backend.auth`: `keys[0].secret` signs service tokens (a random
    /// key per process when absent — then only this process accepts its
    /// tokens), `externalAccess` lists static tokens, and
    /// `dangerouslyDisableDefaultAuthPolicy` turns the default policy off.
    pub fn from_config(config: &Config) -> Result<Self, BackendError> {
        let secret = match config.get_optional_config_array("backend.auth.keys")? {
            Some(keys) if !keys.is_empty() => keys[0].get_string("secret")?.as_bytes().to_vec(),
            _ => {
                let mut bytes = vec![0u8; 32];
                SystemRandom::new().fill(&mut bytes).map_err(|_| {
                    BackendError::other("the system random number generator is unavailable")
                })?;
                bytes
            }
        };
        let mut static_tokens = Vec::new();
        for (i, access) in config
            .get_optional_config_array("backend.auth.externalAccess")?
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let kind = access.get_string("type")?;
            if kind != "static" {
                return Err(BackendError::other(format!(
                    "backend.auth.externalAccess[{i}].type is '{kind}'; this backend supports 'static' (options: token, subject)"
                )));
            }
            let token = access.get_string("options.token")?;
            if token.len() < 8 || token.chars().any(char::is_whitespace) {
                return Err(BackendError::other(format!(
                    "backend.auth.externalAccess[{i}].options.token must be at least 8 characters without whitespace"
                )));
            }
            static_tokens.push(StaticToken {
                token: token.to_owned(),
                subject: access.get_string("options.subject")?.to_owned(),
            });
        }
        Ok(Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, &secret),
            static_tokens,
            disabled_default_policy: config
                .get_optional_bool("backend.auth.dangerouslyDisableDefaultAuthPolicy")?
                .unwrap_or(false),
        })
    }

    /// Whether `backend.auth.dangerouslyDisableDefaultAuthPolicy` is set.
    pub fn default_policy_disabled(&self) -> bool {
        self.disabled_default_policy
    }

    /// A token with which plugin `from` may call plugin `to`.
    pub fn issue_service_token(&self, from: &str, to: &str) -> String {
        let claims = ServiceClaims {
            sub: format!("plugin:{from}"),
            aud: to.to_owned(),
            exp: now_secs() + SERVICE_TOKEN_TTL.as_secs(),
        };
        // Serializing three plain fields cannot fail.
        let payload = serde_json::to_vec(&claims).unwrap_or_default();
        let body = format!("{SERVICE_TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(payload));
        let signature = hmac::sign(&self.key, body.as_bytes());
        format!("{body}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }

    /// Verifies a token presented to plugin `audience`.
    pub fn authenticate(&self, token: &str, audience: &str) -> Result<Credentials, AuthError> {
        if token.starts_with(SERVICE_TOKEN_PREFIX) {
            return self.verify_service_token(token, audience);
        }
        self.static_tokens
            .iter()
            .find(|s| constant_time_eq(s.token.as_bytes(), token.as_bytes()))
            .map(|s| Credentials::service(s.subject.clone()))
            .ok_or_else(|| AuthError("the token is not valid".to_owned()))
    }

    fn verify_service_token(&self, token: &str, audience: &str) -> Result<Credentials, AuthError> {
        let invalid = || AuthError("the service token is not valid".to_owned());
        let (body, signature) = token.rsplit_once('.').ok_or_else(invalid)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| invalid())?;
        hmac::verify(&self.key, body.as_bytes(), &signature).map_err(|_| invalid())?;
        let payload = body
            .strip_prefix(SERVICE_TOKEN_PREFIX)
            .ok_or_else(invalid)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
        let claims: ServiceClaims = serde_json::from_slice(&payload).map_err(|_| invalid())?;
        if claims.exp < now_secs() {
            return Err(AuthError("the service token has expired".to_owned()));
        }
        if claims.aud != audience {
            return Err(AuthError(format!(
                "the service token is for plugin '{}', not '{audience}'",
                claims.aud
            )));
        }
        Ok(Credentials::service(claims.sub))
    }
}

/// The token authority (`core.auth.tokenAuthority`), made from config.
pub const TOKEN_AUTHORITY: ServiceRef<TokenAuthority> =
    ServiceRef::root("core.auth.tokenAuthority").with_default(|| {
        ServiceFactory::new(&TOKEN_AUTHORITY, |ctx| async move {
            let config = ctx.get(&crate::services::ROOT_CONFIG).await?;
            Ok(Arc::new(TokenAuthority::from_config(&config)?))
        })
    });
