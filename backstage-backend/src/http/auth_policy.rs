//! The one auth-policy layer every plugin route passes through.

use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::future::{Either, Ready, ready};
use tower::{Layer, Service};

use super::error::ApiError;
use crate::services::auth::{AuthService, Credentials};
use crate::services::{Access, AuthPolicy};

/// What the layer needs to decide about one plugin's requests.
pub(crate) struct PolicyState {
    pub(crate) prefix: String,
    pub(crate) policies: Vec<AuthPolicy>,
    pub(crate) auth: Arc<dyn AuthService>,
    pub(crate) default_policy_disabled: bool,
}

impl PolicyState {
    fn is_open(&self, path: &str) -> bool {
        self.default_policy_disabled
            || self.policies.iter().any(|p| {
                p.allow == Access::Unauthenticated
                    && (p.path == "/"
                        || path == p.path
                        || path
                            .strip_prefix(p.path.as_str())
                            .is_some_and(|rest| rest.starts_with('/')))
            })
    }

    /// The credentials of a request, or why it is refused.
    fn credentials(&self, request: &Request) -> Result<Credentials, ApiError> {
        let path = request.uri().path();
        let relative = path.strip_prefix(self.prefix.as_str()).unwrap_or(path);
        let relative = if relative.is_empty() { "/" } else { relative };
        let token = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        match token {
            Some(token) => match self.auth.authenticate(token) {
                Ok(credentials) => Ok(credentials),
                Err(_) if self.is_open(relative) => Ok(Credentials::none()),
                Err(e) => Err(ApiError::authentication(e.0)),
            },
            None if self.is_open(relative) => Ok(Credentials::none()),
            None => Err(ApiError::authentication(
                "missing credentials: send 'Authorization: Bearer <token>' (a service token or a static token from backend.auth.externalAccess)",
            )),
        }
    }
}

/// Applies one plugin's auth policy: lets a request through with its
/// [`Credentials`] as an extension, or answers 401.
#[derive(Clone)]
pub(crate) struct AuthPolicyLayer {
    state: Arc<PolicyState>,
}

impl AuthPolicyLayer {
    pub(crate) fn new(state: PolicyState) -> Self {
        Self {
            state: Arc::new(state),
        }
    }
}

impl<S> Layer<S> for AuthPolicyLayer {
    type Service = RequireCredentials<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireCredentials {
            inner,
            state: Arc::clone(&self.state),
        }
    }
}

/// The service of [`AuthPolicyLayer`].
#[derive(Clone)]
pub(crate) struct RequireCredentials<S> {
    inner: S,
    state: Arc<PolicyState>,
}

impl<S> Service<Request> for RequireCredentials<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<Ready<Result<Response, S::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        match self.state.credentials(&request) {
            Ok(credentials) => {
                request.extensions_mut().insert(credentials);
                Either::Right(self.inner.call(request))
            }
            Err(refusal) => Either::Left(ready(Ok(refusal.into_response()))),
        }
    }
}

impl<S> RequireCredentials<S>
where
    S: Service<Request, Response = Response> + Clone,
{
    /// Serves a request from a shared reference: clones only the inner
    /// service (an `Arc` for a router), and only for an admitted request.
    /// For an inner service that is always ready, as a router is.
    pub(crate) fn call_shared(&self, mut request: Request) -> <Self as Service<Request>>::Future {
        match self.state.credentials(&request) {
            Ok(credentials) => {
                request.extensions_mut().insert(credentials);
                Either::Right(self.inner.clone().call(request))
            }
            Err(refusal) => Either::Left(ready(Ok(refusal.into_response()))),
        }
    }
}
