//! Who is calling: credentials and principals.

/// The caller behind a request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Principal {
    /// Another plugin, or an external service with a static token.
    /// `subject` is `plugin:<pluginId>` for plugins, or the subject configured
    /// with the static token.
    Service {
        /// Who the service is.
        subject: String,
    },
    /// No credential was given (only on paths opened with an auth policy, or
    /// with the default policy disabled).
    None,
    // Signed-in users come with the sign-in issue: `User { user_entity_ref }`.
}

/// The verified credentials of a request, available to handlers as an
/// `axum::Extension<Credentials>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The caller.
    pub principal: Principal,
}

impl Credentials {
    /// Credentials of an anonymous caller.
    pub fn none() -> Self {
        Self {
            principal: Principal::None,
        }
    }

    /// Credentials of a service.
    pub fn service(subject: impl Into<String>) -> Self {
        Self {
            principal: Principal::Service {
                subject: subject.into(),
            },
        }
    }

    /// The subject of a service principal.
    pub fn service_subject(&self) -> Option<&str> {
        match &self.principal {
            Principal::Service { subject } => Some(subject),
            Principal::None => None,
        }
    }
}

/// A credential was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AuthError(pub String);
