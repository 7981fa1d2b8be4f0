//! The one auth-policy layer every plugin route passes through.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use crate::services::auth::{AuthService, Credentials};
use crate::services::{Access, AuthPolicy};

/// What the layer needs to decide about one plugin's requests.
#[derive(Clone)]
pub(crate) struct PolicyState {
    pub(crate) prefix: String,
    pub(crate) policies: Arc<Vec<AuthPolicy>>,
    pub(crate) auth: Arc<dyn AuthService>,
    pub(crate) default_policy_disabled: bool,
}

fn is_open(policies: &[AuthPolicy], path: &str) -> bool {
    policies.iter().any(|p| {
        p.allow == Access::Unauthenticated
            && (p.path == "/"
                || path == p.path
                || path
                    .strip_prefix(p.path.as_str())
                    .is_some_and(|rest| rest.starts_with('/')))
    })
}

/// Lets a request through with its [`Credentials`] as an extension, or
/// answers 401.
pub(crate) async fn enforce(
    State(state): State<PolicyState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let relative = path.strip_prefix(state.prefix.as_str()).unwrap_or(path);
    let relative = if relative.is_empty() { "/" } else { relative };
    let open = state.default_policy_disabled || is_open(&state.policies, relative);

    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .map(str::to_owned);
    let credentials = match token {
        Some(token) => match state.auth.authenticate(&token) {
            Ok(credentials) => credentials,
            Err(_) if open => Credentials::none(),
            Err(e) => return ApiError::authentication(e.0).into_response(),
        },
        None if open => Credentials::none(),
        None => {
            return ApiError::authentication(
                "missing credentials: send 'Authorization: Bearer <token>' (a service token or a static token from backend.auth.externalAccess)",
            )
            .into_response();
        }
    };
    request.extensions_mut().insert(credentials);
    next.run(request).await
}
