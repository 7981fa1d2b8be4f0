//! The HTTP router services: a plugin's routes under `/api/<pluginId>`, and
//! the root router where an app mounts what lives outside `/api`.

use std::sync::{Arc, Mutex};

use axum::Router;

use crate::error::BackendError;
use crate::service::{ServiceFactory, ServiceRef};
use crate::sync::lock;

/// Who may call a path of a plugin without a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Access {
    /// Anyone: no credential needed.
    Unauthenticated,
}

/// A path opened by a plugin: the path and everything below it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthPolicy {
    /// The path relative to the plugin's base, e.g. `/health`.
    pub path: String,
    /// Who may call it.
    pub allow: Access,
}

/// A plugin's HTTP router (`core.httpRouter`): its routes are served under
/// `/api/<pluginId>` once the plugin has started.
#[derive(Default)]
pub struct HttpRouter {
    router: Mutex<Router>,
    policies: Mutex<Vec<AuthPolicy>>,
    errors: Mutex<Vec<String>>,
}

impl std::fmt::Debug for HttpRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRouter")
            .field("policies", &*lock(&self.policies))
            .finish_non_exhaustive()
    }
}

impl HttpRouter {
    /// Adds routes. Paths are relative to `/api/<pluginId>`: a route `/items`
    /// answers `/api/<pluginId>/items`. Any tower layer may be applied to
    /// the router before adding it.
    ///
    /// Routes that conflict with ones added before (the same path and method
    /// twice) make the plugin fail to start, naming the conflict.
    pub fn use_router(&self, router: Router) {
        let mut current = lock(&self.router);
        let previous = std::mem::take(&mut *current);
        let kept = previous.clone();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || previous.merge(router)))
        {
            Ok(merged) => *current = merged,
            Err(panic) => {
                *current = kept;
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "conflicting routes".to_owned());
                lock(&self.errors).push(message);
            }
        }
    }

    /// Opens `path` (and everything below it) to requests without a
    /// credential. Every other path of the plugin requires one.
    pub fn add_auth_policy(&self, path: impl Into<String>, allow: Access) {
        let mut path = path.into();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        lock(&self.policies).push(AuthPolicy { path, allow });
    }

    pub(crate) fn take(&self) -> Result<(Router, Vec<AuthPolicy>), String> {
        let errors = lock(&self.errors);
        if !errors.is_empty() {
            return Err(errors.join("; "));
        }
        Ok((
            std::mem::take(&mut *lock(&self.router)),
            lock(&self.policies).clone(),
        ))
    }
}

/// The root router (`core.rootHttpRouter`): mounts routers at paths outside
/// `/api`, such as an app's UI at `/`. Mounts may be added until the backend
/// stops; the longest matching path wins.
#[derive(Default)]
pub struct RootHttpRouter {
    mounts: Mutex<Vec<(String, Router)>>,
}

impl std::fmt::Debug for RootHttpRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let paths: Vec<String> = lock(&self.mounts).iter().map(|(p, _)| p.clone()).collect();
        f.debug_struct("RootHttpRouter")
            .field("mounts", &paths)
            .finish()
    }
}

/// Paths the backend serves itself.
const RESERVED: [&str; 3] = ["/api", "/.backstage", "/metrics"];

impl RootHttpRouter {
    /// Mounts `router` at `path` (e.g. `/` for a UI, `/docs`). The router
    /// sees full request paths. Paths under `/api`, `/.backstage` and
    /// `/metrics` are the backend's own, and a path may be mounted once.
    pub fn use_router(&self, path: &str, router: Router) -> Result<(), BackendError> {
        let refuse = |reason: &str| BackendError::Mount {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        if !path.starts_with('/') {
            return Err(refuse("paths start with '/'"));
        }
        let normalized = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        if RESERVED
            .iter()
            .any(|r| normalized == *r || normalized.starts_with(&format!("{r}/")))
        {
            return Err(refuse("it is reserved for plugin APIs, health and metrics"));
        }
        let mut mounts = lock(&self.mounts);
        if mounts.iter().any(|(p, _)| p == normalized) {
            return Err(refuse("another router is already mounted there"));
        }
        mounts.push((normalized.to_owned(), router));
        mounts.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        Ok(())
    }

    /// The router mounted at the longest prefix of `path`.
    pub(crate) fn find(&self, path: &str) -> Option<Router> {
        lock(&self.mounts)
            .iter()
            .find(|(prefix, _)| {
                prefix == "/"
                    || path == prefix
                    || path
                        .strip_prefix(prefix.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
            .map(|(_, r)| r.clone())
    }
}

/// The root router (`core.rootHttpRouter`).
pub const ROOT_HTTP_ROUTER: ServiceRef<RootHttpRouter> = ServiceRef::root("core.rootHttpRouter")
    .with_default(|| {
        ServiceFactory::new(&ROOT_HTTP_ROUTER, |_| async {
            Ok(Arc::new(RootHttpRouter::default()))
        })
    });

/// A plugin's router (`core.httpRouter`).
pub const HTTP_ROUTER: ServiceRef<HttpRouter> =
    ServiceRef::plugin("core.httpRouter").with_default(|| {
        ServiceFactory::new(&HTTP_ROUTER, |_| async {
            Ok(Arc::new(HttpRouter::default()))
        })
    });
