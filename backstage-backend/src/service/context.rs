//! [`ServiceContext`]: what a service factory sees.

use std::sync::Arc;

use super::registry::ServiceRegistry;
use super::service_ref::ServiceRef;
use crate::error::BackendError;

/// Given to a [`ServiceFactory`](super::ServiceFactory) (and, through the
/// plugin and module contexts, to features) to obtain other services.
#[derive(Clone)]
pub struct ServiceContext {
    pub(crate) registry: Arc<ServiceRegistry>,
    pub(crate) plugin: Option<Arc<str>>,
    /// Services being created, outermost first: detects cycles.
    pub(crate) chain: Arc<Vec<&'static str>>,
    /// Who is asking, for error messages (e.g. "plugin 'catalog'").
    pub(crate) requester: Arc<str>,
}

impl std::fmt::Debug for ServiceContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceContext")
            .field("plugin", &self.plugin)
            .field("chain", &self.chain)
            .finish()
    }
}

impl ServiceContext {
    pub(crate) fn root(registry: Arc<ServiceRegistry>) -> Self {
        Self {
            registry,
            plugin: None,
            chain: Arc::new(Vec::new()),
            requester: Arc::from("the backend"),
        }
    }

    pub(crate) fn for_feature(
        registry: Arc<ServiceRegistry>,
        plugin: &str,
        requester: String,
    ) -> Self {
        Self {
            registry,
            plugin: Some(Arc::from(plugin)),
            chain: Arc::new(Vec::new()),
            requester: Arc::from(requester),
        }
    }

    pub(crate) fn child(&self, id: &'static str, plugin: Option<Arc<str>>) -> Self {
        let mut chain = (*self.chain).clone();
        chain.push(id);
        Self {
            registry: Arc::clone(&self.registry),
            plugin,
            chain: Arc::new(chain),
            requester: Arc::from(format!("service '{id}'")),
        }
    }

    pub(crate) fn describe(&self) -> String {
        self.requester.to_string()
    }

    /// The plugin this service is being created for; `None` for a root
    /// service.
    pub fn plugin_id(&self) -> Option<&str> {
        self.plugin.as_deref()
    }

    /// Obtains another service.
    pub async fn get<T>(&self, service: &ServiceRef<T>) -> Result<Arc<T>, BackendError>
    where
        T: ?Sized + Send + Sync + 'static,
    {
        self.registry.get(self, service).await
    }
}
